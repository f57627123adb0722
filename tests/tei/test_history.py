"""Every change of an annotation remembered (``tei.history``): which fields, earlier values,
versions rebuilt, restoring one, folding quick edits, and undoing one person's changes."""

from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

import tei
from tei import history
from tests.tei.test_agreement import HEAD, TEXT


def _doc() -> tuple[tei.TeiDocument, str, str, str]:
    doc = tei.TeiDocument.from_bytes((HEAD + TEXT + "</p></body></text></TEI>").encode())
    ann_p, ben_p = doc.ensure_annotator("Ann"), doc.ensure_annotator("Ben")
    ann = doc.add_annotation(doc.target_for(0, 0, 0, 9), "gl-comment", annotator=ann_p,
                             when="2026-01-01T10:00:00Z")  # fmt: skip
    ann.note = ["first note"]
    return doc, ann.id, ann_p, ben_p


def _edit(doc: tei.TeiDocument, ann_id: str, who: str, when: str, change) -> list[str]:  # noqa: ANN001
    ann = doc.annotation(ann_id)
    before = copy.deepcopy(ann.element)
    change(ann)
    return history.record(ann.element, before, who, when)


def test_each_change_records_its_fields_and_earlier_values_and_versions_rebuild() -> None:
    doc, aid, ann_p, ben_p = _doc()
    assert _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "note", ["second note"])) == ["note"]
    assert _edit(doc, aid, ben_p, "2026-01-02T09:00:00Z", lambda a: setattr(a, "certainty", "high")) == ["certainty"]
    assert _edit(doc, aid, ann_p, "2026-01-03T09:00:00Z", lambda a: setattr(a, "category", "gl-question")) == ["category"]
    el = doc.annotation(aid).element
    vs = history.versions(el)
    assert [v.who for v in vs] == [ann_p, ben_p, ann_p, ann_p]
    assert [v.status for v in vs] == ["modified", "modified", "modified", "created"]
    assert vs[0].changed == {"category": ("#gl-comment", "#gl-question")}
    assert vs[1].changed == {"certainty": (None, "high")}
    before, after = vs[2].changed["note"]
    assert "first note" in before and "second note" in after
    # restoring the version after the first edit gives its fields back
    history.restore(el, vs[2])
    ann = doc.annotation(aid)
    assert ann.note == ["second note"] and ann.certainty == "unknown" and ann.category == "gl-comment"
    # the file keeps it: saved and read back, the same versions
    again = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert [v.who for v in history.versions(again.annotation(aid).element)] == [ann_p, ben_p, ann_p, ann_p]


def test_quick_edits_by_one_person_fold_into_one_change() -> None:
    doc, aid, ann_p, ben_p = _doc()
    for i, when in enumerate(["2026-01-01T11:00:00Z", "2026-01-01T11:01:00Z", "2026-01-01T11:04:00Z"]):
        _edit(doc, aid, ann_p, when, lambda a, i=i: setattr(a, "note", [f"draft {i}"]))
    vs = history.versions(doc.annotation(aid).element)
    assert len(vs) == 2 and vs[0].when == "2026-01-01T11:04:00Z"
    assert "first note" in vs[0].changed["note"][0]  # the value before the first folded edit
    _edit(doc, aid, ann_p, "2026-01-01T12:00:00Z", lambda a: setattr(a, "note", ["later"]))
    _edit(doc, aid, ben_p, "2026-01-01T12:01:00Z", lambda a: setattr(a, "note", ["Ben's"]))
    assert len(history.versions(doc.annotation(aid).element)) == 4  # later, and another person


def test_an_edit_back_to_the_earlier_value_within_the_fold_leaves_no_field() -> None:
    doc, aid, ann_p, _ = _doc()
    _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "certainty", "high"))
    _edit(doc, aid, ann_p, "2026-01-01T11:01:00Z", lambda a: setattr(a, "certainty", "unknown"))
    assert [v.status for v in history.versions(doc.annotation(aid).element)] == ["created"]


def test_files_from_before_the_history_read_as_before() -> None:
    doc, aid, ann_p, _ = _doc()
    doc.annotation(aid).touch(ann_p, "2026-01-01T11:00:00Z")  # the old single "modified" change
    vs = history.versions(doc.annotation(aid).element)
    assert [v.status for v in vs] == ["modified", "created"] and not vs[0].complete
    _edit(doc, aid, ann_p, "2026-01-01T11:01:00Z", lambda a: setattr(a, "certainty", "high"))
    assert len(history.versions(doc.annotation(aid).element)) == 3  # not folded into the old one


