"""Unknown values judged by where they come from (issue 17): what the gate records each export is,
resource rules deferring unknown references to unknown-value-sources, no-secret-exports with and
without a recorded source, through the real pack process; and the presets' promise on whole
programs, in full and in preview mode (``tests/programs/preview-unknowns``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from policies.core.props import UNKNOWN_STRING
from policies.core.provenance import DEFERRED, Deferral, Sources
from policies.core.resources import workspace as ws
from policy_gate import config as config_mod
from policy_gate.analyzer import PackOptions, analyze
from policy_gate.capture import Capture
from policy_gate.program import run_program
from tests.captures import ROOT_URN, capture, only, urn
from tests.corpus import CORPUS, copy_program, gate

ROOT = Path(__file__).resolve().parent.parent
PACK = PackOptions(ROOT)
ENFORCE = config_mod.load_file(str(ROOT / "presets" / "enforce.json"))
WORKSPACE = "azure-native:machinelearningservices:Workspace"
IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
VAULT = "azure-native:keyvault:Vault"
RG = "azure-native:resources:ResourceGroup"


def _verdicts(outcome: Any) -> set[tuple[str, str, str]]:
    """(policy, resource name, message) of every violation."""
    return {(v.policy, v.urn.rsplit("::", 1)[-1], v.message) for v in outcome.violations}


def _unknown_diagnostics(outcome: Any) -> list[str]:
    return sorted(d.policy for d in outcome.diagnostics if d.kind == "unknown")


# --- what the gate records each export is -------------------------------------------------------

EXPORT_KINDS = {
    "own_name": ["a"], "own_id": ["a"], "whole": ["a"], "via_component": ["b"],
    "secret_output": ["export-kinds-dev", "a"], "other_output": ["export-kinds-dev", "a"], "applied": ["export-kinds-dev", "a"],
    "combined": ["export-kinds-dev", "a", "b"], "made_secret": ["export-kinds-dev", "a"],
    "nested": ["export-kinds-dev", "a"], "plain": ["export-kinds-dev"],
}


@pytest.mark.process
@pytest.mark.parametrize(("env", "version"), [("pulumi-old", "3.100.0"), ("an3", "3.272.0")],
                         ids=["pulumi-3.100", "pulumi-newest"])
@pytest.mark.parametrize("preview", [True, False], ids=["preview", "up"])
def test_the_runner_tells_a_resources_own_output_from_a_computed_value(tmp_path: Path, env: str, version: str,
                                                                       preview: bool) -> None:
    program = copy_program("export-kinds", tmp_path, env)
    captured = run_program(program, "dev", preview, 600)
    assert captured.runtime["pulumi"] == version
    assert {k: [u.rsplit("::", 1)[-1] for u in v] for k, v in captured.export_provenance.items()} == EXPORT_KINDS


# --- resource rules defer unknown references; unknown-value-sources judges them -------------------

UNKNOWN_IDENTITIES = {"identity": {"type": "UserAssigned", "userAssignedIdentities": [UNKNOWN_STRING]},
                      "primaryUserAssignedIdentity": UNKNOWN_STRING}


def _identity_stack(primary_from: str | None, listed_from: str | None) -> Capture:
    """A preview: a workspace whose identity ids are unknown, built from the named resources."""
    stack = capture([(IDENTITY, "id", {"resourceName": "id-ml"}), (VAULT, "kv", {"vaultName": "kv-ml"}),
                     (WORKSPACE, "ws", UNKNOWN_IDENTITIES)], dry_run=True)
    workspace = stack.resources[-1]
    for key, source in (("primaryUserAssignedIdentity", primary_from), ("identity", listed_from)):
        if source is not None:
            workspace.property_dependencies[key] = [urn(IDENTITY if source == "id" else VAULT, source)]
    return stack


FAILING_CLOSED = {**only("workspace-managed-identity", "unknown-value-sources"),
                  "workspace-managed-identity": {"enforcementLevel": "mandatory", "failClosed": True}}
FROM_VAULT = ("workspace-managed-identity: primaryUserAssignedIdentity is unknown during preview and not shown to be a "
              f"user-assigned identity of this stack: built from {VAULT} 'kv' (failClosed).")
FROM_NOTHING = ("workspace-managed-identity: primaryUserAssignedIdentity and identity.userAssignedIdentities.0 are "
                "unknown during preview and not shown to be a user-assigned identity of this stack: no property "
                "dependency records a source (an invoke result whose arguments were unknown, or a value computed from "
                "no resource of this stack) (failClosed).")


@pytest.mark.process
@pytest.mark.parametrize(("primary", "listed", "expected"), [
    ("id", "id", set()),
    ("kv", "id", {("unknown-value-sources", "ws", FROM_VAULT)}),
    (None, None, {("unknown-value-sources", "ws", FROM_NOTHING)}),
], ids=["from-the-identity", "primary-from-a-key-vault", "from-nothing"])
def test_a_deferred_identity_is_judged_by_its_source_on_its_workspace(primary: str | None, listed: str | None,
                                                                     expected: set[tuple[str, str, str]]) -> None:
    outcome = analyze(_identity_stack(primary, listed), PACK, FAILING_CLOSED)
    assert _verdicts(outcome) == expected
    assert outcome.diagnostics == []  # deferred: neither a fail-closed violation nor the SDK's advisory


@pytest.mark.process
def test_not_failing_closed_the_rule_keeps_the_sdk_advisory_and_nothing_is_judged() -> None:
    outcome = analyze(_identity_stack("kv", "id"), PACK, only("workspace-managed-identity", "unknown-value-sources"))
    assert outcome.violations == []
    assert _unknown_diagnostics(outcome) == ["workspace-managed-identity"]


@pytest.mark.process
def test_a_deferred_identity_takes_the_level_of_unknown_value_sources() -> None:
    """The finding is unknown-value-sources': at its level, and none while it is disabled (the
    deferring rule reports nothing either; the value is judged at `pulumi up`)."""
    advisory = analyze(_identity_stack("kv", "id"), PACK, {**FAILING_CLOSED, "unknown-value-sources": "advisory"})
    assert [(v.policy, v.level) for v in advisory.violations] == [("unknown-value-sources", "advisory")]
    disabled = analyze(_identity_stack("kv", "id"), PACK, {**FAILING_CLOSED, "unknown-value-sources": "disabled"})
    assert disabled.violations == [] and disabled.diagnostics == []


def test_an_analysis_of_a_resource_replaces_what_its_rule_deferred_before() -> None:
    DEFERRED.clear()
    deferral = Deferral("workspace-managed-identity", "primaryUserAssignedIdentity", "primaryUserAssignedIdentity",
                        Sources(ws.PRIMARY_IDENTITY, (IDENTITY,), "an identity"), True)
    DEFERRED.record("urn:ws", deferral.rule, [deferral])
    DEFERRED.record("urn:ws", "another-rule", [dataclasses.replace(deferral, rule="another-rule")])
    assert DEFERRED.of("urn:ws") == [deferral, dataclasses.replace(deferral, rule="another-rule")]
    DEFERRED.record("urn:ws", deferral.rule, [])  # analyzed again, nothing unknown
    assert [d.rule for d in DEFERRED.of("urn:ws")] == ["another-rule"]
    DEFERRED.record("urn:ws", "another-rule", [])
    assert DEFERRED.of("urn:ws") == []


# --- no-secret-exports: an unknown export judged by what it is -----------------------------------


def _exports_stack(recorded: bool) -> Capture:
    """A preview exporting a resource group's name, a value computed from it, and an unknown under a
    credential's name; ``recorded``: as the gate records what each is (the CLI records nothing)."""
    stack = capture([(RG, "rg", {"resourceGroupName": "rg-ml"})], dry_run=True,
                    exports={"resource_group_name": UNKNOWN_STRING, "training_storage": UNKNOWN_STRING,
                             "primary_key": UNKNOWN_STRING})
    if recorded:
        stack.export_provenance = {"resource_group_name": [urn(RG, "rg")], "training_storage": [ROOT_URN, urn(RG, "rg")],
                                   "primary_key": [urn(RG, "rg")]}
    return stack


