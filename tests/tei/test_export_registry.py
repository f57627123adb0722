"""The export registry: formats, errors, the webanno wrapper."""

from __future__ import annotations

import json

import pytest

import tei
from tei import exporters
from tests.tei.export_helpers import SAMPLE


def test_builtin_formats_are_listed() -> None:
    for fmt in ("html", "tei-inline", "csv", "webanno"):
        assert fmt in exporters.FORMATS and exporters.FORMATS[fmt]


def test_unknown_format_lists_the_known_ones(tmp_path) -> None:
    doc = tei.load(str(SAMPLE))
    with pytest.raises(tei.TeiError) as err:
        exporters.export(doc, "docx", tmp_path / "x.docx")
    assert "docx" in str(err.value) and "html" in str(err.value) and "csv" in str(err.value)


def test_register_a_format(tmp_path) -> None:
    def fake(doc, dest, **options):
        with open(dest, "w") as fh:
            fh.write(repr(sorted(options)))
        return exporters.ExportReport(dest)

    exporters.register("fake-test", fake, "A test format")
    try:
        report = exporters.export(tei.load(str(SAMPLE)), "fake-test", tmp_path / "f", a=1)
        assert report.format == "fake-test" and (tmp_path / "f").read_text() == "['a']"
    finally:
        exporters.FORMATS.pop("fake-test")
        exporters._FUNCS.pop("fake-test")
        exporters.OPTIONS.pop("fake-test", None)


def test_webanno_wrapper_writes_json(tmp_path) -> None:
    pytest.importorskip("tei.webanno", reason="tei.webanno is written in another issue")
    doc = tei.load(str(SAMPLE))
    b = doc.text.blocks[1]
    doc.add_annotation(doc.target_for(1, 0, 1, min(10, len(b.reading))), "gl-comment")
    out = tmp_path / "a.json"
    exporters.export(doc, "webanno", out)
    text = out.read_text(encoding="utf-8")
    assert json.loads(text) and text.startswith("{\n  ")
