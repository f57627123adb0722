"""The window's Tab order: the text, the current annotation's note and the editor's other fields,
then the other panels shown; never a container, nor a widget in a hidden dock or in a dock tab
that is not in front (Qt's own chain walks all of those)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)


class TabOrder:
    """Where Tab and Shift+Tab go in one window."""

    def __init__(self, win: MainWindow) -> None:
        self.win = win

    def no_container_focus(self) -> None:
        """Scroll areas that only hold a panel take no Tab stop (their fields do); the list's
        Tab leaves the list instead of walking its cells."""
        for area in self.win.findChildren(QScrollArea):
            if type(area) is QScrollArea:
                area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.win.annotation_list.setTabKeyNavigation(False)

    def _stop(self, w: QWidget) -> bool:
        try:
            return (w.window() is self.win and w.isVisible() and w.isEnabled() and w.focusProxy() is None
                    and bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus) and type(w) is not QScrollArea
                    and not w.visibleRegion().isEmpty())  # fmt: skip - not in a hidden dock tab
        except RuntimeError:  # a Python wrapper left over from a widget Qt deleted at this address
            return False

    @staticmethod
    def _walk(start: QWidget, forward: bool) -> list[QWidget]:
        """The focus chain from ``start`` (excluded) round to it, or up to a link whose Python
        wrapper is unusable."""
        out: list[QWidget] = []
        w = start
        while True:
            try:
                w = w.nextInFocusChain() if forward else w.previousInFocusChain()
            except RuntimeError:
                return out
            if w is start or w is None or not shiboken6.isValid(w):
                return out
            out.append(w)

    def chain(self) -> list[QWidget]:
        """Return the widgets Tab visits, in order."""
        view, editor_panel = self.win.view, self.win.editor
        ahead = self._walk(view, True)
        seen = {id(w) for w in ahead}
        behind = [w for w in self._walk(view, False) if id(w) not in seen]  # if the walk broke off
        chain = [w for w in [*ahead, *reversed(behind)] if self._stop(w)]
        editor = [w for w in chain if editor_panel.isAncestorOf(w)]
        if self.win.note_edit in editor:  # the note first, then the fields after it, then the ones before
            k = editor.index(self.win.note_edit)
            editor = editor[k:] + editor[:k]
        rest = [w for w in chain if not editor_panel.isAncestorOf(w)]
        return [view, *editor, *rest]

    def move(self, forward: bool) -> bool:
        """Move the focus to the next (previous) stop, scrolling the field reached into view;
        return False when Qt's own order should be followed (the focus is leaving a widget
        being hidden or disabled, or is in another window)."""
        win = self.win
        current = QApplication.focusWidget()
        if (not win.isVisible() or current is None or not current.isVisible() or not current.isEnabled()
                or current.window() is not win):  # fmt: skip
            return False
        chain = self.chain()
        here = -1
        for k, w in enumerate(chain):
            if w is current or w.isAncestorOf(current):
                here = k
        target = chain[(0 if forward else len(chain) - 1) if here < 0 else (here + (1 if forward else -1)) % len(chain)]
        target.setFocus(Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
        for area in (win.editor.scroll, win.sources_dock.widget(), win.taxonomy_dock.widget(),
                     win.document_dock.widget()):  # fmt: skip - the panels in scroll areas
            if isinstance(area, QScrollArea) and area.isAncestorOf(target):
                area.ensureWidgetVisible(target)
        return True
