"""Programs of ``tests/programs/`` by SDK, interpreter and toolchain, through the gate as a user
runs it (``tests/corpus.py``): programs pinning their own SDKs in their own virtualenvs, uv and
poetry projects, and what a missing environment gives. Their config:
``tests/test_program_config.py``; programs that need the mocks to answer like a provider, and
where findings point: ``tests/test_program_mocks.py``.

Exactly asserted: the interpreter and pulumi version each program ran with, the resources
captured, the warnings, and every verdict, read with each provider's own shapes and defaults.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policy_gate.checked import EMPTY_WARNING
from tests.corpus import Gate, assert_verdicts, captured, copy_program, custom_resources, environment, exports, gate, run_copy, tool_dir

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run


# -- pulumi-azure-native 2.x in its own virtualenv --------------------------------------------------

AN2_RESOURCES = {
    ("random:index/randomString:RandomString", "suffix"),
    ("azure-native:resources:ResourceGroup", "mlops-rg"),
    ("azure-native:storage:StorageAccount", "mlstorage"),
    ("azure-native:keyvault:Vault", "mlvault"),
    ("azure-native:insights:Component", "mlinsights"),
    ("azure-native:machinelearningservices:Workspace", "workspace"),
    ("azure-native:machinelearningservices:Compute", "cpu-cluster"),
    ("azure-native:machinelearningservices:Datastore", "training-data"),
}
AN2_VERDICTS = {
    ("workspace-public-network-disabled", "workspace"), ("workspace-managed-network-isolation", "workspace"),
    ("workspace-system-datastores-identity", "workspace"), ("workspace-customer-managed-key", "workspace"),
    ("ml-required-tags", "workspace"), ("compute-local-auth-disabled", "cpu-cluster"),
    ("compute-no-public-ip", "cpu-cluster"), ("compute-ssh-not-public", "cpu-cluster"),
    ("compute-in-virtual-network", "cpu-cluster"), ("ml-required-tags", "cpu-cluster"),
    ("ml-required-tags", "training-data"),
    # 2.x datastores carry their body under datastoreProperties: the storage key is inline there
    # (datastore credentials are that rule's, not ml-no-inline-credentials').
    ("datastore-no-inline-credentials", "training-data"),
    # The resources the workspace stands on, as the program leaves them: Azure's defaults.
    ("workspace-storage-hardened", "mlstorage"), ("workspace-key-vault-protected", "mlvault"),
    ("workspace-app-insights-entra-only", "mlinsights"),
}


@pytest.fixture(scope="module")
def an2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Gate]:
    return run_copy("an2-own-venv", tmp_path_factory.mktemp("an2"), "an2")


def test_an2_runs_in_its_own_virtualenv_with_its_own_sdks(an2: tuple[Path, Any, Gate]) -> None:
    program, capture, _ = an2
    assert capture.runtime == {"python": str(program / "venv" / "bin" / "python"), "pulumi": "3.142.0"}
    assert custom_resources(capture) == AN2_RESOURCES
    assert exports(capture)["workspace_name"] == "mlops-workspace" and set(exports(capture)) == {"workspace_name",
                                                                                                "storage_account"}
    assert capture.warnings == []


def test_an2_verdicts(an2: tuple[Path, Any, Gate]) -> None:
    assert_verdicts(an2[2], AN2_VERDICTS)


# -- pulumi-azure-native 3.x with `virtualenv: venv` (a minimal venv: no pulumi-policy) -------------

def test_an3_runs_in_a_minimal_virtualenv(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path, "an3")
    capture = captured(program)
    assert capture.runtime == {"python": str(program / "venv" / "bin" / "python"), "pulumi": "3.272.0"}
    assert custom_resources(capture) == {
        ("azure-native:resources:ResourceGroup", "aml-rg"), ("azure-native:machinelearningservices:Workspace", "workspace"),
        ("azure-native:machinelearningservices:Compute", "notebook"),
        ("azure-native:machinelearningservices:OnlineEndpoint", "scoring")}
    result = gate(program)
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts == {("workspace-customer-managed-key", "workspace"), ("workspace-private-endpoint", "workspace"),
                               ("online-endpoint-aad-auth", "scoring"), ("online-endpoint-no-public-access", "scoring")}


# -- classic pulumi-azure 6.x ------------------------------------------------------------------------

CLASSIC_VERDICTS = {
    ("workspace-managed-network-isolation", "workspace"), ("workspace-customer-managed-key", "workspace"),
    ("workspace-private-endpoint", "workspace"), ("ml-required-tags", "workspace"),
    ("compute-allowed-vm-sizes", "cpu-cluster"), ("compute-local-auth-disabled", "cpu-cluster"),
    ("compute-no-public-ip", "cpu-cluster"), ("compute-in-virtual-network", "cpu-cluster"),
    ("ml-required-tags", "cpu-cluster"),
    # storage_account_access_type is absent: the classic provider's default is AccessKey. No
    # workspace-allowed-sku: sku_name is absent and the classic provider's default is Basic.
    ("workspace-system-datastores-identity", "workspace"),
    # The resources the private workspace stands on, read with the classic names and defaults.
    ("workspace-storage-hardened", "mlstorage"), ("workspace-key-vault-protected", "mlvault"),
    ("workspace-dependencies-private", "mlstorage"), ("workspace-dependencies-private", "mlvault"),
    ("workspace-app-insights-entra-only", "ml-insights"),
}


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Gate]:
    return run_copy("classic", tmp_path_factory.mktemp("classic"), "classic")


def test_classic_runs_in_its_own_virtualenv(classic: tuple[Path, Any, Gate]) -> None:
    program, capture, result = classic
    assert capture.runtime["python"] == str(program / "venv" / "bin" / "python")
    assert custom_resources(capture) == {
        ("azure:core/resourceGroup:ResourceGroup", "ml-rg"), ("azure:appinsights/insights:Insights", "ml-insights"),
        ("azure:keyvault/keyVault:KeyVault", "mlvault"), ("azure:storage/account:Account", "mlstorage"),
        ("azure:machinelearning/workspace:Workspace", "workspace"),
        ("azure:machinelearning/computeCluster:ComputeCluster", "cpu-cluster")}
    assert_verdicts(result, CLASSIC_VERDICTS)


# -- toolchains: uv, poetry -------------------------------------------------------------------------

def test_uv_project_runs_in_the_venv_beside_uv_lock(tmp_path: Path) -> None:
    program = copy_program("uv-project", tmp_path, "an3", link=".venv")
    result = gate(program, env=environment((tool_dir("uv"),)))
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts == {("workspace-customer-managed-key", "feature-store"), ("workspace-private-endpoint", "feature-store"),
                               ("data-version-explicit", "transactions"), ("ml-required-tags", "transactions")}


def test_poetry_project_on_the_oldest_pulumi_sdk(tmp_path: Path) -> None:
    """`poetry env info --path` names the in-project .venv (pulumi 3.100); the stack reference's
    outputs read as unset, and that warning goes through the gate's channel."""
    program = copy_program("poetry-project", tmp_path, "pulumi-old", link=".venv")
    env = environment((tool_dir("poetry"),))
    result = gate(program, env=env)
    warning = "stack reference acme/ml-network/dev: its outputs are not available offline; every output reads as unset"
    # It declares no resource of its own: nothing reached the pack for judging (checked.EMPTY_WARNING).
    assert (result.returncode, result.stderr_lines) == (0, [f"warning: {warning}", f"warning: {EMPTY_WARNING}"])
    assert result.report["warnings"] == [warning, EMPTY_WARNING] and result.report["violations"] == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", env["PATH"])
        capture = captured(program)
    assert capture.runtime == {"python": str(program / ".venv" / "bin" / "python"), "pulumi": "3.100.0"}
    assert exports(capture) == {"subnet_known": False, "pulumi_stack": "dev"}
    assert {(r.type, r.name) for r in capture.resources if not r.custom} >= {("acme:ml:TeamSpace", "fraud-team")}


