"""Web Annotation export of the sample with every kind: golden file and the issue's fields."""

from __future__ import annotations

import json

import pytest

import tei
from tei.exporters import export
from tests.tei.export_helpers import build_sample, check_golden, fix_time, nth_id

BASE = "https://example.org/editions/sample.xml"


@pytest.fixture
def sample(monkeypatch):
    fix_time(monkeypatch)
    return build_sample()


@pytest.fixture
def collection(sample, tmp_path):
    report = export(sample, "webanno", tmp_path / "a.json", base_uri=BASE)
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert report.count == 14
    return text, json.loads(text)


def items_by_id(data: dict) -> dict[str, dict]:
    return {item["id"].rpartition("#")[2]: item for item in data["first"]["items"]}


def bodies(item: dict) -> list[dict]:
    body = item.get("body", [])
    return body if isinstance(body, list) else [body]


def test_golden(collection) -> None:
    check_golden("sample.webanno.json", collection[0])


def test_collection_and_both_selectors(collection, sample) -> None:
    data = collection[1]
    assert data["type"] == "AnnotationCollection" and data["total"] == 14
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = items_by_id(data)
    for ann in sample.annotations():
        item = items[ann.id]
        assert item["type"] == "Annotation" and item["id"] == f"{BASE}#{ann.id}"
        targets = item["target"] if isinstance(item["target"], list) else [item["target"]]
        selectors = [s for t in targets for s in (t["selector"] if isinstance(t["selector"], list)
                                                  else [t["selector"]])]  # fmt: skip
        kinds = {s["type"] for s in selectors}
        if ann.id == nth_id(sample, 14):  # the orphan keeps only its TEI pointer
            assert kinds == {"FragmentSelector"}
            continue
        assert {"TextQuoteSelector", "TextPositionSelector"} <= kinds, ann.id
        quote = next(s for s in selectors if s["type"] == "TextQuoteSelector")
        pos = next(s for s in selectors if s["type"] == "TextPositionSelector")
        assert pos["end"] - pos["start"] == len(quote["exact"])
        # the selectors count the source's own notes as text (the stored quote skips them)
        words = ann.quote.split()
        assert quote["exact"].startswith(words[0]) and quote["exact"].endswith(words[-1])
        assert all(t["source"] == BASE for t in targets)


def test_creator_dates_motivation_bodies(collection, sample) -> None:
    items = items_by_id(collection[1])
    bias = items[nth_id(sample, 1)]
    assert bias["creator"] == {"id": "https://orcid.org/0000-0002-1825-0097", "type": "Person",
                               "name": "Ada Historian"}  # fmt: skip
    assert bias["created"].startswith("2024-05-0") and bias["motivation"] == "assessing"
    tags = [b for b in bodies(bias) if b["purpose"] == "tagging"]
    # categories as tagging bodies with the taxonomy's label (and the technique's)
    assert [(t["value"], t["id"]) for t in tags] == [
        ("Bias note", f"{BASE}#gl-bias"), ("Loaded language", f"{BASE}#gl-bias-loaded-language")]
    assert any(b["purpose"] == "commenting" and "Second paragraph" in b["value"] for b in bodies(bias))
    assert any("Party jargon" in b["value"] for b in bodies(bias) if b["purpose"] == "describing")
    touched = items[nth_id(sample, 5)]
    assert touched["creator"]["name"] == "Bob <b>Critic</b>"
    assert touched["modified"] > touched["created"]
    figure = items[nth_id(sample, 2)]
    described = " ".join(b["value"] for b in bodies(figure) if b["purpose"] == "describing")
    assert "300 million dollars" in described and "about 1.5 billion roubles" in described
    assert "Lüthi" in described
    link = items[nth_id(sample, 4)]
    assert link["motivation"] == "linking"
    assert any(b["purpose"] == "linking" and b["value"].startswith("contradicts: Borisov")
               for b in bodies(link))  # fmt: skip
    assert items[nth_id(sample, 6)]["motivation"] == "questioning"
    assert {b["value"] for b in bodies(items[nth_id(sample, 9)])} == {"Glorification"}


def test_same_as_the_cli_export(sample, tmp_path, capsys) -> None:
    """The registry's webanno export and ``glossator export --to webanno -o -`` agree."""
    from tei import cli

    path = tmp_path / "s.xml"
    sample.save(str(path))
    saved = tei.load(str(path))
    export(saved, "webanno", tmp_path / "file.json")
    capsys.readouterr()
    assert cli.run(["export", str(path), "--to", "webanno", "-o", "-"]) == 0
    from_cli = json.loads(capsys.readouterr().out)
    assert from_cli == json.loads((tmp_path / "file.json").read_text(encoding="utf-8"))
    assert from_cli["total"] == 14
