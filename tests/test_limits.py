"""Resource limits: a 10,000-resource state file goes through the gate in bounded memory.

The figure is measured, not timed: the peak resident memory of the largest process of the
run (the gate or the pack). docs/security.md records it with the program-path figure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run
ROOT = Path(__file__).resolve().parent.parent
ML = "azure-native:machinelearningservices"
PEAK_LIMIT_MIB = 512


def big_export(count: int) -> dict[str, Any]:
    """A stack export of ``count`` resources: workspaces and their data versions."""
    stack = "urn:pulumi:prod::big::pulumi:pulumi:Stack::big-prod"
    resources: list[dict[str, Any]] = [{"urn": stack, "type": "pulumi:pulumi:Stack", "custom": False,
                                        "outputs": {"count": count}}]
    for i in range(count // 2):
        workspace = {"workspaceName": f"ws{i}", "sku": {"name": "Basic"}, "identity": {"type": "SystemAssigned"},
                     "publicNetworkAccess": "Disabled"}
        data = {"workspaceName": f"ws{i}", "name": "data", "version": "1",
                "properties": {"dataType": "uri_folder", "dataUri": "azureml://datastores/d/paths/p/"}}
        resources.append({"urn": f"urn:pulumi:prod::big::{ML}:Workspace::ws{i}", "type": f"{ML}:Workspace",
                          "custom": True, "inputs": workspace, "outputs": workspace, "parent": stack})
        resources.append({"urn": f"urn:pulumi:prod::big::{ML}:DataVersion::d{i}", "type": f"{ML}:DataVersion",
                          "custom": True, "inputs": data, "outputs": data, "parent": stack})
    return {"version": 3, "deployment": {"resources": resources}}


def test_ten_thousand_resources_in_bounded_memory(tmp_path: Path) -> None:
    export = tmp_path / "export.json"
    export.write_text(json.dumps(big_export(10_000)))
    report = tmp_path / "report.json"
    # A fresh parent, so RUSAGE_CHILDREN covers exactly this run (the gate and its pack).
    probe = ("import resource, subprocess, sys\n"
             "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
             "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "policy_gate", "run", str(export),
                             "--format", "json", "--output", str(report)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    code, peak_kib = (int(x) for x in result.stdout.split())
    assert code == 1, result.stderr  # every workspace lacks managed network isolation
    data = json.loads(report.read_text())
    assert data["resources"] == 10_001  # and the root stack, as `pulumi policy analyze` analyses it
    assert peak_kib / 1024 < PEAK_LIMIT_MIB, f"peak {peak_kib / 1024:.0f} MiB"
