"""Rules keep no shared mutable state: the same answers under concurrent calls.

pulumi_policy serves Analyze and AnalyzeStack from a thread pool (4 workers), and the CLI
may call it for several resources at once. These tests show a rule's verdict does not
depend on what runs beside it:

- the real pack process, configured once, answers the same AnalyzeRequests (every resource
  rule's samples, also respelled snake_case) and AnalyzeStackRequests (every stack sample)
  from 8 client threads, each in its own shuffled order, exactly as it answered them one at
  a time (diagnostics and not-applicable entries compared as sorted tuples);
- in-process, one ``Policy`` object per rule (as ``build_policies`` makes them for the pack)
  validates every sample from a ThreadPoolExecutor with the sequential results;
- running everything changes no sample, no rule declaration (config defaults included) and no
  module-level container of any ``policies`` module, and no rule module rebinds module
  state at run time (no ``global``/``nonlocal``).
"""

from __future__ import annotations

import ast
import copy
import random
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import Policy, PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

import policies
from policies import RULES, build_policies
from policies.core.rule import ResourceRule, StackRule
from policies.core.samples import Sample, StackSample
from policies.core.stack import StackItem
from policy_gate import config as config_mod
from policy_gate.analyzer import (
    PackOptions,
    PackProcess,
    analyze_request,
    configure_request,
    initial_config,
    pack_environment,
    policy_metas,
    stack_request,
)
from policy_gate.capture import Resource
from tests.captures import capture, from_samples, urn
from tests.sdk import _NotApplicableError, _opts, _props
from tests.strategies import respell_all

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
THREADS = 8
PACK_ROUNDS = 1  # per thread: every call once, in the thread's own shuffled order (8 concurrent passes)
IN_PROCESS_ROUNDS = 20

Answer = tuple[tuple[tuple[Any, ...], ...], tuple[tuple[str, str], ...]]


def _answer(response: analyzer_pb2.AnalyzeResponse) -> Answer:
    diagnostics = sorted((d.policyName, d.message, d.description, d.enforcementLevel, d.severity, d.urn)
                         for d in response.diagnostics)
    not_applicable = sorted((n.policy_name, n.reason) for n in response.not_applicable)
    return tuple(diagnostics), tuple(not_applicable)


def _resource_requests() -> list[analyzer_pb2.AnalyzeRequest]:
    requests = []
    for rule in RULES:
        if not isinstance(rule, ResourceRule):
            continue
        for index, sample in enumerate(rule.samples):
            type_token = sample.type or rule.types[0]
            for variant, props in (("", sample.props), ("-snake", respell_all(copy.deepcopy(dict(sample.props)), "snake"))):
                name = f"{rule.name}-{index}{variant}"
                resource = Resource(urn=urn(type_token, name), type=type_token, name=name, inputs=dict(props),
                                    outputs=dict(props))
                requests.append(analyze_request(resource, resource.inputs, {}))
    return requests


def _stack_requests() -> list[analyzer_pb2.AnalyzeStackRequest]:
    requests = []
    for rule in RULES:
        if isinstance(rule, StackRule):
            for sample in rule.samples:
                requests.append(stack_request(from_samples(sample.resources)))
    return requests


