"""Programs written the way public programs are (``tests/programs/``) whose run depends on what
the mocks answer like a provider, each gated as a user runs it (``tests/corpus.py``) in the
interpreter its ``Pulumi.yaml`` names: the real SDKs, the real pack, exact verdicts and SARIF
locations in the user's code. The corpus by SDK, interpreter and toolchain:
``tests/test_programs.py``.

- ``private-dns`` (azure-native 3.x): indexes the record sets of a private DNS zone group and
  the network interfaces of a private endpoint, which only the provider computes.
- ``library-module`` (3.x): a repository whose program builds a compute cluster in a library
  module beside the project directory, and exports a storage key.
- ``azuread-invokes`` (azure-native 2.x, azuread): functions of azuread's top-level module
  (``get_service_principal``, ``get_group``, ``get_client_config``) name role assignments.
- ``classic-datastore`` (pulumi-azure 6.x): a datastore fed the storage account's key.
- a failing program: the user's file and line, in one line; the traceback on request.

Every verdict is asserted exactly, read with each provider's own names and defaults.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policy_gate.program import run_program
from tests.corpus import copy_program, environment, gate, line_of

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# (rule, resource, SARIF level, file relative to %SRCROOT%, line)
Finding = tuple[str, str, str, str, int]


def sarif_run(program: Path, *args: str, cwd: Path) -> tuple[int, dict[str, Any]]:
    result = gate(program, *args, fmt="sarif", cwd=cwd)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)["runs"][0]


def findings(run: dict[str, Any]) -> set[Finding]:
    found = set()
    for result in run["results"]:
        location = result["locations"][0]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"].get("uriBaseId") == "%SRCROOT%", physical
        found.add((result["ruleId"], location["logicalLocations"][0]["name"], result["level"],
                   physical["artifactLocation"]["uri"], physical["region"]["startLine"]))
    return found


def srcroot(run: dict[str, Any]) -> str:
    return str(run["originalUriBaseIds"]["%SRCROOT%"]["uri"])


# ---------------------------------------------------------------------------------------------
# private DNS zone groups (azure-native 3.x)


@pytest.fixture(scope="module")
def private_dns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_program("private-dns", tmp_path_factory.mktemp("dns"), "an3")


def test_private_dns_program_indexes_what_the_provider_computes(private_dns: Path, tmp_path: Path) -> None:
    """The program indexes ``record_sets`` of the zone group and ``network_interfaces`` of the
    endpoint: output-only properties, absent from the mocks' answers before (TypeError)."""
    code, run = sarif_run(private_dns, "--source-root", str(private_dns), cwd=tmp_path)
    assert code == 0
    assert srcroot(run) == private_dns.resolve().as_uri() + "/"
    workspace_line = line_of(private_dns / "__main__.py", 'workspace = ml.Workspace(')
    assert findings(run) == {("workspace-customer-managed-key", "mlw", "warning", "__main__.py", workspace_line)}


def test_private_dns_exports_the_computed_addresses(private_dns: Path) -> None:
    capture = run_program(private_dns, "dev", False, 300)
    exports = next(r for r in capture.resources if r.is_root_stack).outputs
    addresses = exports["workspaceAddresses"]
    assert len(addresses) == 2  # one record set per zone config, each its own name
    assert all(re.fullmatch(r"10\.\d+\.\d+\.\d+", ip) for ip in [*addresses.values(), exports["endpointAddress"]])
    group = next(r for r in capture.resources if r.name == "pe-mlw-dns")
    assert "recordSets" not in str(group.inputs) and group.output_names is not None
    assert "privateDnsZoneConfigs" in group.output_names and "privateEndpointName" not in group.output_names


