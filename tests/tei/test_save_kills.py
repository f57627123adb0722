"""Saving survives kill -9 and cleans up after it; read-only files are not replaced."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import tei
from tei import ns
from tei.storage import atomic_write, clean_leftovers
from tests.conftest import ROOT

HEAD = (f'<TEI xmlns="{ns.TEI}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
        "<publicationStmt><p>x</p></publicationStmt><sourceDesc><p>y</p></sourceDesc></fileDesc>"
        "</teiHeader><text><body>\n")  # fmt: skip

#: Saves the document again and again, one more annotation each time; logs each finished save.
SAVER = """
import os, sys
import tei
path, log = sys.argv[1], sys.argv[2]
doc = tei.load(path)
while True:
    b = len(doc.annotations()) % len(doc.text.blocks)
    doc.add_annotation(doc.target_for(b, 0, b, 4), "gl-comment")
    doc.save()
    with open(log, "a") as fh:
        fh.write(f"{len(doc.annotations())}\\n")
"""


def document(paragraphs: int) -> bytes:
    body = "".join(f"<p>Paragraph {n} of the long text, with enough words to weigh.</p>\n"
                   for n in range(paragraphs))  # fmt: skip
    return (HEAD + body + "</body></text></TEI>\n").encode()


def dead_pid() -> int:
    """Return the id of a process that has just ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def host() -> str:
    from tei import storage

    return storage._HOST  # noqa: SLF001


def count(data: bytes) -> int:
    """Return the number of annotations in a saved document (it must parse)."""
    return len(tei.TeiDocument.from_bytes(data).annotations())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "notes.xml").write_bytes(document(20))
    (tmp_path / "notes.tmp").write_text("the user's own notes")
    (tmp_path / "other.bak").write_text("another program's backup")
    return tmp_path


def test_leftovers_of_killed_saves_go_and_nothing_else(folder: Path) -> None:
    path = folder / "notes.xml"
    dead, alive = dead_pid(), os.getppid()
    h = host()
    gone = [f".glossator-{h}-{dead}-abcd_123-999.notes.xml.tmp",  # cut short (999 bytes meant)
            f".glossator-{h}-{dead}.notes.xml.bak",  # the link made on the way to the backup
            f".glossator-{h}-{dead}-zzzzzzzz-5.notes.xml.bak.tmp",  # a copied backup, cut short
            f".glossator-{dead}-notes.xml.bak"]  # Glossator 0.1's link  # fmt: skip
    kept = [f".glossator-{h}-{alive}-abcd_123-999.notes.xml.tmp",  # a save still running
            f".glossator-{h}-{dead}-abcd_123-999.other.xml.tmp",  # another file's
            f".glossator-elsewhere-{dead}-abcd_123-999.notes.xml.tmp",  # another computer's
            ".glossator-k2j4h5g6.tmp", "notes.tmp", "other.bak"]  # fmt: skip
    for name in gone + kept[:-2]:
        (folder / name).write_bytes(b"<TEI")
    doc = tei.load(str(path))
    assert not doc.warnings
    assert sorted(p.name for p in folder.iterdir()) == sorted([*kept, "notes.xml"])
    for name in gone:
        (folder / name).write_bytes(b"<TEI")
    doc.add_annotation(doc.target_for(0, 0, 0, 4), "gl-comment")
    doc.save()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*kept, "notes.xml", "notes.xml.bak"])
    assert (folder / "notes.tmp").read_text() == "the user's own notes"


def test_a_save_killed_after_its_backup_leaves_no_link_at_the_next_save(folder: Path) -> None:
    """Killed between backing up and replacing: the backup is the file itself (one inode)."""
    path = folder / "notes.xml"
    os.link(path, folder / "notes.xml.bak")
    doc = tei.load(str(path))
    doc.add_annotation(doc.target_for(0, 0, 0, 4), "gl-comment")
    doc.save()
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".glossator-")]
    assert count((folder / "notes.xml.bak").read_bytes()) == 0 and count(path.read_bytes()) == 1


def test_a_complete_newer_leftover_is_kept_and_reported(folder: Path) -> None:
    path = folder / "notes.xml"
    dead = dead_pid()
    lost = document(21)  # a save that was written completely but never renamed into place
    name = f".glossator-{host()}-{dead}-abcd_123-{len(lost)}.notes.xml.tmp"
    (folder / name).write_bytes(lost)
    same = f".glossator-{host()}-{dead}-efgh_456-{path.stat().st_size}.notes.xml.tmp"
    (folder / same).write_bytes(path.read_bytes())  # a copy of the file: nothing to keep
    old = time.time() - 60
    os.utime(path, (old, old))
    doc = tei.load(str(path))
    (kept,) = [p for p in folder.iterdir() if ".interrupted-save-" in p.name]
    assert kept.read_bytes() == lost and kept.name.startswith("notes.interrupted-save-")
    assert kept.name.endswith(".xml") and any(kept.name in w for w in doc.warnings)
    assert not [p for p in folder.iterdir() if p.name.startswith(".glossator-")]
    assert clean_leftovers(str(path)) == []


def test_a_read_only_file_is_not_replaced_unless_forced(folder: Path) -> None:
    path = folder / "notes.xml"
    original = path.read_bytes()
    doc = tei.load(str(path))
    doc.add_annotation(doc.target_for(0, 0, 0, 4), "gl-comment")
    path.chmod(0o444)  # refused even for root, as vim does
    with pytest.raises(tei.ReadOnlyFileError, match="read-only") as err:
        doc.save()
    assert isinstance(err.value, tei.SaveError) and err.value.path == str(path)
    assert path.read_bytes() == original and not (folder / "notes.xml.bak").exists()
    with pytest.raises(tei.ReadOnlyFileError):
        atomic_write(str(path), b"x")
    doc.save(force=True)
    assert count(path.read_bytes()) == 1 and (path.stat().st_mode & 0o777) == 0o444


def test_kill_9_during_saves_loses_nothing_and_the_next_save_leaves_no_litter(folder: Path) -> None:
    path, log = folder / "notes.xml", folder / "saved.log"
    path.write_bytes(document(3000))  # about 250 kB: kills land in every phase of a save
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(13)
    at_kill: list[int] = []
    for _ in range(12):
        log.write_text("")
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path), str(log)], env=env)
        deadline = time.monotonic() + 20
        while not log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)  # wait for the first finished save
        time.sleep(rng.uniform(0, 0.3))
        proc.kill()
        proc.wait()
        saved = [int(n) for n in log.read_text().split()]
        assert saved, "the saver never finished a save"
        n = count(path.read_bytes())  # the file parses
        assert saved[-1] <= n <= saved[-1] + 1  # no finished save lost
        at_kill.append(n)
    doc = tei.load(str(path))
    doc.add_annotation(doc.target_for(0, 0, 0, 4), "gl-comment")
    doc.save()
    names = {p.name for p in folder.iterdir()}
    rescued = {p for p in names if ".interrupted-save-" in p}
    assert names - rescued == {"notes.xml", "notes.xml.bak", "notes.tmp", "other.bak", "saved.log"}
    for name in rescued:  # each is a whole save that never replaced the file
        assert count((folder / name).read_bytes()) - 1 in at_kill
    assert (folder / "notes.tmp").read_text() == "the user's own notes"