def test_undoing_one_persons_changes_since_a_date() -> None:
    doc, aid, ann_p, ben_p = _doc()
    made_by_ben = doc.add_annotation(doc.target_for(0, 20, 0, 29), "gl-bias", annotator=ben_p,
                                     when="2026-02-01T09:00:00Z").id  # fmt: skip
    _edit(doc, aid, ben_p, "2026-02-01T10:00:00Z", lambda a: setattr(a, "certainty", "high"))
    _edit(doc, aid, ben_p, "2026-02-01T11:00:00Z", lambda a: setattr(a, "note", ["Ben rewrote it"]))
    _edit(doc, aid, ann_p, "2026-02-02T09:00:00Z", lambda a: setattr(a, "note", ["Ann answered"]))
    plan = {p.ann_id: p for p in history.rollback_plan(doc, ben_p, "2026-02-01T00:00:00Z")}
    assert plan[made_by_ben].action == "delete"
    step = plan[aid]
    assert step.action == "revert" and step.fields == {"certainty": None} and step.kept == ["note"]
    history.apply_rollback(doc.annotation(aid).element, step)
    assert doc.annotation(aid).certainty == "unknown" and doc.annotation(aid).note == ["Ann answered"]
    assert history.rollback_plan(doc, ben_p, "2026-03-01T00:00:00Z") == []


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["note", "certainty", "category"]), st.integers(0, 3),
                          st.integers(0, 600)), min_size=1, max_size=12))  # fmt: skip
def test_every_version_is_rebuilt_exactly(edits) -> None:
    doc, aid, ann_p, ben_p = _doc()
    states = [copy.deepcopy(history.fields(doc.annotation(aid).element))]
    minute = 0
    for what, n, gap in edits:
        minute += gap
        when = f"2026-01-0{1 + minute // 1440}T{(minute // 60) % 24:02d}:{minute % 60:02d}:00Z"
        who = ann_p if n % 2 else ben_p
        value = {"note": [f"note {n}"], "certainty": ["low", "medium", "high", "unknown"][n],
                 "category": ["gl-comment", "gl-question", "gl-bias", "gl-comment"][n]}[what]  # fmt: skip
        _edit(doc, aid, who, when, lambda a, w=what, v=value: setattr(a, w, v))
        states.append(copy.deepcopy(history.fields(doc.annotation(aid).element)))
    el = doc.annotation(aid).element
    vs = history.versions(el)
    assert vs[0].state == states[-1]
    assert vs[-1].state == states[0]  # the version as created
    for v in vs:  # each rebuilt version is one of the states the annotation went through
        assert v.state in states


def test_a_history_is_valid_tei(tei_all_schema) -> None:  # noqa: ANN001
    doc, aid, ann_p, ben_p = _doc()
    doc.annotation(aid).note = ["A long note, long enough to be stored as the edits that make it from the later one."]
    _edit(doc, aid, ben_p, "2026-01-02T09:00:00Z", lambda a: setattr(a, "note", ["A long note, long enough "
          "to be stored as the edits that make it from the newer one."]))  # fmt: skip
    _edit(doc, aid, ann_p, "2026-01-03T09:00:00Z", lambda a: setattr(a, "certainty", "high"))
    _edit(doc, aid, ann_p, "2026-01-04T09:00:00Z", lambda a: setattr(a, "category", "gl-question"))
    el = doc.annotation(aid).element
    segs = el.findall(".//{http://www.tei-c.org/ns/1.0}seg[@n]")
    assert {s.get("type") for s in segs} >= {"delta", "absent"}
    saved = tei.TeiDocument.from_bytes(doc.to_bytes())
    assert tei_all_schema.validate(saved.root.getroottree()), tei_all_schema.error_log.last_error
    first = history.versions(saved.annotation(aid).element)[-2]  # after the note was rewritten
    assert "newer one" in first.state["note"] and "later one" in first.changed["note"][0]


def _saved_again(doc: tei.TeiDocument) -> tei.TeiDocument:
    return tei.TeiDocument.from_bytes(doc.to_bytes(when="2026-02-01T00:00:00Z"))


