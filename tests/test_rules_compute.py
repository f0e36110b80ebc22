"""The compute, online endpoint and featureset materialisation rules (policies/compute.py,
policies/endpoints.py): every sample through the SDK's own argument objects, plus the edge
cases the samples cannot express (unknowns during preview, secrets, the SDK's ``*Args``
defaults, ISO-8601 durations, stack size)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies import compute, endpoints
from policies import props as p
from policies import types as t
from policies.compute import CLASSIC_CLUSTER, COMPUTE, count_at_most, duration_seconds
from policies.endpoints import ONLINE_DEPLOYMENT, ONLINE_ENDPOINT
from policies.rule import ResourceRule, SampleResource, StackItem, StackRule
from tests.captures import program_inputs, secret
from tests.sdk import assert_messages, run_resource

RULES = (*compute.RULES, *endpoints.RULES)
RESOURCE_CASES = [(r, s) for r in RULES if isinstance(r, ResourceRule) for s in r.samples]
STACK_CASES = [(r, s) for r in RULES if isinstance(r, StackRule) for s in r.samples]
FIX_CASES = [(r, s) for r, s in RESOURCE_CASES if s.fixed is not None]
UNKNOWN = p.UNKNOWN_STRING


def _rule(name: str) -> Any:
    return next(r for r in RULES if r.name == name)


# --- every sample ----------------------------------------------------------------------------








def test_every_rule_has_compliant_and_non_compliant_samples_and_unique_names() -> None:
    assert len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert any(not s.violations for s in rule.samples), rule.name
        assert any(s.violations for s in rule.samples), rule.name
        if isinstance(rule, ResourceRule) and rule.fix is not None:
            assert any(s.fixed for s in rule.samples), rule.name


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


# --- ISO-8601 durations and counts -------------------------------------------------------------


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT15M", 900), ("PT1H30M", 5400), ("P1D", 86400), ("PT120S", 120), ("pt120s", 120), ("PT0.5H", 1800),
    ("PT1,5M", 90), ("P1W", 604800), ("P1DT2H", 93600), ("PT0S", 0), (" PT1H ", 3600), ("P0DT0H20M0S", 1200),
])
def test_duration_seconds(text: str, seconds: float) -> None:
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "P1Y", "P1M", "15M", "PT5", "-PT5M", "PT1H 30M", "1:00:00",
                                  "PT1M1H", "P1.5.2D"])
def test_duration_seconds_rejects(text: str) -> None:
    assert duration_seconds(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    (4, []), (4.0, []), ("4", []), (0, []), (5, ["exceeds the limit of 4 nodes (maxNodes)"]),
    (2.5, ["is a fraction"]), (True, ["is a boolean"]), ({}, ["is an object"]), (None, []),
])
def test_count_at_most(value: Any, expected: list[str]) -> None:
    found = list(count_at_most({"n": value}, "n", 4, "maxNodes", "nodes", "pass"))
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found))


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
    return SampleResource(COMPUTE, name, {"workspaceName": workspace, "properties": {
        "computeType": "AmlCompute", "properties": {} if properties is None else properties}})


def _workspace(name: str = "ws", mode: Any = "Disabled") -> SampleResource:
    return SampleResource(t.WORKSPACE, name, {"workspaceName": name, "managedNetwork": {"isolationMode": mode}})


def test_unknown_subnet_id_counts_as_a_subnet() -> None:
    found, unknown = _vnet(_items(_workspace(), _cluster("c", properties={"subnet": {"id": UNKNOWN}})))
    assert (found, unknown) == ([], False)


def test_unknown_properties_above_the_subnet_are_unknown_not_compliant() -> None:
    found, unknown = _vnet(_items(_workspace(), SampleResource(COMPUTE, "c", {
        "workspaceName": "ws", "properties": {"computeType": "AmlCompute", "properties": UNKNOWN}})))
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
    items = _items(_workspace("ws", "AllowInternetOutbound"), SampleResource(t.CLASSIC_WORKSPACE, "other", {"name": "WS"}),
                   _cluster("c"))
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


# --- the SDK's Args classes, through its own mocks -------------------------------------------

_PROGRAM = textwrap.dedent("""
    from pulumi_azure_native import machinelearningservices as ml

    ml.Compute("cluster", resource_group_name="rg", workspace_name="ws", properties=ml.AmlComputeArgs(
        compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
            vm_size="Standard_DS3_v2", scale_settings=ml.ScaleSettingsArgs(max_node_count=4))))
    ml.Compute("instance", resource_group_name="rg", workspace_name="ws", properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance", properties=ml.ComputeInstancePropertiesArgs(
            vm_size="Standard_DS3_v2", idle_time_before_shutdown="PT30M",
            ssh_settings=ml.ComputeInstanceSshSettingsArgs())))
    ml.Compute("plain", resource_group_name="rg", workspace_name="ws", properties={
        "compute_type": "AmlCompute", "properties": {"vm_size": "Standard_DS3_v2", "enable_node_public_ip": False,
                                                     "scale_settings": {"max_node_count": 2, "min_node_count": 1}}})
    ml.OnlineEndpoint("endpoint", resource_group_name="rg", workspace_name="ws",
                      properties=ml.OnlineEndpointPropertiesArgs(auth_mode="AADToken"))
    ml.OnlineDeployment("deployment", resource_group_name="rg", workspace_name="ws", endpoint_name="endpoint",
                        sku=ml.SkuArgs(name="Default", capacity=2),
                        properties=ml.ManagedOnlineDeploymentArgs(endpoint_compute_type="Managed", model="azureml:m:1"))
