"""The exception family of the ``tei`` library: every failure a user can cause is one of these."""

from __future__ import annotations


class TeiError(Exception):
    """Base class: a human message, optionally with the file and a line/column where it happened."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def where(self) -> str:
        """Return ``path:line:column`` (as much of it as is known), or ''."""
        parts = [p for p in (self.path, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class NotXmlError(TeiError):
    """The input is empty, binary or otherwise not XML at all."""


class MalformedXmlError(TeiError):
    """The input looks like XML but is not well-formed (line/column say where)."""


class NotTeiError(TeiError):
    """Well-formed XML whose root is not a TEI ``TEI`` or ``teiCorpus`` element."""


class EncodingError(TeiError):
    """The bytes cannot be decoded in the declared or detected encoding."""


class TooLargeError(TeiError):
    """The file exceeds the size limit set for loading."""


class HostileXmlError(TeiError):
    """The input tries something dangerous (entity expansion bomb, external entity, DTD fetch)."""


class PointerError(TeiError):
    """A pointer cannot be parsed or does not fit the document."""


class AnnotationError(TeiError):
    """An annotation operation is invalid (unknown id, bad field value, empty target)."""


class SaveConflictError(TeiError):
    """The file changed on disk since it was opened; saving would overwrite someone else's work."""


class SaveError(TeiError):
    """The file could not be written (permissions, disk full, missing folder)."""


class TextImportError(TeiError):
    """A plain-text source cannot be imported (empty, undecodable)."""


class ReadOnlyFileError(SaveError):
    """The file is read-only (no write permission bits): it is not replaced unless forced."""
