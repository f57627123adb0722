"""A ``hypothesis`` state machine that drives a ``Session`` as the window does and checks, after
every step, the invariants that keep a historian's work safe (issue 15).

Operations: annotate random, overlapping, footnote and backward selections; edit every field
(typing steps that merge, too); delete; undo and redo in runs; save; save as; reload; taxonomy
and source edits; citing a footnote; a changed annotator identity. Invariants: every stack index
gives back its exact bytes; a clean stack gives the bytes on disk; a save reloads to the same
annotations, taxonomy and sources; no new duplicate ``xml:id``; every target of the saved bytes
resolves to its stored quote; a refused operation changes nothing.

Shared by ``tests/annotator/test_session_state_machine.py`` (bounded, in CI) and
``bench/soak_session.py`` (as long as asked). Needs a Qt application object for ``QUndoStack``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import tei
import tei.annotations
from annotator.session import Session
from tei import ns
from tei.annotations import (
    CERTAINTIES,
    RELATIONS,
    STATUSES,
    Alternative,
    BiasNote,
    ContestedFigure,
    Quantity,
    SourceLink,
)
from tei.taxonomy import set_category_fields

FROZEN = "2025-01-01T00:00:00Z"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "soviet-aid-to-china.xml"
CORPUS = ROOT.parent / "shared" / "corpus"
#: Corpus files with footnotes, blocks without ids and ids on elements inside blocks.
CORPUS_FILES = ("schnitzler-briefe__L04313.xml", "cbeta__X05n0228_001.xml")
IDENTITIES = (("Test Historian", ""), ("Test Historian", "0000-0002-1825-0097"), ("Zoë Ñandú", ""))

#: Steps run by every machine since the process started (the soak script reports it).
steps = 0

_words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=24)
#: Mostly ordinary text, sometimes anything at all (controls, U+FFFE…: must be refused cleanly).
texts = st.one_of(_words, _words, _words, st.text(st.characters(codec="utf-8"), max_size=12),
                  st.sampled_from(["lone \ud800 surrogate", "page\fbreak", "nul\x00"]))
numbers = st.one_of(st.none(), st.integers(-10**9, 10**12).map(float),
                    st.floats(0, 1e9, allow_nan=False).map(lambda f: round(f, 3)))  # fmt: skip


def quantities() -> st.SearchStrategy[Quantity | None]:
    """Return a strategy for optional quantities (a value, or a range)."""
    q = st.builds(Quantity, value=numbers, unit=st.sampled_from(["", "USD", "roubles", "tons"]),
                  approximate=st.booleans(), text=st.sampled_from(["", "about 500 million"]))  # fmt: skip
    ranged = st.builds(Quantity, low=numbers, high=numbers, unit=st.sampled_from(["", "men"]))
    return st.one_of(st.none(), q, ranged)


def summary(doc: tei.TeiDocument) -> tuple[object, ...]:
    """Return what the user sees of a document: annotations, taxonomy and sources."""
    anns = sorted(
        (a.id, a.target, a.categories, a.note, a.quote, a.prefix, a.suffix, a.certainty,
         a.motivation, a.annotator, a.annotator_name, a.created, a.modified,
         a.figure, a.bias, a.source_link)  # fmt: skip
        for a in doc.annotations()
    )
    cats = list(doc.taxonomy.categories.values())
    sources = [(s.id, s.citation, s.editable) for s in doc.sources()]
    return anns, cats, sources, sorted(doc.annotators().items())


class SessionMachine(RuleBasedStateMachine):
    """Random user steps on one document in a ``Session``, with the invariants of issue 15."""

    source: Path = SAMPLE

    def __init__(self) -> None:
        super().__init__()
        self._clock = mock.patch.object(tei.annotations, "now_iso", lambda: FROZEN)
        self._clock.start()
        self.dir = Path(tempfile.mkdtemp(prefix="glossator-machine-"))
        path = self.dir / self.source.name
        shutil.copyfile(self.source, path)
        self.session = Session(tei.load(str(path)), str(path))
        self.session.set_identity(*IDENTITIES[0])
        self.session.clock = lambda: FROZEN
        self.saved_as = 0
        self.orig_dups = {k for k, els in self.session.doc.ids().items() if len(els) > 1}
        self.saved_who = ""
        self.snaps = [self.now()]
        self.sound: set[bytes] = set()  # bytes already checked by saved_bytes_are_sound
        blocks = self.session.doc.text.blocks
        self.usable = [i for i, b in enumerate(blocks) if b.reading]
        inside = [i for i in self.usable if any(
            isinstance(e.tag, str) and e.get(ns.XML_ID) for e in blocks[i].element.iterdescendants())]
        notes = [i for i in self.usable if blocks[i].is_note]
        bare = [i for i in self.usable if not blocks[i].element.get(ns.XML_ID)]
        before_note = [i - 1 for i in notes if i - 1 in self.usable and not blocks[i - 1].is_note]
        self.interesting = sorted(set(inside[:40] + notes[:40] + bare[:40] + before_note[:40])) \
            or self.usable  # fmt: skip

    def teardown(self) -> None:
        """Stop the frozen clock and delete the working folder."""
        self._clock.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers ------------------------------------------------------------------------------
    @property
    def doc(self) -> tei.TeiDocument:
        """Return the session's current document."""
        return self.session.doc

    def now(self) -> bytes:
        """Return the bytes of the document now, independent of the annotator identity."""
        return self.doc.to_bytes(who="", when=FROZEN)

    def attempt(self, fn) -> bool:  # noqa: ANN001
        """Run one user step; a refusal (``TeiError``) must leave everything as it was."""
        global steps
        steps += 1
        stack = self.session.undo_stack
        before, count, index = self.now(), stack.count(), stack.index()
        try:
            fn()
        except tei.TeiError:
            assert self.now() == before, "a refused operation changed the document"
            assert (stack.count(), stack.index()) == (count, index), "a refused operation left a step"
            return False
        self.record()
        return True

    def record(self) -> None:
        """Remember the bytes of the current stack index after a step."""
        stack = self.session.undo_stack
        idx, now = stack.index(), self.now()
        if stack.count() == idx:
            self.snaps = self.snaps[:idx] + [now]
        else:  # a step that changed nothing and left the redo steps in place
            assert now == self.snaps[idx], "a step that changed nothing changed the bytes"

    def ann_ids(self, editable: bool = True) -> list[str]:
        """Return the ids of the document's (own) annotations."""
        return [a.id for a in self.doc.annotations() if a.editable or not editable]

    def own_sources(self) -> list[str]:
        """Return the ids of the sources Glossator added (editable ones)."""
        return [s.id for s in self.doc.sources() if s.editable]

    def selection(self, data: st.DataObject) -> tuple[int, int, int, int]:
        """Draw a reading selection: random, on interesting blocks, or overlapping another."""
        blocks = self.doc.text.blocks
        ids = self.ann_ids()
        if ids and data.draw(st.integers(0, 3), "overlap?") == 0:
            ann = self.doc.annotation(data.draw(st.sampled_from(ids), "overlapping"))
            res = self.doc.resolve(ann.target)
            pieces = self.doc.text.blocks_between(res[0].start, res[0].end) if res and res[0].ok else []
            if pieces and blocks[pieces[0][0]].reading:
                (b0, r0, _), (b1, _, r1) = pieces[0], pieces[-1]
                d0, d1 = data.draw(st.integers(-5, 5), "d0"), data.draw(st.integers(-5, 5), "d1")
                r0 = min(max(0, r0 + d0), len(blocks[b0].reading) - 1)
                r1 = min(max(0, r1 + d1), len(blocks[b1].reading))
                if (b1, r1) > (b0, r0):
                    return b0, r0, b1, r1
        b0 = data.draw(st.one_of(st.sampled_from(self.interesting), st.sampled_from(self.usable)), "b0")
        later = [i for i in self.usable if b0 <= i <= b0 + 3]
        b1 = data.draw(st.sampled_from(later), "b1")
        r0 = data.draw(st.integers(0, len(blocks[b0].reading) - 1), "r0")
        r1 = data.draw(st.integers(r0 + 1 if b1 == b0 else 0, len(blocks[b1].reading)), "r1")
        return b0, r0, b1, r1

    def edit(self, data: st.DataObject, text: str, change, merge_key: str = "") -> None:  # noqa: ANN001
        """Apply ``change`` to a random annotation of ours as one step."""
        ids = self.ann_ids()
        if not ids:
            return
        aid = data.draw(st.sampled_from(ids), "annotation")
        self.attempt(lambda: self.session.edit_annotation(aid, text, change, merge_key))

    @initialize(data=st.data(), n=st.integers(0, 3))
    def start(self, data: st.DataObject, n: int) -> None:
        """Start on the file as it is, or on it annotated, saved and reopened (a standOff read)."""
        for _ in range(n):
            self.annotate(data)
        if n:
            self.save()
            self.reload()

    # -- annotations --------------------------------------------------------------------------
    @rule(data=st.data())
    def annotate(self, data: st.DataObject) -> None:
        """Annotate a selection in a random category (figures get the window's pre-fill)."""
        sel = self.selection(data)
        cat = data.draw(st.sampled_from(sorted(self.doc.taxonomy.categories)), "category")
        init = None
        if self.doc.taxonomy.kind_of(cat) == "figure":
            def init(a: tei.Annotation) -> None:
                a.figure = ContestedFigure(stated=a.quote[:20])
        self.attempt(lambda: self.session.annotate(sel, cat, init))

    @rule(data=st.data())
    def annotate_into_own_footnote(self, data: st.DataObject) -> None:
        """Select from late in a paragraph into its own footnote: refused, nothing changes."""
        blocks = self.doc.text.blocks
        pairs = [i for i in self.usable[:-1] if not blocks[i].is_note and blocks[i + 1].is_note
                 and blocks[i + 1].start < blocks[i].start + blocks[i].to_raw(len(blocks[i].reading) - 1)]  # fmt: skip
        if not pairs:
            return
        i = data.draw(st.sampled_from(pairs), "paragraph")
        sel = (i, len(blocks[i].reading) - 1, i + 1, min(3, len(blocks[i + 1].reading)))
        assert not self.attempt(lambda: self.session.annotate(sel, "gl-comment")), \
            "a passage running backward into a footnote was accepted"  # fmt: skip

    @rule(data=st.data(), paragraphs=st.lists(texts, max_size=3))
    def edit_note(self, data: st.DataObject, paragraphs: list[str]) -> None:
        """Replace the note."""
        self.edit(data, "Edit note", lambda a: setattr(a, "note", paragraphs))

    @rule(data=st.data(), typed=st.lists(_words, min_size=1, max_size=4), end=st.booleans())
    def type_note(self, data: st.DataObject, typed: list[str], end: bool) -> None:
        """Type a note keystroke by keystroke (the steps merge), maybe ending the typing."""
        ids = self.ann_ids()
        if not ids:
            return
        aid = data.draw(st.sampled_from(ids), "annotation")
        text = ""
        for piece in typed:
            text += piece
            paras = [text]
            self.attempt(lambda p=paras: self.session.edit_annotation(
                aid, "Edit note", lambda a: setattr(a, "note", p), "note"))  # fmt: skip
        if end:
            self.session.end_typing()

    @rule(data=st.data(), value=st.sampled_from([*CERTAINTIES, "sure"]))
    def edit_certainty(self, data: st.DataObject, value: str) -> None:
        """Set the certainty (an unknown value is refused)."""
        self.edit(data, "Set certainty", lambda a: setattr(a, "certainty", value))

    @rule(data=st.data())
    def edit_category(self, data: st.DataObject) -> None:
        """Move the annotation to another category."""
        cat = data.draw(st.sampled_from(sorted(self.doc.taxonomy.categories)), "category")
        self.edit(data, "Set category", lambda a: setattr(a, "category", cat))

    @rule(data=st.data(), explanation=texts)
    def edit_bias(self, data: st.DataObject, explanation: str) -> None:
        """Set a bias technique and explanation."""
        techniques = [c.id for c in self.doc.taxonomy.categories.values() if c.kind == "bias"]
        tech = data.draw(st.sampled_from(["", *techniques]), "technique")
        self.edit(data, "Edit bias", lambda a: setattr(a, "bias", BiasNote(tech, explanation)))

    @rule(data=st.data(), stated=texts, normalised=quantities(), preferred=quantities(),
          status=st.sampled_from(STATUSES), rationale=texts,
          alts=st.lists(st.tuples(texts, quantities(), texts, st.sampled_from(CERTAINTIES), texts),
                        max_size=3))  # fmt: skip
    def edit_figure(self, data: st.DataObject, stated: str, normalised: Quantity | None,
                    preferred: Quantity | None, status: str, rationale: str,
                    alts: list[tuple[str, Quantity | None, str, str, str]]) -> None:  # fmt: skip
        """Replace the contested-figure data (alternatives cite our sources)."""
        sources = ["", *self.own_sources()]
        alternatives = [Alternative(v, q, data.draw(st.sampled_from(sources), "cited"), loc, cert, note)
                        for v, q, loc, cert, note in alts]  # fmt: skip
        fig = ContestedFigure(stated, normalised, alternatives, status, preferred, rationale)
        self.edit(data, "Edit figure", lambda a: setattr(a, "figure", fig))

    @rule(data=st.data(), relation=st.sampled_from(RELATIONS), locator=texts)
    def edit_source_link(self, data: st.DataObject, relation: str, locator: str) -> None:
        """Link the annotation to one of our sources."""
        sid = data.draw(st.sampled_from(["", *self.own_sources()]), "source")
        self.edit(data, "Edit link", lambda a: setattr(a, "source_link", SourceLink(relation, sid, locator)))

    @rule(data=st.data())
    def cite_footnote(self, data: st.DataObject) -> None:
        """Cite a footnote as the source (it gets an xml:id within the step), as the panel does."""
        blocks = self.doc.text.blocks
        notes = [i for i in self.usable if blocks[i].is_note]
        if not notes:
            return
        el = blocks[data.draw(st.sampled_from(notes), "note")].element
        session = self.session

        def change(a: tei.Annotation) -> None:
            a.source_link = SourceLink("corroborates", session.ensure_note_id(el), "")

        self.edit(data, "Cite source", change)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        """Delete an annotation."""
        ids = self.ann_ids()
        if ids:
            aid = data.draw(st.sampled_from(ids), "annotation")
            self.attempt(lambda: self.session.delete_annotation(aid))

    # -- undo, redo -----------------------------------------------------------------------------
    @rule(n=st.integers(1, 6))
    def undo(self, n: int) -> None:
        """Undo a run of steps; each gives back the bytes of its stack index."""
        global steps
        stack = self.session.undo_stack
        for _ in range(n):
            if not stack.canUndo():
                break
            steps += 1
            stack.undo()
            assert self.now() == self.snaps[stack.index()], f"undo to index {stack.index()}"

    @rule(n=st.integers(1, 6))
    def redo(self, n: int) -> None:
        """Redo a run of steps; each gives back the bytes of its stack index."""
        global steps
        stack = self.session.undo_stack
        for _ in range(n):
            if not stack.canRedo():
                break
            steps += 1
            stack.redo()
            assert self.now() == self.snaps[stack.index()], f"redo to index {stack.index()}"

    # -- files ----------------------------------------------------------------------------------
    def check_saved(self) -> None:
        """The file holds the bytes of this index and reloads to the same model."""
        assert Path(self.session.path).read_bytes() == self.session.to_bytes()
        fresh = tei.load(self.session.path)
        assert summary(fresh) == summary(self.doc), "a fresh load differs from the saved model"
        self.check_sound(fresh)

    @rule()
    def save(self) -> None:
        """Save (to the same file)."""
        self.attempt(self.session.save)
        self.saved_who = self.session.existing_person_id()
        self.check_saved()

    @rule()
    def save_as(self) -> None:
        """Save under a new name."""
        self.saved_as += 1
        target = self.dir / f"saved-as-{self.saved_as}.xml"
        self.attempt(lambda: self.session.save(str(target)))
        self.saved_who = self.session.existing_person_id()
        self.check_saved()

    @rule()
    def reload(self) -> None:
        """Reload the file from disk (discarding unsaved steps, as File ▸ Reload does)."""
        global steps
        steps += 1
        self.session.replace_document(tei.load(self.session.path))
        self.saved_who = self.session.existing_person_id()
        self.snaps = [self.now()]

    @rule(who=st.sampled_from(IDENTITIES))
    def change_identity(self, who: tuple[str, str]) -> None:
        """Change the annotator name or ORCID in the preferences."""
        self.session.set_identity(*who)

    # -- taxonomy, sources ----------------------------------------------------------------------
    @rule(data=st.data(), label=texts, color=st.sampled_from(["", "#123456", "#abcdef", "red"]),
          key=st.sampled_from(["", "K", "9"]))  # fmt: skip
    def add_category(self, data: st.DataObject, label: str, color: str, key: str) -> None:
        """Add a category at the top or under another one, as the taxonomy editor does."""
        doc = self.doc
        parent_id = data.draw(st.sampled_from(["", "gl-bias", "gl-comment"]), "parent")
        base = f"{parent_id}-new" if parent_id else "gl-user-new"
        cid, n = base, 2
        while cid in doc.taxonomy.categories or doc.element_by_id(cid) is not None:
            cid, n = f"{base}-{n}", n + 1

        def change(tax: object) -> None:
            el = doc.taxonomy.new_category_element(cid, label or "x", color if color != "red" else "", key)
            (doc.taxonomy.find(parent_id) if parent_id else tax).append(el)  # type: ignore[attr-defined]

        self.attempt(lambda: self.session.edit_taxonomy(f"Add category {label}", change))

    @rule(data=st.data(), label=st.one_of(st.none(), texts),
          color=st.sampled_from([None, "#654321", "blue"]), key=st.sampled_from([None, "", "J"]))  # fmt: skip
    def edit_category_fields(self, data: st.DataObject, label: str | None, color: str | None,
                             key: str | None) -> None:  # fmt: skip
        """Rename, recolour or re-key a category (a bad colour or a foreign category is refused)."""
        cid = data.draw(st.sampled_from(sorted(self.doc.taxonomy.categories)), "category")

        def change(_tax: object) -> None:
            set_category_fields(self.doc.taxonomy.find(cid), label=label, color=color, shortcut=key)

        self.attempt(lambda: self.session.edit_taxonomy(f"Edit category {cid}", change))

    @rule(author=texts, title=texts, date=st.sampled_from(["", "1985", "1990-05"]), note=texts)
    def add_source(self, author: str, title: str, date: str, note: str) -> None:
        """Add a source from the sources panel."""
        fields = {"author": author, "title": title or "Untitled", "date": date, "note": note}
        self.attempt(lambda: self.session.add_source(fields))

    @rule(data=st.data(), author=texts, title=texts, url=st.sampled_from(["", "https://example.org/a?b=1&c"]))
    def edit_source(self, data: st.DataObject, author: str, title: str, url: str) -> None:
        """Change one of our sources."""
        sources = self.own_sources()
        if sources:
            sid = data.draw(st.sampled_from(sources), "source")
            self.attempt(lambda: self.session.edit_source(sid, {"author": author, "title": title, "url": url}))

    @rule(data=st.data())
    def remove_source(self, data: st.DataObject) -> None:
        """Remove one of our sources that no annotation cites (the panel refuses the others)."""
        cited = {s for a in self.doc.annotations() for s in a.cited_sources()}
        sources = [s for s in self.own_sources() if s not in cited]
        if sources:
            sid = data.draw(st.sampled_from(sources), "source")
            self.attempt(lambda: self.session.remove_source(sid))

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def bytes_of_this_index(self) -> None:
        """The document gives the bytes recorded for the current stack index."""
        assert self.now() == self.snaps[self.session.undo_stack.index()]

    @invariant()
    def clean_means_on_disk(self) -> None:
        """A clean stack means a save would write exactly the file on disk."""
        if self.session.undo_stack.isClean():
            data = self.doc.to_bytes(who=self.saved_who, when=FROZEN)
            assert data == Path(self.session.path).read_bytes(), "clean, but Save would change the file"

    @invariant()
    def ids_unique_and_quotes_found(self) -> None:
        """No new duplicate xml:id, and every target of ours resolves to its stored quote."""
        data = self.now()
        if data not in self.sound:
            self.check_sound(self.doc)
            self.sound.add(data)

    def check_sound(self, doc: tei.TeiDocument) -> None:
        """Check ids (in the tree itself, not the id index) and quotes of ``doc``."""
        seen: dict[str, int] = {}
        for v in doc.root.xpath("//@xml:id"):
            seen[str(v)] = seen.get(str(v), 0) + 1
        new_dups = {k for k, n in seen.items() if n > 1} - self.orig_dups
        assert not new_dups, f"duplicate xml:id {sorted(new_dups)}"
        for ann in doc.annotations():
            if not ann.editable:
                continue
            res = doc.resolve(ann.target)
            assert len(res) == 1 and res[0].ok, f"{ann.id} {ann.target}: {res}"
            exact = doc.quote_for(res[0].start or 0, res[0].end or 0)[0]
            assert exact == ann.quote, f"{ann.id} {ann.target}: {exact!r} != {ann.quote!r}"


def machine_for(source: Path) -> type[SessionMachine]:
    """Return the machine class that works on a copy of ``source``."""
    return type(f"SessionMachine_{source.stem.replace('-', '_')}", (SessionMachine,), {"source": source})


def sources() -> list[Path]:
    """Return the sample and the corpus files the machine runs on (those that exist)."""
    return [p for p in (SAMPLE, *(CORPUS / n for n in CORPUS_FILES)) if p.is_file()]
