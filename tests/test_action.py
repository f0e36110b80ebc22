"""The GitHub Action: ``action.yml`` against the documented metadata keys, its expressions against
what its script writes, and the script (``scripts/github_action.py``) run as the action runs it,
with ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files. Installing the gate and the whole
action as a workflow uses it are in tests/test_install.py (they need the package index)."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from tests.actions import read_outputs

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "tests" / "schemas"
SCRIPT = ROOT / "scripts" / "github_action.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("github_action", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


action_script = load_script()


def metadata() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    return data


def test_action_yml_has_the_documented_keys_only() -> None:
    schema = json.loads((SCHEMAS / "github-action-composite.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(metadata())]
    assert errors == []


def test_the_schema_check_catches_a_broken_action() -> None:
    schema = json.loads((SCHEMAS / "github-action-composite.json").read_text())
    broken = metadata()
    del broken["runs"]["steps"][0]["shell"]  # a run step without its shell
    broken["inputs"]["path"]["type"] = "string"  # not a key of an input
    broken["outputs"]["summary"].pop("value")  # a composite output needs its value
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) == 3


def expressions(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [e for value in node.values() for e in expressions(value)]
    if isinstance(node, list):
        return [e for value in node for e in expressions(value)]
    return re.findall(r"\$\{\{\s*(.*?)\s*\}\}", node) if isinstance(node, str) else []


def test_every_expression_names_a_declared_input_or_an_output_an_earlier_step_writes() -> None:
    data = metadata()
    writes = {"install": {"gate"}, "gate": set(action_script.OUTPUTS)}
    steps = data["runs"]["steps"]
    ids = [step.get("id") for step in steps]
    refs = [(len(steps), e) for e in expressions(data["outputs"])]
    refs += [(i, e) for i, step in enumerate(steps) for e in expressions(step) + ([step["if"]] if "if" in step else [])]
    for position, ref in refs:
        for name in re.findall(r"\binputs\.([\w-]+)", ref):
            assert name in data["inputs"], ref
        for step_id, output in re.findall(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)", ref):
            assert step_id in ids[:position] and output in writes[step_id], ref
    # Every input is used, and the action's outputs are the script's.
    used = {name for _, ref in refs for name in re.findall(r"\binputs\.([\w-]+)", ref)}
    assert used == set(data["inputs"])
    assert set(data["outputs"]) == set(action_script.OUTPUTS) - {"upload-sarif"}


def test_the_gate_step_passes_each_input_under_the_name_the_script_reads() -> None:
    gate = next(step for step in metadata()["runs"]["steps"] if step.get("id") == "gate")
    script = SCRIPT.read_text(encoding="utf-8")
    for variable, value in gate["env"].items():
        assert re.search(rf"\b{variable}\b", script) or f"${variable}" in gate["run"], variable  # read by the script or the step
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
        if match:
            assert variable == "INPUT_" + match.group(1).upper().replace("-", "_")


def test_sarif_goes_to_codeql_upload_sarif_with_its_inputs() -> None:
    upload = next(step for step in metadata()["runs"]["steps"] if "uses" in step)
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    # Inputs of github/codeql-action upload-sarif/action.yml.
    assert set(upload["with"]) <= {"sarif_file", "checkout_path", "ref", "sha", "token", "matrix", "category",
                                   "wait-for-processing"}
    assert upload["if"] == "steps.gate.outputs.upload-sarif == 'true'"


def test_this_repository_gates_its_examples_with_the_action() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "policy-gate.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["gate"]["steps"]
    gate = next(step for step in steps if step.get("uses") == "./")
    assert set(gate["with"]) <= set(metadata()["inputs"])
    assert gate["env"] == {"PULUMI_PYTHON_CMD": "python"}  # the examples run in the job's Python, with its SDKs
    assert not any("policy_gate" in str(step.get("run", "")) for step in steps)  # one gate run, the action's


def test_the_readme_adds_the_action_as_docs_ci_md_does() -> None:
    """README.md's workflow is docs/ci.md's action recipe, which tests/test_install.py runs."""
    def recipe(path: Path) -> Any:
        match = re.search(r"<!-- recipe: action\b[^>]*-->\s*```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
        assert match, path
        return yaml.safe_load(match.group(1))

    assert recipe(ROOT / "README.md") == recipe(ROOT / "docs" / "ci.md")


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "policy-gate run . --report sarif=R/policy-gate.sarif --report markdown=R/policy-gate.md --report text=-"),
    ({"INPUT_PATH": "infra", "INPUT_REPORTS": "junit, json", "INPUT_UPLOAD_SARIF": "false", "INPUT_STEP_SUMMARY": "false",
      "INPUT_CONFIG": "policy.json", "INPUT_STACK": "prod", "INPUT_FAIL_ON": "advisory", "INPUT_PREVIEW": "true",
      "INPUT_ARGS": "--stack-tag 'team=ml ops'", "POLICY_GATE": "/opt/gate/bin/policy-gate"},
     "/opt/gate/bin/policy-gate run infra --report junit=R/policy-gate.junit.xml --report json=R/policy-gate.json "
     "--report text=- --config policy.json --stack prod --fail-on advisory --preview --stack-tag 'team=ml ops'"),
    ({"INPUT_REPORTS": "sarif markdown sarif", "INPUT_EXEMPTIONS": "ex.yaml", "INPUT_MIN_SEVERITY": "high"},
     "policy-gate run . --report sarif=R/policy-gate.sarif --report markdown=R/policy-gate.md --report text=- "
     "--exemptions ex.yaml --min-severity high"),
])
def test_the_gate_command(environ: dict[str, str], expected: str) -> None:
    assert shlex.join(action_script.gate_command(environ, Path("R"))) == expected


def test_an_unknown_report_is_an_input_error() -> None:
    with pytest.raises(action_script.InputError, match="unknown report 'html'"):
        action_script.reports_asked({"INPUT_REPORTS": "sarif,html"})


def test_outputs_are_written_as_github_reads_them(tmp_path: Path) -> None:
    output = tmp_path / "output"
    action_script.write_outputs(str(output), {"exit-code": "1", "summary": "FAIL: x", "multi": "a\nb=c"})
    assert read_outputs(output) == {"exit-code": "1", "summary": "FAIL: x", "multi": "a\nb=c"}


def script(tmp_path: Path, defer: bool = False, **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    """The script's run, as the action's gate step runs it, with this checkout's gate."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "output").write_text("")
    (tmp_path / "summary").write_text("# earlier step\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "POLICY_GATE": f"{shlex.quote(sys.executable)} -m policy_gate",
           "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
           "INPUT_OUTPUT_DIR": str(tmp_path / "reports"), **inputs}
    result = subprocess.run([sys.executable, str(SCRIPT), "run", *(["--defer-exit"] if defer else [])], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, env=env)
    return result, read_outputs(tmp_path / "output"), (tmp_path / "summary").read_text()


