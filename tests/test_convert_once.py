"""``policies/core/convert_once.py``: each request converted once for every policy, with responses
identical to the SDK's own servicer (tests/differential.py) on every sample of every rule, edge
requests, the hypothesis strategies, the benchmark's stacks, the reference stack and the
antipatterns example, on the newest pulumi-policy (this interpreter) and the oldest admitted one
(``POLICY_PACK_FLOOR_PYTHON``, in a subprocess); and the install guard.
"""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from hypothesis import given, settings
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import policy as sdk
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy, unknown_checking_proxy

from bench import stacks
from policies import RULES
from policies.core import convert_once
from policies.core.convert_once import SDK_SERVICER, ConvertOnceServicer, LazyDictProxy
from policies.core.linking import Linker
from policies.core.props import SECRET_SIG, SIG_KEY, UNKNOWN_STRING
from policies.core.rule import ResourceRule, StackRule
from policy_gate import config as gate_config
from policy_gate.analyzer import analyze_request, configure_request, initial_config, policy_metas, stack_request
from policy_gate.capture import Capture, Resource
from tests import differential
from tests.captures import capture, from_samples
from tests.differential import Case, Corpus
from tests.strategies import resource_cases, stack_cases
from tests.test_properties import PROFILE

ROOT = Path(__file__).resolve().parent.parent
FLOOR = os.environ.get("POLICY_PACK_FLOOR_PYTHON")
ASSET_SIG, ARCHIVE_SIG = "c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"
FIXABLE = [r for r in RULES if isinstance(r, ResourceRule) and r.fix is not None]
# The user configs the rules go through (merged as the CLI merges them, by the gate).
RULE_CONFIGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "remediate": {r.name: "remediate" for r in FIXABLE},
    "enforce": json.loads((ROOT / "presets" / "enforce.json").read_text()),
    "antipatterns": json.loads((ROOT / "examples" / "antipatterns" / "policy-config.json").read_text()),
    "half-disabled": {"all": "disabled", **{r.name: "mandatory" for r in RULES[::2]}},
    "all-disabled": {"all": "disabled"},  # nothing converts: a request the SDK cannot convert passes
}
PROBE_CONFIGS: dict[str, dict[str, str]] = {
    "defaults": {},
    "remediate": {"probe-remediate-only": "remediate", "probe-validate-remediate": "remediate", "probe-writer": "remediate"},
    "boom": {"probe-boom": "mandatory", "probe-stack-boom": "advisory"},
}


