"""A read-only file (no write permission bits) is not replaced by a save unless forced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import tei
from tei.errors import ReadOnlyFileError, SaveError

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "samples" / "soviet-aid-to-china.xml"


def test_saving_a_read_only_file_is_refused_unless_forced(tmp_path: Path) -> None:
    if not SAMPLE.is_file():
        pytest.skip("no sample")
    path = tmp_path / "master.xml"
    shutil.copy(SAMPLE, path)
    path.chmod(0o444)
    doc = tei.load(str(path))
    doc.add_annotation(doc.target_for(0, 4, 0, 38), "gl-comment")
    before = path.read_bytes()
    with pytest.raises(ReadOnlyFileError) as err:
        doc.save()
    assert isinstance(err.value, SaveError) and "read-only" in str(err.value)
    assert path.read_bytes() == before and (path.stat().st_mode & 0o777) == 0o444
    doc.save(force=True)
    assert tei.load(str(path)).annotations()