@pytest.fixture(scope="module")
def pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The real pack process, configured once (every policy mandatory), as the CLI starts it."""
    with PackProcess(PackOptions(ROOT), pack_environment(capture([]))) as process:
        stub = process.connect()
        try:
            stub.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address="", root_directory=str(ROOT),
                                                                 program_directory=str(ROOT)), timeout=30)
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.UNIMPLEMENTED
        stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(stack="dev", project="sample",
                                                                       organization="organization"), timeout=30)
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        merged = config_mod.merge(policy_metas(info), initial_config(info), {"all": "mandatory"})
        stub.Configure(configure_request(merged), timeout=30)
        yield stub


@pytest.mark.process
def test_pack_answers_concurrent_calls_like_sequential_ones(pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    resource_requests = _resource_requests()
    stack_requests = _stack_requests()
    calls: list[tuple[Callable[..., Any], Any]] = [(pack.Analyze, r) for r in resource_requests]
    calls += [(pack.AnalyzeStack, r) for r in stack_requests]
    baseline = [_answer(method(request, timeout=60)) for method, request in calls]
    assert any(diagnostics for diagnostics, _ in baseline), "the samples must produce violations to compare"

    def worker(seed: int) -> list[str]:
        order = list(range(len(calls)))
        mismatches = []
        for round_ in range(PACK_ROUNDS):
            random.Random(seed * 1000 + round_).shuffle(order)
            for index in order:
                method, request = calls[index]
                if _answer(method(request, timeout=120)) != baseline[index]:
                    mismatches.append(getattr(request, "urn", "") or f"stack request {index - len(resource_requests)}")
        return mismatches

    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        results = list(executor.map(worker, range(THREADS)))
    mismatches = sorted({m for found in results for m in found})
    assert mismatches == [], f"{len(mismatches)} requests answered differently under concurrency: {mismatches[:10]}"


# ---------------------------------------------------------------------------------------------
# In-process


Verdict = tuple[tuple[tuple[str, str | None], ...], str]


def _resource_task(policy: Any, rule: ResourceRule, sample: Sample) -> Callable[[], Verdict]:
    type_token = sample.type or rule.types[0]

    def run() -> Verdict:
        found: list[tuple[str, str | None]] = []
        args = ResourceValidationArgs(type_token, _props(sample.props), urn(type_token, "r"), "r", _opts(), None,
                                      {**rule.defaults(), **sample.config})
        status = _outcome(lambda: policy.validate(args, lambda m, u=None: found.append((m, u))))
        return tuple(found), status

    return run


def _stack_task(policy: Any, rule: StackRule, sample: StackSample) -> Callable[[], Verdict]:
    def run() -> Verdict:
        found: list[tuple[str, str | None]] = []
        resources = [PolicyResource(r.type, _props(r.props), r.urn(), r.name, _opts(), None, None, [], {})
                     for r in sample.resources]
        by_name = {r.name: pr for r, pr in zip(sample.resources, resources)}
        for declared, resource in zip(sample.resources, resources):
            for key, names in declared.depends_on.items():
                deps = [by_name[n] for n in names]
                resource.dependencies.extend(d for d in deps if d not in resource.dependencies)
                if key:
                    resource.property_dependencies[key] = deps
        args = StackValidationArgs(resources, {**rule.defaults(), **sample.config})
        status = _outcome(lambda: policy.validate(args, lambda m, u=None: found.append((m, u))))
        return tuple(found), status

    return run


def _outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except UnknownValueError as exc:
        return f"unknown: {exc.message}"
    except _NotApplicableError as exc:
        return f"not applicable: {exc.reason}"
    return "ok"


def _tasks(built: list[Policy]) -> dict[str, list[Callable[[], Verdict]]]:
    """Per rule, one task per sample, all sharing the rule's one Policy object."""
    by_name = {p.name: p for p in built}
    tasks: dict[str, list[Callable[[], Verdict]]] = {}
    for rule in RULES:
        policy = by_name[rule.name]
        if isinstance(rule, ResourceRule):
            tasks[rule.name] = [_resource_task(policy, rule, s) for s in rule.samples]
        elif isinstance(rule, StackRule):
            tasks[rule.name] = [_stack_task(policy, rule, s) for s in rule.samples]
    return tasks


def _mutable_module_state() -> dict[str, Any]:
    """Deep copies of every rule, sample and module-level container of every ``policies`` module."""
    state: dict[str, Any] = {}
    for name, module in sorted(sys.modules.items()):
        if name != "policies" and not name.startswith("policies."):
            continue
        for attr, value in vars(module).items():
            if attr.startswith("__"):
                continue
            if isinstance(value, (dict, list, set, bytearray, tuple, frozenset)) or hasattr(value, "__dataclass_fields__"):
                try:
                    state[f"{name}.{attr}"] = copy.deepcopy(value)
                except TypeError:  # e.g. a compiled pattern inside: not a container of state
                    continue
    return state


def test_in_process_concurrent_validation_matches_sequential() -> None:
    """Each rule's samples, many times over in a shuffled order, on 8 threads at once: a rule
    keeping per-call state anywhere shared (module, closure, rule object) mixes up verdicts."""
    before = _mutable_module_state()
    built = build_policies()  # one Policy per rule, shared by every thread, as in the pack
    differing: list[str] = []
    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        for name, tasks in _tasks(built).items():
            baseline = [task() for task in tasks]
            order = [i for _ in range(IN_PROCESS_ROUNDS) for i in range(len(tasks))]
            random.Random(name).shuffle(order)
            results = list(executor.map(lambda i, tasks=tasks: (i, tasks[i]()), order))
            differing.extend(sorted({f"{name} sample {i}" for i, verdict in results if verdict != baseline[i]}))
    assert differing == [], f"samples judged differently under concurrency: {differing}"
    after = _mutable_module_state()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], f"module-level state changed at run time: {changed}"


def test_rules_do_not_mutate_samples_or_config() -> None:
    snapshot = copy.deepcopy(RULES)
    for rule in RULES:
        if isinstance(rule, ResourceRule):
            for sample in rule.samples:
                try:
                    rule.evaluate(sample.type or rule.types[0], sample.props, sample.config)
                    rule.remediated(sample.type or rule.types[0], sample.props, sample.config)
                except UnknownValueError:
                    pass
        elif isinstance(rule, StackRule):
            for stack_sample in rule.samples:
                items = [StackItem(r.type, r.name, r.urn(), r.props, None) for r in stack_sample.resources]
                try:
                    rule.evaluate(items, stack_sample.config)
                except UnknownValueError:
                    pass
    for old, new in zip(snapshot, RULES):
        assert old == new, f"{new.name} changed its own declaration (samples or config defaults) while running"


def _rule_module_files() -> list[Path]:
    return sorted(Path(policies.__file__).parent.rglob("*.py"))


@pytest.mark.parametrize("path", _rule_module_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_rule_modules_rebind_no_module_state(path: Path) -> None:
    """No ``global``/``nonlocal`` rebinding anywhere in the pack's code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offenders = [f"{path.name}:{node.lineno}" for node in ast.walk(tree) if isinstance(node, (ast.Global, ast.Nonlocal))]
    assert offenders == []
