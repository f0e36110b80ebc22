"""Every sample of every rule, judged through the SDK's own argument objects."""

from __future__ import annotations

import copy

import pytest

from policies import RULES
from policies.rule import ResourceRule, StackRule
from tests.sdk import assert_messages, run_resource, run_stack

RESOURCE_CASES = [(rule, sample) for rule in RULES if isinstance(rule, ResourceRule) for sample in rule.samples]
STACK_CASES = [(rule, sample) for rule in RULES if isinstance(rule, StackRule) for sample in rule.samples]


@pytest.mark.parametrize(("rule", "sample"), RESOURCE_CASES, ids=[f"{r.name}: {s.name}" for r, s in RESOURCE_CASES])
def test_resource_sample(rule: ResourceRule, sample) -> None:
    messages = run_resource(rule, sample.type or rule.types[0], sample.props, sample.config)
    assert_messages(messages, sample.violations)


@pytest.mark.parametrize(("rule", "sample"), STACK_CASES, ids=[f"{r.name}: {s.name}" for r, s in STACK_CASES])
def test_stack_sample(rule: StackRule, sample) -> None:
    found = run_stack(rule, sample.resources, sample.config)
    assert_messages([m for m, _ in found], sample.violations)
    assert all(urn for _, urn in found), "every stack violation names the resource it is about"


def test_every_rule_has_compliant_and_non_compliant_samples() -> None:
    for rule in RULES:
        samples = rule.samples  # type: ignore[attr-defined]
        assert any(not s.violations for s in samples), rule.name
        assert any(s.violations for s in samples), rule.name


FIX_CASES = [(rule, sample) for rule, sample in RESOURCE_CASES if sample.fixed is not None]


@pytest.mark.parametrize(("rule", "sample"), FIX_CASES, ids=[f"{r.name}: {s.name}" for r, s in FIX_CASES])
def test_fix_sample(rule: ResourceRule, sample) -> None:
    from policies import props as p

    type_token = sample.type or rule.types[0]
    before = copy.deepcopy(sample.props)
    fixed = rule.remediated(type_token, sample.props, sample.config)
    assert fixed is not None and sample.props == before  # a fix returns a new bag, never edits its input
    for path, value in (sample.fixed or {}).items():
        assert p.get(fixed, path) == value
    assert run_resource(rule, type_token, fixed, sample.config) == []


def test_rules_with_a_fix_have_fix_samples() -> None:
    for rule in RULES:
        if isinstance(rule, ResourceRule) and rule.fix is not None:
            assert any(s.fixed for s in rule.samples), rule.name


def test_catalogue_and_readme_table_are_current() -> None:
    from policies import catalogue

    assert catalogue.main(["--check"]) == 0, "run: python -m policies.catalogue --write"
