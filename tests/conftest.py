"""Shared, Qt-free fixtures: paths to test data, the shared corpus and the compiled TEI schema."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# CI explores the same examples on every run (a red build is reproducible); developers' runs and
# bench/soak_session.py keep drawing new ones.
if os.environ.get("CI"):
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
    _hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
SCHEMA = SHARED / "schema" / "tei_all.rng"
SEED = SHARED / "seed" / "soviet-aid-to-china.txt"


def corpus_files() -> list[Path]:
    """Return the well-formed files of the shared corpus (empty when it is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".xml", ".tei"))


@pytest.fixture(scope="session")
def tei_all_schema():
    """Compile ``tei_all.rng`` once per session (about 15 s); skip when it is absent."""
    if not SCHEMA.is_file():
        pytest.skip("shared/schema/tei_all.rng is not available")
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.fixture
def data_dir() -> Path:
    """Return the folder of small hand-made test inputs."""
    return DATA
