"""Property-based tests: no rule can fail a preview or quote a value, whatever the bag holds.

For every rule in ``policies.RULES`` (new rules are covered without editing this file),
hypothesis feeds bags built by ``tests.strategies`` (the rule's own samples, mutated: wrong
types, floats, nulls, empty and 100k-character strings, 50 to 120 levels of nesting, every
unknown sentinel, secret envelopes at any depth, respelled keys; and random trees; under the
rule's types, versioned and classic tokens, and types it does not match) three ways:

1. ``rule.evaluate`` / ``rule.remediated`` on plain wire-form dicts, and
2. on the SDK's own ``deserialize_properties`` + ``unknown_checking_proxy`` objects: neither
   path has the policy wrapper's internal-error guard, so any exception but
   ``UnknownValueError`` fails the test with its traceback;
3. ``tests.sdk.run_resource`` / ``run_stack`` (the policy exactly as the pack serves it): the
   guard's ``_NotApplicableError`` counts as a failure too (a rule must never need it).

Properties: only ``UnknownValueError`` escapes, and only when the bag holds an unknown
sentinel (the SDK then adds its advisory diagnostic); messages are non-empty strings; no
message quotes a canary value; a rule changes nothing in the bag it is given; a type the rule
does not match gets no verdict; a fix returns a bag the SDK can serialise. With ``failClosed``
(security rules) nothing escapes at all, and a bag that raises ``UnknownValueError`` by
default yields the fail-closed violation (after what was known). ``props.get`` and friends
raise nothing but ``UnknownValueError`` on any tree and path.

Deterministically, every single-point mutation of every sample (``strategies.point_mutations``:
each node replaced by each of ``POINT_VALUES``, secret-wrapped, listed, nested 60 deep; each key
respelled and deleted) must pass the same checks, and get the same verdict on plain dicts as
on the SDK's proxies.

Example counts come from the profile named by ``HYPOTHESIS_PROFILE``:

- ``quick``: 25 examples per rule and property, what the fast tier (``./scripts/test``) runs;
- ``ci`` (default, and the full tier's): 200 examples per rule and property; the whole file
  takes about 40 seconds on 2 cores;
- ``thorough``: 2,000 per rule and property (about 10 minutes on 2 cores), for local runs
  before a release or after changing ``policies/core/props.py`` or a rule's parsing::

      HYPOTHESIS_PROFILE=thorough ./scripts/test tests/test_properties.py

A failure prints the falsifying case (long runs of one character abbreviated as ``c*N``) and
a ``@reproduce_failure`` blob.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
from google.protobuf import struct_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_policy.deserialize import deserialize_properties, serialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import RULES
from policies.core import props as p
from policies.core.props import SIG_KEY
from policies.core.provenance import Deferral
from policies.core.rule import AdvisoryUnknown, ResourceRule, Rule, StackRule
from policies.core.samples import SampleResource
from policies.core.stack import StackItem
from tests.sdk import _NotApplicableError, analyze_first, run_resource, run_stack
from tests.strategies import (
    CANARY_MARK,
    ResourceCase,
    StackCase,
    all_keys,
    contains_unknown,
    json_trees,
    plain_leaves,
    point_mutations,
    resource_cases,
    stack_cases,
)

_COMMON: dict[str, Any] = {
    "deadline": 10_000,  # ms: only catastrophic slowness (regex backtracking on 100k strings) fails
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    "print_blob": True,
}
settings.register_profile("quick", max_examples=25, **_COMMON)
settings.register_profile("ci", max_examples=200, **_COMMON)
settings.register_profile("thorough", max_examples=2_000, **_COMMON)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE_NAME not in ("quick", "ci", "thorough"):
    PROFILE_NAME = "ci"
# Applied per test rather than loaded globally, so other test modules keep their own settings.
PROFILE = settings.get_profile(PROFILE_NAME)

RESOURCE_RULES = [r for r in RULES if isinstance(r, ResourceRule)]
STACK_RULES = [r for r in RULES if isinstance(r, StackRule)]
SECURITY_RESOURCE_RULES = [r for r in RESOURCE_RULES if r.security]
SECURITY_STACK_RULES = [r for r in STACK_RULES if r.security]


def _ids(rules: Sequence[Rule]) -> list[str]:
    return [r.name for r in rules]


def _sdk(raw: Mapping[str, Any], proxy_secrets: bool = False) -> Any:
    """What the SDK hands a policy: deserialised (secrets unwrapped) behind the unknown-checking proxy."""
    return unknown_checking_proxy(deserialize_properties(dict(raw), proxy_secrets))


class Outcome:
    """Messages a rule reported and whether it raised ``UnknownValueError`` (after reporting)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.unknown: UnknownValueError | None = None

    def report(self, message: str, urn: str | None = None) -> None:
        self.messages.append(message)

    def __repr__(self) -> str:
        return f"Outcome(messages={self.messages!r}, unknown={self.unknown is not None})"


