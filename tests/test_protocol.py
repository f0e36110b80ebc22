"""The pack as the CLI runs it: a subprocess driven over the analyzer gRPC protocol."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import grpc
import jsonschema
import pytest
from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from policies import PACK_DESCRIPTION, PACK_NAME, RULES
from policies import pack as pack_meta
from policies.core import links
from policies.core.props import UNKNOWN_STRING
from policies.core.rule import ResourceRule, StackRule, primary_framework
from policy_gate import config as config_mod
from policy_gate.analyzer import EngineServer, PackOptions, PackProcess, analyze, policy_metas
from policy_gate.errors import UsageError
from policy_gate.reports import Redactor, render
from tests.captures import ROOT_URN, capture, from_samples, only, secret, urn
from tests.sdk import assert_messages, turned_on

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
PACK = PackOptions(ROOT)
MISC = PackOptions(ROOT / "tests" / "fixtures" / "misc_pack")
STORAGE_KEY = "Zm9v" * 21 + "Ym=="


def analyzer_info(options: PackOptions = PACK) -> analyzer_pb2.AnalyzerInfo:
    """The pack's GetAnalyzerInfo answer, as ``pulumi policy publish`` reads it to publish."""
    with PackProcess(options, {"PATH": "/usr/bin:/bin"}) as pack:
        stub: analyzer_pb2_grpc.AnalyzerStub = pack.connect()
        return stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)


def test_analyzer_info_carries_every_rule_with_metadata() -> None:
    info = analyzer_info()
    assert info.name == PACK_NAME
    # What Pulumi Cloud shows of the pack (CreatePolicyPackRequest takes them from here).
    assert info.displayName == pack_meta.DISPLAY_NAME and info.description == PACK_DESCRIPTION
    assert info.repository == links.REPOSITORY and info.provider == "azure"
    assert info.readme == pack_meta.readme() and info.readme.startswith("# Azure ML governance for Pulumi")
    assert {"azure", "azure-machine-learning", "mcsb-v1", "azure-policy", "checkov"} <= set(info.tags)
    by_name = {p.name: p for p in info.policies}
    assert set(by_name) == {r.name for r in RULES}
    for rule in RULES:
        policy = by_name[rule.name]
        assert policy.description == rule.description
        assert policy.displayName == rule.title
        assert policy.url == links.rule_url(rule.name)
        assert policy.remediation_steps == rule.remediation
        assert policy.severity != 0
        schema = json_format.MessageToDict(policy.configSchema.properties)
        assert set(schema) == {o.name for o in rule.config_options}
        assert all("default" in s for s in schema.values())
        assert [t for t in policy.tags if ":" in t] == [f.tag for f in rule.frameworks]  # every framework, in order
        primary = primary_framework(rule.frameworks)
        assert policy.HasField("framework") is (primary is not None)
        if primary is not None:
            assert (policy.framework.name, policy.framework.version, policy.framework.reference,
                    policy.framework.specification) == (primary.source, primary.version, primary.id, primary.title)
    assert {by_name[r.name].framework.version for r in RULES if any(f.source == "MCSB" for f in r.frameworks)} == {"v1"}


def test_the_gate_reads_each_rule_title_and_link() -> None:
    """What the reports show as each rule's heading and link (SARIF name and helpUri, Markdown)."""
    metas = {m.name: m for m in policy_metas(analyzer_info())}
    assert {name: (m.title, m.url) for name, m in metas.items()} == {
        r.name: (r.title, links.rule_url(r.name)) for r in RULES}


def _resource_groups() -> dict[tuple[str, str], list[tuple[ResourceRule, Any, int]]]:
    groups: dict[tuple[str, str], list[tuple[ResourceRule, Any, int]]] = defaultdict(list)
    for rule in RULES:
        if isinstance(rule, ResourceRule):
            for index, sample in enumerate(rule.samples):
                groups[(rule.name, repr(sorted(sample.config.items())))].append((rule, sample, index))
    return groups


@pytest.mark.parametrize("group", list(_resource_groups().values()), ids=[f"{k[0]} {k[1]}" for k in _resource_groups()])
def test_resource_samples_through_protocol(group: list[tuple[ResourceRule, Any, int]]) -> None:
    rule = group[0][0]
    config = {rule.name: turned_on(rule, group[0][1].config)}
    level = config[rule.name].get("enforcementLevel", rule.level.value)
    resources = [(sample.type or rule.types[0], sample.resource or f"{rule.name}-{index}", sample.props)
                 for _, sample, index in group]
    if problems := list(jsonschema.Draft7Validator({"type": "object", "properties": {
            o.name: dict(o.schema) for o in rule.config_options}}).iter_errors(config[rule.name])):
        # The CLI (and the gate) reject such a config before the pack sees it; the rule's own
        # check only matters when a config bypasses validation (tested in test_samples).
        with pytest.raises(UsageError, match=f"policy '{rule.name}'"):
            analyze(capture(resources), PACK, config)
        assert problems
        return
    outcome = analyze(capture(resources), PACK, config)
    assert outcome.diagnostics == [] and outcome.not_applicable == []
    for _, sample, index in group:
        resource_urn = urn(sample.type or rule.types[0], sample.resource or f"{rule.name}-{index}")
        assert_messages([v.message for v in outcome.violations if v.urn == resource_urn and v.policy == rule.name],
                        sample.violations)
        assert all(v.level == level for v in outcome.violations if v.policy == rule.name)


