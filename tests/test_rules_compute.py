"""The compute and online endpoint rules (policies/compute/, policies/endpoints/): what their
samples cannot express, namely fixes, unknowns during preview, secrets, the SDK's ``*Args``
defaults and stack size. Every sample of every rule runs in tests/test_samples.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies import rule_named
from policies.core import props as p
from policies.core import types as t
from policies.core.samples import SampleResource, ml_id
from policies.core.stack import StackItem
from tests.captures import secret
from tests.sdk import assert_messages, run_resource

COMPUTE, CLASSIC_CLUSTER = t.COMPUTE, t.CLASSIC_CLUSTER
ONLINE_ENDPOINT, ONLINE_DEPLOYMENT = t.ONLINE_ENDPOINT, t.ONLINE_DEPLOYMENT
UNKNOWN = p.UNKNOWN_STRING


def _rule(name: str) -> Any:
    return rule_named(name)


def test_fix_keeps_the_users_key_spelling_and_other_values() -> None:
    rule = _rule("compute-no-public-ip")
    bag: dict[str, Any] = {"properties": {"compute_type": "AmlCompute",
                                          "properties": {"enable_node_public_ip": True, "vm_size": "Standard_DS3_v2"}}}
    fixed = rule.remediated(COMPUTE, bag)
    assert fixed == {"properties": {"compute_type": "AmlCompute",
                                    "properties": {"enable_node_public_ip": False, "vm_size": "Standard_DS3_v2"}}}
    assert bag["properties"]["properties"]["enable_node_public_ip"] is True


def test_no_fix_for_compliant_or_other_kinds() -> None:
    assert _rule("compute-local-auth-disabled").remediated(COMPUTE, {"properties": {"computeType": "Kubernetes"}}) is None
    assert _rule("compute-cluster-scale").remediated(COMPUTE, {"properties": {"computeType": "AmlCompute", "properties": {
        "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 99}}}}) is None  # only minNodeCount is fixable


def test_wrongly_typed_config_is_reported_not_raised() -> None:
    messages = run_resource(_rule("compute-cluster-scale"), COMPUTE, {"properties": {"computeType": "AmlCompute"}},
                            {"maxNodes": "4"})
    assert messages == ["policy config 'maxNodes' must be of type integer; the rule was not evaluated"]


# --- unknown values during preview -----------------------------------------------------------


@pytest.mark.parametrize(("name", "props"), [
    ("compute-local-auth-disabled", {"properties": {"computeType": UNKNOWN}}),
    ("compute-allowed-vm-sizes", {"properties": {"computeType": "AmlCompute", "properties": {"vmSize": UNKNOWN}}}),
    ("compute-instance-idle-shutdown", {"properties": {"computeType": "ComputeInstance",
                                                      "properties": {"idleTimeBeforeShutdown": UNKNOWN}}}),
    ("online-deployment-model-pinned", {"properties": {"model": UNKNOWN}}),
])
def test_unknown_values_raise_the_sdk_error(name: str, props: dict[str, Any]) -> None:
    rule = _rule(name)
    with pytest.raises(UnknownValueError):
        run_resource(rule, rule.types[0], props)


def test_known_parts_are_reported_before_an_unknown() -> None:
    rule = _rule("compute-cluster-scale")
    found: list[str] = []
    props = {"properties": {"computeType": "AmlCompute", "properties": {"scaleSettings": {
        "maxNodeCount": UNKNOWN, "minNodeCount": 3, "nodeIdleTimeBeforeScaleDown": "PT5H"}}}}
    with pytest.raises(UnknownValueError):
        rule.evaluate(COMPUTE, props, report=found.append)
    assert_messages(found, ("minNodeCount is not 0", "longer than 1800 seconds"))


def _items(*resources: SampleResource, deps: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None) -> list[StackItem]:
    urns = {r.name: r.urn() for r in resources}
    return [StackItem(r.type, r.name, r.urn(), r.props, None, (),
                      {k: tuple(urns[n] for n in v) for k, v in (deps or {}).get(r.name, {}).items()}) for r in resources]


def _vnet(items: list[StackItem], config: Mapping[str, Any] | None = None) -> tuple[list[tuple[str, str | None]], bool]:
    found: list[tuple[str, str | None]] = []
    try:
        _rule("compute-in-virtual-network").evaluate(items, config, report=lambda m, u: found.append((m, u)))
    except UnknownValueError:
        return found, True
    return found, False


def _cluster(name: str, workspace: Any = "ws", properties: Any = None) -> SampleResource:
    """A cluster's outputs: its id below its workspace's (unknown with the workspace name)."""
    arm = UNKNOWN if workspace == UNKNOWN else ml_id("workspaces", workspace, "computes", name)
    return SampleResource(COMPUTE, name, {"id": arm, "name": name, "properties": {
        "computeType": "AmlCompute", "properties": {} if properties is None else properties}})


def _workspace(name: str = "ws", mode: Any = "Disabled") -> SampleResource:
    return SampleResource(t.WORKSPACE, name, {"id": ml_id("workspaces", name), "name": name, "managedNetwork": {"isolationMode": mode}})


def test_unknown_subnet_id_counts_as_a_subnet() -> None:
    found, unknown = _vnet(_items(_workspace(), _cluster("c", properties={"subnet": {"id": UNKNOWN}})))
    assert (found, unknown) == ([], False)


def test_unknown_properties_above_the_subnet_are_unknown_not_compliant() -> None:
    found, unknown = _vnet(_items(_workspace(), SampleResource(COMPUTE, "c", {
        "id": ml_id("workspaces", "ws", "computes", "c"), "properties": {"computeType": "AmlCompute", "properties": UNKNOWN}})))
    assert (found, unknown) == ([], True)


def test_unknown_isolation_skips_only_that_compute() -> None:
    items = _items(_workspace("a", UNKNOWN), _workspace("b"), _cluster("ca", "a"), _cluster("cb", "b"))
    found, unknown = _vnet(items)
    assert unknown and [u for _, u in found] == [items[3].urn]


def test_unknown_workspace_name_is_linked_by_property_dependency() -> None:
    items = _items(_workspace("ws", "AllowOnlyApprovedOutbound"), _cluster("c", UNKNOWN), deps={"c": {"workspaceName": ("ws",)}})
    assert _vnet(items) == ([], False)
    found, unknown = _vnet(_items(_workspace("ws", "AllowOnlyApprovedOutbound"), _cluster("c", UNKNOWN)))
    assert (found, unknown) == ([], True)


def test_same_workspace_name_twice_needs_both_isolated() -> None:
    items = _items(_workspace("ws", "AllowInternetOutbound"),
                   SampleResource(t.CLASSIC_WORKSPACE, "other", {"name": "WS", "id": ml_id("workspaces", "WS")}), _cluster("c"))
    found, _ = _vnet(items)
    assert len(found) == 1 and "no managed network isolation" in found[0][0]


def test_stack_rule_links_every_compute_of_a_large_stack() -> None:
    # Correct at scale; how it scales is measured by bench/run.py, not timed here.
    n = 5000
    resources = [_workspace(f"ws{i}", "AllowOnlyApprovedOutbound" if i % 2 else "Disabled") for i in range(n)]
    resources += [_cluster(f"c{i}", f"ws{i}") for i in range(n)]
    found, unknown = _vnet(_items(*resources))
    assert not unknown and len(found) == n // 2


# --- secrets ---------------------------------------------------------------------------------


def test_secret_values_are_judged_but_never_echoed() -> None:
    canary = "Standard_Canary_Q7"
    messages = run_resource(_rule("compute-allowed-vm-sizes"), COMPUTE, {"properties": {
        "computeType": "AmlCompute", "properties": {"vmSize": secret(canary)}}})
    assert len(messages) == 1 and canary not in messages[0]
    assert run_resource(_rule("compute-local-auth-disabled"), CLASSIC_CLUSTER, {"localAuthEnabled": secret(False)}) == []
    model = "azureml:secret-model-name@prod"
    messages = run_resource(_rule("online-deployment-model-pinned"), ONLINE_DEPLOYMENT, {"properties": {"model": secret(model)}})
    assert len(messages) == 1 and "secret-model-name" not in messages[0]


def test_security_rules_can_fail_closed() -> None:
    rule = _rule("compute-no-public-ip")
    props = {"properties": {"computeType": "AmlCompute", "properties": {"enableNodePublicIp": UNKNOWN}}}
    messages = run_resource(rule, COMPUTE, props, {"failClosed": True})
    assert len(messages) == 1 and "fails closed" in messages[0]
    found, unknown = _vnet(_items(_workspace("a", UNKNOWN), _cluster("ca", "a"), _cluster("cb", "b")), {"failClosed": True})
    assert not unknown
    assert len(found) == 2 and found[0][1] is not None and found[0][1].endswith("::cb")
    # Reported on the compute whose workspace's isolation mode is unknown, not on the stack.
    assert "fails closed" in found[1][0] and found[1][1] is not None and found[1][1].endswith("::ca")
    assert not _rule("compute-allowed-vm-sizes").security  # cost rules keep the SDK's advisory