def _guarded(run: Callable[[Outcome], Any], where: str) -> Outcome:
    """Run ``run``; only ``UnknownValueError`` may escape. Anything else fails with the real traceback."""
    outcome = Outcome()
    try:
        run(outcome)
    except UnknownValueError as exc:
        assert exc.unknown_type_sentinel in p.UNKNOWN_SENTINELS, where
        outcome.unknown = exc
    except _NotApplicableError as exc:
        raise AssertionError(f"{where}: the rule needed the internal-error guard ({exc.reason})") from exc
    return outcome


def _check_messages(messages: Sequence[Any], where: str) -> None:
    for message in messages:
        assert isinstance(message, str), (where, type(message))
        assert message.strip(), (where, "empty message")
        assert CANARY_MARK not in message.lower(), (where, "a message quotes a free-form value", message[:500])


def _check_unknown(outcome: Outcome, bag_has_unknown: bool, where: str) -> None:
    if outcome.unknown is not None:
        assert bag_has_unknown, f"{where}: UnknownValueError raised but the bag holds no unknown value"


# ---------------------------------------------------------------------------------------------
# Resource rules


def _resource_outcomes(rule: ResourceRule, case: ResourceCase) -> tuple[Outcome, Outcome]:
    has_unknown = contains_unknown(case.props)
    plain = _guarded(lambda o: rule.evaluate(case.type, case.props, case.config, "r", "urn:r", report=o.report),
                     f"{rule.name}: evaluate on plain dicts")
    proxied = _guarded(lambda o: rule.evaluate(case.type, _sdk(case.props), case.config, "r", "urn:r", report=o.report),
                       f"{rule.name}: evaluate on SDK proxies")
    for outcome, where in ((plain, "plain"), (proxied, "sdk")):
        _check_messages(outcome.messages, f"{rule.name} ({where})")
        _check_unknown(outcome, has_unknown, f"{rule.name} ({where})")
        if not rule.applies_to(case.type):
            assert outcome.messages == [] and outcome.unknown is None, f"{rule.name} judged a type it does not match"
    return plain, proxied


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=_ids(RESOURCE_RULES))
def test_resource_rule_never_raises(rule: ResourceRule) -> None:
    @PROFILE
    @given(case=resource_cases(rule))
    def run(case: ResourceCase) -> None:
        before = copy.deepcopy(case.props)
        _, proxied = _resource_outcomes(rule, case)
        assert case.props == before, f"{rule.name} changed the properties it was given"
        served = _guarded(lambda o: o.messages.extend(run_resource(rule, case.type, case.props, case.config)),
                          f"{rule.name}: the policy as the pack serves it")
        _check_messages(served.messages, rule.name)
        # The policy wrapper reports what evaluate found (run_resource returns nothing once it raised).
        assert (served.unknown is None) == (proxied.unknown is None)
        if served.unknown is None:
            assert sorted(served.messages) == sorted(proxied.messages)

    run()


