"""Six places where citeproc-py 0.11 departs from the CSL 1.0.2 specification, mended.

Applied once by :func:`apply` (from :func:`tei.citations.load_style`); the outputs they correct
are pinned by ``tests/tei/test_citations.py``, so an upgrade of citeproc-py that breaks a mend
is noticed.

1. ``<label variable="edition"/>`` is printed for an item without an edition (MHRA prints a
   stray "Edition" in every journal article). The specification renders a label only when its
   variable is non-empty.
2. ``initialize="false"`` on ``cs:name`` is ignored, so Chicago prints "Garver, J. W." for
   "John W. Garver". With it, given names are kept as written.
3. A title used in place of a missing author (``cs:substitute``) through a macro is printed a
   second time in its own place ("The Red Banner. n.d. The Red Banner."). The specification
   suppresses a substituted variable in the rest of the entry; citeproc-py does so only for a
   variable named directly in the substitute, not through a macro.
4. ``is-numeric="locator"`` is always false and "54-55" or "42, 47" are not numeric, so
   Chicago drops the "chap." of a chapter locator. The specification counts the locator, and
   numbers joined by hyphens, commas and ampersands, as numeric.
5. A page locator ignores the style's ``page-range-format`` (Chicago cites "214–215" for
   "214–15"); the specification applies it to locators labelled page as to the page variable.
6. ``text-case="title"`` on a label is never applied (APA prints "(eds.)" for "(Eds.)"): a
   label has no item language, and citeproc-py title-cases only English; the style's locale is
   the label's language.

And some for speed, none changing what is printed: citeproc-py looks up macros, terms and
ancestors with an XPath query every time it renders one; a style's tree does not change once
loaded, so each query's answer is kept (per element and expression), and so are the answers of
``calls_variable``, ``get_root``, child look-ups, the tests of a ``cs:if`` and locale options. Sorting a bibliography
renders every sort key of every entry (Chicago has eight, most of them whole macros) although the
first key, the author, orders nearly all of them: keys are rendered only for entries still tied.
"""

from __future__ import annotations

import re
from typing import Any

_applied = False
#: Replaced citeproc-py methods, for the tests that compare them with the replacements.
ORIGINALS: dict[str, Any] = {}
_NUMERIC = re.compile(r"^[a-z]*\d+[a-z]*(?:\s*[-–,&]\s*[a-z]*\d+[a-z]*)*$", re.I)


def apply() -> None:
    """Patch citeproc-py's ``Label``, ``Name`` and ``Substitute`` (idempotent)."""
    global _applied
    if _applied:
        return
    from citeproc import model
    from citeproc.source import VariableError

    label_process = model.Label.process

    def process(self: Any, item: Any, variable: Any = None, *args: Any, **kwargs: Any) -> Any:
        name = variable or self.get("variable")
        if name and name != "locator" and not name.startswith("number-of"):
            try:
                if not item.reference[name.replace("-", "_")]:
                    return None
            except (VariableError, KeyError):
                return None
        return label_process(self, item, variable, *args, **kwargs)

    model.Label.process = process

    initialize = model.Name.initialize

    def initialize_unless_false(self: Any, given: Any, mark: Any, context: Any) -> Any:
        for el in (self, *self.iterancestors()):
            value = el.get("initialize")
            if value is not None:
                if value.lower() == "false":
                    return given
                break
        return initialize(self, given, mark, context)

    model.Name.initialize = initialize_unless_false

    add_to_repressed_list = model.Substitute.add_to_repressed_list

    def repress(self: Any, child: Any, context: Any) -> None:
        add_to_repressed_list(self, child, context)
        macro = child.get("macro")
        key = (self.get_root(), macro)
        if macro and key not in _MACRO_VARIABLES:
            _MACRO_VARIABLES[key] = _macro_variables(self, macro, set())
        if macro and "title" in _MACRO_VARIABLES[key]:
            layout = context.get_layout()
            layout.repressed.setdefault(child.tag, []).append("title")

    model.Substitute.add_to_repressed_list = repress

    def is_numeric(self: Any, item: Any) -> list[bool]:
        out = []
        for var in self.get("is-numeric").split():
            if var == "locator":
                value = item.locator.identifier if item.has_locator else None
            else:
                value = item.reference.get(var.replace("-", "_"))
            out.append(value is not None and bool(_NUMERIC.match(str(value).strip())))
        return out

    model.If._is_numeric = is_numeric
    text_variable = model.Text._variable

    def page_locator(self: Any, item: Any, context: Any) -> Any:
        if (self.get("variable") == "locator" and item.has_locator
                and item.locator.label == "page" and "&" not in str(item.locator.identifier)):
            return self._process(str(item.locator.identifier), "page")
        return text_variable(self, item, context)

    model.Text._variable = page_locator

    def label_markup(self: Any, text: Any) -> Any:
        if not text:
            return None
        language = (self.get_root().get("default-locale") or "en")[:2]
        return self.wrap(self.format(self.case(self.strip_periods(text), language)))

    model.Label.markup = label_markup
    ORIGINALS["Sort.sort"] = model.Sort.sort
    model.Sort.sort = _sort_lazily

    xpath_search = model.CitationStylesElement.xpath_search
    answers: dict[tuple[Any, str], Any] = {}

    def memo_xpath_search(self: Any, expression: str) -> Any:
        key = (self, expression)
        found = answers.get(key)
        if found is None:
            found = answers[key] = xpath_search(self, expression)
        return found

    model.CitationStylesElement.xpath_search = memo_xpath_search
    children: dict[tuple[Any, str], Any] = {}

    def memo_child(self: Any, name: str) -> Any:  # element.layout, .terms…: its first such child
        key = (self, name)
        if key not in children:
            children[key] = self.find("cs:" + name, self.nsmap)
        return children[key]

    model.SomewhatObjectifiedElement.__getattr__ = memo_child

    for cls in (model.Parent, model.Text):
        cls.calls_variable = _memo(cls.calls_variable)
    model.CitationStylesElement.get_root = _memo(model.CitationStylesElement.get_root)
    types: dict[Any, list[str]] = {}

    def is_type(self: Any, item: Any) -> list[bool]:
        wanted = types.get(self)
        if wanted is None:
            wanted = types[self] = [t.lower() for t in self.get("type").split()]
        kind = item.reference.type
        return [t == kind for t in wanted]

    model.If._type = is_type
    plans: dict[Any, tuple[list[str], str | None]] = {}
    tests = {"type": lambda el, item, ctx: el._type(item),
             "variable": lambda el, item, ctx: el._variable(item),
             "is-numeric": lambda el, item, ctx: el._is_numeric(item),
             "is-uncertain-date": lambda el, item, ctx: el._is_uncertain_date(item),
             "locator": lambda el, item, ctx: el._locator(item),
             "position": lambda el, item, ctx: el._position(item, ctx)}  # fmt: skip

    def if_render(self: Any, item: Any, context: Any = None, delimiter: str = "",
                  **kwargs: Any) -> Any:  # fmt: skip
        plan = plans.get(self)
        if plan is None:  # the conditions of this cs:if, read once
            plan = plans[self] = ([t for t in tests if t in self.attrib], self.get("match"))
        results: list[bool] = []
        for test in plan[0]:
            results += tests[test](self, item, context)
        match = plan[1]
        if not (any(results) if match == "any" else not any(results) if match == "none"
                else all(results)):  # fmt: skip
            raise model.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    model.If.render = if_render
    kinds: dict[Any, str] = {}

    def text_process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        if context is None:
            context = self
        language = dict.get(item.reference, "language")  # no exception for the usual absence
        language = language[:2] if language is not None else \
            self.get_root().get("default-locale", "en")[:2]
        kind = kinds.get(self)
        if kind is None:  # what this cs:text prints, read once
            kind = kinds[self] = next((k for k in ("variable", "macro", "term", "value")
                                       if k in self.attrib), "")  # fmt: skip
        text = None
        if kind == "variable":
            text = self._variable(item, context)
        elif kind == "macro":
            text = self.get_macro(self.get("macro")).render(item, context)
        elif kind == "term":
            text = self._term(item)
        elif kind == "value":
            text = model.String(self.preformat(self.get("value")))
        return text, language

    model.Text.process = text_process
    locale_option = model.Locale.get_option
    options: dict[tuple[Any, str], Any] = {}

    def memo_locale_option(self: Any, name: str) -> Any:
        key = (self, name)
        if key not in options:
            try:
                options[key] = locale_option(self, name)
            except IndexError as exc:
                options[key] = exc
        if isinstance(options[key], IndexError):
            raise IndexError
        return options[key]

    model.Locale.get_option = memo_locale_option

    from citeproc.source import CitationItem

    reference = CitationItem.reference.fget

    def cached_reference(self: Any) -> Any:
        found = dict.get(self, "_glossator_reference")
        if found is None:
            found = self["_glossator_reference"] = reference(self)
        return found

    CitationItem.reference = property(cached_reference)
    _applied = True


