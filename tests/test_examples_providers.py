"""The examples written for the other providers, each run through the gate (``python -m policy_gate
run``) in its SDK env, linked as the example's ``venv`` in a copy of it:

- examples/seed-azure-native-2, the seed as its note wrote it for azure-native 2.x: the same findings
  as the 3.x port (examples/seed), in 2.x's spelling;
- examples/antipatterns-azure-native-2 and examples/antipatterns-classic: exactly the (rule,
  resource) pairs their README sections state, every rule in one section.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies import RULES
from tests import sdk_envs
from tests.test_gate import SEED_ADVISORY, SEED_VIOLATIONS, STORAGE_KEY_SHAPE

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
STACK_TYPE = "pulumi:pulumi:Stack"


def run_example(tmp_path: Path, name: str, env: str, *args: str) -> tuple[int, dict[str, Any], str]:
    """(exit code, JSON report, text output) of the gate on a copy of the example in its SDK env."""
    copy = tmp_path / name
    shutil.copytree(EXAMPLES / name, copy)
    sdk_envs.python(env)
    (copy / "venv").symlink_to(sdk_envs.location(env))
    command = [sys.executable, "-m", "policy_gate", "run", str(copy), *args]
    result = subprocess.run([*command, "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr
    text = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return result.returncode, json.loads(result.stdout), text.stdout + text.stderr


def _resource(violation: dict[str, Any]) -> str:
    return violation["urn"].rsplit("::", 1)[-1]


# --- the seed, in 2.x's spelling -----------------------------------------------------------------

# The 3.x port's findings (tests/test_gate.py), with 2.x's paths where a message names one.
SEED_AN2_VIOLATIONS = {
    (policy, resource, message.replace("properties.entities", "featuresetVersionProperties.entities"))
    for policy, resource, message in SEED_VIOLATIONS
}


@pytest.fixture(scope="module")
def seed_an2(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    return run_example(tmp_path_factory.mktemp("seed"), "seed-azure-native-2", "an2")


def test_seed_in_2x_has_the_3x_ports_findings(seed_an2: tuple[int, dict[str, Any], str]) -> None:
    code, data, text = seed_an2
    assert code == 1
    found = {(v["policy"], _resource(v), v["message"]) for v in data["violations"]}
    assert len(found) == len(SEED_AN2_VIOLATIONS)
    for policy, resource, fragment in SEED_AN2_VIOLATIONS:
        assert any(p == policy and r == resource and fragment in m for p, r, m in found), (policy, resource, fragment, found)
    assert {v["policy"] for v in data["violations"] if v["level"] == "advisory"} == SEED_ADVISORY
    assert {v["type"] for v in data["violations"]} == {"azure-native:machinelearningservices:Workspace",
                                                      "azure-native:machinelearningservices:FeaturesetVersion", STACK_TYPE}
    assert "FAIL: 7 mandatory and 3 advisory" in text and not STORAGE_KEY_SHAPE.search(text)


def test_seed_in_2x_names_2x_paths_and_api(seed_an2: tuple[int, dict[str, Any], str]) -> None:
    _, data, _ = seed_an2
    messages = {v["message"] for v in data["violations"]}
    assert any(m.startswith("featuresetVersionProperties.specification.path is empty") for m in messages)
    assert any("featuresetVersionProperties.properties.dataVersionId is an empty placeholder" in m for m in messages)
    assert any("azure-native 2.x's default Workspace (API 2023-04-01) has no managedNetwork.isolationMode" in m
               for m in messages)
    key = next(v["message"] for v in data["violations"] if v["policy"] == "no-secret-exports")
    assert "shape of an Azure storage account key" in key


# --- antipatterns ----------------------------------------------------------------------------------

def readme_sections(example: str) -> dict[str, dict[str, str]]:
    """Per '## ' section of the example's README, {rule: the row's second cell}."""
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in (EXAMPLES / example / "README.md").read_text().splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            sections[current] = {}
        elif match := re.match(r"^\| `([a-z0-9-]+)` \| ([^|]+)\|", line):
            sections[current][match.group(1)] = match.group(2).strip()
    return sections


ANTIPATTERNS = {"antipatterns-azure-native-2": ("an2", "aml-antipatterns-an2-dev"),
                "antipatterns-classic": ("classic", "aml-antipatterns-classic-dev")}


@pytest.fixture(scope="module", params=list(ANTIPATTERNS))
def antipatterns(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, int, dict[str, Any]]:
    example = request.param
    env, _ = ANTIPATTERNS[example]
    code, data, _ = run_example(tmp_path_factory.mktemp(example), example, env,
                                "--config", str(EXAMPLES / example / "policy-config.json"))
    return example, code, data


def test_readme_places_every_rule_in_one_section(antipatterns: tuple[str, int, dict[str, Any]]) -> None:
    example, _, _ = antipatterns
    placed = [rule for rows in readme_sections(example).values() for rule in rows]
    assert sorted(placed) == sorted(r.name for r in RULES)


def test_every_applicable_rule_fires_on_its_own_resource(antipatterns: tuple[str, int, dict[str, Any]]) -> None:
    example, code, data = antipatterns
    _, root = ANTIPATTERNS[example]
    sections = readme_sections(example)
    once = sections["One mistake per rule"]
    expected = {(rule, root if rule == "no-secret-exports" else rule) for rule in once}
    workspaces = {_resource(v) for v in data["violations"] if v["type"].endswith(":Workspace")}
    for rule in sections.get("Fires on every workspace", {}):
        expected |= {(rule, name) for name in workspaces}
    found = {(v["policy"], _resource(v)) for v in data["violations"]}
    assert found == expected, {"unexpected": sorted(found - expected), "missing": sorted(expected - found)}
    assert code == 1 and data["diagnostics"] == [] and data["notApplicable"] == []


def test_every_workspace_of_the_2x_program_is_reported_for_its_api(antipatterns: tuple[str, int, dict[str, Any]]) -> None:
    example, _, data = antipatterns
    every = readme_sections(example).get("Fires on every workspace", {})
    reported = [v for v in data["violations"] if v["policy"] in every]
    if example == "antipatterns-azure-native-2":
        assert len(reported) >= 10  # every workspace of the program, not just one
        assert all("API version v20240401 has no systemDatastoresAuthMode: use azure-native 3.x" in v["message"]
                   for v in reported)
    else:
        assert reported == []
