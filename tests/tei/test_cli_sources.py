"""``glossator sources import``: bibliographies into a document from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import tei
from tei import cli

from ..conftest import DATA

BIB = DATA / "bib"
MINIMAL = DATA / "tei" / "minimal.xml"


def run(capsys, *argv) -> tuple[int, str, str]:  # noqa: ANN001
    code = cli.run([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_import_prints_each_entry_and_saves_once(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    doc = tmp_path / "doc.xml"
    shutil.copy(MINIMAL, doc)
    code, out, err = run(capsys, "sources", "import", doc, BIB / "sample.bib", BIB / "invalid.json",
                         "-o", doc)  # fmt: skip
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("added   sample.bib: @book{chuikov1981} -> src-chuikov-")
    assert "skipped invalid.json: (the file): invalid JSON at line 3, column 3" in out
    assert any(line.startswith("skipped sample.bib: @misc{untitled2001} (line 43): it has no title")
               for line in lines)  # fmt: skip
    assert lines[-1] == "5 added, 0 merged, 3 skipped"
    assert (tmp_path / "doc.xml.bak").read_bytes() == MINIMAL.read_bytes()
    assert len(tei.load(doc).sources()) == 5
    code, out, _ = run(capsys, "sources", "import", doc, BIB / "sample.bib", "-o", doc)
    assert out.splitlines()[-1] == "0 added, 5 merged, 2 skipped"
    assert len(tei.load(doc).sources()) == 5


def test_sources_import_exit_0_when_all_entries_are_taken(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    zotero = tmp_path / "zotero.json"
    zotero.write_text('[{"type": "book", "title": "Mission in China", "ISBN": "5-203-00198-2"}]')
    out_file = tmp_path / "out.xml"
    code, out, _ = run(capsys, "sources", "import", MINIMAL, zotero, "-o", out_file)
    assert code == 0 and out.splitlines()[-1] == "1 added, 0 merged, 0 skipped"
    [source] = tei.load(out_file).sources()
    assert source.element.tag == tei.ns.qn("biblStruct")


def test_sources_import_refuses_bad_usage_in_one_line(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    bib = tmp_path / "refs.bib"
    shutil.copy(BIB / "sample.bib", bib)
    code, _, err = run(capsys, "sources", "import", MINIMAL, bib, "-o", bib)
    assert code == 2 and err.startswith("glossator: error: -o ") and "bibliography itself" in err
    assert bib.read_bytes() == (BIB / "sample.bib").read_bytes()
    code, _, err = run(capsys, "sources", "import", tmp_path / "missing.xml", bib, "-o", tmp_path / "o.xml")
    assert code == 2 and "no such file" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "sources")
    assert code == 2 and "ACTION" in err
    assert "sources" in cli.COMMANDS and "sources" in cli.commands_help()
