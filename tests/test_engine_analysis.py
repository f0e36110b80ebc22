"""The engine's analysis path for each input: remediations deployed for programs, state files as
``pulumi policy analyze --file``, preview files as a preview, stack tags, and the pack's
diagnostics read by their structure (severity filled in, can't-run classified)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2

from policy_gate.analyzer import Collector, PackOptions, analyze
from policy_gate.capture import Capture
from policy_gate.program import run_program
from policy_gate.results import Outcome, PolicyMeta
from policy_gate.wire import RESOURCE_SIG, SIG_KEY, UNKNOWN
from tests.captures import ROOT_URN
from tests.probe import ROOT, probe, write_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

STATE = ROOT / "tests" / "fixtures" / "state"

OPEN_WORKSPACE = """
import pulumi
from pulumi_azure_native import resources
from pulumi_azure_native import machinelearningservices as ml

ws = ml.Workspace("ws", resource_group_name="rg", location="westeurope", public_network_access="Enabled")
# Built from the workspace's outputs: it sees what is deployed.
resources.ResourceGroup("follower", location="westeurope", tags={"mirrors": ws.public_network_access})
pulumi.export("access", ws.public_network_access)
"""


@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_remediation_flows_into_what_is_deployed(tmp_path: Path, preview: bool) -> None:
    """With a policy at ``remediate`` the engine deploys the remediated inputs: the outputs
    AnalyzeStack sees, and the inputs of resources built from them, are the fixed ones. The gate
    runs the program again with the remediation applied."""
    program = write_program(tmp_path / "p", OPEN_WORKSPACE)
    runs: list[Capture] = []

    def rerun(changes: dict[str, dict[str, Any]]) -> Capture:
        runs.append(run_program(program, "dev", preview, 300, remediations=changes))
        return runs[-1]

    first = run_program(program, "dev", preview, 300)
    outcome = analyze(first, PackOptions(ROOT), {"workspace-public-network-disabled": "remediate"}, rerun=rerun)
    assert len(runs) == 1  # one more run, after which the remediation changed nothing more
    deployed = {r.name: r for r in runs[0].resources}
    assert {r.name: r for r in first.resources}["ws"].outputs["publicNetworkAccess"] == "Enabled"
    assert deployed["ws"].outputs["publicNetworkAccess"] == "Disabled"
    assert deployed["ws"].inputs["publicNetworkAccess"] == "Enabled"  # what Remediate gets: the checked inputs
    assert deployed["follower"].inputs["tags"] == {"mirrors": "Disabled"}
    assert deployed["probed-dev"].outputs == {"access": "Disabled"}
    policies = {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in outcome.violations}
    # AnalyzeStack sees a private workspace: the endpoint rule judges it (in preview, where azure-native's
    # PreviewOutputs leave its managed network's outbound rules unknown, it says it cannot yet).
    unknown = {d.policy for d in outcome.diagnostics if d.kind == "unknown"}
    assert ("workspace-private-endpoint", "ws") in policies or (preview and "workspace-private-endpoint" in unknown)
    assert ("workspace-public-network-disabled", "ws") not in policies  # Analyze sees the fix
    assert [(r.policy, r.urn.rsplit("::", 1)[-1]) for r in outcome.remediations] == [
        ("workspace-public-network-disabled", "ws")]


def test_remediations_that_never_settle_fail_the_run(tmp_path: Path) -> None:
    program = write_program(tmp_path / "p", "import uuid\nfrom pulumi_azure_native import resources\n"
                                            "resources.ResourceGroup('rg', location='westeurope', tags={'nonce': str(uuid.uuid4())})\n")
    seen = probe(program, config={"probe-unsettled": "remediate"})
    assert seen.code == 3
    assert seen.stderr.strip().splitlines() == [
        "error: remediations still changed the program's inputs after 4 runs of the program"]


def _state_with_a_read(tmp_path: Path) -> Path:
    data = json.loads((STATE / "stack-export.json").read_text())
    resources = data["deployment"]["resources"]
    read = dict(next(r for r in resources if r["type"] == "azure-native:machinelearningservices/v20240401:Workspace"))
    read.update(urn=read["urn"].rsplit("::", 1)[0] + "::shared", external=True)
    resources.append(read)
    path = tmp_path / "stack-export.json"
    path.write_text(json.dumps(data))
    return path


def test_state_is_analysed_as_policy_analyze_does(tmp_path: Path) -> None:
    """No ConfigureStack (no stack tags) and none of the stack's PULUMI_* variables; every
    resource not being deleted, the root stack, the provider, the component and the read included;
    Remediate then Analyze on the unremediated inputs."""
    state = _state_with_a_read(tmp_path)
    seen = probe(state, "--stack-tag", "team=ml", config={"probe-remediate": "remediate"})
    assert seen.context == {"tags": {}, "env": []}
    assert "has no effect on a state file" in seen.stderr
    assert set(seen.inputs) == {"ml-platform-prod", "default_3_29_0", "mlw", "classic", "group", "pet", "shared"}
    assert set(seen.stack) == set(seen.inputs)
    assert all("probeInternalKeys" not in i["props"] for i in seen.inputs.values())  # reported, not applied


def test_state_with_a_rule_at_remediate_counts_it_as_mandatory(tmp_path: Path) -> None:
    """pulumi_policy runs a remediate-level policy's validation on the unremediated inputs and
    reports it as mandatory; the remediation itself is reported, not applied."""
    state = STATE / "stack-export.json"
    config = {"workspace-public-network-disabled": "remediate"}
    outcome = analyze(_load(state), PackOptions(ROOT), config)
    flagged = {(v.policy, v.level, v.urn.rsplit("::", 1)[-1]) for v in outcome.violations
               if v.policy == "workspace-public-network-disabled"}
    assert flagged == {("workspace-public-network-disabled", "mandatory", "mlw"),
                       ("workspace-public-network-disabled", "mandatory", "classic")}
    assert {r.urn.rsplit("::", 1)[-1] for r in outcome.remediations} == {"mlw", "classic"}


def _load(path: Path) -> Capture:
    from policy_gate import inputs

    return inputs.load(path)


@pytest.mark.parametrize("kind", ["state", "preview"])
def test_references_in_saved_files_arrive_as_ids(tmp_path: Path, kind: str) -> None:
    """State keeps resource references as the engine got them; the analyzer gets ids (an empty,
    unknown id as the unknown sentinel) and a component's URN, as for a program."""
    group = "urn:pulumi:prod::ml-platform::my:index:Component::group"
    storage = {SIG_KEY: RESOURCE_SIG, "urn": "urn:pulumi:prod::ml-platform::azure-native:storage:StorageAccount::st",
               "id": "" if kind == "preview" else "/subscriptions/s/storageAccounts/st", "packageVersion": "3.29.0"}
    source = STATE / ("preview.json" if kind == "preview" else "stack-export.json")
    data = json.loads(source.read_text())
    states = [s["newState"] for s in data["steps"] if "newState" in s] if kind == "preview" else data["deployment"]["resources"]
    workspace = next(r for r in states if r["urn"].endswith("::mlw"))
    for bag in ("inputs", "outputs"):
        workspace[bag] = {**workspace.get(bag, {}), "storageAccount": storage, "tags": {"group": {SIG_KEY: RESOURCE_SIG, "urn": group}}}
    path = tmp_path / source.name
    path.write_text(json.dumps(data))
    seen = probe(path)
    expected = {"storageAccount": UNKNOWN if kind == "preview" else "/subscriptions/s/storageAccounts/st", "tags": {"group": group}}
    for props in (seen.inputs["mlw"]["props"], seen.stack["mlw"]["props"]):
        assert {k: props[k] for k in expected} == expected


