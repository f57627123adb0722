"""Write the in-app help from the README and the format document (run after editing either).

``resources/help/guide.md`` is the README's sections a user needs in the app (what Glossator is,
working in the app, exports, the file format in short); ``resources/help/file-format.md`` is
``docs/standoff-format.md``. The wheel carries ``resources/``, so the help works installed.
``--check`` exits 1 when the help is out of date (the test suite runs it).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELP = ROOT / "resources" / "help"
SECTIONS = ("Working in the app", "The file format")


def guide(readme: str) -> str:
    """Return the user guide: the README's opening paragraph and its user sections."""
    intro = readme.split("\n## ", 1)[0].split("\n![", 1)[0]  # screenshots stay in the README
    parts = [intro.strip()]
    for title in SECTIONS:
        m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
        if m is None:
            raise SystemExit(f"README.md has no section '## {title}'")
        parts.append(f"## {title}\n{m.group(1).strip()}")
    text = "\n\n".join(parts) + "\n"
    text = re.sub(r"^!\[[^\]]*\]\(docs/[^)]*\)\n\n", "", text, flags=re.M)  # screenshots: the README's
    return re.sub(r"\]\(docs/standoff-format\.md(#[\w-]+)?\)", r"](file-format.md\1)", text)


def outputs() -> dict[Path, str]:
    """Return each help file and what it should hold."""
    return {HELP / "guide.md": guide((ROOT / "README.md").read_text(encoding="utf-8")),
            HELP / "file-format.md": (ROOT / "docs" / "standoff-format.md").read_text(encoding="utf-8")}  # fmt: skip


def main(argv: list[str]) -> int:
    """Write the help files, or with ``--check`` report whether they are current."""
    stale = [p for p, text in outputs().items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for p in stale:
            print(f"{p.relative_to(ROOT)} is out of date: run python tools/make_help.py", file=sys.stderr)
        return 1 if stale else 0
    HELP.mkdir(parents=True, exist_ok=True)
    for p, text in outputs().items():
        p.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
