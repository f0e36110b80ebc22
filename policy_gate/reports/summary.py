"""The one-line verdict every format ends with (and the CLI prints after ``--output``)."""

from __future__ import annotations

from ..results import Outcome


def verdict(outcome: Outcome, fail_on: str = "mandatory", min_severity: str = "low") -> str:
    """FAIL, EMPTY (nothing reached the pack for judging: ``checked``, so a pass would say
    nothing) or PASS."""
    return "FAIL" if outcome.failing(fail_on, min_severity) else "EMPTY" if outcome.empty else "PASS"


def summary(outcome: Outcome, fail_on: str = "mandatory", min_severity: str = "low") -> str:
    open_ = [v for v in outcome.violations if v.exemption is None]
    mandatory = sum(1 for v in open_ if v.level == "mandatory")
    extra = f", {len(outcome.violations) - len(open_)} exempted" if len(open_) != len(outcome.violations) else ""
    extra += f", {len(outcome.diagnostics)} diagnostic(s)" if outcome.diagnostics else ""
    extra += f", {len(outcome.program_errors)} error(s) logged by the program" if outcome.program_errors else ""
    extra += f", {len(outcome.warnings)} warning(s)" if outcome.warnings else ""
    word = verdict(outcome, fail_on, min_severity)
    return (f"{word}: {mandatory} mandatory and {len(open_) - mandatory} advisory violation(s) in {outcome.resources} "
            f"resource(s) checked by {outcome.pack_name}@{outcome.pack_version}{extra}")
