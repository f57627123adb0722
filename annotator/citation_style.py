"""The citation style chosen in Preferences, as the Sources panel, the editor and the exports
use it (formatting is :mod:`tei.citations`)."""

from __future__ import annotations

import logging

from tei import citations

from . import settings

log = logging.getLogger(__name__)


def current() -> str:
    """Return the chosen CSL style (the default when the settings file names an unknown one)."""
    name = settings.get("citations/style")
    try:
        return citations.resolve_style(name)
    except citations.CitationStyleError:
        log.warning("unknown citation style %r in the settings; using %s", name,
                    citations.DEFAULT_STYLE)  # fmt: skip
        return citations.DEFAULT_STYLE


def entry(source: object, fmt: str = "text") -> str:
    """Return a source's bibliography entry in the chosen style."""
    return citations.format_entry(source, current(), fmt)