@pytest.mark.parametrize(("name", "link", "tool", "fragment"), [
    ("an3-venv", "", "", "The 'virtualenv' option in Pulumi.yaml is set to 'venv', but"),
    ("uv-project", "", "uv", "is not a virtualenv (toolchain: uv); create it with `uv sync`"),
    ("uv-project", ".venv", "", "Could not find `uv` executable (Pulumi.yaml sets toolchain: uv)"),
    ("poetry-project", "", "poetry", "poetry has no virtualenv for"),
    ("poetry-project", ".venv", "", "Could not find `poetry` executable (Pulumi.yaml sets toolchain: poetry)"),
])
def test_a_missing_environment_is_one_line_that_says_how_to_create_it(tmp_path: Path, name: str, link: str, tool: str,
                                                                      fragment: str) -> None:
    program = copy_program(name, tmp_path, "an3" if link else None, link=link or "venv")
    tools = (tool_dir(tool),) if tool else ()
    # Only this interpreter's directory and the system's: no uv or poetry unless the case adds one.
    result = gate(program, env=environment(tools, PATH=os.pathsep.join([*(str(t) for t in tools), "/usr/bin", "/bin"])))
    assert result.returncode == 2 and len(result.stderr_lines) == 1, result.stderr
    assert result.stderr.startswith("error: ") and fragment in result.stderr


def test_a_missing_virtualenv_names_the_commands_that_create_it(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path)
    venv = program / "venv"
    result = gate(program)
    assert result.stderr_lines == [
        f"error: The 'virtualenv' option in Pulumi.yaml is set to 'venv', but '{venv}' doesn't exist; create it: "
        f"python3 -m venv {venv} && {venv}/bin/python -m pip install -r requirements.txt"]
    venv.mkdir()
    assert "doesn't appear to be a virtual environment" in gate(program).stderr


def test_a_virtualenv_without_pulumi_is_one_line(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(program / "venv")], check=True)
    result = gate(program)
    assert result.returncode == 3 and len(result.stderr_lines) == 1
    assert result.stderr_lines[0] == (f"error: program failed: the program's Python ({program}/venv/bin/python) has no "
                                      "pulumi package; install the program's requirements into it")
