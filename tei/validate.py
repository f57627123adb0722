"""Check a TEI document's annotations, ids and references, and optionally its RELAX NG validity.

Problem codes (``Problem.code``) and their severity:

=====================  ========  ==============================================================
code                   severity  meaning
=====================  ========  ==============================================================
``orphan-target``      error     a pointer of ``@target`` does not resolve (unknown id, offset
                                 past the end, XPath selecting nothing); the reason is given
``ambiguous-target``   error     a pointer names an ``xml:id`` that several elements carry
``target-outside``     warning   a pointer resolves into the header or standOff, not the text
``unsupported-target`` warning   a pointer scheme or URI this library cannot resolve (kept as is)
``missing-id``         error     an ``<annotation>`` without ``xml:id`` (TEI requires one)
``missing-target``     error     an ``<annotation>`` without a (non-empty) ``@target``
``duplicate-id``       error     an ``xml:id`` used by more than one element (one per id)
``unknown-category``   error     an ``@ana`` token of an annotation names no taxonomy category
                                 and no element of the document
``missing-source``     error     a ``<ptr>`` in an annotation points to an id that is missing
``missing-annotator``  warning   ``@resp`` of an annotation points to an id that is missing
``quote-drift``        warning   the recorded quote differs from the current text of the target
``invalid-certainty``  error     ``@cert`` is neither high/medium/low/unknown nor a probability
``invalid-motivation`` error     a ``@motivation`` value is not a W3C motivation
``schema``             error     the document is not valid against the RELAX NG schema
=====================  ========  ==============================================================

The RELAX NG schema is compiled once per process and path (``tei_all.rng`` takes ~15 s) and
cached in memory; a schema that cannot be read or compiled raises :class:`~tei.errors.TeiError`.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

from lxml import etree

from .anchoring import collapse_ws
from .annotations import CERTAINTIES, MOTIVATIONS, Annotation
from .document import TeiDocument
from .errors import TeiError
from .parser import make_parser
from .taxonomy import Category

ERROR, WARNING = "error", "warning"
CODES: dict[str, str] = {
    "orphan-target": ERROR, "ambiguous-target": ERROR, "target-outside": WARNING,
    "unsupported-target": WARNING, "missing-id": ERROR, "missing-target": ERROR,
    "duplicate-id": ERROR, "unknown-category": ERROR, "missing-source": ERROR,
    "missing-annotator": WARNING, "quote-drift": WARNING, "invalid-certainty": ERROR,
    "invalid-motivation": ERROR, "schema": ERROR,
}  # fmt: skip
_STATUS_CODE = {"orphan": "orphan-target", "ambiguous": "ambiguous-target",
                "outside": "target-outside", "unsupported": "unsupported-target"}  # fmt: skip
_PROBABILITY = re.compile(r"^(0(\.\d+)?|1(\.0+)?|\.\d+)$")
#: At most this many schema errors are listed (libxml2 may report thousands).
MAX_SCHEMA_ERRORS = 200

_SCHEMAS: dict[str, tuple[float, etree.RelaxNG]] = {}
_SCHEMA_LOCK = threading.Lock()


@dataclass(frozen=True)
class Problem:
    """One finding: severity (error|warning), code (see module docstring), message, where."""

    severity: str
    code: str
    message: str
    annotation_id: str | None = None
    line: int | None = None

    def format(self, path: str | None = None) -> str:
        """Return ``path:line: severity: [code] message (annotation id)``."""
        where = ":".join(str(p) for p in (path, self.line) if p is not None)
        ann = f" (annotation {self.annotation_id})" if self.annotation_id else ""
        return f"{where + ': ' if where else ''}{self.severity}: [{self.code}] {self.message}{ann}"


@dataclass
class ValidationReport:
    """All problems found; ``ok`` when there is no error (warnings allowed)."""

    problems: list[Problem] = field(default_factory=list)
    schema: str | None = None

    @property
    def errors(self) -> list[Problem]:
        """Return the problems of severity error."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        """Return the problems of severity warning."""
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        """Tell whether no error was found."""
        return not self.errors

    def codes(self) -> set[str]:
        """Return the set of problem codes found."""
        return {p.code for p in self.problems}

    def format_text(self, path: str | None = None) -> str:
        """Return one line per problem and a summary line."""
        lines = [p.format(path) for p in self.problems]
        lines.append(f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
                     + (f"; schema {self.schema}" if self.schema else ""))  # fmt: skip
        return "\n".join(lines)


def _problem(
    code: str, message: str, ann_id: str | None = None, line: int | None = None
) -> Problem:
    return Problem(CODES[code], code, message, ann_id or None, line)


def validate(
    doc: TeiDocument, schema_path: str | os.PathLike[str] | None = None
) -> ValidationReport:
    """Check pointers, ids, categories, sources, quotes and values; validate against a schema."""
    report = ValidationReport()
    out = report.problems
    ids = doc.ids()
    for xml_id, els in ids.items():
        if len(els) > 1:
            lines = ", ".join(str(e.sourceline) for e in els if e.sourceline)
            out.append(_problem("duplicate-id", f"xml:id {xml_id!r} is used by {len(els)} elements"
                                + (f" (lines {lines})" if lines else ""),
                                line=els[1].sourceline))  # fmt: skip
    cats = doc.taxonomy.categories
    for ann in doc.annotations():
        out.extend(_check_annotation(doc, ann, ids, cats))
    if schema_path is not None:
        report.schema = os.fspath(schema_path)
        out.extend(schema_problems(doc, schema_path))
    return report


def _check_annotation(doc: TeiDocument, ann: Annotation, ids: dict[str, list[etree._Element]],
                      cats: dict[str, Category]) -> list[Problem]:  # fmt: skip
    el, aid, line = ann.element, ann.id, ann.element.sourceline
    found: list[Problem] = []
    if not aid:
        found.append(_problem("missing-id", "an annotation has no xml:id", line=line))
    if not ann.target.strip():
        found.append(_problem("missing-target", "the annotation has no target", aid, line))
    else:
        resolutions = doc.resolve(ann.target)
        for token, res in zip(ann.target.split(), resolutions, strict=False):
            if not res.ok:
                code = _STATUS_CODE.get(res.status, "orphan-target")
                found.append(_problem(code, f"target {token}: {res.message}", aid, line))
        if resolutions and all(r.ok for r in resolutions) and ann.quote:
            current = doc.quote_for(resolutions[0].start or 0, resolutions[0].end or 0)[0]
            if collapse_ws(current) != collapse_ws(ann.quote):
                found.append(_problem("quote-drift", f"recorded quote {_short(ann.quote)} but the "
                                      f"text now reads {_short(current)}", aid, line))  # fmt: skip
    for token in (el.get("ana") or "").split():
        if ":" in token or "/" in token:  # an external URI: nothing to check here
            continue
        cid = token.lstrip("#")
        if cid not in cats and cid not in ids:
            found.append(
                _problem(
                    "unknown-category",
                    f"@ana names {token!r}, which is not in the taxonomy",
                    aid,
                    line,
                )
            )
    for sid in ann.cited_sources():
        if ":" not in sid and "/" not in sid and sid not in ids:
            found.append(_problem("missing-source", f"points to source #{sid}, which does not exist",
                                  aid, line))  # fmt: skip
    for who in (el.get("resp") or "").split():
        pid = who.lstrip("#")
        if who.startswith("#") and pid not in ids:
            found.append(_problem("missing-annotator", f"@resp points to #{pid}, which does not exist",
                                  aid, line))  # fmt: skip
    cert = el.get("cert")
    if cert is not None and cert not in CERTAINTIES and not _PROBABILITY.match(cert):
        found.append(_problem("invalid-certainty", f"@cert={cert!r} is not one of "
                              f"{', '.join(CERTAINTIES)} or a probability", aid, line))  # fmt: skip
    bad = [m for m in (el.get("motivation") or "").split() if m not in MOTIVATIONS]
    if bad:
        found.append(
            _problem(
                "invalid-motivation",
                f"@motivation {' '.join(bad)!r} is not a W3C motivation",
                aid,
                line,
            )
        )
    return found


def _short(text: str, limit: int = 60) -> str:
    text = collapse_ws(text)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def compiled_schema(path: str | os.PathLike[str]) -> etree.RelaxNG:
    """Return the RELAX NG schema at ``path``, compiled once per process (and per file change)."""
    name = os.path.abspath(os.fspath(path))
    try:
        mtime = os.path.getmtime(name)
    except OSError as exc:
        raise TeiError(f"cannot read the schema: {exc.strerror or exc}", path=name) from None
    with _SCHEMA_LOCK:
        cached = _SCHEMAS.get(name)
        if cached is not None and cached[0] == mtime:
            return cached[1]
        parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
        try:
            schema = etree.RelaxNG(etree.parse(name, parser))
        except etree.XMLSyntaxError as exc:
            line, col = exc.position if exc.position else (None, None)
            raise TeiError(f"the schema is not well-formed XML: {exc.msg}", path=name, line=line,
                           column=col) from None  # fmt: skip
        except etree.RelaxNGParseError as exc:
            raise TeiError(f"the schema is not RELAX NG: {exc}", path=name) from None
        except OSError as exc:
            raise TeiError(f"cannot read the schema: {exc}", path=name) from None
        _SCHEMAS[name] = (mtime, schema)
        return schema


def schema_problems(doc: TeiDocument, schema_path: str | os.PathLike[str]) -> list[Problem]:
    """Validate the document as it would be saved against a RELAX NG schema."""
    schema = compiled_schema(schema_path)
    data = doc.to_bytes()
    root = etree.fromstring(data, make_parser())
    if schema.validate(root):
        return []
    out = []
    for entry in list(schema.error_log)[:MAX_SCHEMA_ERRORS]:
        out.append(_problem("schema", entry.message, line=entry.line or None))
    total = len(schema.error_log)
    if total > MAX_SCHEMA_ERRORS:
        out.append(_problem("schema", f"… and {total - MAX_SCHEMA_ERRORS} more schema errors"))
    return out