def test_private_dns_preview_leaves_the_computed_addresses_unknown(private_dns: Path, tmp_path: Path) -> None:
    result = gate(private_dns, "--preview", cwd=tmp_path)
    data = result.report
    assert result.returncode == 0, result.stderr
    assert [(v["policy"], v["urn"].rsplit("::", 1)[1]) for v in data["violations"]] == [
        ("workspace-customer-managed-key", "mlw")]
    # The storage account's settings the program leaves out are unknown until Azure answers (azure-native's
    # PreviewOutputs), so the workspace dependency rules judge them at `pulumi up` (where it passes).
    assert [(d["kind"], d["policy"]) for d in data["diagnostics"]] == [
        ("unknown", "workspace-dependencies-private"), ("unknown", "workspace-storage-hardened"), ("unknown", "no-secret-exports")]


# ---------------------------------------------------------------------------------------------
# a library module of the repository (azure-native 3.x)


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = copy_program("library-module", tmp_path_factory.mktemp("lib"), "an3", link="infra/venv")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


def test_resources_and_exports_point_at_the_users_lines(repository: Path, tmp_path: Path) -> None:
    """Run from another directory: %SRCROOT% is the program's git work tree; the cluster the
    library builds points at the library's line, the exported key at its pulumi.export call."""
    code, run = sarif_run(repository / "infra", cwd=tmp_path)
    assert code == 1
    assert srcroot(run) == repository.resolve().as_uri() + "/"
    main, library = repository / "infra" / "__main__.py", repository / "lib" / "aml_platform" / "compute.py"
    workspace = ("infra/__main__.py", line_of(main, "workspace = ml.Workspace("))
    cluster = ("lib/aml_platform/compute.py", line_of(library, "return ml.Compute("))
    export = ("infra/__main__.py", line_of(main, 'pulumi.export("storageKey"'))
    storage = ("infra/__main__.py", line_of(main, "storage.StorageAccount("))
    assert findings(run) == {
        ("workspace-storage-hardened", "st", "error", *storage),  # shared key access and TLS left at Azure's defaults
        ("workspace-public-network-disabled", "mlw", "error", *workspace),
        ("workspace-customer-managed-key", "mlw", "warning", *workspace),
        ("compute-no-public-ip", "cpu-cluster", "error", *cluster),
        ("compute-ssh-not-public", "cpu-cluster", "error", *cluster),
        ("ml-required-tags", "cpu-cluster", "note", *cluster),
        ("no-secret-exports", "aml-training-dev", "error", *export),
    }


def test_source_root_overrides_the_work_tree(repository: Path, tmp_path: Path) -> None:
    _, run = sarif_run(repository / "infra", "--source-root", str(repository / "lib"), cwd=tmp_path)
    assert srcroot(run) == (repository / "lib").resolve().as_uri() + "/"
    artifacts = {r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]}
    assert artifacts["compute-no-public-ip"] == {"uri": "aml_platform/compute.py", "uriBaseId": "%SRCROOT%"}
    # Outside the source root: an absolute URI (no %SRCROOT%), as before.
    assert artifacts["no-secret-exports"] == {"uri": (repository / "infra" / "__main__.py").resolve().as_uri()}


