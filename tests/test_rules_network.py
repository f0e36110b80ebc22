"""The network, data-access and encryption rules: every sample through the SDK's own argument
objects (as tests/test_samples.py does once the modules are registered), plus edge cases the
samples cannot express: unknown preview values, values never echoed, and stack-rule scale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies import encryption, network
from policies import props as p
from policies import types as t
from policies.rule import ResourceRule, SampleResource, StackItem, StackRule
from tests.sdk import assert_messages, run_resource

RULES = (*network.RULES, *encryption.RULES)
RESOURCE_CASES = [(r, s) for r in RULES if isinstance(r, ResourceRule) for s in r.samples]
STACK_CASES = [(r, s) for r in RULES if isinstance(r, StackRule) for s in r.samples]
FIX_CASES = [(r, s) for r, s in RESOURCE_CASES if s.fixed is not None]
UNKNOWN = p.UNKNOWN_STRING
WS_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"








def test_names_metadata_and_samples() -> None:
    assert [r.name for r in RULES] == [
        "workspace-public-network-disabled", "workspace-managed-network-isolation", "workspace-private-endpoint",
        "workspace-system-datastores-identity", "datastore-no-inline-credentials",
        "workspace-connection-no-inline-credentials", "data-uri-no-sas-token", "hbi-workspace-storage-private",
        "workspace-customer-managed-key", "workspace-hbi-for-confidential", "ml-allowed-locations",
    ]
    for rule in RULES:
        assert any(not s.violations for s in rule.samples) and any(s.violations for s in rule.samples), rule.name
        assert all("default" in o.schema and "description" in o.schema for o in rule.options), rule.name
        assert rule.remediation and rule.unknowns and rule.topics, rule.name
    assert encryption.workspace_customer_managed_key.level.name == "ADVISORY"
    assert all(r.level.name == "MANDATORY" for r in RULES if r is not encryption.workspace_customer_managed_key)


def test_fix_leaves_a_compliant_workspace_alone_and_keeps_other_values() -> None:
    rule = network.workspace_public_network_disabled
    assert rule.remediated(t.WORKSPACE, {"publicNetworkAccess": "Disabled"}) is None
    secret = {p.SIG_KEY: p.SECRET_SIG, "value": "x"}
    fixed = rule.remediated(t.WORKSPACE, {"publicNetworkAccess": "Enabled", "description": secret, "keyVault": UNKNOWN})
    assert fixed == {"publicNetworkAccess": "Disabled", "description": secret, "keyVault": UNKNOWN}


# --- unknown values during preview -----------------------------------------------------------


def test_unknown_public_access_gives_the_advisory() -> None:
    with pytest.raises(UnknownValueError):
        run_resource(network.workspace_public_network_disabled, t.WORKSPACE, {"publicNetworkAccess": UNKNOWN})


def test_unknown_secret_values_still_count_as_inline() -> None:
    datastore = {"properties": {"credentials": {"credentialsType": "None", "secrets": {"key": UNKNOWN}}}}
    assert_messages(run_resource(network.datastore_no_inline_credentials, network.DATASTORE, datastore),
                    ("secrets.key holds an inline secret",))
    connection = {"properties": {"authType": "AAD", "credentials": {"clientSecret": UNKNOWN, "clientId": UNKNOWN}}}
    assert_messages(run_resource(network.workspace_connection_no_inline_credentials, network.WORKSPACE_CONNECTION,
                                 connection), ("credentials.clientSecret holds",))


def test_unknown_key_ids_count_as_set() -> None:
    props = {"encryption": {"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": UNKNOWN, "keyIdentifier": UNKNOWN}}}
    assert run_resource(encryption.workspace_customer_managed_key, t.WORKSPACE, props) == []


def test_unknown_job_input_is_raised_after_the_known_ones_are_reported() -> None:
    reported: list[str] = []
    props = {"properties": {"inputs": {"a": {"uri": "https://x.blob.core.windows.net/c/f?sig=abc"}, "b": {"uri": UNKNOWN},
                                       "c": {"uri": "https://x.blob.core.windows.net/c/g?sig=def"}}}}
    with pytest.raises(UnknownValueError):
        network.data_uri_no_sas_token.evaluate(network.JOB, props, report=reported.append)
    assert_messages(reported, ("inputs.a.uri", "inputs.c.uri"))


def _item(type_: str, name: str, props: Mapping[str, Any],
          deps: Mapping[str, tuple[tuple[str, str], ...]] | None = None) -> StackItem:
    """A stack item; ``deps`` maps a property to the (type, name) of the resources it was built from."""
    urns = {k: tuple(f"urn:pulumi:dev::sample::{ty}::{n}" for ty, n in v) for k, v in (deps or {}).items()}
    return StackItem(type_, name, f"urn:pulumi:dev::sample::{type_}::{name}", props, None,
                     tuple(u for v in urns.values() for u in v), urns)


def _stack_outcome(rule: StackRule, items: list[StackItem]) -> tuple[list[str], bool]:
    reported: list[str] = []
    try:
        rule.evaluate(items, report=lambda message, urn: reported.append(urn or ""))
    except UnknownValueError:
        return reported, True
    return reported, False


def _pe_conn(target: str) -> dict[str, Any]:
    return {"privateLinkServiceConnections": [{"groupIds": ["amlworkspace"], "privateLinkServiceId": target}]}


def test_private_endpoint_preview_linked_by_property_dependency() -> None:
    ws = _item(t.WORKSPACE, "ws", {"publicNetworkAccess": "Disabled", "id": UNKNOWN})
    pe = _item(network.PRIVATE_ENDPOINT, "pe", _pe_conn(UNKNOWN),
               {"privateLinkServiceConnections": ((t.WORKSPACE, "ws"),)})
    assert _stack_outcome(network.workspace_private_endpoint, [ws, pe]) == ([], False)


def test_private_endpoint_with_unknown_target_skips_only_what_it_may_reach() -> None:
    reached = _item(t.WORKSPACE, "a", {"publicNetworkAccess": "Disabled"})
    lonely = _item(t.WORKSPACE, "b", {"publicNetworkAccess": "Disabled", "id": WS_ID})
    unknown_list = _item(network.PRIVATE_ENDPOINT, "pe", {"privateLinkServiceConnections": UNKNOWN},
                         {"privateLinkServiceConnections": ((t.WORKSPACE, "a"),)})
    reported, raised = _stack_outcome(network.workspace_private_endpoint, [reached, lonely, unknown_list])
    assert reported == [lonely.urn] and raised
    # A target nobody can name yet might be any workspace: none is reported, the advisory is raised.
    anywhere = _item(network.PRIVATE_ENDPOINT, "pe", _pe_conn(UNKNOWN))
    assert _stack_outcome(network.workspace_private_endpoint, [lonely, anywhere]) == ([], True)


def test_private_endpoint_unknown_public_access_is_skipped() -> None:
    ws = _item(t.WORKSPACE, "ws", {"publicNetworkAccess": UNKNOWN})
    assert _stack_outcome(network.workspace_private_endpoint, [ws]) == ([], True)


def test_hbi_storage_id_unknown_without_dependency_is_skipped() -> None:
    ws = _item(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": UNKNOWN})
    sa = _item(network.STORAGE_ACCOUNT, "st", {"id": UNKNOWN})
    assert _stack_outcome(network.hbi_workspace_storage_private, [ws, sa]) == ([], True)
    linked = _item(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": UNKNOWN},
                   {"storageAccount": ((network.STORAGE_ACCOUNT, "st"),)})
    assert _stack_outcome(network.hbi_workspace_storage_private, [linked, sa]) == ([sa.urn], False)


# --- values are never echoed -----------------------------------------------------------------

CANARY = "Canary7Q2xZ"


@pytest.mark.parametrize(("rule", "type_", "props"), [
    (network.workspace_public_network_disabled, t.WORKSPACE, {"publicNetworkAccess": CANARY}),
    (network.workspace_connection_no_inline_credentials, network.WORKSPACE_CONNECTION,
     {"properties": {"authType": CANARY, "credentials": {"password": CANARY}}}),
    (network.datastore_no_inline_credentials, network.DATASTORE,
     {"properties": {"credentials": {"credentialsType": CANARY, "secrets": {"sasToken": CANARY}}}}),
    (network.data_uri_no_sas_token, t.DATA_VERSION, {"properties": {"dataUri": f"https://a/b?sig={CANARY}"}}),
    (encryption.workspace_hbi_for_confidential, t.WORKSPACE, {"tags": {"data-classification": "confidential"},
                                                              "hbiWorkspace": CANARY}),
    (encryption.ml_allowed_locations, t.WORKSPACE, {"location": CANARY}),
])
def test_free_form_values_are_not_echoed(rule: ResourceRule, type_: str, props: dict[str, Any]) -> None:
    messages = run_resource(rule, type_, props, {"allowedLocations": ["westeurope"]}
                            if rule is encryption.ml_allowed_locations else None)
    assert messages and all(CANARY not in m for m in messages)


def test_allowed_locations_default_passes_every_located_type() -> None:
    for type_ in encryption.LOCATED_TYPES:
        assert run_resource(encryption.ml_allowed_locations, type_, {"location": "Atlantis"}) == [], type_


# --- stack rules stay linear -----------------------------------------------------------------


def test_stack_rules_judge_a_large_stack() -> None:
    # Correct at scale; how it scales is measured by bench/run.py, not timed here.
    n = 5000
    resources: list[SampleResource] = [SampleResource(t.STACK, "sample-dev", {})]
    for i in range(n):
        ws_id = f"{WS_ID}{i}"
        sa_id = f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st{i}"
        resources.append(SampleResource(t.WORKSPACE, f"ws{i}", {"id": ws_id, "publicNetworkAccess": "Disabled",
                                                                 "hbiWorkspace": True, "storageAccount": sa_id}))
        resources.append(SampleResource(network.PRIVATE_ENDPOINT, f"pe{i}", _pe_conn(ws_id)))
        resources.append(SampleResource(network.STORAGE_ACCOUNT, f"st{i}", {"id": sa_id, "publicNetworkAccess": "Disabled"}))
    items = [StackItem(r.type, r.name, r.urn(), r.props, None) for r in resources]
    for rule in (network.workspace_private_endpoint, network.hbi_workspace_storage_private):
        assert rule.evaluate(items) == [], rule.name
