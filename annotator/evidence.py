"""Evidence links in the app: the undoable commands, the editor's "Evidence" section, the link
dialog and the hover text (the links are :mod:`tei.relations`)."""

from __future__ import annotations

import copy
import html
import logging
from collections.abc import Callable

from lxml import etree
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei import relations
from tei.annotations import CERTAINTIES
from tei.document import TeiDocument

from .commands import Recorder, SessionCommand, _restore_content
from .session import Session

log = logging.getLogger(__name__)

#: Where other documents open in the app are found: real path -> document (unsaved changes too).
OpenDocs = Callable[[], dict[str, TeiDocument]]
#: Other ends the user may pick when adding a link: (label, passive URI, quote).
Candidates = Callable[[], list[tuple[str, str, str]]]


def _ends(session: Session, rel_el: etree._Element) -> list[str]:
    rel = relations.Relation(rel_el, session.doc)
    return [i for i in (rel.active_id, rel.passive_id) if i]


def _changed(session: Session, ids: list[str]) -> None:
    for ann_id in dict.fromkeys(ids):
        try:
            session.doc.annotation(ann_id)
        except tei.AnnotationError:
            continue
        session.annotation_changed.emit(ann_id)


class AddRelation(SessionCommand):
    """Link an annotation to another annotation or passage."""

    def __init__(self, session: Session, active_id: str, passive: str, name: str, certainty: str = "unknown",
                 note: str = "", quote_text: str = "") -> None:  # fmt: skip
        super().__init__(session, f"Link: {relations.LABELS.get(name, name)}")
        self.args = (active_id, passive, name)
        self.fields = {"certainty": certainty, "note": note, "quote_text": quote_text}
        self.rel_id = ""
        self.rec: Recorder | None = None
        self.ids: list[str] = []

    def first(self) -> None:
        rec = Recorder(self.doc)
        try:
            rel = relations.add_relation(self.doc, *self.args, resp=self.session.person_id(), **self.fields)
        except BaseException:
            rec.finish().undo()
            raise
        self.rec = rec.finish()
        self.rel_id = rel.id
        self.ids = _ends(self.session, rel.element)
        _changed(self.session, self.ids)

    def again(self) -> None:
        assert self.rec is not None
        self.rec.redo()
        _changed(self.session, self.ids)

    def undo(self) -> None:
        assert self.rec is not None
        self.rec.undo()
        _changed(self.session, self.ids)


class EditRelation(SessionCommand):
    """Change a link's kind, certainty or note."""

    def __init__(self, session: Session, rel_id: str, **fields: str) -> None:
        super().__init__(session, "Edit link")
        self.rel_id = rel_id
        self.fields = fields
        self.before: etree._Element | None = None
        self.after: etree._Element | None = None

    def first(self) -> None:
        el = relations.relation(self.doc, self.rel_id).element
        self.before = copy.deepcopy(el)
        try:
            relations.edit_relation(self.doc, self.rel_id, **self.fields)
        except BaseException:
            _restore_content(el, self.before)
            raise
        self.after = copy.deepcopy(el)
        if etree.tostring(self.after) == etree.tostring(self.before):
            self.setObsolete(True)
        _changed(self.session, _ends(self.session, el))

    def _put(self, snap: etree._Element | None) -> None:
        assert snap is not None
        el = relations.relation(self.doc, self.rel_id).element
        _restore_content(el, snap)
        _changed(self.session, _ends(self.session, el))

    def again(self) -> None:
        self._put(self.after)

    def undo(self) -> None:
        self._put(self.before)


class RemoveRelation(SessionCommand):
    """Remove a link (undo puts it back in place)."""

    def __init__(self, session: Session, rel_id: str) -> None:
        super().__init__(session, "Remove link")
        self.rel_id = rel_id
        self.detached: relations.Detached | None = None
        self.ids: list[str] = []

    def first(self) -> None:
        self.ids = _ends(self.session, relations.relation(self.doc, self.rel_id).element)
        self.detached = relations.remove_relation(self.doc, self.rel_id)
        _changed(self.session, self.ids)

    again = first

    def undo(self) -> None:
        assert self.detached is not None
        self.detached.restore(self.doc)
        _changed(self.session, self.ids)


def add_link(session: Session, active_id: str, passive: str, name: str, certainty: str = "unknown",
             note: str = "", quote_text: str = "") -> str:  # fmt: skip
    """Link ``active_id`` to ``passive`` as one undo step; return the new link's id."""
    cmd = AddRelation(session, active_id, passive, name, certainty, note, quote_text)
    session.push(cmd)
    return cmd.rel_id


# -- describing -----------------------------------------------------------------------------------
def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def describe_other_end(rel: relations.Relation, found: relations.Resolved, ann_id: str) -> tuple[str, str]:
    """Return (the other end's quote and file, the problem or '') as the user reads them."""
    if rel.active_id != ann_id:  # a link made from another annotation to this one
        try:
            other = rel.doc.annotation(rel.active_id)
            return f"“{_short(other.quote)}”", ""
        except tei.AnnotationError:
            return rel.active, "the annotation is gone"
    where = f" — {rel.other_file}" if rel.other_file else ""
    quote = found.quote or found.found
    text = f"“{_short(quote)}”{where}" if quote else (rel.other_file or rel.passive)
    return text, "" if found.ok else found.message


