"""Glossator's TEI library: load TEI P5, map its text, hold critical annotations, save losslessly.

Qt-free and usable from scripts::

    import tei
    doc = tei.load("resources/samples/soviet-aid-to-china.xml")
    p2 = doc.text.blocks[1]
    i = p2.reading.index("July 25, 1919")
    target = doc.target_for(1, i, 1, i + 13)  # '#string-range(p2,39,13)'
    ann = doc.add_annotation(target, "gl-comment")
    ann.note = ["The Karakhan Manifesto is dated 25 July 1919."]
    doc.save("annotated.xml")
"""

from __future__ import annotations

import os
import types
from typing import TYPE_CHECKING, Any

from . import validate
from .annotations import (
    Alternative,
    Annotation,
    BiasNote,
    ContestedFigure,
    Quantity,
    SourceLink,
)
from .document import Resolution, TeiDocument
from .errors import (
    AnnotationError,
    EncodingError,
    HostileXmlError,
    MalformedXmlError,
    NotTeiError,
    NotXmlError,
    PointerError,
    ReadOnlyFileError,
    SaveConflictError,
    SaveError,
    TaxonomyError,
    TeiError,
    TextImportError,
    TooLargeError,
)

if TYPE_CHECKING:
    from .exporters import ExportReport
    from .importers.plaintext import ImportResult
    from .validate import ValidationReport

__version__ = "0.1.0"


def load(path: str | os.PathLike[str]) -> TeiDocument:
    """Open a TEI file (see :meth:`TeiDocument.load`)."""
    return TeiDocument.load(path)


def export(doc: TeiDocument, fmt: str, path: str | os.PathLike[str], **options: Any) -> ExportReport:
    """Export ``doc`` as ``fmt`` (html, tei-inline, webanno, csv; pdf once ``annotator.pdf`` is
    imported) to ``path``; ``TeiError`` for an unknown format, option or value."""
    from .exporters import export as _export

    return _export(doc, fmt, path, **options)


class _CallableModule(types.ModuleType):
    """``tei.validate`` is both the module and, called, its ``validate`` function (a submodule
    would replace a function of the same name here as soon as anything imported it)."""

    def __call__(self, doc: TeiDocument, schema: str | os.PathLike[str] | None = None
                 ) -> ValidationReport:  # fmt: skip
        """Check pointers, ids, categories and sources (and a RELAX NG ``schema``)."""
        return self.validate(doc, schema)


validate.__class__ = _CallableModule


def import_text(path: str | os.PathLike[str], **options: Any) -> ImportResult:
    """Import a plain-text file as TEI; ``options`` are those of ``TextImportOptions`` (title,
    author, lang, …). The result has ``.report`` and ``.document()``."""
    from .importers.plaintext import TextImportOptions, import_text_file

    return import_text_file(path, TextImportOptions(**options))


__all__ = [
    "Alternative", "Annotation", "AnnotationError", "BiasNote", "ContestedFigure",
    "EncodingError", "HostileXmlError", "MalformedXmlError", "NotTeiError", "NotXmlError",
    "PointerError", "Quantity", "ReadOnlyFileError", "Resolution", "SaveConflictError", "SaveError",
    "SourceLink", "TaxonomyError", "TeiDocument", "TeiError", "TextImportError", "TooLargeError",
    "export", "import_text", "load", "validate",
]  # fmt: skip
