"""Glossator's bundled data files (default taxonomy, sample documents), wherever they are installed.

In a checkout they are the repository's ``resources/`` folder; a built wheel carries the same folder
as the package ``glossator_resources``. :func:`resource_path` is the one place that knows both.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

PACKAGE = "glossator_resources"
_CHECKOUT = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled file, e.g. ``resource_path("taxonomy", "source-criticism.xml")``."""
    if (_CHECKOUT / "taxonomy" / "source-criticism.xml").is_file():  # a checkout (or editable)
        return _CHECKOUT.joinpath(*parts)
    try:
        root = importlib.resources.files(PACKAGE)
    except ModuleNotFoundError:  # not installed: the caller reports the missing file
        return _CHECKOUT.joinpath(*parts)
    return Path(str(root.joinpath(*parts)))


SAMPLE = resource_path("samples", "soviet-aid-to-china.xml")
#: The sample with a dozen illustrative annotations (made by ``tools/annotate_sample.py``).
ANNOTATED_SAMPLE = resource_path("samples", "soviet-aid-to-china-annotated.xml")
DEFAULT_TAXONOMY = resource_path("taxonomy", "source-criticism.xml")