NAMED = ("no-secret-exports", "sample-dev", "Stack export 'primary_key' looks like a credential: its name reads as a "
         "credential ('key').")
COMPUTED = ("no-secret-exports", "sample-dev", "Stack export 'training_storage' is unknown during preview and is not a "
            f"resource's own name or id (it comes from {RG} 'rg'), so it cannot be shown not to be a credential "
            "(failClosed).")


def _unrecorded(name: str) -> tuple[str, str, str]:
    return ("no-secret-exports", "sample-dev", f"Stack export '{name}' is unknown during preview and nothing records where "
            "it comes from, so it cannot be shown not to be a credential (failClosedWithoutSource).")


@pytest.mark.process
@pytest.mark.parametrize(("recorded", "settings", "expected", "advisory"), [
    (True, {"failClosed": True}, {NAMED, COMPUTED}, []),
    (False, {"failClosed": True}, {NAMED}, ["no-secret-exports"]),  # as under the CLI: the enforce preset's choice
    (False, {"failClosed": True, "failClosedWithoutSource": True},
     {NAMED, _unrecorded("resource_group_name"), _unrecorded("training_storage")}, []),
    (True, {}, {NAMED}, ["no-secret-exports"]),  # not failing closed: the computed export gets the SDK's advisory
], ids=["gate-record", "cli-no-record", "cli-failClosedWithoutSource", "gate-record-not-failing-closed"])
def test_unknown_exports_are_judged_by_what_they_are(recorded: bool, settings: dict[str, Any],
                                                     expected: set[tuple[str, str, str]], advisory: list[str]) -> None:
    config = {**only("no-secret-exports"), "no-secret-exports": {"enforcementLevel": "mandatory", **settings}}
    outcome = analyze(_exports_stack(recorded), PACK, config)
    assert _verdicts(outcome) == expected
    assert _unknown_diagnostics(outcome) == advisory


