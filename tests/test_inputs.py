"""Saved state and previews as gate input, in the Pulumi CLI's published file shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies.core.props import SECRET_SIG, SIG_KEY
from policy_gate import inputs
from policy_gate.errors import UsageError
from policy_gate.program import run_program
from tests.captures import stack_export

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "tests" / "fixtures" / "state"
# The foundation rules only: later rules must not change what these tests are about.
FOUNDATION = {"all": "disabled", "workspace-allowed-sku": "mandatory", "workspace-managed-identity": "mandatory",
              "featureset-data-version-pinned": "mandatory", "featureset-data-version-resolves": "mandatory",
              "no-secret-exports": "mandatory"}


def gate(path: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    config = tmp_path / "foundation.json"
    config.write_text(json.dumps(FOUNDATION))
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(path), "--format", "json", "--config",
                             str(config), *extra], cwd=ROOT, capture_output=True, text=True, timeout=300)
    data = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, data, result.stderr


def found(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in data["violations"]}


def test_stack_export_loads_with_opaque_secrets_and_sources() -> None:
    capture = inputs.load(STATE / "stack-export.json")
    assert (capture.project, capture.stack, capture.dry_run) == ("ml-platform", "prod", False)
    names = [r.name for r in capture.resources]
    assert "doomed" not in names  # pending deletion
    assert {"pet", "group", "default_3_29_0", "classic", "mlw"} <= set(names)
    mlw = next(r for r in capture.resources if r.name == "mlw")
    assert mlw.inputs["friendlyName"] == {SIG_KEY: SECRET_SIG, "value": inputs.OPAQUE_SECRET}
    assert mlw.source == {"file": "__main__.py", "line": 14}
    assert mlw.custom_timeouts == {"create": "1800s"}
    assert "ciphertext" not in json.dumps([r.outputs for r in capture.resources])


def test_stack_export_through_the_gate(tmp_path: Path) -> None:
    code, data, _ = gate(STATE / "stack-export.json", tmp_path)
    assert code == 1
    assert found(data) == {("workspace-allowed-sku", "mlw"), ("no-secret-exports", "ml-platform-prod")}
    message = next(v["message"] for v in data["violations"] if v["policy"] == "no-secret-exports")
    assert "storageConnectionString" in message and "connection string" in message
    assert data["resources"] == 6  # every resource, as `pulumi policy analyze`: the provider and root stack too


def test_checkpoint_through_the_gate(tmp_path: Path) -> None:
    code, data, _ = gate(STATE / "checkpoint.json", tmp_path)
    assert code == 1
    assert found(data) == {("workspace-managed-identity", "mlw"), ("no-secret-exports", "ml-platform-prod")}
    assert "hunter2" not in json.dumps(data)


def test_preview_file_through_the_gate(tmp_path: Path) -> None:
    code, data, _ = gate(STATE / "preview.json", tmp_path)
    assert code == 1 and data["preview"] is True
    assert found(data) == {("featureset-data-version-pinned", "fs"), ("no-secret-exports", "ml-platform-dev")}
    assert {(d["policy"], d["urn"].rsplit("::", 1)[-1]) for d in data["diagnostics"] if d["kind"] == "unknown"} == {
        ("workspace-managed-identity", "mlw"), ("no-secret-exports", "ml-platform-dev")}
    assert "old" not in {v["urn"].rsplit("::", 1)[-1] for v in data["violations"]}  # deleted: not analysed


@pytest.mark.parametrize(("content", "fragment"), [
    ('{"version": 3, "deployment": {"resources": [', "looks truncated"),
    ("not json at all", "is not valid JSON"),
    ('{"hello": "world"}', "is not a Pulumi stack export, checkpoint or `pulumi preview --json` file"),
    ("[1, 2, 3]", "is not a Pulumi stack export"),
    ('{"version": 3, "deployment": {"manifest": {}}}', "holds no resources"),
    ('{"version": 3, "deployment": {"resources": []}}', "holds no resources"),
    ('{"steps": []}', "holds no resources"),
    ('{"version": 3, "deployment": {"resources": [{"type": "x"}]}}', "deployment.resources[0] has no urn"),
    ('{"steps": [{"op": "create", "urn": "urn:pulumi:a::b::t::n"}]}', "has no newState"),
])
def test_bad_files_are_one_line_usage_errors(tmp_path: Path, content: str, fragment: str) -> None:
    bad = tmp_path / "state.json"
    bad.write_text(content)
    code, _, stderr = gate(bad, tmp_path)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "Traceback" not in stderr


def test_input_kind_can_be_forced(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a preview JSON file"):
        inputs.load(STATE / "stack-export.json", expected="preview")
    code, _, stderr = gate(STATE / "preview.json", tmp_path, "--input", "state")
    assert code == 2 and "is a preview JSON file, not a stack export" in stderr


@pytest.mark.parametrize("program", ["examples/seed", "reference_stack"])
def test_state_from_a_program_run_gives_the_program_verdict(tmp_path: Path, program: str) -> None:
    state = tmp_path / "export.json"
    state.write_text(json.dumps(stack_export(run_program(ROOT / program, "dev", False, 300))))
    from_program = gate(ROOT / program, tmp_path)
    from_state = gate(state, tmp_path)
    assert from_program[0] == from_state[0]
    assert {(v["policy"], v["urn"], v["message"]) for v in from_program[1]["violations"]} == \
        {(v["policy"], v["urn"], v["message"]) for v in from_state[1]["violations"]}