@pytest.mark.parametrize("rule", [r for r in RESOURCE_RULES if r.fix is not None],
                         ids=_ids([r for r in RESOURCE_RULES if r.fix is not None]))
def test_fix_never_raises_and_serialises(rule: ResourceRule) -> None:
    @PROFILE
    @given(case=resource_cases(rule))
    def run(case: ResourceCase) -> None:
        result: list[Any] = []
        # Remediate gets secrets as ``Secret`` markers behind both proxies (pulumi_policy Remediate).
        outcome = _guarded(lambda o: result.append(rule.remediated(case.type, _sdk(case.props, True), case.config)),
                           f"{rule.name}: remediated")
        if outcome.unknown is not None:
            assert contains_unknown(case.props)
            return
        fixed = result[0]
        assert fixed is None or isinstance(fixed, dict), type(fixed)
        if fixed:
            struct = struct_pb2.Struct()
            for key, value in serialize_properties(fixed).items():  # what the SDK does with the fix; must not raise
                struct[key] = value

    run()


@pytest.mark.parametrize("rule", SECURITY_RESOURCE_RULES, ids=_ids(SECURITY_RESOURCE_RULES))
def test_security_resource_rule_fails_closed(rule: ResourceRule) -> None:
    @PROFILE
    @given(case=resource_cases(rule))
    def run(case: ResourceCase) -> None:
        advisory = _guarded(lambda o: rule.evaluate(case.type, _sdk(case.props), {**case.config, "failClosed": False},
                                                    report=o.report), rule.name)
        closed_config = {**case.config, "failClosed": True}
        closed = Outcome()
        deferred: list[Deferral] = []
        rule.evaluate(case.type, _sdk(case.props), closed_config, report=closed.report,  # nothing may escape
                      defer=deferred.extend)
        served = run_resource(rule, case.type, case.props, closed_config)  # nor through the policy
        _check_messages(closed.messages, rule.name)
        assert sorted(served) == sorted(closed.messages)
        if advisory.unknown is not None and rule.config(closed_config)[1] is None:
            # Failing closed, an unknown is a violation, or deferred to unknown-value-sources (its sources are declared).
            assert deferred or any("unknown during preview" in m and "fails closed" in m for m in closed.messages), \
                closed.messages
            assert all(d.fail_closed and d.rule == rule.name for d in deferred)
            assert set(advisory.messages) <= set(closed.messages)  # what was known is still reported

    run()


# ---------------------------------------------------------------------------------------------
# Stack rules


def _items(resources: Sequence[SampleResource], proxied: bool) -> list[StackItem]:
    """Stack items as ``rule._stack_item`` builds them from the SDK's ``PolicyResource``s, after the
    resources were analyzed (``analyze_first``: what resource rules defer is recorded, as in the pack)."""
    analyze_first(tuple(resources))
    urns = {r.name: r.urn() for r in resources}
    items = []
    for r in resources:
        props = _sdk(r.props) if proxied else r.props
        deps = tuple(urns[n] for names in r.depends_on.values() for n in names)
        items.append(StackItem(r.type, r.name, r.urn(), props, None, tuple(dict.fromkeys(deps)),
                               {k: tuple(urns[n] for n in v) for k, v in r.depends_on.items() if k}))
    return items


@pytest.mark.parametrize("rule", STACK_RULES, ids=_ids(STACK_RULES))
def test_stack_rule_never_raises(rule: StackRule) -> None:
    @PROFILE
    @given(case=stack_cases(rule))
    def run(case: StackCase) -> None:
        has_unknown = any(contains_unknown(r.props) for r in case.resources)
        before = copy.deepcopy(case.resources)
        for proxied in (False, True):
            where = f"{rule.name} ({'sdk' if proxied else 'plain'})"
            items = _items(case.resources, proxied)
            outcome = _guarded(lambda o, items=items: rule.evaluate(items, case.config, report=o.report), where)  # type: ignore[misc]
            _check_messages(outcome.messages, where)
            _check_unknown(outcome, has_unknown, where)
        served = _guarded(lambda o: o.messages.extend(m for m, _ in run_stack(rule, case.resources, case.config)),
                          f"{rule.name}: the policy as the pack serves it")
        _check_messages(served.messages, rule.name)
        _check_unknown(served, has_unknown, rule.name)
        assert case.resources == before, f"{rule.name} changed the properties it was given"

    run()


