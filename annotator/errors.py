"""The one error path of the GUI: ``show_error(parent, exc)`` turns any failure into a message.

``tei.TeiError`` becomes a readable text with what to do next; anything else is logged with its
traceback and shown as a short message. Message boxes are opened window-modal but non-blocking
(``open()``), so nothing waits on them and tests can inspect them.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

import tei

log = logging.getLogger(__name__)

#: The last messages shown (title, text), newest last; kept short, used by tests and the log.
history: list[tuple[str, str]] = []

_HINTS: list[tuple[type[BaseException], str, str]] = [
    (tei.NotXmlError, "Not an XML file",
     "Choose a TEI XML file (.xml). To make a TEI edition from plain text, use File ▸ Import "
     "text…"),
    (tei.MalformedXmlError, "The XML is broken",
     "Fix the XML at the place shown (an XML editor can help), then open it again."),
    (tei.NotTeiError, "Not a TEI document",
     "Glossator opens TEI P5 files (root element TEI or teiCorpus in the TEI namespace)."),
    (tei.EncodingError, "Unreadable characters",
     "Save the file as UTF-8, or declare its real encoding in the XML declaration."),
    (tei.TooLargeError, "File too large", "Split the file, or open a smaller part of it."),
    (tei.HostileXmlError, "Unsafe XML refused",
     "The file uses entity tricks or external resources that Glossator never loads."),
    (tei.SaveConflictError, "File changed on disk",
     "Another program changed the file. Reload it, overwrite it, or save under another name."),
    (tei.SaveError, "Cannot save",
     "Choose another folder with File ▸ Save As…, or check the permissions and free space."),
    (tei.TextImportError, "Cannot import this text",
     "Check that it is a text file; try choosing its encoding in the import options."),
    (tei.PointerError, "Unresolvable pointer",
     "The annotation's target does not fit this document; edit its span or delete it."),
    (tei.TaxonomyError, "Category not changed", ""),
    (tei.AnnotationError, "Annotation problem", "Check the values and try again."),
    (tei.TeiError, "Problem with the document", ""),
    (PermissionError, "Permission denied", "Choose a location you can write to."),
    (FileNotFoundError, "File not found", "The file was moved or deleted; choose it again."),
    (OSError, "File system error", "Check the location and try again."),
]


def describe(exc: BaseException) -> tuple[str, str]:
    """Return (title, message) for an exception: what happened and what to do."""
    for cls, title, hint in _HINTS:
        if isinstance(exc, cls):
            if isinstance(exc, OSError) and not isinstance(exc, tei.TeiError):
                what = exc.strerror or str(exc)
                if exc.filename:
                    what = f"{exc.filename}: {what}"
            else:
                what = str(exc)
            return title, what + (f"\n\n{hint}" if hint else "")
    log.error("unexpected error", exc_info=exc)
    return "Unexpected error", (
        f"{type(exc).__name__}: {exc}\n\nThe operation was cancelled; your document is unchanged. "
        "Details are in the log."
    )


def show_error(parent: QWidget | None, exc: BaseException, context: str = "") -> QMessageBox:
    """Show an error as a clear, non-blocking message box and return it."""
    title, text = describe(exc)
    if context:
        text = f"{context}\n\n{text}"
    log.info("error shown: %s: %s", title, text.replace("\n", " "))
    history.append((title, text))
    del history[:-20]
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("error_box")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setAccessibleName(title)
    box.open()
    return box