""")


@pytest.fixture(scope="module")
def sdk_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Inputs as the real azure-native classes serialise them, through the gate's runner."""
    return program_inputs(tmp_path_factory.mktemp("compute-args"), _PROGRAM)


def _judge(rule_name: str, resource: dict[str, Any]) -> list[str]:
    return run_resource(_rule(rule_name), resource["type"], resource["inputs"])


def test_args_defaults_are_judged_as_the_rules_say(sdk_inputs: dict[str, dict[str, Any]]) -> None:
    cluster, instance, plain = sdk_inputs["cluster"], sdk_inputs["instance"], sdk_inputs["plain"]
    # AmlComputePropertiesArgs fills enableNodePublicIp=true and remoteLoginPortPublicAccess=NotSpecified.
    assert_messages(_judge("compute-no-public-ip", cluster), ("enableNodePublicIp is true",))
    assert_messages(_judge("compute-ssh-not-public", cluster), ("remoteLoginPortPublicAccess is 'NotSpecified'",))
    # ScaleSettingsArgs fills minNodeCount=0 (a float over the wire); the rest of the cluster is compliant.
    assert p.get(cluster["inputs"], "properties.properties.scaleSettings.minNodeCount") == 0.0
    for name in ("compute-cluster-scale", "compute-allowed-vm-sizes", "compute-local-auth-disabled"):
        assert _judge(name, cluster) == [], name
    # ComputeInstanceSshSettingsArgs fills sshPublicAccess=Disabled; enableNodePublicIp stays absent.
    assert _judge("compute-ssh-not-public", instance) == []
    assert _judge("compute-instance-idle-shutdown", instance) == []
    assert_messages(_judge("compute-no-public-ip", instance), ("enableNodePublicIp is not set",))
    assert_messages(_judge("compute-local-auth-disabled", instance), ("disableLocalAuth is not set",))
    # A plain dict gets no defaults at all.
    assert _judge("compute-no-public-ip", plain) == []
    assert_messages(_judge("compute-cluster-scale", plain), ("minNodeCount is not 0",))
    assert_messages(_judge("compute-ssh-not-public", plain), ("remoteLoginPortPublicAccess is not set",))


def test_endpoint_args_defaults(sdk_inputs: dict[str, dict[str, Any]]) -> None:
    endpoint, deployment = sdk_inputs["endpoint"], sdk_inputs["deployment"]
    assert endpoint["type"] == ONLINE_ENDPOINT and deployment["type"] == ONLINE_DEPLOYMENT
    assert _judge("online-endpoint-aad-auth", endpoint) == []
    assert_messages(_judge("online-endpoint-no-public-access", endpoint), ("publicNetworkAccess is 'Enabled'",))
    assert_messages(_judge("online-deployment-no-public-egress", deployment), ("egressPublicNetworkAccess is 'Enabled'",))
    assert _judge("online-deployment-allowed-instances", deployment) == []  # Args fill Standard_F4s_v2, capacity 2.0
    assert _judge("online-deployment-model-pinned", deployment) == []


def test_security_rules_can_fail_closed() -> None:
    rule = _rule("compute-no-public-ip")
    props = {"properties": {"computeType": "AmlCompute", "properties": {"enableNodePublicIp": UNKNOWN}}}
    messages = run_resource(rule, COMPUTE, props, {"failClosed": True})
    assert len(messages) == 1 and "fails closed" in messages[0]
    found, unknown = _vnet(_items(_workspace("a", UNKNOWN), _cluster("ca", "a"), _cluster("cb", "b")), {"failClosed": True})
    assert not unknown
    assert len(found) == 2 and found[0][1] is not None and found[0][1].endswith("::cb")
    assert "fails closed" in found[1][0] and found[1][1] is None
    assert not _rule("compute-allowed-vm-sizes").security  # cost rules keep the SDK's advisory
