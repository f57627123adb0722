"""Panels that read the whole document (agreement, comparison with a colleague's copy, the
evidence matrix): rebuilt when the document changes while they are on screen, and when they are
shown after changes made while they were hidden, never for a hidden panel."""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class WholeDocumentPanel(QWidget):
    """A panel with a ``refresh()`` that reads the whole document; ``mark_stale`` is the slot
    for the session's change signals."""

    stale = True

    def refresh(self) -> None:
        """Read the document again (subclasses do)."""
        raise NotImplementedError

    def refresh_soon(self) -> None:
        """Refresh (at once here; a panel may gather a burst of changes first)."""
        self.refresh()

    def mark_stale(self, *_args: object) -> None:
        """Note that the document changed; refresh if the panel is on screen."""
        self.stale = True
        if shiboken6.isValid(self) and self.isVisible():  # a session's signal may outlive the window
            self.refresh_soon()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        """Refresh what changed while the panel was hidden."""
        super().showEvent(event)
        if self.stale:
            self.refresh_soon()
