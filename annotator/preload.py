"""Loading the file named on the command line while the GUI toolkit is being imported.

``glossator FILE`` calls :func:`start` before it imports Qt: lxml parses without holding the GIL,
so the parse runs beside the imports and the window's construction, and opening the file then
takes the document from :func:`load`. No Qt here: this module is imported before it.
"""

from __future__ import annotations

import os
import threading

import tei
from tei.document import TeiDocument

#: Absolute path -> (the loading thread, [the document or the exception it raised]).
_pending: dict[str, tuple[threading.Thread, list[TeiDocument | BaseException]]] = {}


def start(path: str) -> None:
    """Begin loading ``path`` on a thread (what :func:`load` of the same path returns)."""
    key = os.path.abspath(path)
    box: list[TeiDocument | BaseException] = []

    def run() -> None:
        try:
            box.append(tei.load(key))
        except BaseException as exc:  # noqa: BLE001 - raised again by load(), on the GUI thread
            box.append(exc)

    thread = threading.Thread(target=run, daemon=True, name="glossator-preload")
    _pending[key] = (thread, box)
    thread.start()


def load(path: str) -> TeiDocument:
    """Return the document at ``path``: the one loaded in advance for it, else load it now."""
    found = _pending.pop(os.path.abspath(path), None)
    if found is None:
        return tei.load(path)
    thread, box = found
    thread.join()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]