@pytest.mark.process
def test_the_script_runs_the_gate_once_and_fills_githubs_files(tmp_path: Path) -> None:
    result, outputs, summary = script(tmp_path, INPUT_PATH="examples/seed", INPUT_REPORTS="sarif,junit,json,markdown")
    assert result.returncode == 1, result.stderr
    reports = tmp_path / "reports"
    assert outputs == {"exit-code": "1", "summary": outputs["summary"], "upload-sarif": "true",
                       "sarif": str(reports / "policy-gate.sarif"), "junit": str(reports / "policy-gate.junit.xml"),
                       "json": str(reports / "policy-gate.json"), "markdown": str(reports / "policy-gate.md")}
    data = json.loads((reports / "policy-gate.json").read_text())
    assert outputs["summary"] == data["summary"] and data["summary"].startswith("FAIL: 7 mandatory")
    assert result.stdout.rstrip().endswith(data["summary"])  # the text report, in the log
    assert summary == "# earlier step\n" + (reports / "policy-gate.md").read_text()  # appended, not replaced
    assert "## Policy gate: FAIL on aml-seed/dev" in summary
    sarif = json.loads((reports / "policy-gate.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(data["violations"])


@pytest.mark.process
def test_deferred_exit_and_fail_on(tmp_path: Path) -> None:
    result, outputs, _ = script(tmp_path, defer=True, INPUT_PATH="examples/seed", INPUT_UPLOAD_SARIF="false")
    assert result.returncode == 0 and outputs["exit-code"] == "1" and outputs["upload-sarif"] == "false"
    assert "sarif" not in outputs and set(outputs) == {"exit-code", "summary", "upload-sarif", "markdown"}
    relaxed, outputs, _ = script(tmp_path / "relaxed", INPUT_PATH="examples/seed", INPUT_FAIL_ON="none", INPUT_STEP_SUMMARY="no")
    assert relaxed.returncode == 0 and outputs["exit-code"] == "0" and outputs["summary"].startswith("PASS: 7 mandatory")


@pytest.mark.process
def test_a_gate_error_leaves_no_report_to_upload(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "policy-gate.sarif").write_text("{}")  # a stale report of an earlier run
    result, outputs, summary = script(tmp_path, INPUT_PATH="does/not/exist")
    assert result.returncode == 2 and "error: program directory" in result.stderr
    assert outputs == {"exit-code": "2", "summary": "", "upload-sarif": "false"}
    assert "The policy gate stopped with exit code 2 before writing its report" in summary
