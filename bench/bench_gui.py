"""Measure the GUI on the largest corpus files: open -> first paint vs ``tei.load`` (ratio), and
add/remove one highlight, a scroll jump and a selection with 10,000 annotations (ms).

Run: ``QT_QPA_PLATFORM=offscreen python bench/bench_gui.py`` (each file in a fresh process).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FILES = ["eltec-eng__ENG18570_Bronte_level2.xml", "dingler__pj254.xml"]


def build_corpus(out: Path) -> Path:
    """Write a >= 12 MB teiCorpus made of the largest corpus files (repeated as needed)."""
    from lxml import etree

    parts = []
    size = 0
    while size < 12_500_000:
        for name in FILES:
            tree = etree.parse(str(CORPUS / name), etree.XMLParser(huge_tree=True))
            root = tree.getroot()
            for el in root.iter():
                for key in [k for k in el.attrib if k.endswith("}id")]:
                    el.set(key, f"c{len(parts)}-{el.get(key)}")
            data = etree.tostring(root, encoding="unicode")
            parts.append(data)
            size += len(data.encode())
    header = ('<teiHeader><fileDesc><titleStmt><title>Bench corpus</title></titleStmt><publicationStmt>'
              '<p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>')  # fmt: skip
    out.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<teiCorpus xmlns="http://www.tei-c.org/ns/1.0">'
                   + header + "\n".join(parts) + "</teiCorpus>", encoding="utf-8")  # fmt: skip
    return out


def measure(path: str) -> dict[str, float]:
    """Measure one file in this process."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    import tei

    t = time.perf_counter()
    tei.load(path)
    load_s = time.perf_counter() - t

    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtGui import QTextCursor

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from annotator.app import make_app
    from annotator.main_window import MainWindow

    app = make_app(["bench"])
    t = time.perf_counter()
    w = MainWindow(path)
    w.persist_layout = False
    w.resize(1440, 900)
    painted = []
    w.view.first_paint.connect(lambda: painted.append(time.perf_counter()))
    w.show()
    while not painted and time.perf_counter() - t < 30:
        app.processEvents()
    first_paint = (painted[0] if painted else time.perf_counter()) - t
    out = {"bytes": os.path.getsize(path), "load_s": load_s, "first_paint_s": first_paint,
           "ratio": first_paint / load_s}  # fmt: skip

    # 10,000 annotations, added straight to the tree (the benchmark is about the view)
    doc = w.session.doc
    rnd = random.Random(1)
    blocks = [i for i, b in enumerate(doc.text.blocks) if len(b.reading) > 40 and not b.is_note]
    t = time.perf_counter()
    for _ in range(10_000):
        i = rnd.choice(blocks)
        n = len(doc.text.blocks[i].reading)
        a = rnd.randrange(0, n - 20)
        target = doc.target_for(i, a, i, a + rnd.randrange(3, 20))
        doc.add_annotation(target, rnd.choice(["gl-bias", "gl-comment", "gl-figure"]))
    out["add_10k_to_tree_s"] = time.perf_counter() - t
    t = time.perf_counter()
    w.view.index_annotations()
    w.view.refresh_all()
    app.processEvents()
    out["index_10k_s"] = time.perf_counter() - t

    def timed(fn) -> float:  # noqa: ANN001
        t0 = time.perf_counter()
        fn()
        w.view.viewport().repaint()
        app.processEvents()
        return (time.perf_counter() - t0) * 1000

    first = w.view.visible_blocks()[0].blockNumber()
    tei_block = next(db.index for db in w.view.map.blocks[first:] if db.index >= 0)
    n = len(doc.text.blocks[tei_block].reading)
    adds, removes = [], []
    for _ in range(7):
        w.view.select_reading(tei_block, 0, tei_block, min(n, 12))
        adds.append(timed(lambda: w.annotate("gl-question")))
        removes.append(timed(lambda: w.session.undo_stack.undo()))
    out["add_highlight_ms"] = sorted(adds)[len(adds) // 2]
    out["remove_highlight_ms"] = sorted(removes)[len(removes) // 2]
    sb = w.view.verticalScrollBar()
    jumps = []
    for frac in (0.5, 0.9, 0.1, 0.7, 0.3):
        jumps.append(timed(lambda f=frac: w.view.jump_to_fraction(f)))
    out["scroll_jump_ms"] = sorted(jumps)[len(jumps) // 2]
    jumps = [timed(lambda: sb.setValue(sb.value() + sb.pageStep())) for _ in range(5)]
    out["page_down_ms"] = sorted(jumps)[len(jumps) // 2]
    sels = []
    for _ in range(5):
        blk = w.view.visible_blocks()[1]

        def select(b=blk) -> None:  # noqa: ANN001
            cur = QTextCursor(b)
            cur.setPosition(b.position() + max(0, b.length() - 2), QTextCursor.MoveMode.KeepAnchor)
            w.view.setTextCursor(cur)
            w.view.reading_selection()

        sels.append(timed(select))
    out["select_ms"] = sorted(sels)[len(sels) // 2]
    ann = w.session.doc.annotations()[0].id
    w.select_annotation(ann)
    typing = [timed(lambda k=k: (w.note_edit.insertPlainText("x" * (k + 1)), w.editor.commit_pending()))
              for k in range(5)]  # fmt: skip
    out["type_note_ms"] = sorted(typing)[len(typing) // 2]
    w.session.undo_stack.setClean()
    w.has_document = False
    w.close()
    return out


def main() -> int:
    """Run every file in a fresh process and print a table."""
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(measure(sys.argv[2])))
        return 0
    files = [str(CORPUS / f) for f in FILES if (CORPUS / f).is_file()]
    if not files:
        print("shared corpus not found")
        return 1
    big = Path(tempfile.gettempdir()) / "glossator-bench-corpus.xml"
    if not big.exists():
        build_corpus(big)
    files.append(str(big))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    print(f"{'file':42} {'MB':>5} {'load s':>7} {'paint s':>8} {'ratio':>6} {'index10k':>8} "
          f"{'add ms':>7} {'rm ms':>6} {'jump ms':>7} {'pgdn':>5} {'sel ms':>6} {'type':>5}")  # fmt: skip
    for f in files:
        res = subprocess.run([sys.executable, __file__, "--one", f], capture_output=True, text=True, env=env)
        line = res.stdout.strip().splitlines()[-1] if res.stdout.strip() else ""
        if res.returncode or not line.startswith("{"):
            print(f"{Path(f).name}: failed\n{res.stderr[-2000:]}")
            continue
        r = json.loads(line)
        print(f"{Path(f).name[:42]:42} {r['bytes'] / 1e6:5.1f} {r['load_s']:7.2f} {r['first_paint_s']:8.2f} "
              f"{r['ratio']:6.2f} {r['index_10k_s']:8.2f} {r['add_highlight_ms']:7.1f} "
              f"{r['remove_highlight_ms']:6.1f} {r['scroll_jump_ms']:7.1f} {r['page_down_ms']:5.1f} "
              f"{r['select_ms']:6.1f} {r['type_note_ms']:5.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
