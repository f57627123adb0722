"""``glossator git setup``: make ``git diff`` and ``git log -p`` show annotated TEI files as
annotations (a ``diff=glossator`` attribute and the ``diff.glossator.textconv`` setting), and git
merge them by annotation (``merge=glossator`` and ``merge.glossator.driver``, see
:mod:`tei.merge`).

Idempotent: what is already there is left as it is.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys

from .storage import atomic_write

log = logging.getLogger("glossator.gitsetup")

ATTRIBUTE_LINE = "*.xml diff=glossator merge=glossator"
TEXTCONV_KEY = "diff.glossator.textconv"
MERGE_NAME_KEY = "merge.glossator.name"
MERGE_DRIVER_KEY = "merge.glossator.driver"
MERGE_NAME = "Glossator: merge annotations by id"


class GitError(Exception):
    """git is missing, or the folder is not a repository, or git refused a setting."""


def textconv_command() -> str:
    """Return the shell command git should run: this ``glossator`` entry point, by absolute
    path, or this Python running ``-m annotator`` (so it works from a virtual environment)."""
    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0).split(".")[0] == "glossator":
        found = argv0 if os.sep in argv0 else shutil.which(argv0)
        if found and os.path.isfile(found):
            return f"{shlex.quote(os.path.abspath(found))} git textconv"
    return f"{shlex.quote(sys.executable)} -m annotator git textconv"


def _git(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (or not on PATH)")
    return subprocess.run([git, *args], cwd=cwd, capture_output=True, text=True, check=False)


def _global_attributes_file() -> str:
    found = _git("config", "--global", "--get", "core.attributesFile").stdout.strip()
    if found:
        return os.path.expanduser(found)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "git", "attributes")


def _has_attribute(text: str) -> bool:
    for line in text.splitlines():
        words = line.split()
        if words and words[0] == "*.xml" and {"diff=glossator", "merge=glossator"} <= set(words[1:]):
            return True
    return False


def _with_attribute(text: str) -> str:
    """Return ``text`` with the ``*.xml`` line completed (or added)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        words = line.split()
        if words and words[0] == "*.xml" and ("diff=glossator" in words or "merge=glossator" in words):
            kept = [w for w in words[1:] if not w.startswith(("diff=", "merge="))]
            lines[i] = " ".join(["*.xml", *kept, "diff=glossator", "merge=glossator"])
            return "\n".join(lines) + "\n"
    return text + ("\n" if text and not text.endswith("\n") else "") + ATTRIBUTE_LINE + "\n"


def _write_attributes(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise GitError(f"{path}: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    if _has_attribute(text):
        return f"{path}: already has {ATTRIBUTE_LINE!r}"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, _with_attribute(text).encode("utf-8"), backup=False)
    return f"{path}: added {ATTRIBUTE_LINE!r}"


def _write_config(scope: list[str], key: str, value: str, cwd: str | None, where: str) -> str:
    old = _git("config", *scope, "--get", key, cwd=cwd).stdout.strip()
    if old == value:
        return f"git config ({where}): {key} is already {value}"
    done = _git("config", *scope, key, value, cwd=cwd)
    if done.returncode != 0:
        raise GitError(f"git config {key} failed: {' '.join(done.stderr.split())}")
    was = f" (was {old})" if old else ""
    return f"git config ({where}): {key} = {value}{was}"


def _write_configs(scope: list[str], command: str, cwd: str | None, where: str) -> list[str]:
    """Set the textconv and the merge driver (``command`` ends in ``git textconv``)."""
    glossator = command.rsplit(" git textconv", 1)[0]
    driver = f"{glossator} git merge-driver %O %A %B %P"
    return [_write_config(scope, TEXTCONV_KEY, command, cwd, where),
            _write_config(scope, MERGE_NAME_KEY, MERGE_NAME, cwd, where),
            _write_config(scope, MERGE_DRIVER_KEY, driver, cwd, where)]  # fmt: skip


def setup(repo: str = ".", *, global_: bool = False, command: str | None = None) -> list[str]:
    """Write the attribute and the textconv setting for ``repo`` (or, ``global_``, for every
    repository of the user); return one line per thing done or found already done."""
    command = command or textconv_command()
    if global_:
        lines = [_write_attributes(_global_attributes_file()),
                 *_write_configs(["--global"], command, None, "global")]  # fmt: skip
    else:
        if not os.path.isdir(repo):
            raise GitError(f"{repo}: no such folder")
        top = _git("rev-parse", "--show-toplevel", cwd=repo)
        if top.returncode != 0:
            raise GitError(f"{repo}: not in a git repository (run git init first)")
        root = top.stdout.strip()
        lines = [_write_attributes(os.path.join(root, ".gitattributes")),
                 *_write_configs(["--local"], command, root, f"repository {root}")]  # fmt: skip
    lines.append("git diff and git log -p now show annotations (--no-textconv shows the XML); "
                 "git merge and git pull merge annotations by id")  # fmt: skip
    return lines