STACK_CASES = [(rule, sample) for rule in RULES if isinstance(rule, StackRule) for sample in rule.samples]


@pytest.mark.parametrize(("rule", "sample"), STACK_CASES, ids=[f"{r.name}: {s.name}" for r, s in STACK_CASES])
def test_stack_samples_through_protocol(rule: StackRule, sample: Any) -> None:
    outcome = analyze(from_samples(sample.resources), PACK, {rule.name: dict(sample.config)})
    assert_messages([v.message for v in outcome.violations if v.policy == rule.name], sample.violations)


def test_config_changes_results_and_levels() -> None:
    stack = capture([("azure-native:machinelearningservices:Workspace", "ws", {"sku": {"name": "Standard"},
                                                                               "identity": {"type": "SystemAssigned"}})])
    two = only("workspace-allowed-sku", "workspace-managed-identity")
    strict = analyze(stack, PACK, two)
    assert [(v.policy, v.level) for v in strict.violations] == [("workspace-allowed-sku", "mandatory")]
    relaxed = analyze(stack, PACK, {**two, "workspace-allowed-sku": {"allowedSkus": ["Basic", "Standard"]}})
    assert relaxed.violations == []
    advisory = analyze(stack, PACK, {"all": "advisory"})
    assert ("workspace-allowed-sku", "advisory") in [(v.policy, v.level) for v in advisory.violations]
    assert {v.level for v in advisory.violations} == {"advisory"}
    disabled = analyze(stack, PACK, {"all": "disabled"})
    assert disabled.violations == []


