"""Namespace URIs and the ``qn`` helper that turns ``"tei:note"`` into a Clark name."""

from __future__ import annotations

TEI = "http://www.tei-c.org/ns/1.0"
XML = "http://www.w3.org/XML/1998/namespace"
XI = "http://www.w3.org/2001/XInclude"

NSMAP: dict[str, str] = {"tei": TEI, "xml": XML, "xi": XI}

XML_ID = f"{{{XML}}}id"
XML_LANG = f"{{{XML}}}lang"
XML_SPACE = f"{{{XML}}}space"


def qn(name: str) -> str:
    """Return the Clark name (``{uri}local``) for a prefixed name such as ``tei:note``."""
    prefix, _, local = name.rpartition(":")
    if not prefix:
        return f"{{{TEI}}}{local}"
    return f"{{{NSMAP[prefix]}}}{local}"


def local_name(tag: object) -> str:
    """Return the local part of an element tag (``{uri}p`` -> ``p``); '' for non-elements."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def is_tei(tag: object, local: str | None = None) -> bool:
    """Tell whether ``tag`` is in the TEI namespace (and has local name ``local`` if given)."""
    if not isinstance(tag, str) or not tag.startswith("{" + TEI + "}"):
        return False
    return local is None or tag[len(TEI) + 2 :] == local
