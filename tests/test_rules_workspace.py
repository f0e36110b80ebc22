"""The workspace rules (policies/workspace/): what their samples cannot express, namely unknown
preview values, property dependencies in stack rules, values never echoed, and stack-rule scale.
Every sample of every rule runs in tests/test_samples.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies.core import props as p
from policies.core import types as t
from policies.core.rule import ResourceRule, StackRule
from policies.core.samples import SampleResource
from policies.core.stack import StackItem
from policies.workspace import encryption, hbi, network, private_endpoint
from tests.sdk import run_resource

UNKNOWN = p.UNKNOWN_STRING
WS_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"


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


def test_unknown_key_ids_count_as_set() -> None:
    props = {"encryption": {"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": UNKNOWN, "keyIdentifier": UNKNOWN}}}
    assert run_resource(encryption.workspace_customer_managed_key, t.WORKSPACE, props) == []


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
    pe = _item(t.PRIVATE_ENDPOINT, "pe", _pe_conn(UNKNOWN),
               {"privateLinkServiceConnections": ((t.WORKSPACE, "ws"),)})
    assert _stack_outcome(private_endpoint.workspace_private_endpoint, [ws, pe]) == ([], False)


def test_private_endpoint_with_unknown_target_skips_only_what_it_may_reach() -> None:
    reached = _item(t.WORKSPACE, "a", {"publicNetworkAccess": "Disabled"})
    lonely = _item(t.WORKSPACE, "b", {"publicNetworkAccess": "Disabled", "id": WS_ID})
    unknown_list = _item(t.PRIVATE_ENDPOINT, "pe", {"privateLinkServiceConnections": UNKNOWN},
                         {"privateLinkServiceConnections": ((t.WORKSPACE, "a"),)})
    reported, raised = _stack_outcome(private_endpoint.workspace_private_endpoint, [reached, lonely, unknown_list])
    assert reported == [lonely.urn] and raised
    # A target nobody can name yet might be any workspace: none is reported, the advisory is raised.
    anywhere = _item(t.PRIVATE_ENDPOINT, "pe", _pe_conn(UNKNOWN))
    assert _stack_outcome(private_endpoint.workspace_private_endpoint, [lonely, anywhere]) == ([], True)


def test_private_endpoint_unknown_public_access_is_skipped() -> None:
    ws = _item(t.WORKSPACE, "ws", {"publicNetworkAccess": UNKNOWN})
    assert _stack_outcome(private_endpoint.workspace_private_endpoint, [ws]) == ([], True)


def test_hbi_storage_id_unknown_without_dependency_is_skipped() -> None:
    ws = _item(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": UNKNOWN})
    sa = _item(t.STORAGE_ACCOUNT, "st", {"id": UNKNOWN})
    assert _stack_outcome(hbi.hbi_workspace_storage_private, [ws, sa]) == ([], True)
    linked = _item(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": UNKNOWN},
                   {"storageAccount": ((t.STORAGE_ACCOUNT, "st"),)})
    assert _stack_outcome(hbi.hbi_workspace_storage_private, [linked, sa]) == ([sa.urn], False)


# --- values are never echoed -----------------------------------------------------------------

CANARY = "Canary7Q2xZ"


@pytest.mark.parametrize(("rule", "props"), [
    (network.workspace_public_network_disabled, {"publicNetworkAccess": CANARY}),
    (hbi.workspace_hbi_for_confidential, {"tags": {"data-classification": "confidential"}, "hbiWorkspace": CANARY}),
])
def test_free_form_values_are_not_echoed(rule: ResourceRule, props: dict[str, Any]) -> None:
    messages = run_resource(rule, t.WORKSPACE, props)
    assert messages and all(CANARY not in m for m in messages)


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
        resources.append(SampleResource(t.PRIVATE_ENDPOINT, f"pe{i}", _pe_conn(ws_id)))
        resources.append(SampleResource(t.STORAGE_ACCOUNT, f"st{i}", {"id": sa_id, "publicNetworkAccess": "Disabled"}))
    items = [StackItem(r.type, r.name, r.urn(), r.props, None) for r in resources]
    for rule in (private_endpoint.workspace_private_endpoint, hbi.hbi_workspace_storage_private):
        assert rule.evaluate(items) == [], rule.name
