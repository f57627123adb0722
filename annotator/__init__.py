"""Glossator's desktop application: a PySide6 workbench over the Qt-free ``tei`` library."""

from __future__ import annotations

__version__ = "0.1.0"
