"""Soak the session: run the random-step state machine of the tests for as long as asked and
print the steps run and every invariant violation found (with its shrunk sequence of steps).

Run: ``QT_QPA_PLATFORM=offscreen python bench/soak_session.py --seconds 600 [--file F.xml]``
(without ``--file``: the sample and the corpus files of the test, in turn). Exit status 1 if a
violation was found.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    """Run the state machine until the time is up; return 1 if any invariant broke."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    ap.add_argument("--file", type=Path, action="append", help="TEI file(s) to run on")
    ap.add_argument("--steps", type=int, default=60, help="steps per random run (default 60)")
    ap.add_argument("--no-shrink", action="store_true", help="report violations without shrinking")
    args = ap.parse_args(argv)

    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.stateful import run_state_machine_as_test
    from PySide6.QtGui import QGuiApplication

    from tests.annotator import session_machine as sm

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - QUndoStack needs one
    files = args.file or sm.sources()
    phases = [Phase.generate] if args.no_shrink else [Phase.generate, Phase.shrink]
    run = settings(max_examples=5, stateful_step_count=args.steps, deadline=None, database=None,
                   phases=phases, report_multiple_bugs=False, print_blob=False,
                   suppress_health_check=list(HealthCheck))  # fmt: skip
    end = time.monotonic() + args.seconds
    violations: list[tuple[str, str]] = []
    runs = 0
    while time.monotonic() < end:
        source = files[runs % len(files)]
        runs += 1
        try:
            run_state_machine_as_test(sm.machine_for(source), settings=run)
        except Exception as exc:  # noqa: BLE001 - every failure is a violation to report
            first = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            violations.append((source.name, first))
            print(f"\nVIOLATION on {source.name}: {first}")
            print("".join(traceback.format_exception(exc)[-3:]).rstrip())
            for note in getattr(exc, "__notes__", []):
                print(note)
            sys.stdout.flush()
    print(f"\n{sm.steps} steps in {runs} batch(es) of random runs on {len(files)} file(s), "
          f"{args.seconds:.0f} s: {len(violations)} violation(s)")
    for name, first in violations:
        print(f"  {name}: {first}")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
