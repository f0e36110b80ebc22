"""The program runner (``python -m policy_gate.runner``) on real pulumi-azure-native programs.

Each runner subprocess imports pulumi_azure_native, so the runs are module-scoped fixtures
shared by many assertions. The in-process tests at the end exercise the mocks directly on
the SDK's real classes.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import os
import re
import subprocess
import textwrap
import threading
import typing
from collections import abc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi import _types
from pulumi.runtime import rpc

from policy_gate import program
from policy_gate.runner.arm import autoname
from policy_gate.runner.mocks import AzureMocks, CaptureResourceArgs
from policy_gate.runner.sdk_types import function_result_class, output_types, resource_class
from policy_gate.runner.shaping import Shaper, translates
from policy_gate.wire import SECRET_SIG, SIG_KEY, UNKNOWN

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

pytestmark = pytest.mark.process
ROOT = Path(__file__).resolve().parent.parent
PROJECT, STACK = "mlproj", "dev"
ROOT_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
ML = "azure-native:machinelearningservices"
# Plain values that must only ever appear inside a secret envelope.
SECRETS = ("Sup3r-S3cret-Conn", "s3cr3t-tag-value", "s3cr3t-datastore-path")

PROGRAM = textwrap.dedent(
    """
    import pulumi
    import pulumi_azure_native as azure_native
    from pulumi_azure_native import machinelearningservices as ml
    from pulumi_azure_native import managedidentity, resources, storage

    config = pulumi.Config()
    location = config.require("location")
    print("program stdout is left alone")

    rg = resources.ResourceGroup("rg", location=location)  # @rg
    uai = managedidentity.UserAssignedIdentity("uai", resource_group_name=rg.name)
    account = storage.StorageAccount(  # @account
        "sa",
        resource_group_name=rg.name,
        sku=storage.SkuArgs(name="Standard_LRS"),
        kind="StorageV2",
        tags=pulumi.Output.secret({"owner": "s3cr3t-tag-value"}),
    )
    ws = ml.Workspace(  # @ws
        "ws",
        resource_group_name=rg.name,
        workspace_name="my-ws",
        sku=ml.SkuArgs(name="Basic", tier="Basic"),
        identity=ml.ManagedServiceIdentityArgs(
            type="SystemAssigned,UserAssigned", user_assigned_identities=[uai.id]
        ),
        primary_user_assigned_identity=uai.id,
        managed_network=ml.ManagedNetworkSettingsArgs(
            isolation_mode="AllowOnlyApprovedOutbound",
            outbound_rules={
                "pypi": ml.FqdnOutboundRuleArgs(
                    type="FQDN", destination="pypi.org", category="UserDefined"
                )
            },
        ),
        storage_account=account.id,
        public_network_access="Disabled",
        opts=pulumi.ResourceOptions(additional_secret_outputs=["workspace_id"],
                                    aliases=[pulumi.Alias(name="old-ws")]),
    )
    data = ml.DataVersion(  # @data
        "training-data",
        resource_group_name=rg.name,
        workspace_name=ws.name,
        name="training",
        version="1",
        properties=ml.UriFolderDataVersionArgs(
            data_type="uri_folder",
            data_uri=pulumi.Output.secret("azureml://datastores/s3cr3t-datastore-path"),
        ),
    )
    featureset = ml.FeaturesetVersion(
        "features",
        resource_group_name=rg.name,
        workspace_name=ws.name,
        name="transactions",
        version="1",
        properties=ml.FeaturesetVersionPropertiesArgs(
            entities=["azureml:account:1"],
            specification=ml.FeaturesetSpecificationArgs(path="azureml://datastores/fs/spec"),
            properties={"dataVersionId": "azureml:training:1"},
            stage="Development",
        ),
        opts=pulumi.ResourceOptions(depends_on=[data]),
    )
    compute = ml.Compute(
        "cpu",
        resource_group_name=rg.name,
        workspace_name=ws.name,
        compute_name="cpu-cluster",
        properties=ml.AmlComputeArgs(
            compute_type="AmlCompute",
            disable_local_auth=True,
            properties=ml.AmlComputePropertiesArgs(
                vm_size="STANDARD_DS3_V2",
                scale_settings=ml.ScaleSettingsArgs(max_node_count=2, min_node_count=0),
            ),
        ),
    )


    class Team(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("mlgate:index:Team", name, None, opts)
            self.identity = managedidentity.UserAssignedIdentity(  # @child
                f"{name}-id",
                resource_group_name=rg.name,
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.register_outputs({"identityId": self.identity.id})


    team = Team("team")  # @team
    westeu = azure_native.Provider("westeu", location="westeurope")
    rg2 = resources.ResourceGroup(
        "rg2",
        tags={"team": config.get("teamName") or "none"},
        opts=pulumi.ResourceOptions(
            provider=westeu,
            protect=True,
            ignore_changes=["tags"],
            delete_before_replace=True,
            custom_timeouts=pulumi.CustomTimeouts(create="30m"),
        ),
    )

    existing = ml.Workspace.get(  # @existing
        "existing",
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/old-rg"
        "/providers/Microsoft.MachineLearningServices/workspaces/old",
    )
    other_stack = pulumi.StackReference("acme/network/prod")

    keys = ml.list_workspace_keys_output(resource_group_name=rg.name, workspace_name=ws.name)
    pulumi.export("userStorageKey", keys.user_storage_key)
    pulumi.export("workspaceId", ws.id)
    pulumi.export("workspaceName", ws.name)
    pulumi.export("principalId", ws.identity.principal_id)
    pulumi.export("location", location)
    pulumi.export("existingWorkspace", existing.name)
    pulumi.export("fromOtherStack", other_stack.get_output("subnetId"))
    pulumi.export("dbConnection", pulumi.Output.secret("Server=db;Password=Sup3r-S3cret-Conn"))
    """
)

STACK_CONFIG = textwrap.dedent(
    """
    config:
      mlproj:location: northeurope
      teamName: platform
      dbPassword:
        secure: AAABAFakeCipherText==
    """
)


# ---------------------------------------------------------------------------------------------
# Running the runner


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    raw: bytes

    @property
    def capture(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr
        return typing.cast("dict[str, Any]", json.loads(self.raw))

    @property
    def resources(self) -> list[dict[str, Any]]:
        return typing.cast("list[dict[str, Any]]", self.capture["resources"])

    def named(self, name: str) -> dict[str, Any]:
        matches = [r for r in self.resources if r["name"] == name]
        assert len(matches) == 1, [r["urn"] for r in matches]
        return matches[0]

    @property
    def exports(self) -> dict[str, Any]:
        return typing.cast("dict[str, Any]", self.resources[0]["outputs"])


def run_runner(program_dir: Path, stack: str = STACK, preview: bool = False, organization: str = "organization",
               env: dict[str, str] | None = None, spec: str | None = None, cwd: Path | None = None) -> Run:
    """Run the runner exactly as the gate does: a child process that gets the run spec the gate
    makes on stdin and writes to an inherited fd (``spec`` overrides the spec's text), in the
    gate's working directory ``cwd``."""
    prepared = program.prepare(program_dir.resolve(), stack, allow_missing_stack_file=True)
    run_spec = dataclasses.replace(program.run_spec(prepared, preview), organization=organization)
    text = run_spec.to_json() if spec is None else spec
    read_fd, write_fd = os.pipe()
    child_env = {k: v for k, v in os.environ.items() if k not in ("POLICY_GATE_DEBUG", "PYTHONPATH")}
    child_env.update(env or {})
    proc = subprocess.Popen(
        program.runner_command(prepared.interpreter.python, write_fd),
        pass_fds=(write_fd,),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        cwd=cwd,
    )
    os.close(write_fd)
    chunks: list[bytes] = []

    def drain() -> None:  # the capture can exceed a pipe buffer
        with os.fdopen(read_fd, "rb") as stream:
            chunks.extend(iter(lambda: stream.read(1 << 16), b""))

    reader = threading.Thread(target=drain)
    reader.start()
    out, err = proc.communicate(text.encode(), timeout=300)
    reader.join()
    return Run(proc.returncode, out.decode(), err.decode(), b"".join(chunks))


def write_project(directory: Path, program: str, stack_config: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
    (directory / "__main__.py").write_text(program)
    if stack_config:
        (directory / f"Pulumi.{STACK}.yaml").write_text(stack_config)
    return directory


def program_line(marker: str) -> int:
    """The 1-based line of the program that carries ``# @marker``."""
    lines = PROGRAM.splitlines()
    return next(i + 1 for i, line in enumerate(lines) if line.endswith(f"# @{marker}"))


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("ml") / "ml", PROGRAM, STACK_CONFIG)


@pytest.fixture(scope="module")
def up(program_dir: Path) -> Run:
    return run_runner(program_dir, env={"PYTHONHASHSEED": "1"})


@pytest.fixture(scope="module")
def preview(program_dir: Path) -> Run:
    return run_runner(program_dir, preview=True)


# ---------------------------------------------------------------------------------------------
# Helpers over wire values


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def strings_outside_envelopes(value: Any) -> list[str]:
    if is_envelope(value):
        return []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_outside_envelopes(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_outside_envelopes(v)]
    return [value] if isinstance(value, str) else []


# ---------------------------------------------------------------------------------------------
# `pulumi up`


def test_up_writes_one_capture_document(up: Run) -> None:
    capture = up.capture
    assert {k: capture[k] for k in ("version", "project", "stack", "organization", "dryRun")} == {
        "version": 1,
        "project": PROJECT,
        "stack": STACK,
        "organization": "organization",
        "dryRun": False,
    }
    assert "program stdout is left alone" in up.stdout
    # The undecryptable config value never reaches the runner (the gate warns about it:
    # test_the_gate_warns_about_secure_config_when_verbose).
    assert "dbPassword" not in up.stderr and "AAABAFakeCipherText" not in up.stderr


def test_root_stack_first_then_registration_order(up: Run) -> None:
    resources = up.resources
    assert resources[0]["urn"] == ROOT_URN
    assert resources[0]["type"] == "pulumi:pulumi:Stack" and resources[0]["parent"] == ""
    assert [r for r in resources if r["type"] == "pulumi:pulumi:Stack"] == resources[:1]
    seen: set[str] = set()
    for resource in resources:  # everything a resource refers to was registered before it
        refs = [
            resource["parent"],
            resource["provider"].rsplit("::", 1)[0],
            *resource["dependencies"],
        ]
        assert {r for r in refs if r} <= seen, resource["urn"]
        seen.add(resource["urn"])
    names = [r["name"] for r in resources]
    assert names.index("rg") < names.index("uai") < names.index("sa") < names.index("ws")
    assert names.index("ws") < names.index("training-data") < names.index("features")


def test_parents_dependencies_and_property_dependencies(up: Run) -> None:
    rg, uai, account, ws = (up.named(n) for n in ("rg", "uai", "sa", "ws"))
    assert rg["urn"] == f"urn:pulumi:{STACK}::{PROJECT}::azure-native:resources:ResourceGroup::rg"
    assert ws["parent"] == ROOT_URN
    assert set(ws["dependencies"]) == {rg["urn"], uai["urn"], account["urn"]}
    assert ws["propertyDependencies"]["storageAccount"] == [account["urn"]]
    assert ws["propertyDependencies"]["resourceGroupName"] == [rg["urn"]]
    assert ws["propertyDependencies"]["identity"] == [uai["urn"]]
    assert up.named("training-data")["urn"] in up.named("features")["dependencies"]


def test_component_children_and_registered_outputs(up: Run) -> None:
    team, child = up.named("team"), up.named("team-id")
    assert team["custom"] is False and team["id"] == "" and team["provider"] == ""
    assert team["parent"] == ROOT_URN
    assert child["parent"] == team["urn"]
    assert child["urn"] == (
        f"urn:pulumi:{STACK}::{PROJECT}::mlgate:index:Team"
        "$azure-native:managedidentity:UserAssignedIdentity::team-id"
    )
    assert team["outputs"] == {"identityId": child["id"]}


def test_default_provider_is_synthesised_once_before_its_first_user(up: Run) -> None:
    resources = up.resources
    defaults = [
        r
        for r in resources
        if r["type"] == "pulumi:providers:azure-native" and r["name"] != "westeu"
    ]
    assert len(defaults) == 1
    provider = defaults[0]
    version = provider["inputs"]["version"]
    assert provider["name"] == "default_" + version.replace(".", "_")
    assert (
        provider["urn"]
        == f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:azure-native::{provider['name']}"
    )
    assert provider["outputs"] == {"version": version} and provider["id"]
    ref = f"{provider['urn']}::{provider['id']}"
    first_user = next(i for i, r in enumerate(resources) if r["provider"] == ref)
    assert resources.index(provider) == first_user - 1
    for resource in resources:
        if (
            resource["custom"]
            and resource["type"].startswith("azure-native:")
            and resource["name"] != "rg2"
        ):
            assert resource["provider"] == ref, resource["urn"]


def test_explicit_provider_keeps_the_requested_reference(up: Run) -> None:
    westeu, rg2 = up.named("westeu"), up.named("rg2")
    assert (
        westeu["type"] == "pulumi:providers:azure-native"
        and westeu["inputs"]["location"] == "westeurope"
    )
    assert rg2["provider"] == f"{westeu['urn']}::{westeu['id']}"


def test_resource_options(up: Run) -> None:
    rg2 = up.named("rg2")
    assert rg2["protect"] is True
    assert rg2["ignoreChanges"] == ["tags"]
    assert rg2["deleteBeforeReplace"] is True
    assert rg2["customTimeouts"] == {"create": "30m", "update": "", "delete": ""}
    ws = up.named("ws")
    assert ws["deleteBeforeReplace"] is None and ws["customTimeouts"] is None
    # azure-native's own version aliases are dropped under the gate (see runner._drop_version_aliases);
    # the program's own aliases are kept.
    assert ws["aliases"] == [f"urn:pulumi:{STACK}::{PROJECT}::{ML}:Workspace::old-ws"]


def test_arm_ids_names_and_computed_outputs(up: Run) -> None:
    rg = up.named("rg")
    rg_name = rg["outputs"]["name"]
    assert re.fullmatch(r"rg[0-9a-f]{8}", rg_name)  # autonamed like azure-native
    assert rg["id"] == f"{SUB}/resourceGroups/{rg_name}"
    prefix = f"{SUB}/resourceGroups/{rg_name}/providers"
    ws = up.named("ws")
    assert ws["id"] == f"{prefix}/Microsoft.MachineLearningServices/workspaces/my-ws"
    assert ws["outputs"]["name"] == "my-ws"
    assert ws["outputs"]["type"] == "Microsoft.MachineLearningServices/workspaces"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", ws["outputs"]["azureApiVersion"])
    ml_ids = {
        "training-data": "workspaces/my-ws/data/training/versions/1",
        "features": "workspaces/my-ws/featuresets/transactions/versions/1",
        "cpu": "workspaces/my-ws/computes/cpu-cluster",
    }
    for name, path in ml_ids.items():
        assert up.named(name)["id"] == f"{prefix}/Microsoft.MachineLearningServices/{path}"
    account = up.named("sa")
    assert (
        account["id"] == f"{prefix}/Microsoft.Storage/storageAccounts/{account['outputs']['name']}"
    )
    assert up.exports["workspaceId"] == ws["id"]
    assert up.exports["workspaceName"] == "my-ws"


def test_outputs_take_the_output_shape(up: Run) -> None:
    ws, uai = up.named("ws"), up.named("uai")
    assert ws["inputs"]["identity"]["userAssignedIdentities"] == [uai["id"]]
    identities = ws["outputs"]["identity"]["userAssignedIdentities"]
    assert list(identities) == [uai["id"]]
    assert re.fullmatch(r"[0-9a-f-]{36}", identities[uai["id"]]["principalId"])
    assert up.exports["principalId"] == ws["outputs"]["identity"]["principalId"]
    network, network_in = ws["outputs"]["managedNetwork"], ws["inputs"]["managedNetwork"]
    assert {k: network[k] for k in network_in} == network_in
    # The object the provider returns carries what only it computes (3.x ManagedNetworkSettingsResponse).
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", network["firewallPublicIpAddress"])
    assert ws["outputs"]["provisioningState"] == "Succeeded"
    features = up.named("features")
    expected = {"dataVersionId": "azureml:training:1"}
    assert features["inputs"]["properties"]["properties"] == expected
    assert features["outputs"]["properties"]["properties"] == expected
    scale = up.named("cpu")["inputs"]["properties"]["properties"]["scaleSettings"]
    assert scale["maxNodeCount"] == 2.0 and isinstance(scale["maxNodeCount"], float)


def test_secrets_are_envelopes_everywhere(up: Run) -> None:
    account, ws, data = up.named("sa"), up.named("ws"), up.named("training-data")
    assert is_envelope(account["inputs"]["tags"]) and is_envelope(account["outputs"]["tags"])
    assert is_envelope(data["inputs"]["properties"]["dataUri"])
    assert is_envelope(data["outputs"]["properties"]["dataUri"])
    assert ws["additionalSecretOutputs"] == ["workspaceId"]
    assert is_envelope(ws["outputs"]["workspaceId"]) and "workspaceId" not in ws["inputs"]
    assert is_envelope(up.exports["dbConnection"])
    assert up.exports["dbConnection"]["value"].endswith("Sup3r-S3cret-Conn")
    leaked = [s for s in strings_outside_envelopes(up.capture) if any(x in s for x in SECRETS)]
    assert leaked == []
    assert not any(x in up.stdout + up.stderr for x in SECRETS)


def test_invoke_result_is_shaped_from_its_result_type(up: Run) -> None:
    key = up.exports["userStorageKey"]
    assert len(key) == 88 and key.endswith("==")


def test_source_points_at_the_declaring_line(up: Run) -> None:
    for name, marker in [
        ("rg", "rg"),
        ("sa", "account"),
        ("ws", "ws"),
        ("training-data", "data"),
        ("team", "team"),
        ("team-id", "child"),
    ]:
        assert up.named(name)["source"] == {"file": "__main__.py", "line": program_line(marker)}
    assert up.resources[0]["source"] is None
    # Each export at its pulumi.export call.
    lines = PROGRAM.splitlines()
    exports = {line.split('"')[1]: i + 1 for i, line in enumerate(lines) if line.startswith("pulumi.export(")}
    assert up.capture["exportSources"] == {k: {"file": "__main__.py", "line": n} for k, n in sorted(exports.items())}


def test_outputs_name_what_the_type_really_outputs(up: Run) -> None:
    ws = up.named("ws")
    assert "workspaceName" not in ws["outputNames"] and "id" in ws["outputNames"]
    assert {"name", "identity", "managedNetwork", "provisioningState"} <= set(ws["outputNames"])
    assert up.resources[0]["outputNames"] is None and up.named("team")["outputNames"] is None


def test_outputs_are_the_provider_s_not_an_echo_of_the_inputs(up: Run, preview: Run) -> None:
    """What azure-native's Create returns: the response's properties in the SDK's output shape
    (no input that is no output, top level or nested), with the response's own id and ARM name;
    in preview its PreviewOutputs (every response property the inputs do not give unknown)."""
    for record in up.resources:
        if record["type"].startswith("azure-native:") and record["custom"] and record["outputNames"]:
            assert set(record["outputs"]) <= set(record["outputNames"]), record["urn"]
    ws, data = up.named("ws"), up.named("training-data")
    assert ws["outputs"]["id"] == ws["id"] and ws["outputs"]["name"] == "my-ws"
    assert "workspaceName" not in ws["outputs"] and "resourceGroupName" not in ws["outputs"]
    assert data["outputs"]["name"] == "1" and data["id"].endswith("/data/training/versions/1")  # the version's ARM name
    assert data["outputs"]["type"] == "Microsoft.MachineLearningServices/workspaces/data/versions"
    previewed = preview.named("ws")["outputs"]
    assert previewed["id"] == UNKNOWN and previewed["name"] == UNKNOWN and previewed["kind"] == UNKNOWN
    assert previewed["publicNetworkAccess"] == "Disabled"  # an input the response returns
    assert preview.named("training-data")["outputs"]["name"] == "training"  # PreviewOutputs copies the input of that name


def test_reads_and_stack_references(up: Run) -> None:
    existing = up.named("existing")
    assert existing["id"].endswith(
        "/resourceGroups/old-rg/providers/Microsoft.MachineLearningServices/workspaces/old"
    )
    assert existing["custom"] is True and existing["inputs"] == {}
    assert existing["source"] == {"file": "__main__.py", "line": program_line("existing")}
    assert up.exports["existingWorkspace"] == "old"
    reference = up.named("acme/network/prod")
    assert reference["outputs"]["outputs"] == {} and "fromOtherStack" not in up.exports
    assert reference["provider"].startswith(
        f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:pulumi::default::"
    )
    # The warning travels in the capture (the gate prints it and puts it in every report).
    assert up.capture["warnings"] == ["stack reference acme/network/prod: its outputs are not available offline; "
                                      "every output reads as unset"]
    assert "stack reference" not in up.stderr


def test_capture_is_byte_identical_across_runs(up: Run, program_dir: Path) -> None:
    again = run_runner(program_dir, env={"PYTHONHASHSEED": "2"})
    assert again.raw == up.raw


# ---------------------------------------------------------------------------------------------
# `pulumi preview`


def test_preview_leaves_computed_values_unknown(preview: Run) -> None:
    assert preview.capture["dryRun"] is True
    reads = ("existing", "acme/network/prod")  # reads report real state, in preview too
    for resource in preview.resources:
        if resource["custom"] and not resource["type"].startswith("pulumi:providers:"):
            assert (resource["id"] != "") == (resource["name"] in reads), resource["urn"]
    ws = preview.named("ws")
    assert ws["inputs"]["resourceGroupName"] == UNKNOWN  # derived from an autonamed rg
    assert ws["inputs"]["storageAccount"] == UNKNOWN
    assert ws["inputs"]["workspaceName"] == "my-ws"
    assert ws["outputs"]["name"] == ws["outputs"]["type"] == ws["outputs"]["provisioningState"] == UNKNOWN
    assert ws["outputs"]["managedNetwork"]["firewallPublicIpAddress"] == UNKNOWN
    assert ws["outputs"]["identity"]["userAssignedIdentities"] == UNKNOWN
    exports = preview.exports
    for key in ("workspaceId", "workspaceName", "principalId", "userStorageKey"):
        assert exports[key] == UNKNOWN, key
    assert exports["location"] == "northeurope" and exports["existingWorkspace"] == "old"
    assert is_envelope(exports["dbConnection"])
    assert is_envelope(preview.named("sa")["inputs"]["tags"])


def test_preview_keeps_provider_references(preview: Run) -> None:
    provider = next(r for r in preview.resources if r["name"].startswith("default_"))
    assert provider["id"]
    assert preview.named("ws")["provider"] == f"{provider['urn']}::{provider['id']}"


# ---------------------------------------------------------------------------------------------
# Failures


@pytest.mark.parametrize(
    ("program", "expected_line"),
    [
        (
            'import pulumi\nraise ValueError("boom\\nsecond line")\n',
            "program failed at p/__main__.py:2: ValueError: boom",
        ),
        (
            "import pulumi\nimport not_a_module_xyz\n",
            "program failed at p/__main__.py:2: missing Python module 'not_a_module_xyz'",
        ),
        (
            'import pulumi\npulumi.export("x", pulumi.Output.from_input(1).apply(lambda v: v / 0))\n',
            "program failed at p/__main__.py:2: ZeroDivisionError: division by zero",
        ),
        (  # no frame of the program: the SDK's own lambda indexes the unset value
            'import pulumi\npulumi.export("x", pulumi.Output.from_input({"a": None})["a"][0])\n',
            "program failed: TypeError: 'NoneType' object is not subscriptable",
        ),
        ("import pulumi\nx = (\n", "program failed at p/__main__.py:2: SyntaxError: '(' was never closed"),
    ],
)
def test_program_failure_exits_3_with_one_line(
    tmp_path: Path, program: str, expected_line: str
) -> None:
    run = run_runner(write_project(tmp_path / "p", program), cwd=tmp_path)
    assert run.returncode == 3
    assert run.stderr.strip().splitlines() == [run.stderr.strip()]
    assert run.stderr.startswith(expected_line)
    assert "Traceback" not in run.stderr and run.raw == b""


def test_debug_shows_the_traceback_before_the_summary(tmp_path: Path) -> None:
    program = 'import pulumi\nraise ValueError("boom")\n'
    run = run_runner(write_project(tmp_path / "p", program), env={"POLICY_GATE_DEBUG": "1"}, cwd=tmp_path / "p")
    assert run.returncode == 3 and "Traceback" in run.stderr
    assert run.stderr.strip().splitlines()[-1] == "program failed at __main__.py:2: ValueError: boom"


@pytest.mark.parametrize("spec", ["", "not json", '{"version": 99}', '{"version": 1, "project": "x"}',
                                  '{"version": 1, "project": "x", "directory": "/", "entry": "/m.py", "stack": "dev", '
                                  '"config": {"x:a": 1}}'])
def test_runner_without_a_valid_spec_exits_2(tmp_path: Path, spec: str) -> None:
    run = run_runner(write_project(tmp_path / "p", "import pulumi\n"), spec=spec)
    assert run.returncode == 2
    assert run.stderr.startswith("error: stdin holds no valid run spec") and len(run.stderr.strip().splitlines()) == 1
    assert run.raw == b""


def test_large_config_reaches_the_program(tmp_path: Path) -> None:
    """Config travels on stdin, not on the command line or in the environment: a value far over
    the kernel's limit for one argument (128 KiB) reaches the program whole."""
    big = "x" * 300_000
    directory = write_project(tmp_path / "p", "import pulumi\npulumi.export('size', len(pulumi.Config().require('big')))\n",
                              f"config:\n  {PROJECT}:big: {big}\n")
    assert run_runner(directory).exports == {"size": 300_000.0}


def test_sets_of_resources_iterate_in_the_same_order_every_run(tmp_path: Path) -> None:
    """The SDK orders registrations by iterating sets of resources; with address-based hashes
    that order changed between runs (address-space randomisation), and so did the capture.
    600 resources: a set that large uses address bits that the randomisation changes."""
    program = ("import pulumi\n"
               "things = [pulumi.CustomResource('test:index:Thing', f't{i}', {}) for i in range(600)]\n"
               "pulumi.export('order', [t._name for t in set(things)])\n")
    directory = write_project(tmp_path / "p", program)
    orders = [run_runner(directory, env={"PYTHONHASHSEED": str(seed)}).exports["order"] for seed in (1, 2, 3)]
    assert orders[0] == orders[1] == orders[2]
    assert sorted(orders[0]) == sorted(f"t{i}" for i in range(600))


@pytest.mark.parametrize("verbose", [True, False])
def test_secure_config_left_unset_is_a_warning_with_or_without_verbose(tmp_path: Path, verbose: bool,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    directory = write_project(tmp_path / "p", "import pulumi\n", f"config:\n  {PROJECT}:token:\n    secure: AAABAx==\n")
    captured = program.run_program(directory, STACK, False, 120, verbose=verbose)
    assert captured.config == {}
    assert captured.warnings == [f"config {PROJECT}:token is encrypted and cannot be read offline; treated as unset "
                                 "(the stack's secrets provider is not the passphrase provider)"]


def test_the_program_reads_an_empty_stdin(tmp_path: Path) -> None:
    """The spec comes on stdin; the program then gets /dev/null there, as before."""
    program = ("import os, stat, sys, pulumi\n"
               "pulumi.export('devnull', stat.S_ISCHR(os.fstat(0).st_mode))\n"
               "pulumi.export('read', sys.stdin.read())\n")
    assert run_runner(write_project(tmp_path / "p", program)).exports == {"devnull": True, "read": ""}


def test_main_directory_and_unnamespaced_config(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    (directory / "src").mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text(
        "name: cfg\nruntime:\n  name: python\nmain: src/\nconfig:\n  size:\n    default: 3\n"
    )
    (directory / "Pulumi.prod.yaml").write_text("config:\n  cfg:flag: true\n")
    (directory / "src" / "helper.py").write_text("VALUE = 'imported from the program dir'\n")
    (directory / "src" / "__main__.py").write_text(
        "import os, pulumi, helper\n"
        "c = pulumi.Config()\n"
        "pulumi.export('size', c.get_int('size'))\n"
        "pulumi.export('flag', c.get_bool('flag'))\n"
        "pulumi.export('helper', helper.VALUE)\n"
        "pulumi.export('cwd', os.path.basename(os.getcwd()))\n"
    )
    run = run_runner(directory, stack="prod", organization="acme")
    capture = run.capture
    assert (capture["stack"], capture["organization"]) == ("prod", "acme")
    assert capture["resources"][0]["urn"] == "urn:pulumi:prod::cfg::pulumi:pulumi:Stack::cfg-prod"
    assert capture["resources"][0]["outputs"] == {
        "size": 3.0,
        "flag": True,
        "helper": "imported from the program dir",
        "cwd": "src",
    }


# ---------------------------------------------------------------------------------------------
# The mocks on the SDK's real classes (in process)


@pytest.fixture(scope="module")
def ml_module() -> Any:
    import pulumi_azure_native.machinelearningservices as ml

    return ml


def test_versioned_tokens_find_the_unversioned_class(ml_module: Any) -> None:
    assert resource_class(f"{ML}/v20240401:Workspace") is ml_module.Workspace
    assert resource_class(f"{ML}:Workspace") is ml_module.Workspace
    assert resource_class("azure-native:nothing:Here") is None
    result = function_result_class(f"{ML}/v20240401:listWorkspaceKeys")
    assert result is ml_module.ListWorkspaceKeysResult


@pytest.mark.parametrize(
    ("token", "inputs", "expected_path", "arm_type"),
    [
        (f"{ML}/v20240401:Workspace", {"workspaceName": "w"}, "workspaces/w", "workspaces"),
        (
            f"{ML}:DataContainer",
            {"workspaceName": "w", "name": "d"},
            "workspaces/w/data/d",
            "workspaces/data",
        ),
        (
            f"{ML}:OnlineDeployment",
            {"workspaceName": "w", "endpointName": "e", "deploymentName": "blue"},
            "workspaces/w/onlineEndpoints/e/deployments/blue",
            "workspaces/onlineEndpoints/deployments",
        ),
        (
            f"{ML}:Job",
            {"workspaceName": "w", "id": "j1"},
            "workspaces/w/jobs/j1",
            "workspaces/jobs",
        ),
        (f"{ML}:Registry", {"registryName": "r"}, "registries/r", "registries"),
        (
            f"{ML}:ManagedNetworkSettingsRule",
            {"workspaceName": "w", "ruleName": "pe"},
            "workspaces/w/outboundRules/pe",
            "workspaces/outboundRules",
        ),
        (
            f"{ML}:OutboundRule",
            {"workspaceName": "w", "managedNetworkName": "default", "ruleName": "pe"},
            "workspaces/w/managedNetworks/default/outboundRules/pe",
            "workspaces/managedNetworks/outboundRules",
        ),
        (
            f"{ML}:ServerlessEndpoint",
            {"workspaceName": "w", "name": "llama"},
            "workspaces/w/serverlessEndpoints/llama",
            "workspaces/serverlessEndpoints",
        ),
        (
            f"{ML}:RegistryModelVersion",
            {"registryName": "r", "modelName": "m", "version": "3"},
            "registries/r/models/m/versions/3",
            "registries/models/versions",
        ),
        (
            f"{ML}:RegistryDataVersion",
            {"registryName": "r", "name": "d", "version": "1"},
            "registries/r/data/d/versions/1",
            "registries/data/versions",
        ),
        (
            f"{ML}:FeaturestoreEntityVersion",
            {"workspaceName": "w", "name": "n", "version": "2"},
            "workspaces/w/featurestoreEntities/n/versions/2",
            "workspaces/featurestoreEntities/versions",
        ),
    ],
)
def test_ml_arm_ids(
    ml_module: Any, token: str, inputs: dict[str, Any], expected_path: str, arm_type: str
) -> None:
    args = CaptureResourceArgs(
        "urn:x", typ=token, name="logical", inputs={"resourceGroupName": "g", **inputs}, custom=True
    )
    resource_id, outputs = AzureMocks(preview=False).new_resource(args)
    namespace = "Microsoft.MachineLearningServices"
    assert resource_id == f"{SUB}/resourceGroups/g/providers/{namespace}/{expected_path}"
    assert outputs["type"] == f"{namespace}/{arm_type}"


def test_generic_ids_and_autonames() -> None:
    vnet = CaptureResourceArgs(
        "urn:v",
        typ="azure-native:network:VirtualNetwork",
        name="vnet",
        inputs={"resourceGroupName": "g"},
        custom=True,
    )
    resource_id, outputs = AzureMocks(preview=False).new_resource(vnet)
    assert (
        resource_id
        == f"{SUB}/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/{outputs['name']}"
    )
    assert outputs["name"] == autoname("vnet", "urn:v")
    other = CaptureResourceArgs(
        "urn:r", typ="random:index/randomPet:RandomPet", name="pet", inputs={}, custom=True
    )
    assert AzureMocks(preview=False).new_resource(other)[0] == "RandomPet-pet-id"


def test_shaper_fixes_identity_that_raw_echo_breaks(ml_module: Any) -> None:
    typ = output_types(ml_module.Workspace)["identity"]
    raw = {
        "type": "UserAssigned",
        "userAssignedIdentities": [{SIG_KEY: SECRET_SIG, "value": "/id/a"}, "/id/b"],
    }
    assert not translates(raw, typ)  # what the SDK would do with the echoed input
    shaped = Shaper("urn:ws", known=True).top_level("identity", raw, typ)
    assert translates(shaped, typ)
    identities = shaped["userAssignedIdentities"]
    assert is_envelope(identities) and set(identities["value"]) == {"/id/a", "/id/b"}
    unknown = Shaper("urn:ws", known=False).top_level(
        "identity", {"type": "UserAssigned", "userAssignedIdentities": [UNKNOWN]}, typ
    )
    assert unknown["userAssignedIdentities"] == UNKNOWN


def _sample_input(typ: Any, choice: int, depth: int = 0) -> Any:
    """A wire value of an input type (union members picked by ``choice``)."""
    typ = _types.unwrap_type(typ)
    if _types._is_union_type(typ):
        members = [
            _types.unwrap_type(a)
            for a in typing.get_args(typ)
            if a is not type(None) and not _types._is_plumbing_arg(a)
        ]
        return _sample_input(members[choice % len(members)], choice, depth) if members else "x"
    origin = typing.get_origin(typ)
    if _types.is_input_type(typ):
        fields = _types.input_type_types(typ).items() if depth < 4 else []
        return {k: _sample_input(t, choice, depth + 1) for k, t in fields}
    if origin in (dict, abc.Mapping, typing.Mapping):
        return {"k": _sample_input(typing.get_args(typ)[1], choice, depth + 1)}
    if origin in (list, abc.Sequence, typing.Sequence):
        return [_sample_input(typing.get_args(typ)[0], choice, depth + 1)]
    if inspect.isclass(typ) and issubclass(typ, enum.Enum):
        return next(iter(typ)).value
    return {bool: True, int: 1.0, float: 1.0}.get(typ, "s")


def test_every_ml_resource_echo_is_accepted_by_the_sdk(ml_module: Any) -> None:
    """Every input of every ML resource, echoed through the shaper, passes the SDK's own
    output translation (raw echoes of some do not)."""
    module: Any = rpc.get_resource_module("azure-native", "machinelearningservices", "")
    classes = module.mod_info["classes"]
    checked, raw_failures = 0, set()
    for class_name in classes.values():
        cls, args_cls = getattr(ml_module, class_name), getattr(ml_module, class_name + "Args")
        outputs = output_types(cls)
        for key, input_type in _types.input_type_types(args_cls).items():
            if key not in outputs:
                continue
            for choice in range(3):
                value = _sample_input(input_type, choice)
                shaped = Shaper("urn", known=True).top_level(key, value, outputs[key])
                assert translates(shaped, outputs[key]), (class_name, key, value)
                checked += 1
                if not translates(value, outputs[key]):
                    raw_failures.add((class_name, key))
    assert checked > 400 and ("Workspace", "identity") in raw_failures


def test_every_ml_resource_answer_is_accepted_by_the_sdk(ml_module: Any) -> None:
    """The mocks' whole answer for every ML resource (echoed inputs, output-only properties filled,
    nested ones included) passes the SDK's own output translation, in both modes."""
    module: Any = rpc.get_resource_module("azure-native", "machinelearningservices", "")
    filled = 0
    for token, class_name in module.mod_info["classes"].items():
        cls = getattr(ml_module, class_name)
        inputs = {k: _sample_input(v, 0) for k, v in _types.input_type_types(getattr(ml_module, class_name + "Args")).items()}
        for preview in (False, True):
            args = CaptureResourceArgs(f"urn:{class_name}", typ=token, name="r", inputs=inputs, custom=True)
            _id, outputs = AzureMocks(preview=preview).new_resource(args)
            types = output_types(cls)
            for key, value in outputs.items():
                assert key not in types or translates(value, types[key]), (class_name, key, preview)
            filled += sum(1 for key in types if key in outputs and key not in inputs)
    assert filled > 200


def test_invoke_results_are_plausible_and_deterministic() -> None:
    from pulumi.runtime.mocks import MockCallArgs

    call = MockCallArgs(f"{ML}:listWorkspaceKeys", {"workspaceName": "w"}, "")
    result, failures = AzureMocks(preview=False).call(call)
    assert failures is None and result == AzureMocks(preview=True).call(call)[0]
    assert len(result["userStorageKey"]) == 88 and result["userStorageKey"].endswith("==")
    assert result["userStorageArmId"].startswith(f"{SUB}/resourceGroups/")
    password = result["containerRegistryCredentials"]["passwords"][0]["value"]
    assert len(password) == 32
    client = AzureMocks(preview=False).call(
        MockCallArgs("azure-native:authorization:getClientConfig", {}, "")
    )[0]
    assert client["subscriptionId"] == SUB.rsplit("/", 1)[1]
    assert all(
        re.fullmatch(r"[0-9a-f-]{36}", client[k]) for k in ("clientId", "objectId", "tenantId")
    )
    assert (
        AzureMocks(preview=False).call(MockCallArgs("azure-native:nope:listNothing", {}, ""))[0]
        == {}
    )


def test_sources_prefer_the_programs_repository(tmp_path: Path) -> None:
    """A resource built by a library is located at the library's line when the library is part
    of the program's repository, at the repository's calling line when it is checked out
    elsewhere (a review of this repository cannot show that file)."""
    repo, elsewhere = tmp_path / "repo", tmp_path / "shared"
    for lib in (repo / "lib", elsewhere):
        lib.mkdir(parents=True)
        (lib / f"{lib.name}_things.py").write_text(
            "import pulumi\n\n\ndef thing(name):\n    return pulumi.CustomResource('test:index:Thing', name, {})\n")
    program = (f"import sys\nsys.path[:0] = [{str(repo / 'lib')!r}, {str(elsewhere)!r}]\n"
               "import lib_things, shared_things\n\nlib_things.thing('in-repo')\nshared_things.thing('elsewhere')\n")
    write_project(repo / "infra", program)
    (repo / ".git").mkdir()
    run = run_runner(repo / "infra")
    assert run.named("in-repo")["source"] == {"file": "../lib/lib_things.py", "line": 5}
    assert run.named("elsewhere")["source"] == {"file": "__main__.py", "line": 6}
    (repo / ".git").rmdir()  # no repository known: the innermost user frame, wherever it is
    assert run_runner(repo / "infra").named("elsewhere")["source"] == {"file": "../../shared/shared_things.py", "line": 5}
