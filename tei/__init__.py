"""Glossator's TEI library: load TEI P5, map its text, hold critical annotations, save losslessly.

Qt-free and usable from scripts::

    import tei
    doc = tei.load("resources/samples/soviet-aid-to-china.xml")
    p2 = doc.text.blocks[1]
    i = p2.reading.index("July 25, 1919")
    target = doc.target_for(1, i, 1, i + 13)  # '#string-range(p2,39,13)'
    ann = doc.add_annotation(target, "gl-comment")
    ann.note = ["The Karakhan Manifesto is dated 25 July 1919."]
    doc.save("annotated.xml")
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
    SaveConflictError,
    SaveError,
    TaxonomyError,
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
    "PointerError", "Quantity", "Resolution", "SaveConflictError", "SaveError", "SourceLink", "TaxonomyError",
    "TeiDocument", "TeiError", "TextImportError", "TooLargeError", "load",
]  # fmt: skip