def test_a_new_change_adds_one_line_and_leaves_the_rest_of_the_file_as_it_was() -> None:
    doc, aid, ann_p, ben_p = _doc()
    _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "note", ["second note"]))
    doc = _saved_again(doc)
    before = doc.to_bytes(when="2026-02-01T00:00:00Z").decode()
    _edit(doc, aid, ben_p, "2026-01-02T09:00:00Z", lambda a: setattr(a, "certainty", "high"))
    after = doc.to_bytes(when="2026-02-01T00:00:00Z").decode()
    old_lines, new_lines = ([line for line in text.splitlines() if "Glossator 0" not in line]  # the header's
                            for text in (before, after))  # fmt: skip
    added = [line for line in new_lines if line not in old_lines]
    # the annotation's start tag (its @cert) and the change, on a line of its own like the one before
    assert len(new_lines) == len(old_lines) + 1 and len(added) == 2
    change = next(line for line in added if "<change" in line)
    assert change.strip() == (f'<change when="2026-01-02T09:00:00Z" who="#{ben_p}">'
                              '<seg n="certainty" type="absent"/></change>')  # fmt: skip
    earlier = next(line for line in new_lines if 'when="2026-01-01T11:00:00Z"' in line)
    assert len(change) - len(change.lstrip()) == len(earlier) - len(earlier.lstrip())
    assert new_lines[new_lines.index(change) + 1].strip() == "</revisionDesc>"


def test_a_change_log_laid_out_by_hand_or_by_a_merge_is_laid_out_again() -> None:
    doc, aid, ann_p, ben_p = _doc()
    for i, who in enumerate([ann_p, ben_p, ann_p]):
        _edit(doc, aid, who, f"2026-01-0{i + 2}T09:00:00Z", lambda a, i=i: setattr(a, "note", [f"note {i}"]))
    doc = _saved_again(doc)
    rev = doc.annotation(aid).element.find(tei.ns.qn("revisionDesc"))
    for change in rev:  # all on one line, with one of theirs (as a merge joining two logs may leave them)
        change.tail = None
    rev.text = None
    theirs = copy.deepcopy(rev[-1])
    theirs.set("when", "2026-01-02T12:00:00Z")
    theirs.sourceline = 0  # not read from this file (the merge driver marks what it brings so)
    rev.insert(2, theirs)
    text = doc.to_bytes(when="2026-02-01T00:00:00Z").decode()
    lines = [line.strip() for line in text.splitlines()]
    changes = [line for line in lines if line.startswith("<change") and "Glossator" not in line]
    assert len(changes) == 5 and all(line.endswith(("/>", "</change>")) for line in changes)
    assert len(history.versions(tei.TeiDocument.from_bytes(text.encode()).annotation(aid).element)) == 5


def test_changes_written_with_status_modified_read_and_fold_as_before() -> None:
    doc, aid, ann_p, _ = _doc()
    _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "note", ["second note"]))
    change = doc.annotation(aid).element.find(f"{tei.ns.qn('revisionDesc')}/{tei.ns.qn('change')}[2]")
    assert change.get("status") is None  # written without it now
    change.set("status", "modified")  # as Glossator wrote it before
    assert [v.status for v in history.versions(doc.annotation(aid).element)] == ["modified", "created"]
    assert doc.annotation(aid).modified == "2026-01-01T11:00:00Z"
    _edit(doc, aid, ann_p, "2026-01-01T11:02:00Z", lambda a: setattr(a, "note", ["third note"]))
    vs = history.versions(doc.annotation(aid).element)
    assert len(vs) == 2 and "first note" in vs[0].changed["note"][0]  # folded into the old-style one


def test_touch_replaces_only_a_change_without_fields() -> None:
    doc, aid, ann_p, ben_p = _doc()
    _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "note", ["second note"]))
    doc.annotation(aid).touch(ben_p, "2026-01-03T00:00:00Z")
    doc.annotation(aid).touch(ben_p, "2026-01-04T00:00:00Z")
    vs = history.versions(doc.annotation(aid).element)
    assert [v.when for v in vs] == ["2026-01-04T00:00:00Z", "2026-01-01T11:00:00Z", "2026-01-01T10:00:00Z"]


def test_a_change_log_laid_out_by_hand_is_kept_while_another_annotation_changes() -> None:
    doc, aid, ann_p, ben_p = _doc()
    _edit(doc, aid, ann_p, "2026-01-01T11:00:00Z", lambda a: setattr(a, "note", ["second note"]))
    text = doc.to_bytes(when="2026-02-01T00:00:00Z").decode()
    at = text.index('<change when="2026-01-01T11:00:00Z"')
    hand = text[:at] + "\n\n        " + text[at:]  # a blank line before it, as someone typed
    doc = tei.TeiDocument.from_bytes(hand.encode())
    doc.add_annotation(doc.target_for(0, 20, 0, 29), "gl-comment")
    assert "\n\n        <change when=\"2026-01-01T11:00:00Z\"" in doc.to_bytes(when="2026-02-01T00:00:00Z").decode()
