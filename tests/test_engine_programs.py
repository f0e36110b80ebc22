"""Programs written the way users write them, gated as a user gates them (the real SDK, the real
pack process, the real protocol), in full and preview mode, each with its exact verdict: what the
engine does between a program and the analyzer (``tests/programs/engine/``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import sdk_envs

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "tests" / "programs" / "engine"

Verdict = tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]


def gate(program: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    config = program / "policy-config.json"
    args = ["--config", str(config)] if config.is_file() else []
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(program), *args, *extra, "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def verdict(data: dict[str, Any]) -> Verdict:
    """(policy, level, resource) per violation and (kind, policy, resource) per diagnostic."""
    return ({(v["policy"], v["level"], v["urn"].rsplit("::", 1)[-1]) for v in data["violations"]},
            {(d["kind"], d["policy"], d["urn"].rsplit("::", 1)[-1]) for d in data["diagnostics"]})


IDS = {("ml-required-tags", "advisory", "train"), ("workspace-customer-managed-key", "advisory", "mlw")}
TRANSFORMED = {
    # auto_tag gave every workspace its tags: no ml-required-tags at all.
    ("workspace-public-network-disabled", "mandatory", "reopened"),  # its own transform re-opened it
    ("workspace-private-endpoint", "mandatory", "private"),  # still private: it needs an endpoint
    *{(rule, level, ws) for ws in ("private", "reopened") for rule, level in (
        ("workspace-managed-network-isolation", "mandatory"), ("workspace-system-datastores-identity", "mandatory"),
        ("workspace-customer-managed-key", "advisory"))},
}

CASES: dict[str, tuple[int, Verdict, int, Verdict]] = {
    # exit code and verdict in full mode, then in preview
    # Its export is the workspace's own id, which the runner records (runner.exports): no advisory.
    "ids": (0, (IDS, set()), 0, (IDS, set())),
    "reads": (0, (set(), set()), 0, (set(), set())),
    # In preview the private workspace's outbound rules are unknown (azure-native's PreviewOutputs).
    "transforms": (1, (TRANSFORMED, set()), 1, ({v for v in TRANSFORMED if v[0] != "workspace-private-endpoint"},
                                                {("unknown", "workspace-private-endpoint", "engine-transforms-dev")})),
    "defaults": (1, ({("ml-allowed-locations", "mandatory", "in-group"), ("data-version-explicit", "mandatory", "unversioned-data")},
                     {("unknown", "ml-allowed-locations", "in-existing-group")}),
                 1, ({("data-version-explicit", "mandatory", "unversioned-data")},
                     {("unknown", "ml-allowed-locations", "in-existing-group"), ("unknown", "ml-allowed-locations", "in-group")})),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_program_verdict(name: str, preview: bool) -> None:
    code, data = gate(PROGRAMS / name, *(["--preview"] if preview else []))
    expected_code, expected = CASES[name][2:] if preview else CASES[name][:2]
    assert (code, verdict(data)) == (expected_code, expected)
    assert data["preview"] is preview


def test_resource_objects_reach_the_pack_as_ids() -> None:
    """Before, the pack died on the reference (exit 3, "Unrecognized signature ... when
    unmarshaling resource property"); every rule that follows ids now finds its resource: the
    workspace's storage account (hbi-workspace-storage-private) and key vault (the dependency rules),
    the private endpoint's workspace (workspace-private-endpoint), the compute's subnet and the job's
    compute are all in the stack."""
    code, data = gate(PROGRAMS / "ids")
    judged = {v["policy"] for v in data["violations"]} | {n["policy"] for n in data["notApplicable"]}
    assert code == 0 and not judged & {"hbi-workspace-storage-private", "workspace-private-endpoint",
                                       "compute-in-virtual-network", "job-allowed-compute", "workspace-storage-hardened",
                                       "workspace-key-vault-protected", "workspace-dependencies-private"}
    assert data["resources"] == 11  # every registration, the root stack and the default provider included


def test_a_read_workspace_is_not_judged() -> None:
    """The read workspace would fail five mandatory rules if it were the program's own."""
    _, data = gate(PROGRAMS / "reads")
    assert data["resources"] == 3  # the stack, the default provider and the cluster: not the read
    assert not [v for v in data["violations"] if v["urn"].endswith("::shared")]
    junit = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(PROGRAMS / "reads"), "--format", "junit"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600).stdout
    assert " on cluster" in junit and " on shared" not in junit  # no test case for what was not analysed


def test_transforms_on_the_oldest_sdk_with_transforms(tmp_path: Path) -> None:
    """pulumi 3.142 with azure-native 2.x (its stock mocks cannot run transforms): the program's
    own virtualenv runs it. The pack reads azure-native 3.x shapes; a 2.x workspace is flat, so
    its tags and publicNetworkAccess read the same and the verdict on them is the same."""
    program = tmp_path / "transforms"
    shutil.copytree(PROGRAMS / "transforms", program)
    (program / "venv").symlink_to(sdk_envs.python("an2").parent.parent)
    manifest = program / "Pulumi.yaml"
    manifest.write_text(manifest.read_text().replace("runtime: python", "runtime:\n  name: python\n  options:\n"
                                                                        "    virtualenv: venv"))
    for preview in (False, True):
        _, data = gate(program, *(["--preview"] if preview else []))
        neutral = {(p, level, r) for p, level, r in verdict(data)[0]
                   if p in ("ml-required-tags", "workspace-public-network-disabled", "workspace-private-endpoint")}
        assert neutral == {("workspace-public-network-disabled", "mandatory", "reopened"),
                           ("workspace-private-endpoint", "mandatory", "private")}
