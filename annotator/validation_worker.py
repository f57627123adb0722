"""The validation worker process (Qt-free): ``python -m annotator.validation_worker``.

Why a process and not a thread: lxml compiles a RELAX NG schema (``xmlRelaxNGParse``) while
holding the GIL, so compiling ``tei_all.rng`` (8-15 s) in a thread freezes the GUI thread for the
whole time. The worker stays alive between requests, so a schema is compiled once per session.

Protocol, one JSON object per line. Request on stdin::

    {"id": 1, "data": "/tmp/snapshot.xml", "path": "/orig.xml" | null, "schema": "/x.rng" | null}

Replies on stdout: ``{"id": 1, "stage": "..."}`` (progress), then either
``{"id": 1, "problems": [[severity, code, message, annotation_id, line], ...], "schema": ...}``
or ``{"id": 1, "error": "message", "kind": "TeiError" | "OSError" | "..."}``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def handle(request: dict[str, Any], emit: Any) -> dict[str, Any]:  # noqa: ANN401
    """Validate the snapshot named by ``request``; ``emit`` reports progress stages."""
    import tei
    from tei.document import TeiDocument
    from tei.validate import compiled_schema, validate

    rid = request.get("id")
    try:
        with open(request["data"], "rb") as fh:
            data = fh.read()
        emit({"id": rid, "stage": "Reading the document…"})
        doc = TeiDocument.from_bytes(data, request.get("path"))
        schema = request.get("schema") or None
        if schema:
            emit({"id": rid, "stage": f"Compiling the schema {os.path.basename(schema)}…"})
            compiled_schema(schema)
            emit({"id": rid, "stage": "Validating against the schema…"})
        else:
            emit({"id": rid, "stage": "Checking annotations…"})
        report = validate(doc, schema)
    except tei.TeiError as exc:
        return {"id": rid, "error": str(exc), "kind": "TeiError"}
    except OSError as exc:
        return {"id": rid, "error": str(exc), "kind": "OSError"}
    except Exception as exc:  # noqa: BLE001 - reported to the GUI, never a traceback there
        return {"id": rid, "error": f"{type(exc).__name__}: {exc}", "kind": "Exception"}
    problems = [[p.severity, p.code, p.message, p.annotation_id, p.line] for p in report.problems]
    return {"id": rid, "problems": problems, "schema": report.schema}


def main() -> int:
    """Serve requests until stdin closes."""
    out = sys.stdout

    def emit(msg: dict[str, Any]) -> None:
        out.write(json.dumps(msg) + "\n")
        out.flush()

    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except ValueError:
            emit({"id": None, "error": "bad request", "kind": "Exception"})
            continue
        emit(handle(request, emit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
