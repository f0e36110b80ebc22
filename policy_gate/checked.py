"""What a run did not check as written, said in every report: the warnings of the program run,
the state file and the config, the program's own error logs, and whether any resource reached
the pack for judging at all.

"Judged" is defined without knowing the pack (the gate drives any pack and cannot tell which
types a rule reads): a resource is judged when it is a custom resource other than a provider
and the engine's path sends it to Analyze (``Capture.analysed``). The root stack, component
resources and providers do not count; reads do only in a state file, as ``pulumi policy
analyze`` analyses them. A run in which none is judged still reports what the pack said (a
stack policy may have judged the exports), but its verdict is ``EMPTY``, never ``PASS``, and
``--fail-on-empty`` makes it exit 6.
"""

from __future__ import annotations

from collections.abc import Iterable

from .capture import Capture
from .results import Outcome

EMPTY_WARNING = ("no resource reached the policy pack for judging (no custom resource other than a provider was "
                 "analysed): nothing was checked but the stack itself")
# Not a failure: `pulumi preview` and `pulumi up` print it and exit 0 (pulumi/pulumi#5085, open).
PROGRAM_ERROR = "the program logged an error (pulumi.log.error; `pulumi preview` shows it and still succeeds): "


def judged(capture: Capture) -> int:
    return sum(1 for r in capture.analysed() if r.custom and not r.is_provider)


def record(outcome: Outcome, capture: Capture, gate_warnings: Iterable[str]) -> None:
    """Set ``outcome``'s warnings, program errors and judged count from the final ``capture``
    and the gate's own warnings (config, flags), in that order."""
    outcome.judged = judged(capture)
    outcome.program_errors = list(capture.program_errors)
    outcome.warnings = [*capture.warnings, *(PROGRAM_ERROR + e for e in capture.program_errors), *gate_warnings,
                        *([EMPTY_WARNING] if outcome.empty else [])]