@pytest.mark.parametrize("rule", SECURITY_STACK_RULES, ids=_ids(SECURITY_STACK_RULES))
def test_security_stack_rule_fails_closed(rule: StackRule) -> None:
    @PROFILE
    @given(case=stack_cases(rule))
    def run(case: StackCase) -> None:
        advisory = _guarded(lambda o: rule.evaluate(_items(case.resources, True), {**case.config, "failClosed": False},
                                                    report=o.report), rule.name)
        closed_config = {**case.config, "failClosed": True}
        closed = _guarded(lambda o: rule.evaluate(_items(case.resources, True), closed_config, report=o.report), rule.name)
        # Failing closed, only an unknown the rule's config leaves to the SDK's advisory may escape
        # (no-secret-exports: an export whose source nothing records, without failClosedWithoutSource).
        assert closed.unknown is None or isinstance(closed.unknown, AdvisoryUnknown), closed.unknown
        served: list[tuple[str, str | None]] = []
        _guarded(lambda o: run_stack(rule, case.resources, closed_config, served), f"{rule.name}: served")
        _check_messages(closed.messages, rule.name)
        assert sorted(m for m, _ in served) == sorted(closed.messages)
        if advisory.unknown is not None and closed.unknown is None and rule.config(closed_config)[1] is None:
            assert any("unknown during preview" in m for m in closed.messages), closed.messages

    run()


# ---------------------------------------------------------------------------------------------
# Every single-point mutation of every sample (deterministic)


def _resource_call(rule: ResourceRule, type_token: str, bag: Mapping[str, Any], config: Mapping[str, Any],
                   proxied: bool = True) -> Callable[[Outcome], Any]:
    return lambda outcome: rule.evaluate(type_token, _sdk(bag) if proxied else bag, config, report=outcome.report)


def _stack_call(rule: StackRule, resources: Sequence[SampleResource], config: Mapping[str, Any],
                proxied: bool = True) -> Callable[[Outcome], Any]:
    return lambda outcome: rule.evaluate(_items(resources, proxied), config, report=outcome.report)


def _agree(plain: Outcome, proxied: Outcome) -> bool:
    return (sorted(plain.messages), plain.unknown is None) == (sorted(proxied.messages), proxied.unknown is None)


def _verdict(rule: Rule, failures: list[str], differing: list[str]) -> None:
    assert failures == [], f"{len(failures)} failing mutations:\n" + "\n".join(failures[:40])
    assert differing == [], (f"{len(differing)} mutations judged differently on plain dicts and on the SDK's proxies:\n"
                             + "\n".join(differing[:20]))


def _point_outcomes(calls: tuple[Callable[[Outcome], Any], Callable[[Outcome], Any]], has_unknown: bool, where: str,
                    failures: list[str], differing: list[str]) -> None:
    """Run a mutation on plain dicts and on SDK proxies; collect failures and disagreements."""
    outcomes = []
    for call, path in zip(calls, ("plain", "sdk")):
        try:
            outcome = _guarded(call, f"{where} ({path})")
            _check_messages(outcome.messages, f"{where} ({path})")
            _check_unknown(outcome, has_unknown, f"{where} ({path})")
            outcomes.append(outcome)
        except AssertionError as exc:
            failures.append(f"{where} ({path}): {str(exc)[:300]}")
        except Exception as exc:  # noqa: BLE001 - collected, so one run lists every failing mutation
            failures.append(f"{where} ({path}): {type(exc).__name__}: {str(exc)[:200]}")
    if len(outcomes) == 2 and not _agree(*outcomes):
        differing.append(f"{where}: plain {outcomes[0]!r}, sdk {outcomes[1]!r}")