def test_a_preview_file_is_a_preview(tmp_path: Path) -> None:
    """Steps that read a resource are not analysed; Analyze sees remediated inputs, as in the
    preview that wrote the file."""
    data = json.loads((STATE / "preview.json").read_text())
    step = next(s for s in data["steps"] if s["op"] == "create")
    data["steps"].append({**step, "op": "read", "urn": step["urn"] + "-read",
                          "newState": {**step["newState"], "urn": step["urn"] + "-read", "external": True}})
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data))
    seen = probe(path, config={"probe-remediate": "remediate"})
    assert "mlw-read" not in seen.inputs and "mlw-read" not in seen.stack and "mlw" in seen.inputs
    assert seen.inputs["mlw"]["props"]["probeInternalKeys"] == []
    assert seen.context["env"] == ["PULUMI_CONFIG", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION", "PULUMI_PROJECT",
                                   "PULUMI_STACK"]


def test_stack_tags_reach_configure_stack(tmp_path: Path) -> None:
    """The tags the CLI derives from the project (pulumi:project, pulumi:runtime,
    pulumi:description, the pulumi:tags config) and those given with --stack-tag."""
    program = write_program(tmp_path / "p", "import pulumi\n", description="Tagged stack",
                            stack_config="config:\n  pulumi:tags:\n    team: ml\n    tier: gold\n")
    seen = probe(program, "--stack-tag", "tier=platinum", "--stack-tag", "env=prod")
    assert seen.context["tags"] == {"pulumi:project": "probed", "pulumi:runtime": "python",
                                    "pulumi:description": "Tagged stack", "team": "ml", "tier": "platinum", "env": "prod"}


def test_a_finding_that_reads_like_a_cant_run_diagnostic_stays_a_violation(tmp_path: Path) -> None:
    """Only pulumi_policy's own diagnostic (advisory, no URN, its exact text for that policy and
    pack) means "could not judge"; a mandatory finding with the same words is a violation."""
    seen = probe(write_program(tmp_path / "p", "from pulumi_azure_native import resources\n"
                                               "resources.ResourceGroup('rg', location='westeurope')\n"),
                 config={"probe-cant-run": "mandatory"})
    found = {(v["policy"], v["level"], v["urn"].rsplit("::", 1)[-1]) for v in seen.violations}
    assert ("probe-cant-run", "mandatory", "rg") in found
    assert seen.code == 1


def test_a_diagnostic_without_severity_takes_its_policy_s() -> None:
    """analyzer_plugin.go convertDiagnostics: severity from GetAnalyzerInfo when a diagnostic has
    none (pulumi-policy before 1.20 sends none); the enforcement level is taken as sent."""
    outcome = Outcome("p", "1", [PolicyMeta("rule", "", "mandatory", "high")])
    response = analyzer_pb2.AnalyzeResponse(diagnostics=[
        analyzer_pb2.AnalyzeDiagnostic(policyName="rule", message="bad", urn=ROOT_URN),
        analyzer_pb2.AnalyzeDiagnostic(policyName="rule", message="worse", urn=ROOT_URN, severity=analyzer_pb2.POLICY_SEVERITY_LOW,
                                       enforcementLevel=analyzer_pb2.REMEDIATE)])
    Collector(outcome, {}).take(response, ROOT_URN)
    assert [(v.message, v.severity, v.level) for v in outcome.violations] == [("bad", "high", "advisory"),
                                                                              ("worse", "low", "mandatory")]
