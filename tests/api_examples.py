"""The corpus of examples/api-examples: the Azure ML REST API's create-or-update request examples
as a program, the stack export of its deployment (outputs in the provider's shape) and the exact
verdicts the gate gives on both (tests/test_api_examples.py).

``python -m tests.api_examples`` rewrites ``stack-export.json`` from the program and
``expected.json`` from the gate's verdicts on it; review the diff of ``expected.json`` like code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from policy_gate.program import run_program
from tests.captures import stack_export

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "api-examples"
EXPORT = EXAMPLE / "stack-export.json"
EXPECTED = EXAMPLE / "expected.json"


def export() -> dict[str, Any]:
    """The stack export of the program's deployment."""
    return stack_export(run_program(EXAMPLE, "dev", False, 600))


def gate(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(path), "--format", "json", *extra],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    if not result.stdout:
        raise AssertionError(result.stderr)
    return result.returncode, json.loads(result.stdout)


def by_resource(violations: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Each resource's logical name and the rules that report it (a rule once per message)."""
    found: dict[str, list[str]] = {}
    for violation in violations:
        found.setdefault(violation["urn"].rsplit("::", 1)[-1], []).append(violation["policy"])
    return {name: sorted(rules) for name, rules in sorted(found.items())}


def write() -> None:
    EXPORT.write_text(json.dumps(export(), indent=1, sort_keys=True) + "\n")
    _, data = gate(EXPORT)
    EXPECTED.write_text(json.dumps(by_resource(data["violations"]), indent=1) + "\n")


if __name__ == "__main__":
    write()