# --- the presets' promise, on whole programs, in both modes --------------------------------------

PREVIEW_UNKNOWNS = CORPUS / "preview-unknowns"
STORAGE = ("no-secret-exports", "aml-reference-dev", "Stack export 'training_storage' is unknown during preview and is "
           "not a resource's own name or id (it comes from azure-native:machinelearningservices:Workspace 'mlw-train', "
           "azure-native:resources:ResourceGroup 'rg'), so it cannot be shown not to be a credential (failClosed).")
INVOKED = ("unknown-value-sources", "mlw-invoke", FROM_NOTHING)
DATA_VERSION = "featureset-data-version-resolves"  # not a security rule: its unknown link is the SDK's advisory
VAULTED = ("unknown-value-sources", "mlw-vault", FROM_VAULT)


@pytest.fixture(scope="module")
def reference_preview() -> Capture:
    return run_program(ROOT / "reference_stack", "dev", True, 600)


@pytest.fixture(scope="module")
def hidden_preview() -> Capture:
    return run_program(PREVIEW_UNKNOWNS, "dev", True, 600)


@pytest.mark.process
def test_the_reference_stack_passes_the_enforce_preset_in_preview(reference_preview: Capture) -> None:
    outcome = analyze(reference_preview, PACK, ENFORCE)
    # The featureset's data version link is unknown: that rule, not a security rule, gives the SDK's advisory.
    assert outcome.violations == [] and _unknown_diagnostics(outcome) == [DATA_VERSION]
    # Its unknown exports are its resources' own names and ids; under the CLI, which records nothing, they
    # get the SDK's advisory and still pass.
    cli = analyze(dataclasses.replace(reference_preview, export_provenance={}), PACK, ENFORCE)
    assert cli.violations == [] and _unknown_diagnostics(cli) == [DATA_VERSION, "no-secret-exports"]


@pytest.mark.process
def test_unknowns_that_hide_problems_fail_the_enforce_preset_in_preview(hidden_preview: Capture) -> None:
    result = gate(PREVIEW_UNKNOWNS, "--preview", "--config", "presets/enforce.json")
    assert result.returncode == 1
    assert {(v["policy"], v["urn"].rsplit("::", 1)[-1], v["message"]) for v in result.report["violations"]} == {
        STORAGE, INVOKED, VAULTED}
    assert {v["level"] for v in result.report["violations"]} == {"mandatory"}
    # Under the CLI the exported key waits for `pulumi up` (nothing records what an export is); the
    # identities are caught the same way (property dependencies are the engine's own).
    cli = analyze(dataclasses.replace(hidden_preview, export_provenance={}), PACK, ENFORCE)
    assert _verdicts(cli) == {INVOKED, VAULTED} and _unknown_diagnostics(cli) == [DATA_VERSION, "no-secret-exports"]


@pytest.mark.process
def test_once_values_are_known_the_rules_judge_them_themselves() -> None:
    """As at `pulumi up`: the key is judged by its value, the key vault's id is no listed identity,
    and the other team's identity (a real identity id) passes."""
    outcome = analyze(run_program(PREVIEW_UNKNOWNS, "dev", False, 600), PACK, ENFORCE)
    assert _verdicts(outcome) == {
        ("workspace-managed-identity", "mlw-vault", "primaryUserAssignedIdentity is not one of the identities in "
                                                    "identity.userAssignedIdentities."),
        ("no-secret-exports", "aml-reference-dev", "Stack export 'training_storage' looks like a credential: its value "
                                                   "has the shape of an Azure storage account key.")}
