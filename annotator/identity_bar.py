"""A non-blocking bar that asks who is annotating, on the first annotation made without a name.

Annotations are signed with the name given here (the ``annotator/name`` and ``annotator/orcid``
preferences, also in Edit ▸ Preferences), never with the system login. Annotations made before
the answer are signed with it once it is given; "Stay anonymous" leaves them, and the rest of the
session's, without a name.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

import tei

from . import settings
from .errors import show_error
from .message_bar import MessageBar
from .preferences import orcid_ok

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class IdentityBar(QFrame):
    """Name and optional ORCID fields; ``given(name, orcid)`` or ``declined()``. It never takes
    the focus by itself: the note being typed stays where it is."""

    given = Signal(str, str)
    declined = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("identity_bar")
        self.setAccessibleName("Who is annotating")
        self.setStyleSheet(f"#identity_bar {{{MessageBar.STYLES['info']}}}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 6, 8, 6)
        outer.setSpacing(4)
        self.label = QLabel("Who is annotating? Your name is recorded with each annotation and in "
                            "the editions made from the file (never your login name).")  # fmt: skip
        self.label.setObjectName("identity_bar_text")
        self.label.setWordWrap(True)
        outer.addWidget(self.label)
        lay = QHBoxLayout()
        outer.addLayout(lay)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("identity_name")
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText("Your name")
        self.name_edit.setMinimumWidth(160)
        self.orcid_edit = QLineEdit()
        self.orcid_edit.setObjectName("identity_orcid")
        self.orcid_edit.setAccessibleName("ORCID iD (optional)")
        self.orcid_edit.setPlaceholderText("ORCID iD (optional)")
        self.orcid_edit.setMinimumWidth(150)
        self.sign_button = QPushButton("Sign")
        self.sign_button.setObjectName("identity_sign")
        self.sign_button.setAccessibleName("Sign my annotations with this name")
        self.anonymous_button = QPushButton("Stay anonymous")
        self.anonymous_button.setObjectName("identity_anonymous")
        self.anonymous_button.setAccessibleName("Stay anonymous in this session")
        lay.addWidget(self.name_edit, 2)
        lay.addWidget(self.orcid_edit, 2)
        lay.addWidget(self.sign_button)
        lay.addWidget(self.anonymous_button)
        lay.addStretch(1)
        self.name_edit.returnPressed.connect(self.submit)
        self.orcid_edit.returnPressed.connect(self.submit)
        self.sign_button.clicked.connect(self.submit)
        self.anonymous_button.clicked.connect(self._decline)
        self.hide()

    def submit(self) -> bool:
        """Give the typed name (and ORCID, if well-formed) and close the bar."""
        name, orcid = self.name_edit.text().strip(), self.orcid_edit.text().strip()
        if not name:
            self.name_edit.setFocus()
            return False
        if not orcid_ok(orcid):
            self.orcid_edit.setStyleSheet("border:1px solid #c0392b;")
            self.orcid_edit.setToolTip("An ORCID iD looks like 0000-0002-1825-0097; or leave it empty.")
            self.orcid_edit.setFocus()
            return False
        self.hide()
        self.given.emit(name, orcid)
        return True

    def _decline(self) -> None:
        self.hide()
        self.declined.emit()


class Signing:
    """Who annotates, in one window: asks with the bar when an annotation is made without a
    name, and signs the annotations made before the name was given (one undo step)."""

    def __init__(self, win: MainWindow, bar: IdentityBar) -> None:
        self.win = win
        self.bar = bar
        self.unsigned: list[str] = []  # annotations made before the annotator gave a name
        self.anonymous = False  # "Stay anonymous" was chosen in this session

    def forget(self) -> None:
        """Forget the unsigned annotations (of the document shown before)."""
        self.unsigned = []

    def ask(self, ann_id: str) -> None:
        """Ask who is annotating (the bar, without taking the focus) when ``ann_id`` was made
        without a name; it is signed once the name is given."""
        if self.win.session.identity()[0].strip() or self.anonymous:
            return
        self.unsigned.append(ann_id)
        self.bar.show()

    def given(self, name: str, orcid: str) -> None:
        """Record the name (and ORCID) given in the bar and sign what was made before it."""
        settings.put("annotator/name", name)
        settings.put("annotator/orcid", orcid)
        self.sign_unsigned()
        self._focus_back()

    def declined(self) -> None:
        """Leave this session's annotations anonymous ("Stay anonymous")."""
        self.anonymous = True
        self.unsigned = []
        self.win.statusBar().showMessage("Your annotations stay anonymous in this session; "
                                         "Edit ▸ Preferences records your name.", 8000)  # fmt: skip
        self._focus_back()

    def answered_elsewhere(self) -> None:
        """The preferences gave a name while the bar was asking: sign with it."""
        if self.bar.isVisible() and settings.annotator_name():
            self.bar.hide()
            self.sign_unsigned()

    def sign_unsigned(self) -> None:
        """Sign the annotations made before the annotator gave a name (one undo step)."""
        session = self.win.session
        name = session.identity()[0]
        ids = [a.id for a in session.doc.annotations() if a.id in self.unsigned and not a.annotator]
        self.unsigned = []
        try:
            session.sign_annotations(ids)
        except tei.TeiError as exc:
            show_error(self.win, exc, "The annotations could not be signed.")
        signed = f"Signed {len(ids)} annotation{'s' if len(ids) != 1 else ''} as {name}; " if ids else ""
        self.win.statusBar().showMessage(f"{signed}your next annotations carry your name "
                                         "(Edit ▸ Preferences to change it).", 8000)  # fmt: skip

    def _focus_back(self) -> None:
        if self.win.editor.ann_id:
            self.win.focus_note()
        else:
            self.win.view.setFocus()