@pytest.mark.parametrize("rule", RESOURCE_RULES, ids=_ids(RESOURCE_RULES))
def test_every_point_mutation_of_every_resource_sample(rule: ResourceRule) -> None:
    """Each node of each sample replaced by each nasty value (``strategies.POINT_VALUES``),
    wrapped as a secret, listed, nested 60 deep; each key respelled and deleted: on plain
    dicts and on the SDK's proxies (as the pack reads them), with the same verdict both ways
    (samples, docs and ``rule.evaluate`` use plain dicts)."""
    failures: list[str] = []
    differing: list[str] = []
    for sample in rule.samples:
        type_token = sample.type or rule.types[0]
        for label, bag in point_mutations(sample.props):
            calls = (_resource_call(rule, type_token, bag, sample.config, proxied=False),
                     _resource_call(rule, type_token, bag, sample.config))
            _point_outcomes(calls, contains_unknown(bag), f"{sample.name}: {label}", failures, differing)
    _verdict(rule, failures, differing)


@pytest.mark.parametrize("rule", STACK_RULES, ids=_ids(STACK_RULES))
def test_every_point_mutation_of_every_stack_sample(rule: StackRule) -> None:
    failures: list[str] = []
    differing: list[str] = []
    for sample in rule.samples:
        for index, resource in enumerate(sample.resources):
            for label, bag in point_mutations(resource.props):
                resources = [*sample.resources[:index], replace(resource, props=bag), *sample.resources[index + 1:]]
                calls = (_stack_call(rule, resources, sample.config, proxied=False), _stack_call(rule, resources, sample.config))
                # A link to another resource may hinge on an unknown there (its id during preview).
                has_unknown = any(contains_unknown(r.props) for r in resources)
                _point_outcomes(calls, has_unknown, f"{sample.name}: {resource.name}.{label}", failures, differing)
    _verdict(rule, failures, differing)


# ---------------------------------------------------------------------------------------------
# props helpers

_PATHS = st.one_of(
    st.lists(st.one_of(st.sampled_from(all_keys()), st.text(max_size=8)), max_size=6),
    st.lists(st.sampled_from(all_keys()), min_size=1, max_size=5).map(".".join),
    st.text(max_size=20),
)
_TREES = st.one_of(json_trees(max_leaves=40), st.dictionaries(st.sampled_from(all_keys()), json_trees(), max_size=6),
                   plain_leaves())


def _call_helpers(tree: Any, path: Any, proxied: bool = False) -> None:
    for helper in (p.get, p.get_str, p.get_bool, p.get_number, p.get_map, p.get_list):
        try:
            helper(tree, path)
        except UnknownValueError:
            pass
    value: Any = p.MISSING
    try:
        value = p.get(tree, path)
    except UnknownValueError:
        pass
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        try:
            p.elements(value, path)
        except UnknownValueError:
            pass
    try:
        for _, node in p.walk(tree):  # unknowns come back as sentinels
            p.type_name(node)
        p.plain_copy(tree)
        p.unwrap(tree)
    except UnknownValueError:
        # Only an SDK-proxied root shaped like a secret envelope around an unknown can get here
        # (unwrap reads its value through the proxy); the wire never has such a root.
        assert proxied and SIG_KEY in tree


@PROFILE
@given(tree=_TREES, path=_PATHS)
def test_props_helpers_raise_nothing_but_unknown(tree: Any, path: Any) -> None:
    _call_helpers(tree, path)
    if isinstance(tree, dict):
        _call_helpers(_sdk(tree), path, proxied=True)
        _call_helpers(_sdk(tree, True), path, proxied=True)
