"""A non-modal message bar above the text (recovery offers, files changed on disk, warnings)."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class MessageBar(QFrame):
    """Shows one message with action buttons; buttons are named ``message_bar_<label>``.

    ``closed(kind)`` is emitted after a button's callback ran (the bar is hidden by then)."""

    closed = Signal(str)

    STYLES = {
        "info": "background:#eef3f8; border-bottom:1px solid #c9d6e3;",
        "warning": "background:#fdf3dc; border-bottom:1px solid #e8d29a;",
        "error": "background:#f9e3e0; border-bottom:1px solid #e3b3ac;",
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_bar")
        self.setAccessibleName("Message")
        self._lay = QHBoxLayout(self)
        self._lay.setContentsMargins(12, 6, 8, 6)
        self.label = QLabel()
        self.label.setObjectName("message_bar_text")
        self.label.setWordWrap(True)
        self._lay.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self.kind = ""
        self.hide()

    def show_message(self, text: str, actions: list[tuple[str, Callable[[], None]]] | None = None,
                     level: str = "info", kind: str = "") -> None:  # fmt: skip
        """Show ``text`` with buttons; each button runs its callback and hides the bar."""
        for b in self.buttons:
            b.deleteLater()
        self.buttons = []
        self.kind = kind
        self.label.setText(text)
        self.setStyleSheet(f"#message_bar {{{self.STYLES.get(level, '')}}}")
        for label, callback in [*(actions or []), ("Dismiss", lambda: None)]:
            b = QPushButton(label)
            b.setObjectName("message_bar_" + re.sub(r"\W+", "_", label.lower()).strip("_"))
            b.setAccessibleName(label)
            b.clicked.connect(lambda _=False, cb=callback: self._run(cb))
            self._lay.addWidget(b)
            self.buttons.append(b)
        self.show()

    def button(self, label: str) -> QPushButton | None:
        """Return the button with this label."""
        return next((b for b in self.buttons if b.text() == label), None)

    def _run(self, callback: Callable[[], None]) -> None:
        kind = self.kind
        self.hide()
        self.kind = ""
        callback()
        if not self.isVisible():
            self.closed.emit(kind)