def _merged(pack: str, user: Mapping[str, Any]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    info = differential.servicers(pack)[0].GetAnalyzerInfo(None, None)
    return configure_request(gate_config.merge(policy_metas(info), initial_config(info), user, "test"))


def edge_capture() -> Capture:
    """What the samples lack: assets and archives, secrets around containers, unknowns in lists,
    every resource option, a provider, parents, dependencies and a URN given twice."""
    asset = {SIG_KEY: ASSET_SIG, "path": "main.py"}
    archive = {SIG_KEY: ARCHIVE_SIG, "assets": {"a": asset, "b": {SIG_KEY: ASSET_SIG, "text": "hello"}}}
    bag = {"code": asset, "bundle": archive, "remote": {SIG_KEY: ARCHIVE_SIG, "uri": "https://x/y.zip"},
           "secretMap": {SIG_KEY: SECRET_SIG, "value": {"inner": {SIG_KEY: SECRET_SIG, "value": [UNKNOWN_STRING, 1.0]}}},
           "list": [UNKNOWN_STRING, {"a": UNKNOWN_STRING}, [asset], None, True, "x"], "empty": {}, "nothing": [],
           "tail": [1.0, {"deep": UNKNOWN_STRING}],
           "apple": 1.5, "unknownMap": "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"}
    result = capture([("azure-native:machinelearningservices:Workspace", "edge", bag),
                      ("azure-native:machinelearningservices:Compute", "child", {"properties": bag}),
                      ("azure-native:machinelearningservices:Compute", "child", {"twice": True})])
    provider = Resource(urn="urn:pulumi:dev::sample::pulumi:providers:azure-native::default", type="pulumi:providers:azure-native",
                        name="default", id="pid", inputs={"location": "westeurope", "creds": {SIG_KEY: SECRET_SIG, "value": "s"}},
                        outputs={"location": UNKNOWN_STRING})
    edge, child = result.resources[1], result.resources[2]
    child.parent, child.dependencies, child.property_dependencies = edge.urn, [edge.urn, "urn:gone"], {"workspaceName": [edge.urn], "x": []}
    for resource in result.resources[1:]:
        resource.provider = f"{provider.urn}::{provider.id}"
        resource.protect, resource.ignore_changes, resource.aliases = True, ["tags"], ["urn:old"]
        resource.additional_secret_outputs, resource.delete_before_replace = ["code"], False
        resource.custom_timeouts = {"create": "1m30s", "delete": "2h"}
    result.resources.append(provider)
    return result


def _raising_requests() -> Iterator[tuple[str, analyzer_pb2.AnalyzeRequest]]:
    """Requests the SDK cannot convert: it raises, and must raise alike (or not, when no policy converts)."""
    nan = analyzer_pb2.AnalyzeRequest(type="azure-native:machinelearningservices:Workspace", urn="urn:nan", name="nan")
    nan.properties.update({"x": float("nan")})
    bad = analyzer_pb2.AnalyzeRequest(type="azure-native:machinelearningservices:Workspace", urn="urn:sig", name="sig")
    bad.properties.update({"x": {SIG_KEY: "not-a-signature"}})
    yield "nan", nan
    yield "bad signature", bad


def add_capture(corpus: Corpus, label: str, captured: Capture, configs: Mapping[str, Mapping[str, int]]) -> None:
    """Every resource of ``captured`` through Analyze (and Remediate under a remediate config),
    the whole stack through AnalyzeStack, under every config of both packs."""
    by_urn = captured.by_urn()
    analyze = [(r.urn, analyze_request(r, r.inputs, by_urn)) for r in captured.resources if not r.is_root_stack and not r.is_provider]
    stack = stack_request(captured, by_urn)
    for pack, indexes in configs.items():
        for name, index in indexes.items():
            methods = ("Analyze", "Remediate") if name == "remediate" else ("Analyze",)
            corpus.cases.extend(Case(f"{label} {urn} ({name})", pack, index, m, r) for urn, r in analyze for m in methods)
            corpus.cases.append(Case(f"{label} stack ({name})", pack, index, "AnalyzeStack", stack))


def sample_captures() -> Iterator[tuple[str, Capture]]:
    for rule in RULES:
        if isinstance(rule, StackRule):
            yield from ((f"{rule.name}[{i}]", from_samples(s.resources)) for i, s in enumerate(rule.samples))
        elif isinstance(rule, ResourceRule):
            yield from ((f"{rule.name}[{i}]", capture([(s.type or rule.types[0], s.name, s.props)])) for i, s in enumerate(rule.samples))


def base_corpus() -> tuple[Corpus, dict[str, dict[str, int]]]:
    corpus = Corpus()
    configs = {"rules": {name: corpus.config(_merged("rules", user)) for name, user in RULE_CONFIGS.items()},
               "probes": {name: corpus.config(_merged("probes", user)) for name, user in PROBE_CONFIGS.items()}}
    return corpus, configs


def _assert_identical(corpus: Corpus) -> None:
    found = differential.run(corpus)
    assert not found, f"{len(found)} of {len(corpus.cases)} differ; first: {found[:3]}"


# -- the rules and the probes, on every sample and the edge requests ----------------------------

def every_request(configs: Mapping[str, Mapping[str, int]], corpus: Corpus, labels: Iterator[tuple[str, Capture]]) -> Corpus:
    """The captures, the edge requests, the benchmark's stacks and the requests the SDK cannot convert."""
    for label, captured in [*labels, ("edge", edge_capture()), ("ml-stack", stacks.ml_stack(70)), ("workspaces", stacks.workspace_capture(5))]:
        add_capture(corpus, label, captured, configs)
    for label, request in _raising_requests():
        for pack, indexes in configs.items():
            corpus.cases.extend(Case(label, pack, i, "Analyze", request) for i in indexes.values())
    return corpus


def test_every_sample_and_edge_request_gives_identical_responses() -> None:
    """The fast tier: every sample under the default, remediate and all-disabled configs (the rules) and the
    default one (the probes); every config in the full tier (below)."""
    corpus, configs = base_corpus()
    fast = {"rules": {k: configs["rules"][k] for k in ("defaults", "remediate", "all-disabled")},
            "probes": {"defaults": configs["probes"]["defaults"]}}
    every_request(fast, corpus, sample_captures())
    assert len(corpus.cases) > 2000
    _assert_identical(corpus)


def test_the_probes_saw_what_they_would_have_seen() -> None:
    """Not vacuous: the probes report, the writer's writes show in its own report only, the
    stack reader sees linked parents, and unknowns raise where they are read."""
    stock, fast = differential.servicers("probes")
    request = analyze_request(edge_capture().resources[1], edge_capture().resources[1].inputs, edge_capture().by_urn())
    for servicer in (stock, fast):
        servicer.Configure(configure_request({}), None)
    response = fast.Analyze(request, None)
    reports = {d.policyName: d.message for d in response.diagnostics}
    assert "probe-written" in reports["probe-writer"] and "probe-written" not in reports["probe-reader"]
    assert "string value at .list.0" in reports["probe-reader"] and "can't be known" in reports["probe-reader"]
    assert any(d.policyName == "probe-strict" and "during preview" in d.message for d in response.diagnostics)
    assert response == stock.Analyze(request, None)


# -- the hypothesis strategies ------------------------------------------------------------------

def _rule_config(rule: Any, config: Mapping[str, Any]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Every rule at its level with its defaults, ``rule`` with the case's config (unvalidated, as
    the SDK receives whatever the engine sends)."""
    level = {r.name: ("remediate" if r in FIXABLE else r.level.value) for r in RULES}
    return configure_request({r.name: (level[r.name], {**r.defaults(), **(config if r is rule else {})}) for r in RULES})


def hypothesis_cases(rule: Any, case: Any) -> Corpus:
    corpus = Corpus()
    index = corpus.config(_rule_config(rule, case.config))
    if isinstance(rule, StackRule):
        corpus.cases.append(Case(f"{rule.name} stack", "rules", index, "AnalyzeStack", stack_request(from_samples(case.resources))))
    else:
        resource = Resource(urn=f"urn:pulumi:dev::p::{case.type}::r", type=case.type, name="r", inputs=dict(case.props))
        request = analyze_request(resource, resource.inputs, {})
        corpus.cases.extend(Case(f"{rule.name} {m}", "rules", index, m, request) for m in ("Analyze", "Remediate"))
    return corpus


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_hypothesis_cases_give_identical_responses(rule: Any) -> None:
    strategy = stack_cases(rule) if isinstance(rule, StackRule) else resource_cases(rule)

    @settings(PROFILE, max_examples=min(PROFILE.max_examples, 50))  # the rules' own robustness: test_properties
    @given(case=strategy)
    def check(case: Any) -> None:
        _assert_identical(hypothesis_cases(rule, case))

    check()


# -- the views themselves -----------------------------------------------------------------------

def test_each_request_is_converted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The point of the adapter: one MessageToDict per request (and per provider), not one per policy."""
    calls: list[int] = []
    original = json_format.MessageToDict

    def counted(message: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(message, *args, **kwargs)

    monkeypatch.setattr(json_format, "MessageToDict", counted)
    captured = stacks.workspace_capture(2)
    request = analyze_request(captured.resources[2], captured.resources[2].inputs, captured.by_urn())
    stock, fast = differential.servicers("rules")
    for servicer in (stock, fast):
        servicer.Configure(_merged("rules", {}), None)
    stack = stack_request(captured)
    counts = []
    for servicer, method, message in ((stock, "Analyze", request), (fast, "Analyze", request),
                                      (stock, "AnalyzeStack", stack), (fast, "AnalyzeStack", stack)):
        calls.clear()
        getattr(servicer, method)(message, None)
        counts.append(len(calls))
    # The stock SDK converts for each policy it runs: not the opt-in ones, disabled by default.
    enabled = [r for r in RULES if not r.opt_in]
    resource_policies = sum(isinstance(r, ResourceRule) for r in enabled)
    per_request = 1 + request.HasField("provider")
    per_stack = sum(1 + r.HasField("provider") for r in stack.resources)
    assert per_request == 2 and per_stack > len(stack.resources)
    assert counts == [resource_policies * per_request, per_request, (len(enabled) - resource_policies) * per_stack, per_stack]


def test_stack_rules_share_one_index_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's stack rules build the stack's items, index and linker once per AnalyzeStack
    request on the adapter (one per policy on the SDK's own servicer), and nothing outlives the request."""
    built: list[str] = []
    original = Linker.__init__

    def counted(self: Linker, index: Any) -> None:
        built.append("linker")
        original(self, index)

    monkeypatch.setattr(Linker, "__init__", counted)
    stock, fast = differential.servicers("rules")
    for servicer in (stock, fast):
        servicer.Configure(_merged("rules", {}), None)
    stack = stack_request(stacks.workspace_capture(3))
    counts = []
    for servicer in (stock, fast):
        built.clear()
        servicer.AnalyzeStack(stack, None)
        counts.append(len(built))
    assert counts[0] > 5 and counts[1] == 1
    assert convert_once.request_memo() is None
    built.clear()
    fast.AnalyzeStack(stack, None)  # a new request: built again, from its own resources
    assert built == ["linker"]


@pytest.mark.parametrize("stock", [False, True], ids=["adapter", "stock"])
def test_a_stack_request_leaves_no_cyclic_garbage(stock: bool) -> None:
    """What the stack rules share (items, index, linker, estate) forms no reference cycle, so it is
    freed when the request ends, not at the cyclic collector's next run: a large stack's memory
    would otherwise pile up across requests (the pack raises the collector's threshold)."""
    import gc

    pair = differential.servicers("rules")
    servicer = pair[0] if stock else pair[1]
    servicer.Configure(_merged("rules", {}), None)
    request = stack_request(stacks.ml_stack(140))
    servicer.AnalyzeStack(request, None)
    gc.collect()
    gc.disable()
    try:
        servicer.AnalyzeStack(request, None)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_options_and_provider_are_built_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most policies never read ``opts`` or ``provider``: the adapter builds them for those that do
    (the probes), one object per policy (a write stays in its policy, test_a_write_stays_in_its_own_view)."""
    calls: list[int] = []
    original = SDK_SERVICER._get_resource_options

    def counted(self: Any, request: Any) -> Any:
        calls.append(1)
        return original(self, request)

    monkeypatch.setattr(SDK_SERVICER, "_get_resource_options", counted)
    captured = stacks.workspace_capture(1)
    request = analyze_request(captured.resources[2], captured.resources[2].inputs, captured.by_urn())
    counts = []
    for pack in ("rules", "probes"):
        _, fast = differential.servicers(pack)
        fast.Configure(_merged(pack, {}), None)
        calls.clear()
        fast.Analyze(request, None)
        fast.AnalyzeStack(stack_request(captured), None)
        counts.append(len(calls))
    assert counts[0] == 0 and counts[1] > 0


def test_the_runtime_is_configured_again_only_when_its_variables_change(monkeypatch: pytest.MonkeyPatch) -> None:
    import pulumi

    calls: list[int] = []
    original = SDK_SERVICER._configure_runtime_settings

    def counted(self: Any) -> None:
        calls.append(1)
        original(self)

    monkeypatch.setattr(SDK_SERVICER, "_configure_runtime_settings", counted)
    for name, value in (("PULUMI_PROJECT", "p"), ("PULUMI_STACK", "dev"), ("PULUMI_DRY_RUN", "true")):
        monkeypatch.setenv(name, value)
    _, fast = differential.servicers("rules")
    fast.Configure(_merged("rules", {}), None)
    captured = stacks.workspace_capture(1)
    request = analyze_request(captured.resources[2], captured.resources[2].inputs, captured.by_urn())
    for _ in range(3):
        fast.Analyze(request, None)
    assert len(calls) == 1 and pulumi.runtime.is_dry_run()
    monkeypatch.setenv("PULUMI_DRY_RUN", "false")
    fast.AnalyzeStack(stack_request(captured), None)
    assert len(calls) == 2 and not pulumi.runtime.is_dry_run()


def test_policies_that_judge_other_types_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule declares the types it judges (``APPLIES_TO``): Analyze builds arguments only for the
    rules that judge the request's type; a policy without the attribute (the probes) runs on every type."""
    configs: list[str] = []
    original = SDK_SERVICER._get_policy_config

    def counted(self: Any, name: str) -> Any:
        configs.append(name)
        return original(self, name)

    monkeypatch.setattr(SDK_SERVICER, "_get_policy_config", counted)
    captured = stacks.workspace_capture(1)
    workspace = next(r for r in captured.resources if r.type.endswith(":Workspace"))
    request = analyze_request(workspace, workspace.inputs, captured.by_urn())
    judging = {r.name for r in RULES if isinstance(r, ResourceRule) and not r.opt_in and r.applies_to(workspace.type)}
    seen: dict[tuple[str, str], list[str]] = {}
    for pack in ("rules", "probes"):
        for kind, servicer in zip(("stock", "fast"), differential.servicers(pack)):
            servicer.Configure(_merged(pack, {}), None)
            configs.clear()
            servicer.Analyze(request, None)
            seen[pack, kind] = sorted(configs)
    assert set(seen["rules", "fast"]) == judging and len(judging) < len(seen["rules", "stock"]) / 2
    assert seen["probes", "fast"] == seen["probes", "stock"] != []


def test_views_behave_as_the_sdk_proxy() -> None:
    tree = {"a": {"b": [1.0, {"c": UNKNOWN_STRING}, [2.0]], "d": "x"}, "u": UNKNOWN_STRING}
    stock, lazy = unknown_checking_proxy(tree), LazyDictProxy(tree, [])
    assert isinstance(lazy, _DictProxy) and isinstance(lazy["a"]["b"], _ListProxy)
    assert lazy["a"] is lazy["a"] and lazy["a"]["b"][-1] is lazy["a"]["b"][2]
    for view in (stock, lazy):
        with pytest.raises(UnknownValueError) as raised:
            view["a"]["b"][-2]["c"]
        assert raised.value.props == ["a", "b", "1", "c"]
        with pytest.raises(UnknownValueError):
            "u" in view  # noqa: B015 - Mapping.__contains__ reads the value, as in the SDK
        assert view["a"]["b"][0:2][1]["__target"] == {"c": UNKNOWN_STRING}
        assert list(view) == ["a", "u"] and view.get("zz", 3) == 3 and len(view["a"]["b"]) == 3
        with pytest.raises(KeyError):
            view["zz"]
        with pytest.raises(IndexError):
            view["a"]["b"][5]


def test_a_write_stays_in_its_own_view() -> None:
    tree = {"a": {"b": [1.0]}, "k": "v"}
    first, second = LazyDictProxy(tree, []), LazyDictProxy(tree, [])
    first["a"]["new"] = 1
    first["k"] = "changed"
    first["a"]["b"]["__target"].append(2.0)
    assert first["a"]["new"] == 1 and first["k"] == "changed" and len(first["a"]["b"]) == 2
    assert "new" not in second["a"] and second["k"] == "v" and len(second["a"]["b"]) == 1
    assert tree == {"a": {"b": [1.0]}, "k": "v"}


# -- the install guard --------------------------------------------------------------------------

def test_install_replaces_the_servicer_on_a_verified_release(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk, "_PolicyAnalyzerServicer", SDK_SERVICER)
    monkeypatch.delenv(convert_once.STOCK_ENV, raising=False)
    log = io.StringIO()
    assert convert_once.VERSION in convert_once.VERIFIED, "a new pulumi-policy: run this module and the floor test, then add it"
    assert convert_once.install(log) is True
    assert sdk._PolicyAnalyzerServicer is ConvertOnceServicer and log.getvalue() == ""


@pytest.mark.parametrize("version, env", [("1.22.0", None), ("1.17.0", None), ("1.21.0", "1")])
def test_install_leaves_the_sdk_alone_otherwise(monkeypatch: pytest.MonkeyPatch, version: str, env: str | None) -> None:
    monkeypatch.setattr(sdk, "_PolicyAnalyzerServicer", SDK_SERVICER)
    monkeypatch.setattr(convert_once, "VERSION", version)
    if env:
        monkeypatch.setenv(convert_once.STOCK_ENV, env)
    else:
        monkeypatch.delenv(convert_once.STOCK_ENV, raising=False)
    log = io.StringIO()
    assert convert_once.install(log) is False
    assert sdk._PolicyAnalyzerServicer is SDK_SERVICER
    lines = log.getvalue().splitlines()
    assert (lines == []) if env else (len(lines) == 1 and version in lines[0] and "own servicer" in lines[0])


# -- programs (a subprocess each) and the oldest admitted pulumi-policy -------------------------

@pytest.fixture(scope="module")
def program_corpus() -> Corpus:
    from policy_gate.program import run_program

    corpus, configs = base_corpus()
    for label, directory in (("reference", ROOT / "reference_stack"), ("antipatterns", ROOT / "examples" / "antipatterns")):
        for dry_run in (False, True):
            add_capture(corpus, f"{label}{' preview' if dry_run else ''}", run_program(directory, "dev", dry_run, 300), configs)
    return corpus


@pytest.mark.process
def test_programs_and_every_config_give_identical_responses(program_corpus: Corpus) -> None:
    """The reference stack and the antipatterns example (run as programs, also in preview), and
    every sample under every config of both packs."""
    corpus = Corpus(list(program_corpus.configs), list(program_corpus.cases))  # its configs come first, as base_corpus's
    every_request(base_corpus()[1], corpus, sample_captures())
    assert len(corpus.cases) > 8000
    _assert_identical(corpus)


def _collect(rule: Any, corpus: Corpus) -> None:
    """Add 15 of the rule's hypothesis cases (the same ones on every run) to ``corpus``."""
    strategy = stack_cases(rule) if isinstance(rule, StackRule) else resource_cases(rule)

    @settings(PROFILE, max_examples=15, derandomize=True, database=None)
    @given(case=strategy)
    def collect(case: Any) -> None:
        extra = hypothesis_cases(rule, case)
        offset = len(corpus.configs)
        corpus.configs.extend(extra.configs)
        corpus.cases.extend(Case(c.label, c.pack, c.config + offset, c.method, c.request) for c in extra.cases)

    collect()


@pytest.fixture(scope="module")
def corpus_file(program_corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """Everything above plus 15 hypothesis cases per rule, written for another interpreter; and
    how many cases it holds."""
    corpus = Corpus(list(program_corpus.configs), list(program_corpus.cases))
    every_request(base_corpus()[1], corpus, sample_captures())
    for rule in RULES:
        _collect(rule, corpus)
    path = tmp_path_factory.mktemp("differential") / "corpus.json"
    return path, corpus.dump(path)


def _run_elsewhere(python: str, corpus: tuple[Path, int]) -> dict[str, Any]:
    result = subprocess.run([python, "-m", "tests.differential", str(corpus[0])], cwd=ROOT, capture_output=True, text=True,
                            timeout=1200)
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    assert summary.get("cases") == corpus[1] > 5000, result.stderr[-2000:]
    assert summary["count"] == 0 and result.returncode == 0, summary["differences"]
    return summary


@pytest.mark.process
@pytest.mark.skipif(not FLOOR, reason="POLICY_PACK_FLOOR_PYTHON is not set (.ci/run sets it)")
def test_the_oldest_admitted_sdk_gives_identical_responses(corpus_file: tuple[Path, int]) -> None:
    assert FLOOR is not None
    assert _run_elsewhere(FLOOR, corpus_file)["pulumi_policy"] == "1.18.0"


OTHER_RELEASES = [p for p in os.environ.get("POLICY_PACK_SDK_PYTHONS", "").split(os.pathsep) if p]


@pytest.mark.process
@pytest.mark.skipif(not OTHER_RELEASES, reason="POLICY_PACK_SDK_PYTHONS is not set (interpreters with other pulumi-policy "
                    "releases, to verify a release for convert_once.VERIFIED)")
@pytest.mark.parametrize("python", OTHER_RELEASES)
def test_other_releases_give_identical_responses(python: str, corpus_file: tuple[Path, int]) -> None:
    assert _run_elsewhere(python, corpus_file)["pulumi_policy"] in convert_once.VERIFIED


def test_the_pack_installs_the_adapter_before_it_serves() -> None:
    """``__main__.py`` (which cannot be imported: it serves forever) calls ``install()`` before ``PolicyPack``."""
    calls = [node.func.id for node in ast.walk(ast.parse((ROOT / "__main__.py").read_text())) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name)]
    assert "install" in calls and calls.index("install") < calls.index("PolicyPack")


@pytest.mark.process
def test_the_pack_process_answers_alike_with_and_without_the_adapter() -> None:
    """The real pack over gRPC (the gate on the antipatterns example, preview mode too): the same
    report with the adapter and with ``POLICY_PACK_STOCK_SDK=1``, and nothing logged by either."""
    reports = []
    for stock in (False, True):
        env = {k: v for k, v in os.environ.items() if k != convert_once.STOCK_ENV}
        if stock:
            env[convert_once.STOCK_ENV] = "1"
        for preview in ((), ("--preview",)):
            result = subprocess.run([sys.executable, "-m", "policy_gate", "run", "examples/antipatterns", "--config",
                                     "examples/antipatterns/policy-config.json", "--format", "json", *preview], cwd=ROOT,
                                    capture_output=True, text=True, timeout=300, env=env)
            assert result.returncode == 1, result.stderr[-1000:]
            reports.append(json.loads(result.stdout))
    for report in reports:
        assert not [d for d in report["diagnostics"] if d.get("kind") == "log"], report["diagnostics"]
    assert reports[0] == reports[2] and reports[1] == reports[3]
    assert len(reports[0]["violations"]) >= 39 and reports[0] != reports[1]
