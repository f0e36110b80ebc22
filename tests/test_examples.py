"""The antipatterns example through the gate: every rule fires on the resource named for it,
and on nothing else. (The reference stack's clean runs are in test_gate.py.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies import RULES

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "antipatterns"
# Stack rules on exports report on the root stack, named <project>-<stack>.
ROOT_STACK = "aml-antipatterns-dev"
STACK_TYPE = "pulumi:pulumi:Stack"
# Judges only references a preview leaves unknown (tests/test_provenance.py): never fires in a full run.
PREVIEW_ONLY = {"unknown-value-sources"}
FULL_RUN_RULES = [r for r in RULES if r.name not in PREVIEW_ONLY]


@pytest.fixture(scope="module")
def antipatterns() -> tuple[int, dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "policy_gate", "run", str(EXAMPLE), "--config", str(EXAMPLE / "policy-config.json"),
         "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def _resource(violation: dict[str, Any]) -> str:
    return violation["urn"].rsplit("::", 1)[-1]


@pytest.mark.process
def test_every_rule_fires_on_its_own_resource_and_nowhere_else(antipatterns: tuple[int, dict[str, Any]]) -> None:
    _, data = antipatterns
    found = {(v["policy"], _resource(v)) for v in data["violations"]}
    expected = {(r.name, r.name) for r in FULL_RUN_RULES if r.name != "no-secret-exports"} | {("no-secret-exports", ROOT_STACK)}
    assert found == expected, {"unexpected": sorted(found - expected), "missing": sorted(expected - found)}


@pytest.mark.process
def test_exports_are_judged_on_the_root_stack(antipatterns: tuple[int, dict[str, Any]]) -> None:
    _, data = antipatterns
    exports = [v for v in data["violations"] if v["policy"] == "no-secret-exports"]
    assert [(v["type"], _resource(v)) for v in exports] == [(STACK_TYPE, ROOT_STACK)]
    assert "'storage_primary_key'" in exports[0]["message"]


@pytest.mark.process
def test_run_fails_with_every_rule_at_its_default_level(antipatterns: tuple[int, dict[str, Any]]) -> None:
    code, data = antipatterns
    assert code == 1
    # The opt-in rules (disabled by default) at the level the example's config turns them on at.
    configured = json.loads((EXAMPLE / "policy-config.json").read_text())
    levels = {r.name: configured[r.name]["enforcementLevel"] if r.opt_in else r.level.value for r in FULL_RUN_RULES}
    assert {(v["policy"], v["level"]) for v in data["violations"]} == set(levels.items())
    assert data["diagnostics"] == [] and data["notApplicable"] == []


def test_readme_explains_every_rule_once() -> None:
    readme = (EXAMPLE / "README.md").read_text()
    rows = re.findall(r"^\| `([a-z0-9-]+)` \|", readme, re.MULTILINE)
    assert sorted(rows) == sorted(r.name for r in RULES)