@pytest.mark.parametrize(("config", "fragment"), [
    ({"workspace-allowed-sku": {"allowedSkus": "Basic"}}, "policy 'workspace-allowed-sku', key allowedSkus"),
    # The CLI's own texts (pkg/resource/analyzer/config.go parsePolicyPackConfig, extractEnforcementLevel).
    ({"workspace-allowed-sku": {"enforcementLevel": "loud"}},
     'parsing enforcement level for "workspace-allowed-sku": "loud" is not a valid enforcement level'),
    ({"workspace-allowed-sku": "loud"},
     'parsing enforcement level for "workspace-allowed-sku": "loud" is not a valid enforcement level'),
    ({"workspace-allowed-sku": {"enforcementLevel": 3}},
     'parsing enforcement level for "workspace-allowed-sku": 3 is not a valid enforcement level; must be a string'),
    ({"workspace-allowed-sku": 3}, 'parsing "workspace-allowed-sku": 3 is not a valid value; must be a string or object'),
    ({"workspace-allowed-sku": [True, None]},
     'parsing "workspace-allowed-sku": [true <nil>] is not a valid value; must be a string or object'),
    # analyzer_plugin.go Configure: every entry goes to the pack and needs a level.
    ({"all": {"allowedSkus": []}}, 'invalid enforcement level ""'),
    ({"no-such-policy": {"threshold": 1}}, 'invalid enforcement level ""'),
])
def test_invalid_config_is_a_usage_error(config: dict[str, Any], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        analyze(capture([]), PACK, config)
    assert fragment in caught.value.message


def test_config_the_cli_accepts_is_passed_on_with_warnings() -> None:
    """Unknown policy names, ``all`` with properties and keys no policy declares are accepted
    and sent to Configure, as the CLI sends them (applyConfig); the gate warns about each."""
    stack = capture([("azure-native:machinelearningservices:Workspace", "ws", {"sku": {"name": "Standard"}})])
    config = {"all": {"enforcementLevel": "disabled", "note": "x"}, "no-such-policy": "advisory",
              "workspace-allowed-sku": {"enforcementLevel": "mandatory", "typo": 1}, "empty": {}}
    outcome = analyze(stack, PACK, config)
    assert [v.policy for v in outcome.violations] == ["workspace-allowed-sku"]
    warnings = outcome.warnings
    assert len(warnings) == 3, warnings
    assert any("no policy named 'no-such-policy'" in w for w in warnings)
    assert any("'all' sets only the enforcement level" in w and "note" in w for w in warnings)
    assert any("policy 'workspace-allowed-sku' has no config key 'typo'" in w for w in warnings)
    merged = config_mod.merge(outcome.policies, {}, config)  # what Configure received
    assert merged["no-such-policy"] == ("advisory", {}) and merged["all"] == ("disabled", {"note": "x"})
    assert merged["workspace-allowed-sku"][0] == "mandatory" and merged["workspace-allowed-sku"][1]["typo"] == 1
    assert "empty" not in merged and merged["workspace-managed-identity"][0] == "disabled"


def test_unknown_values_give_the_sdk_advisory_during_preview() -> None:
    stack = capture([("azure-native:machinelearningservices:Workspace", "ws",
                      {"sku": {"name": UNKNOWN_STRING}, "identity": {"type": "SystemAssigned"}})], dry_run=True)
    outcome = analyze(stack, PACK, only("workspace-allowed-sku", "workspace-managed-identity"))
    assert outcome.violations == []
    assert [(d.kind, d.policy) for d in outcome.diagnostics] == [("unknown", "workspace-allowed-sku")]
    assert "can't be known during preview" in outcome.diagnostics[0].message


def test_secret_values_are_never_echoed() -> None:
    canary = "Canary-Sku-7Q2"
    stack = capture([("azure-native:machinelearningservices:Workspace", "ws",
                      {"sku": {"name": secret(canary)}, "identity": {"type": secret("NoSuchIdentityKind")}})],
                    exports={"workspace_primary_key": secret(STORAGE_KEY), "note": secret(f"see {canary}")})
    outcome = analyze(stack, PACK, {})
    assert {"workspace-allowed-sku", "workspace-managed-identity", "no-secret-exports"} <= {
        v.policy for v in outcome.violations}
    redact = Redactor(stack.secret_strings())
    rendered = render("json", outcome, stack, redact) + render("text", outcome, stack, redact)
    for value in (canary, STORAGE_KEY, "NoSuchIdentityKind"):
        assert value not in rendered
        assert all(value not in v.message for v in outcome.violations)


def test_not_applicable_logs_and_remediation_through_a_generic_pack() -> None:
    type_token = "test:index:Thing"
    stack = capture([(type_token, "a", {"flag": True}), (type_token, "b", {})])
    outcome = analyze(stack, MISC, {})
    assert outcome.pack_name == "misc-test-pack" and outcome.pack_version == "9.9.9"
    # The engine calls Analyze for every registered resource, the root stack included.
    assert sorted((n.policy, n.urn, n.reason) for n in outcome.not_applicable if n.policy == "skip-everything") == [
        ("skip-everything", ROOT_URN, "nothing to judge here"),
        ("skip-everything", urn(type_token, "a"), "nothing to judge here"),
        ("skip-everything", urn(type_token, "b"), "nothing to judge here"),
    ]
    # auto-tag remediates before Analyze, so require-tagged sees the tag and stays quiet.
    assert sorted((r.policy, r.urn) for r in outcome.remediations) == [("auto-tag", ROOT_URN),
                                                                        ("auto-tag", urn(type_token, "a")),
                                                                        ("auto-tag", urn(type_token, "b"))]
    assert [(v.policy, v.urn) for v in outcome.violations if v.level == "mandatory"] == [
        ("log-and-flag", urn(type_token, "a"))]
    assert ("count", ROOT_URN, "3 resources") in [(v.policy, v.urn, v.message) for v in outcome.violations]
    assert not [v for v in outcome.violations if v.policy == "require-tagged"]
    logs = [d.message for d in outcome.diagnostics if d.kind == "log"]
    assert any("looked at a" in line for line in logs) and any("looked at b" in line for line in logs)


def test_without_remediation_the_tag_is_missing() -> None:
    stack = capture([("test:index:Thing", "a", {})])
    outcome = analyze(stack, MISC, {"auto-tag": "disabled"})
    assert sorted((v.policy, v.urn) for v in outcome.violations if v.level == "mandatory") == [
        ("require-tagged", ROOT_URN), ("require-tagged", urn("test:index:Thing", "a"))]
    assert outcome.remediations == []


def test_pack_that_fails_to_start_is_a_run_error(tmp_path: Path) -> None:
    from policy_gate.errors import RunError

    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack: cannot load rules')\n")
    with pytest.raises(RunError) as caught:
        analyze(capture([]), PackOptions(tmp_path), {})
    assert "before printing its port" in caught.value.message
    assert "broken pack" in caught.value.message


def test_grpc_is_loopback_only() -> None:
    with EngineServer() as engine:
        assert engine.address.startswith("127.0.0.1:")
    assert grpc  # the channel targets 127.0.0.1 (see PackProcess.connect)


FIX_CASES = [(rule, sample) for rule in RULES if isinstance(rule, ResourceRule) and rule.fix
             for sample in rule.samples if sample.fixed is not None]


@pytest.mark.parametrize(("rule", "sample"), FIX_CASES, ids=[f"{r.name}: {s.name}" for r, s in FIX_CASES])
def test_fixes_through_remediate(rule: ResourceRule, sample: Any) -> None:
    """At level ``remediate`` the CLI calls Remediate first and analyses the fixed inputs."""
    type_token = sample.type or rule.types[0]
    outcome = analyze(capture([(type_token, "r", sample.props)]), PACK,
                      {rule.name: {"enforcementLevel": "remediate", **sample.config}})
    assert [(r.policy, r.urn) for r in outcome.remediations] == [(rule.name, urn(type_token, "r"))]
    assert not [v for v in outcome.violations if v.policy == rule.name]