def link_rows(doc: TeiDocument, ann_id: str, open_docs: dict[str, TeiDocument] | None = None
              ) -> list[tuple[relations.Relation, str, str, str]]:  # fmt: skip
    """Return (link, kind as read, other end, problem) for every link of an annotation."""
    out = []
    for rel in relations.relations(doc, ann_id):
        label = "other value" if rel.name == "alternative-value" else rel.name
        if rel.active_id != ann_id:
            label = f"← {label}"
            text, problem = describe_other_end(rel, relations.Resolved("ok"), ann_id)
        else:
            text, problem = describe_other_end(rel, relations.resolve(rel, open_docs), ann_id)
        out.append((rel, label, text, problem))
    return out


def hover_text(doc: TeiDocument, ann_id: str, open_docs: dict[str, TeiDocument] | None = None) -> str:
    """Return the links of an annotation as rich text for its tooltip ('' when it has none)."""
    lines = []
    for rel, label, text, problem in link_rows(doc, ann_id, open_docs)[:6]:
        label = label.replace("other value", relations.LABELS["alternative-value"])
        line = f"{html.escape(label)} {html.escape(text)} <i>{html.escape(rel.certainty)}</i>"
        if problem:
            line += f" <b>⚠ {html.escape(problem)}</b>"
        lines.append(line)
    return "<br/><b>Evidence</b><br/>" + "<br/>".join(lines) if lines else ""


