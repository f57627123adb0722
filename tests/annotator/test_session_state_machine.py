"""Random user steps on a session keep every invariant of issue 15 (a bounded run; see
``bench/soak_session.py`` for long ones, and ``session_machine.py`` for the steps and checks)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from .session_machine import CORPUS, CORPUS_FILES, SAMPLE, machine_for

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.filter_too_much]
#: About 70 s in all on a busy 2-core machine (the sample is 5 times cheaper per step).
BOUNDED = {
    "sample": settings(max_examples=25, stateful_step_count=40, deadline=None, suppress_health_check=_SLOW_OK),
    "corpus": settings(max_examples=12, stateful_step_count=30, deadline=None, suppress_health_check=_SLOW_OK),
}


@pytest.mark.timeout(900)  # only a failure takes long: hypothesis shrinks it to a short sequence
@pytest.mark.parametrize("name", ["sample", *CORPUS_FILES])
def test_random_session_steps_keep_the_invariants(name: str, qapp) -> None:  # noqa: ANN001
    source = SAMPLE if name == "sample" else CORPUS / name
    if not source.is_file():
        pytest.skip(f"{source} is not available")
    run_state_machine_as_test(machine_for(source), settings=BOUNDED["sample" if name == "sample" else "corpus"])
