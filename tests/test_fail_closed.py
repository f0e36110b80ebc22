"""Preview semantics: an unknown value is "cannot tell yet" (the SDK's advisory) unless the
team asks security rules to fail closed, per rule (config failClosed) or pack-wide (stack
config azure-ml-governance:failClosed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies import RULES, rule_named
from policies.core.options import FAIL_CLOSED_STACK_KEY
from policies.core.props import UNKNOWN_STRING
from policies.core.rule import ResourceRule
from policy_gate.analyzer import PackOptions, analyze
from tests.captures import capture, only

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
WORKSPACE = "azure-native:machinelearningservices:Workspace"
UNKNOWN_IDENTITY = {"sku": {"name": "Basic"}, "identity": {"type": UNKNOWN_STRING}}


def test_security_rules_offer_fail_closed_and_others_do_not() -> None:
    for rule in RULES:
        assert ("failClosed" in {o.name for o in rule.config_options}) == rule.security, rule.name


def test_unknown_is_advisory_by_default() -> None:
    rule = rule_named("workspace-managed-identity")
    assert isinstance(rule, ResourceRule)
    with pytest.raises(UnknownValueError):
        rule.evaluate(WORKSPACE, UNKNOWN_IDENTITY)


def test_unknown_fails_closed_when_configured() -> None:
    rule = rule_named("workspace-managed-identity")
    assert isinstance(rule, ResourceRule)
    messages = rule.evaluate(WORKSPACE, UNKNOWN_IDENTITY, {"failClosed": True})
    assert len(messages) == 1 and "identity.type is unknown during preview" in messages[0]


def test_non_security_rules_stay_advisory_even_pack_wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG", f'{{"{FAIL_CLOSED_STACK_KEY}": "true"}}')
    import pulumi.runtime

    pulumi.runtime.set_config(FAIL_CLOSED_STACK_KEY, "true")
    try:
        rule = rule_named("workspace-allowed-sku")
        assert isinstance(rule, ResourceRule)
        with pytest.raises(UnknownValueError):
            rule.evaluate(WORKSPACE, {"sku": {"name": UNKNOWN_STRING}})
        identity = rule_named("workspace-managed-identity")
        assert isinstance(identity, ResourceRule)
        assert identity.evaluate(WORKSPACE, UNKNOWN_IDENTITY)  # the security rule fails closed pack-wide
    finally:
        pulumi.runtime.set_config(FAIL_CLOSED_STACK_KEY, "false")


def _preview(stack_config: dict[str, str] | None = None):
    stack = capture([(WORKSPACE, "ws", UNKNOWN_IDENTITY)], exports={"endpoint": UNKNOWN_STRING}, dry_run=True)
    stack.config = stack_config or {}
    return stack


@pytest.mark.process
def test_through_the_protocol_per_rule_config() -> None:
    config = {**only("workspace-allowed-sku", "no-secret-exports"),
              "workspace-managed-identity": {"enforcementLevel": "mandatory", "failClosed": True}}
    outcome = analyze(_preview(), PackOptions(ROOT), config)
    assert [(v.policy, v.level) for v in outcome.violations] == [("workspace-managed-identity", "mandatory")]
    assert [d.policy for d in outcome.diagnostics if d.kind == "unknown"] == ["no-secret-exports"]


@pytest.mark.process
def test_through_the_protocol_pack_wide_stack_config() -> None:
    foundation = only("workspace-allowed-sku", "workspace-managed-identity", "no-secret-exports")
    outcome = analyze(_preview({FAIL_CLOSED_STACK_KEY: "true"}), PackOptions(ROOT), foundation)
    assert sorted(v.policy for v in outcome.violations) == ["workspace-managed-identity"]
    # An unknown export whose source nothing records (as under the CLI) keeps the SDK's advisory even
    # failing closed, unless failClosedWithoutSource (tests/test_provenance.py).
    assert [d.policy for d in outcome.diagnostics if d.kind == "unknown"] == ["no-secret-exports"]
    default = analyze(_preview(), PackOptions(ROOT), foundation)
    assert default.violations == []
    assert sorted(d.policy for d in default.diagnostics if d.kind == "unknown") == [
        "no-secret-exports", "workspace-managed-identity"]