# -- the dialog -----------------------------------------------------------------------------------
class LinkDialog(QDialog):
    """Choose the kind of link, its certainty and a note (and, when adding from the editor, the
    other end)."""

    def __init__(self, parent: QWidget | None, title: str, *, candidates: list[tuple[str, str, str]] | None = None,
                 name: str = "corroborates", certainty: str = "unknown", note: str = "") -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("link_dialog")
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.other_combo: QComboBox | None = None
        if candidates is not None:
            self.other_combo = QComboBox()
            self.other_combo.setObjectName("link_other")
            self.other_combo.setAccessibleName("Other end")
            for label, passive, quote in candidates:
                self.other_combo.addItem(label, (passive, quote))
            form.addRow("&Other end", self.other_combo)
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("link_kind")
        self.kind_combo.setAccessibleName("Kind of link")
        for n in relations.NAMES:
            self.kind_combo.addItem(f"This passage {relations.LABELS[n]} the other", n)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(name)))
        form.addRow("&Link", self.kind_combo)
        self.cert_combo = QComboBox()
        self.cert_combo.setObjectName("link_certainty")
        self.cert_combo.setAccessibleName("Certainty")
        self.cert_combo.addItems(list(CERTAINTIES))
        self.cert_combo.setCurrentText(certainty)
        form.addRow("&Certainty", self.cert_combo)
        self.note_edit = QLineEdit(note)
        self.note_edit.setObjectName("link_note")
        self.note_edit.setAccessibleName("Note")
        self.note_edit.setPlaceholderText("why (optional)")
        form.addRow("&Note", self.note_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("link_ok")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind_combo.setFocus()

    def values(self) -> dict[str, str]:
        """Return the chosen name, certainty and note."""
        return {"name": self.kind_combo.currentData(), "certainty": self.cert_combo.currentText(),
                "note": self.note_edit.text().strip()}  # fmt: skip

    def other(self) -> tuple[str, str]:
        """Return the chosen other end (passive URI, quote)."""
        assert self.other_combo is not None
        return self.other_combo.currentData()


# -- the editor's section -------------------------------------------------------------------------
class EvidenceSection(QGroupBox):
    """The links of the annotation shown in the editor, with Add, Edit and Remove."""

    error = Signal(object)

    def __init__(self, session: Session, editor: QWidget, open_docs: OpenDocs, candidates: Candidates) -> None:
        super().__init__()  # its name stands in its button row: a title line would cost the
        self.setObjectName("evidence_section")  # figure editor its fourth row at 1366×768
        self.setAccessibleName("Evidence")
        self.session = session
        self.editor = editor
        self.open_docs = open_docs
        self.candidates = candidates
        self.ann_id = ""
        self.dialog: LinkDialog | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 4)
        lay.setSpacing(3)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("evidence_table")
        self.table.setAccessibleName("Evidence links")
        self.table.setHorizontalHeaderLabels(["Link", "Other end", "Certainty", "Note"])
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self._row_height = self.fontMetrics().height() + 6
        self.table.verticalHeader().setDefaultSectionSize(self._row_height)
        self.table.doubleClicked.connect(lambda _i: self.edit_link())
        lay.addWidget(self.table)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("evidence_problems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color:#9a3412;")
        lay.addWidget(self.problem_label)
        row = QHBoxLayout()
        title = QLabel("<b>Evidence</b>")
        title.setObjectName("evidence_title")
        row.addWidget(title)
        self.empty_label = QLabel("no links to other passages or sources")
        self.empty_label.setObjectName("evidence_empty")
        self.empty_label.setStyleSheet("color:#7a7467;")
        row.addWidget(self.empty_label)
        row.addStretch(1)
        self.add_button = QPushButton("Add link…")
        self.add_button.setObjectName("evidence_add")
        self.add_button.clicked.connect(self.add_link)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("evidence_edit")
        self.edit_button.clicked.connect(self.edit_link)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("evidence_remove")
        self.remove_button.clicked.connect(self.remove_link)
        for b in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        lay.addLayout(row)
        session.annotation_changed.connect(self._on_changed)
        session.annotation_removed.connect(self._on_changed)
        session.document_replaced.connect(lambda: self.show_annotation(""))

    def show_annotation(self, ann_id: str) -> None:
        """Show the links of an annotation ('' for none)."""
        self.ann_id = ann_id
        self.refresh()

    def _on_changed(self, ann_id: str) -> None:
        if ann_id == self.ann_id or not ann_id:
            self.refresh()

    def refresh(self) -> None:
        """Read the links again (and resolve their other ends)."""
        doc = self.session.doc
        try:
            editable = bool(self.ann_id) and doc.annotation(self.ann_id).editable
            rows = link_rows(doc, self.ann_id, self.open_docs()) if self.ann_id else []
        except tei.AnnotationError:
            editable, rows = False, []
        self.table.setRowCount(len(rows))
        problems = []
        for r, (rel, label, text, problem) in enumerate(rows):
            other = ("⚠ " if problem else "") + text
            for c, value in enumerate((label, other, rel.certainty, rel.note)):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, rel.id)
                item.setToolTip(f"{value}\n{problem}" if problem and c == 1 else value)
                self.table.setItem(r, c, item)
            if problem:
                problems.append(f"{text}: {problem}" if not text.startswith("“") else problem)
        self.problem_label.setText(" · ".join(dict.fromkeys(problems)))
        self.problem_label.setVisible(bool(problems))
        # as tall as its rows (up to four, then it scrolls); only a line when there are none
        shown = min(max(len(rows), 1), 4)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + shown * self._row_height
                                  + 2 * self.table.frameWidth())  # fmt: skip
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        self.add_button.setEnabled(editable)
        for b in (self.edit_button, self.remove_button):
            b.setVisible(bool(rows))
            b.setEnabled(editable and bool(rows))

    def current_link(self) -> str:
        """Return the id of the link selected (or the only one), '' if none."""
        row = self.table.currentRow()
        if row < 0 and self.table.rowCount() == 1:
            row = 0
        item = self.table.item(row, 0) if row >= 0 else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else ""

    def _push(self, make: Callable[[], SessionCommand]) -> bool:
        try:
            self.session.push(make())
        except tei.TeiError as exc:
            self.error.emit(exc)
            return False
        return True

    def add_link(self) -> LinkDialog | None:
        """Ask for the other end, the kind, certainty and note of a new link (the dialog is
        returned, open; accepting it adds the link as one undo step)."""
        if not self.ann_id:
            return None
        options = [c for c in self.candidates() if c[1] != f"#{self.ann_id}"]
        if not options:
            self.error.emit(tei.AnnotationError(
                "There is nothing to link to yet: annotate another passage first, or open a second "
                "source with View ▸ Compare with… and select a passage in each."))  # fmt: skip
            return None
        ann_id = self.ann_id
        dialog = self.dialog = LinkDialog(self, "Add evidence link", candidates=options)

        def done() -> None:
            passive, _quote = dialog.other()  # an annotation: it keeps its own quote
            v = dialog.values()
            self._push(lambda: AddRelation(self.session, ann_id, passive, v["name"], v["certainty"], v["note"]))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def edit_link(self) -> LinkDialog | None:
        """Change the selected link's kind, certainty and note (one undo step)."""
        rel_id = self.current_link()
        if not rel_id or not self.edit_button.isEnabled():
            return None
        rel = relations.relation(self.session.doc, rel_id)
        dialog = self.dialog = LinkDialog(self, "Edit evidence link", name=rel.name, certainty=rel.certainty,
                                          note=rel.note)  # fmt: skip

        def done() -> None:
            v = dialog.values()
            self._push(lambda: EditRelation(self.session, rel_id, **v))

        dialog.accepted.connect(done)
        dialog.open()
        return dialog

    def remove_link(self) -> None:
        """Remove the selected link (one undo step)."""
        rel_id = self.current_link()
        if rel_id:
            self._push(lambda: RemoveRelation(self.session, rel_id))


def annotation_candidates(doc: TeiDocument, passive_prefix: str = "") -> list[tuple[str, str, str]]:
    """Return (label, passive URI, quote) for every annotation of ``doc`` with a quote."""
    out = []
    for ann in doc.annotations():
        if ann.quote:
            where = passive_prefix.rstrip("#").split("/")[-1] or "this document"
            label = f"“{_short(ann.quote, 60)}” ({doc.taxonomy.label(ann.category)}, {where})"
            out.append((label, f"{passive_prefix or '#'}{ann.id}", ann.quote))
    return out
