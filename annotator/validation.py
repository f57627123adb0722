"""Tools ▸ Validate: runs ``tei.validate`` in a worker process and lists the problems.

The document is never touched off the GUI thread: the window hands over a snapshot of the bytes a
save would write (``Session.to_bytes()``), which the worker parses and validates on its own. A
worker *process* (``annotator.validation_worker``), not a thread: lxml compiles RELAX NG schemas
while holding the GIL, which would freeze the window for the 8-15 s ``tei_all.rng`` takes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import tei
from tei.validate import Problem, ValidationReport

from . import settings
from .errors import show_error

if TYPE_CHECKING:
    from .main_window import MainWindow

log = logging.getLogger(__name__)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANN_ROLE = Qt.ItemDataRole.UserRole + 1


class ValidationError(tei.TeiError):
    """The validation could not run (worker failed, schema unreadable…)."""


class ValidationRunner(QObject):
    """Validates document snapshots in a long-lived worker process (compiled schemas are kept).

    ``start()`` returns at once; ``progress(text)`` reports stages, then either
    ``finished(ValidationReport)`` or ``failed(exception)`` is emitted on the GUI thread.
    """

    progress = Signal(str)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self._buffer = b""
        self._request = 0
        self._pending: tuple[int, str] | None = None  # request id, snapshot file
        self._stopping = False

    @property
    def busy(self) -> bool:
        """Tell whether a validation is running."""
        return self._pending is not None

    def _ensure_process(self) -> QProcess:
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            return self.process
        proc = QProcess(self)
        proc.setObjectName("validation_process")
        env = QProcessEnvironment.systemEnvironment()
        env.insert("PYTHONPATH", os.pathsep.join(p for p in (ROOT, env.value("PYTHONPATH")) if p))
        env.insert("PYTHONIOENCODING", "utf-8")
        proc.setProcessEnvironment(env)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        proc.readyReadStandardOutput.connect(self._read)
        proc.readyReadStandardError.connect(
            lambda: log.debug("validation worker: %s", bytes(proc.readAllStandardError()).decode(errors="replace")))
        proc.errorOccurred.connect(self._process_error)
        proc.finished.connect(self._process_finished)
        proc.start(sys.executable, ["-m", "annotator.validation_worker"])
        self.process = proc
        self._buffer = b""
        return proc

    def start(self, data: bytes, path: str | None, schema: str | None) -> None:
        """Validate ``data`` (a document snapshot) in the background."""
        if self.busy:
            raise ValidationError("a validation is already running")
        fd, snapshot = tempfile.mkstemp(prefix="glossator-validate-", suffix=".xml")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        self._request += 1
        self._pending = (self._request, snapshot)
        proc = self._ensure_process()
        request = {"id": self._request, "data": snapshot, "path": path, "schema": schema or None}
        proc.write((json.dumps(request) + "\n").encode())
        self.progress.emit("Starting validation…")

    def stop(self) -> None:
        """Kill the worker (closing the window); a running validation is dropped."""
        self._stopping = True
        if self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.kill()
            self.process.waitForFinished(2000)
        self._finish_request()
        self._stopping = False

    def _finish_request(self) -> None:
        if self._pending is not None:
            try:
                os.unlink(self._pending[1])
            except OSError:
                pass
        self._pending = None

    def _read(self) -> None:
        assert self.process is not None
        self._buffer += bytes(self.process.readAllStandardOutput())
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            if line.strip():
                self._message(line)

    def _message(self, line: bytes) -> None:
        try:
            msg = json.loads(line)
        except ValueError:
            log.warning("validation worker said: %r", line[:200])
            return
        if self._pending is None or msg.get("id") != self._pending[0]:
            return
        if "stage" in msg:
            self.progress.emit(str(msg["stage"]))
            return
        self._finish_request()
        if "error" in msg:
            self.failed.emit(ValidationError(str(msg["error"])))
            return
        problems = [Problem(s, c, m, a, ln) for s, c, m, a, ln in msg.get("problems", [])]
        self.finished.emit(ValidationReport(problems, msg.get("schema")))

    def _process_error(self, error: QProcess.ProcessError) -> None:
        if self._stopping or self._pending is None:
            return
        if error == QProcess.ProcessError.FailedToStart:
            self._finish_request()
            self.failed.emit(ValidationError(f"the validation process cannot start ({sys.executable})"))

    def _process_finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        if self._stopping or self._pending is None:
            return
        self._finish_request()
        self.failed.emit(ValidationError(f"the validation process stopped unexpectedly (exit code {code}); "
                                         "try again, or check the schema file"))  # fmt: skip


class ValidationPanel(QWidget):
    """The problems found by the last validation; activating one with an annotation selects it."""

    annotation_activated = Signal(str)
    validate_requested = Signal()

    HEADERS = ("Severity", "Code", "Message", "Annotation", "Line")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("validation_panel")
        self.setAccessibleName("Validation results")
        self.report: ValidationReport | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        top = QHBoxLayout()
        self.summary = QLabel("Not validated yet. Tools ▸ Validate (F7) checks annotations, ids and "
                              "references, and the RELAX NG schema set in the preferences.")  # fmt: skip
        self.summary.setObjectName("validation_summary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        self.again_button = QPushButton("Validate again")
        self.again_button.setObjectName("validation_again")
        self.again_button.setAccessibleName("Validate again")
        self.again_button.clicked.connect(self.validate_requested)
        top.addWidget(self.again_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setObjectName("validation_list")
        self.table.setAccessibleName("Validation problems")
        self.table.setHorizontalHeaderLabels(list(self.HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for c, w in ((0, 70), (1, 120), (3, 70), (4, 50)):
            self.table.setColumnWidth(c, w)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._activated)
        lay.addWidget(self.table, 1)

    def set_running(self, text: str) -> None:
        """Show that a validation is under way."""
        self.summary.setText(text)
        self.again_button.setEnabled(False)

    def show_report(self, report: ValidationReport, stale: bool = False) -> None:
        """List the problems of ``report``."""
        self.report = report
        self.again_button.setEnabled(True)
        style = self.style()
        icons = {"error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)}  # fmt: skip
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(report.problems))
        for r, p in enumerate(report.problems):
            values = (p.severity, p.code, p.message, p.annotation_id or "", "" if p.line is None else str(p.line))
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(ANN_ROLE, p.annotation_id or "")
                item.setToolTip(p.format())
                if c == 0 and p.severity in icons:
                    item.setIcon(icons[p.severity])
                if c == 4 and p.line is not None:
                    item.setData(Qt.ItemDataRole.DisplayRole, p.line)
                self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        n_err, n_warn = len(report.errors), len(report.warnings)
        if not report.problems:
            text = "No problems found."
        else:
            text = f"{n_err} error{'s' if n_err != 1 else ''}, {n_warn} warning{'s' if n_warn != 1 else ''}."
        text += f" Schema: {os.path.basename(report.schema)}." if report.schema else " No schema set."
        if stale:
            text += " The document changed during validation; validate again to be sure."
        self.summary.setText(text)

    def annotation_at(self, row: int) -> str:
        """Return the annotation id of a row ('' if none)."""
        item = self.table.item(row, 0)
        return item.data(ANN_ROLE) if item is not None else ""

    def _activated(self, index) -> None:  # noqa: ANN001
        ann_id = index.data(ANN_ROLE) if index.isValid() else ""
        if ann_id:
            self.annotation_activated.emit(ann_id)


class Validation:
    """Tools ▸ Validate in one window: hands a snapshot to the :class:`ValidationRunner` and
    shows its report in the Validation panel, flagged when the document changed meanwhile."""

    def __init__(self, win: MainWindow, runner: ValidationRunner, panel: ValidationPanel) -> None:
        self.win = win
        self.runner = runner
        self.panel = panel
        self.changes = 0  # undo-stack moves, so that a change undone meanwhile still counts
        self._validated_at: tuple[object, int, int] | None = None

    def note_change(self) -> None:
        """Count a change of the document (the undo stack moved)."""
        self.changes += 1

    def _state(self) -> tuple[object, int, int]:
        session = self.win.session
        return session.doc, session.undo_stack.index(), self.changes

    def start(self) -> bool:
        """Check a snapshot of the document in the worker process.

        The live document is not touched while the worker runs (it validates the bytes a save
        would write now), so editing may go on; results are flagged if it changed meanwhile.
        """
        win = self.win
        if not win.has_document:
            win.statusBar().showMessage("Open a document to validate it.", 4000)
            return False
        if self.runner.busy:
            win.statusBar().showMessage("A validation is already running.", 4000)
            return False
        win.editor.commit_pending()
        schema = settings.get("validation/schema").strip() or None
        try:
            self.runner.start(win.session.to_bytes(), win.session.path, schema)
        except (tei.TeiError, OSError) as exc:
            show_error(win, exc, "The document cannot be validated.")
            return False
        self._validated_at = self._state()
        win.action_validate.setEnabled(False)
        win.validation_dock.show()
        win.validation_dock.raise_()
        self.panel.set_running("Validating…")
        win.progress.show()
        return True

    def progress(self, text: str) -> None:
        """Show a stage of the running validation."""
        self.panel.set_running(text)
        self.win.statusBar().showMessage(text)

    def _done(self) -> None:
        self.win.action_validate.setEnabled(True)
        self.win.progress.hide()
        self.win.statusBar().clearMessage()

    def finished(self, report: object) -> None:
        """Show the report (stale if the document changed while it was made)."""
        self._done()
        self.panel.show_report(report, stale=self._validated_at != self._state())  # type: ignore[arg-type]
        self.win.validation_dock.show()
        self.win.validation_dock.raise_()
        self.win.statusBar().showMessage("Validation: " + self.panel.summary.text(), 6000)

    def failed(self, exc: object) -> None:
        """Say that the validation did not complete, and let it be run again."""
        self._done()
        self.panel.set_running("The validation did not complete.")
        self.panel.again_button.setEnabled(True)
        show_error(self.win, exc, "The validation did not complete.")  # type: ignore[arg-type]

    def activated(self, ann_id: str) -> None:
        """Go to the annotation a problem is about."""
        win = self.win
        try:
            win.session.doc.annotation(ann_id)
        except tei.AnnotationError:
            win.statusBar().showMessage(f"Annotation {ann_id} no longer exists.", 5000)
            return
        win.select_annotation(ann_id)
        if ann_id not in win.view.unresolved:
            win.view.scroll_to_annotation(ann_id)
