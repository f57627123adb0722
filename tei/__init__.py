"""Glossator's TEI library: load TEI P5, map its text, hold critical annotations, save losslessly.

Qt-free and usable from scripts::

    import tei
    doc = tei.load("edition.xml")
    b = doc.text.blocks[3]
    target = doc.target_for(3, 10, 3, 25)
    ann = doc.add_annotation(target, "gl-comment")
    ann.note = ["Compare the 1951 census."]
    doc.save()
"""

from __future__ import annotations

from .annotations import (
    Alternative,
    Annotation,
    BiasNote,
    ContestedFigure,
    Quantity,
    SourceLink,
)
from .document import Resolution, TeiDocument
from .errors import (
    AnnotationError,
    EncodingError,
    HostileXmlError,
    MalformedXmlError,
    NotTeiError,
    NotXmlError,
    PointerError,
    ReadOnlyFileError,
    SaveConflictError,
    SaveError,
    TeiError,
    TextImportError,
    TooLargeError,
)

__version__ = "0.1.0"


def load(path: str) -> TeiDocument:
    """Open a TEI file (see :meth:`TeiDocument.load`)."""
    return TeiDocument.load(path)


__all__ = [
    "Alternative", "Annotation", "AnnotationError", "BiasNote", "ContestedFigure",
    "EncodingError", "HostileXmlError", "MalformedXmlError", "NotTeiError", "NotXmlError",
    "PointerError", "Quantity", "ReadOnlyFileError", "Resolution", "SaveConflictError", "SaveError", "SourceLink",
    "TeiDocument", "TeiError", "TextImportError", "TooLargeError", "load",
]  # fmt: skip
