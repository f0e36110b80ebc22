"""Stack rules link resources by what AnalyzeStack carries (policies/core/linking.py), and the gate's
mocks answer with the provider's outputs (policy_gate/runner/mocks.py): so the gate's verdict on a
program is its verdict on the stack export of that program's deployment, whose outputs are in the
provider's shape, and a program that names its workspace by a literal string is linked after
``pulumi up`` and told, during preview, how to make the link known."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policy_gate.program import run_program
from tests.captures import stack_export

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
LITERAL = ROOT / "tests" / "programs" / "literal-names"
ANTIPATTERNS = ROOT / "examples" / "antipatterns"


def _gate(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(path), "--format", "json", *extra],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def _verdicts(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(v["policy"], v["urn"], v["message"]) for v in data["violations"]}


@pytest.mark.parametrize(("program", "config"), [
    (ROOT / "reference_stack", ()),
    (ANTIPATTERNS, ("--config", str(ANTIPATTERNS / "policy-config.json"))),
    (LITERAL, ()),
], ids=["reference_stack", "antipatterns", "literal-names"])
def test_the_program_verdict_is_the_verdict_on_its_deployment_s_export(tmp_path: Path, program: Path,
                                                                        config: tuple[str, ...]) -> None:
    state = tmp_path / "export.json"
    state.write_text(json.dumps(stack_export(run_program(program, "dev", False, 600))))
    from_program, from_state = _gate(program, *config), _gate(state, *config)
    assert from_program[0] == from_state[0]
    assert _verdicts(from_program[1]) == _verdicts(from_state[1])


def test_literal_names_are_linked_after_up_and_say_how_during_preview() -> None:
    code, data = _gate(LITERAL)
    assert code == 0 and {v["policy"] for v in data["violations"]} == {"workspace-customer-managed-key"}
    assert data["diagnostics"] == []
    code, data = _gate(LITERAL, "--preview")
    assert code == 0 and {v["policy"] for v in data["violations"]} == {"workspace-customer-managed-key"}
    advice = {d["policy"]: d["message"] for d in data["diagnostics"] if d["kind"] == "unknown"}
    assert advice.keys() == {"compute-in-virtual-network", "job-allowed-compute", "featureset-data-version-resolves"}
    assert "workspace_name=workspace.name" in advice["compute-in-virtual-network"]
    assert "compute_id=compute.id" in advice["job-allowed-compute"]
    assert "dataVersionId=data.id" in advice["featureset-data-version-resolves"]


def test_failing_closed_on_a_link_that_cannot_be_made_yet_is_a_violation_that_says_why(tmp_path: Path) -> None:
    config = tmp_path / "closed.json"
    config.write_text(json.dumps({"compute-in-virtual-network": {"failClosed": True}}))
    code, data = _gate(LITERAL, "--preview", "--config", str(config))
    closed = [v["message"] for v in data["violations"] if v["policy"] == "compute-in-virtual-network"]
    assert code == 1 and len(closed) == 1 and "workspace_name=workspace.name" in closed[0] and "fails closed" in closed[0]