def _compare(left: Any, right: Any, descending: bool) -> int:
    """Compare two sort keys as citeproc-py does (a missing key sorts last, either way)."""
    if left is None or right is None:
        return 0 if left is right else (1 if left is None else -1)
    try:
        left, right = str(left.lower()), str(right.lower())
    except AttributeError:
        pass
    try:
        left, right = int(str(left)), int(str(right))
    except ValueError:
        pass
    result = (left > right) - (left < right)
    return -result if descending else result


def _sort_lazily(self: Any, items: list[Any], context: Any) -> list[Any]:
    """``cs:sort``: order by the first key, then by the next key only among the tied entries."""
    from functools import cmp_to_key

    keys = self.findall("cs:key", self.nsmap)

    def order(group: list[Any], level: int) -> list[Any]:
        if len(group) < 2 or level == len(keys):
            return group
        key = keys[level]
        descending = key.get("sort", "ascending").lower() == "descending"
        values = key.sort_keys(group, context)
        pairs = sorted(zip(values, range(len(group)), strict=True),
                       key=cmp_to_key(lambda a, b: _compare(a[0], b[0], descending)))  # fmt: skip
        out: list[Any] = []
        start = 0
        for i in range(1, len(pairs) + 1):
            if i == len(pairs) or _compare(pairs[start][0], pairs[i][0], descending):
                out += order([group[j] for _, j in pairs[start:i]], level + 1)
                start = i
        return out

    return order(list(items), 0)


def _memo(method: Any) -> Any:
    """Return ``method`` answering once per style element (the style tree does not change)."""
    answers: dict[Any, Any] = {}

    def memo(self: Any) -> Any:
        if self not in answers:
            answers[self] = method(self)
        return answers[self]

    return memo


_MACRO_VARIABLES: dict[tuple[Any, str], set[str]] = {}


def _macro_variables(el: Any, name: str, seen: set[str]) -> set[str]:
    """Return the variables a macro prints with ``cs:text`` (through nested macros)."""
    if name in seen:
        return set()
    seen.add(name)
    ns = {"cs": "http://purl.org/net/xbiblio/csl"}
    found = el.get_root().xpath(f"cs:macro[@name='{name}']", namespaces=ns)
    out: set[str] = set()
    for text in found[0].iterfind(".//cs:text", ns) if found else ():
        if text.get("variable"):
            out.add(text.get("variable"))
        elif text.get("macro"):
            out |= _macro_variables(el, text.get("macro"), seen)
    return out
