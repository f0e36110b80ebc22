"""Property-based tests of the files the gate reads (``tests.file_strategies``: stack exports
and preview files with wrong types, deep nesting, unknowns, numbers JSON cannot hold): each
is refused with one line (exit 2, or 5 for a preview recording an error) or analysed and
reported in full, never a crash (exit 3).

The fast tier loads each file in the gate's process, builds every request the pack would get
and renders every report format (50 examples with ``HYPOTHESIS_PROFILE=quick``, the fast tier's;
200 otherwise; 2,000 with ``thorough``); the full tier also runs 12 through the whole gate.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from policy_gate import inputs
from policy_gate.analyzer import analyze_request, stack_request
from policy_gate.errors import EXIT_INCOMPLETE, EXIT_USAGE, GateError, one_line
from policy_gate.reports import FORMATS, Redactor, render
from policy_gate.results import Outcome, Violation
from tests.file_strategies import documents

ROOT = Path(__file__).resolve().parent.parent
_EXAMPLES = {"quick": 50, "thorough": 2_000}.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 200)


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _written(directory: str, text: str) -> Path:
    path = Path(directory) / "input.json"
    path.write_text(text, encoding="utf-8")
    return path


@_settings(_EXAMPLES)
@given(documents())
def test_a_file_is_refused_in_one_line_or_analysable_in_full(document: tuple[str, str]) -> None:
    kind, text = document
    with tempfile.TemporaryDirectory() as directory:
        try:
            capture = inputs.load(_written(directory, text))
        except GateError as exc:
            assert exc.exit_code == EXIT_USAGE or (exc.exit_code == EXIT_INCOMPLETE and kind == "preview"), exc.message
            assert exc.message.strip() and "\n" not in one_line(exc.message)
            return
    # The secret strings collected while reading are the ones a walk of every bag finds.
    assert capture.bag_secrets is not None
    assert capture.secret_strings() == dataclasses.replace(capture, bag_secrets=None).secret_strings()
    by_urn = capture.by_urn()
    for resource in capture.analysed():
        analyze_request(resource, resource.inputs, by_urn)
        analyze_request(resource, resource.inputs, by_urn, remediate=True)
    stack_request(capture, by_urn)
    outcome = Outcome("pack", "1.0.0", resources=len(capture.analysed()), judged=0,
                      violations=[Violation("rule", "mandatory", "high", r.urn, r.type, "found") for r in capture.resources])
    for fmt in FORMATS:
        assert render(fmt, outcome, capture, Redactor(capture.secret_strings()))


@pytest.mark.process
@_settings(12)
@given(documents())
def test_through_the_gate_exit_2_or_a_complete_report(document: tuple[str, str]) -> None:
    kind, text = document
    with tempfile.TemporaryDirectory() as directory:
        result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(_written(directory, text)), "--format",
                                 "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    if result.returncode in (EXIT_USAGE, EXIT_INCOMPLETE):
        assert result.returncode == EXIT_USAGE or kind == "preview"
        assert len([line for line in lines if line.startswith("error: ")]) == 1 and lines[-1].startswith("error: ")
        return
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert all(line.startswith("warning: ") for line in lines), result.stderr[-2000:]
    assert json.loads(result.stdout)["summary"].startswith(("PASS", "FAIL", "EMPTY"))


def _nested(levels: int, leaf: object) -> object:
    value = leaf
    for index in range(levels):
        value = {"k": value} if index % 2 else [value]
    return value


@pytest.mark.parametrize(("levels", "leaf", "refused"), [
    (99, "x", False), (100, "x", False), (101, "x", True),  # the leaf is the last level
    (100, {}, False), (100, [], False), (101, {}, True),  # an empty container at the limit holds nothing deeper
])
def test_values_nested_at_the_limit(levels: int, leaf: object, refused: bool) -> None:
    from policy_gate import apitype
    from policy_gate.errors import UsageError

    bag = {"top": _nested(levels - 1, leaf)}  # the bag itself is level 0
    if not refused:
        apitype.check_values(bag, "bag", unknowns=False)
        return
    with pytest.raises(UsageError, match=r"^bag\.top.*nested more than 100 levels deep"):
        apitype.check_values(bag, "bag", unknowns=False)


@given(documents())
@_settings(_EXAMPLES)
def test_the_fast_check_refuses_exactly_what_the_explaining_walk_does(document: tuple[str, str]) -> None:
    """``check_values`` walks without paths and asks ``_explain`` for the message: the two must agree."""
    from policy_gate import apitype
    from policy_gate.errors import UsageError

    def refused(check: object, bag: object) -> str | None:
        try:
            check(bag, "bag", False)  # type: ignore[operator]
        except UsageError as exc:
            return exc.message
        return None

    try:
        bag = json.loads(document[1])  # the whole document as one bag: any JSON value
    except (ValueError, RecursionError):
        return
    assert refused(apitype.check_values, bag) == refused(apitype._explain, bag)