def test_a_missing_source_root_is_a_usage_error(repository: Path, tmp_path: Path) -> None:
    result = gate(repository / "infra", "--source-root", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --source-root {tmp_path / 'nowhere'} is not a directory"


# ---------------------------------------------------------------------------------------------
# azuread invokes (azure-native 2.x on pulumi 3.142, pulumi-azuread)


@pytest.fixture(scope="module")
def azuread_invokes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_program("azuread-invokes", tmp_path_factory.mktemp("ad"), "an2")


def test_azuread_invokes_name_the_role_assignments(azuread_invokes: Path) -> None:
    """``uuid.UUID(principal_id)`` needs the object id a real get_service_principal returns:
    the result class lives in azuread's top-level module, where the mocks did not look."""
    code, run = sarif_run(azuread_invokes, cwd=azuread_invokes)
    assert code == 1
    workspace = ("__main__.py", line_of(azuread_invokes / "__main__.py", "workspace = ml.Workspace("))
    storage = ("__main__.py", line_of(azuread_invokes / "__main__.py", "storage.StorageAccount("))
    grant = ("__main__.py", line_of(azuread_invokes / "__main__.py", "return authorization.RoleAssignment("))
    assert findings(run) == {
        ("ml-no-privileged-roles", "deployer-contributor", "error", *grant),  # Contributor on the workspace
        ("workspace-storage-hardened", "st", "error", *storage),
        ("workspace-dependencies-private", "st", "error", *storage),  # the workspace is private, its storage is not
        ("workspace-managed-network-isolation", "mlw", "error", *workspace),
        ("workspace-system-datastores-identity", "mlw", "warning", *workspace),
        ("workspace-customer-managed-key", "mlw", "warning", *workspace),
        ("workspace-private-endpoint", "mlw", "error", *workspace),
    }


def test_azuread_invoke_results_reach_the_resources(azuread_invokes: Path) -> None:
    capture = run_program(azuread_invokes, "dev", False, 300)
    by_name = {r.name: r for r in capture.resources}
    principals = [by_name[n].inputs["principalId"] for n in ("deployer-contributor", "scientists-data-scientist")]
    assert all(GUID.fullmatch(p) for p in principals) and principals[0] != principals[1]
    exports = by_name["aml-access-dev"].outputs
    assert by_name["kv"].inputs["properties"]["tenantId"] == exports["tenantId"]
    assert GUID.fullmatch(exports["tenantId"]) and GUID.fullmatch(exports["deployerApplicationId"])
    assignment = by_name["deployer-contributor"]
    assert assignment.id.startswith(f"{by_name['mlw'].id}/providers/Microsoft.Authorization/roleAssignments/")


# ---------------------------------------------------------------------------------------------
# the classic provider (pulumi-azure 6.x)


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_program("classic-datastore", tmp_path_factory.mktemp("classic"), "classic")


@pytest.fixture(scope="module")
def classic_run(classic: Path) -> tuple[int, set[Finding]]:
    code, run = sarif_run(classic, cwd=classic)
    return code, findings(run)


def _classic_lines(classic: Path) -> Callable[[str], tuple[str, int]]:
    return lambda marker: ("__main__.py", line_of(classic / "__main__.py", marker))


def _classic_verdicts(classic: Path) -> set[Finding]:
    """Every verdict on the classic program, read with the classic provider's names and defaults."""
    at = _classic_lines(classic)
    workspace, datastore = at("workspace = azure.machinelearning.Workspace("), at("datastore = azure.machinelearning")
    vault, account, insights = at("vault = azure.keyvault.KeyVault("), at("account = azure.storage.Account("), \
        at("insights = azure.appinsights.Insights(")
    return {
        # The resources the private workspace stands on, read with the classic names and defaults.
        ("workspace-key-vault-protected", "kv", "error", *vault),  # RBAC authorization is off by default
        ("workspace-dependencies-private", "kv", "error", *vault),
        ("workspace-storage-hardened", "st", "error", *account),  # shared key access is on by default
        ("workspace-dependencies-private", "st", "error", *account),
        ("workspace-app-insights-entra-only", "appi", "warning", *insights),  # local authentication on by default
        ("workspace-managed-network-isolation", "mlw", "error", *workspace),
        ("workspace-customer-managed-key", "mlw", "warning", *workspace),
        ("workspace-private-endpoint", "mlw", "error", *workspace),
        # storage_account_access_type is absent: the classic provider's default is AccessKey.
        ("workspace-system-datastores-identity", "mlw", "warning", *workspace),
        ("ml-required-tags", "training", "note", *datastore),
        # The key the storage account computes, fed to the datastore: null before, so it passed.
        ("datastore-no-inline-credentials", "training", "error", *datastore),
    }


def test_a_datastore_fed_the_storage_key_is_judged(classic: Path, classic_run: tuple[int, set[Finding]]) -> None:
    code, found = classic_run
    assert code == 1
    # No workspace-allowed-sku: sku_name is absent and the classic provider's default is Basic.
    assert found == _classic_verdicts(classic)


def test_classic_resources_get_arm_ids_computed_outputs_and_secrets(classic: Path) -> None:
    capture = run_program(classic, "dev", False, 300)
    by_name = {r.name: r for r in capture.resources}
    rg = f"{SUB}/resourceGroups/rg-aml-classic"
    workspace_id = f"{rg}/providers/Microsoft.MachineLearningServices/workspaces/mlw-classic-dev"
    account = by_name["st"]
    assert account.id == f"{rg}/providers/Microsoft.Storage/storageAccounts/{account.outputs['name']}"
    assert by_name["mlw"].id == by_name["mlw"].outputs["id"] == workspace_id
    assert by_name["training"].id == f"{workspace_id}/dataStores/training"
    assert by_name["training-data"].id == f"{account.id}/blobServices/default/containers/training-data"
    # What the SDK declares secret is secret, in the account's outputs and the datastore's input.
    key = account.outputs["primaryAccessKey"]
    assert set(key) == {"4dabf18193072939515e22adb298388d", "value"} and len(key["value"]) == 88
    assert "primaryAccessKey" in account.additional_secret_outputs
    assert by_name["training"].inputs["accountKey"] == key
    assert account.outputs["primaryBlobEndpoint"].startswith("https://")
    # A bridged resource's outputs: its state, "id" included; the echoed inputs are real outputs too.
    assert {"id", "resourceGroupName", "primaryAccessKey"} <= set(account.output_names or [])


def test_classic_preview_judges_the_unknown_key_by_its_presence(classic: Path) -> None:
    """In preview the storage key is unknown, but the datastore holds one: that alone is the finding."""
    data = gate(classic, "--preview", cwd=classic).report
    training = [v for v in data["violations"] if v["urn"].endswith("::training")]
    assert {v["policy"] for v in training} == {"datastore-no-inline-credentials", "ml-required-tags"}
    assert any("accountKey is set" in v["message"] for v in training)
    unknown = {(d["policy"], d["urn"].rsplit("::", 1)[1]) for d in data["diagnostics"] if d["kind"] == "unknown"}
    assert not any(name == "training" for _policy, name in unknown)


# ---------------------------------------------------------------------------------------------
# a failing program: its own line, in one line; the traceback on request


@pytest.fixture
def failing(tmp_path: Path) -> Path:
    """A program (no provider SDK: the gate's own interpreter) whose network module indexes a
    config value it never set."""
    infra = tmp_path / "repo" / "infra"
    infra.mkdir(parents=True)
    (infra / "Pulumi.yaml").write_text("name: failing\nruntime: python\n")
    (infra / "Pulumi.dev.yaml").write_text("config: {}\n")
    (infra / "__main__.py").write_text("import network\n\nnetwork.build()\n")
    (infra / "network.py").write_text(
        "import pulumi\n\n\ndef build():\n    subnets = pulumi.Config().get_object('subnets')\n"
        "    return [prefix for prefix in subnets]\n")
    return tmp_path / "repo"


def test_a_failure_names_the_users_file_and_line(failing: Path) -> None:
    result = gate(Path("infra"), cwd=failing, fmt="text")
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "error: program failed at infra/network.py:6: TypeError: 'NoneType' object is not iterable"]


@pytest.mark.parametrize("how", ["--verbose", "POLICY_GATE_DEBUG=1"])
def test_the_traceback_is_shown_on_request(failing: Path, how: str) -> None:
    if how == "--verbose":
        result = gate(Path("infra"), "--verbose", cwd=failing, fmt="text")
    else:
        result = gate(Path("infra"), cwd=failing, fmt="text", env=environment(POLICY_GATE_DEBUG="1"))
    assert result.returncode == 3
    assert "Traceback (most recent call last):" in result.stderr
    assert f'File "{(failing / "infra" / "network.py").resolve()}", line 6, in <listcomp>' in result.stderr \
        or f'File "{(failing / "infra" / "network.py").resolve()}", line 6, in build' in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "error: program failed at infra/network.py:6: TypeError: 'NoneType' object is not iterable")
