"""Every rule on every provider a user may have: it judges each counterpart of the types it governs
(the classic and v1 types, the Registry* and 2.x-only variants: ``providers.COUNTERPARTS``) or says
why not; its samples include each provider whose types it judges; the counts the README and the
catalogue print are the registry's."""

from __future__ import annotations

import re

import pytest

from policies import RULES, catalogue, coverage
from policies.core import types as t
from policies.core.providers import COUNTERPARTS, Provider, tokens
from policies.core.rule import ResourceRule, Rule, StackRule

ALL_TOKENS = frozenset().union(*(tokens(p) for p in Provider))


def _judges(rule: Rule, token: str) -> bool:
    return t.matches(token, rule.types) if isinstance(rule, (ResourceRule, StackRule)) else False


def _excused(rule: Rule, token: str) -> bool:
    return any(t.matches(token, (key,)) for key in rule.not_covered)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_counterparts_are_judged_or_excused(rule: Rule) -> None:
    missing = [other for native, others in COUNTERPARTS.items() if _judges(rule, native)
               for other in others if not _judges(rule, other) and not _excused(rule, other)]
    assert missing == [], f"{rule.name} governs these types but neither judges them nor says why not (not_covered)"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_not_covered_entries_are_real_and_reasoned(rule: Rule) -> None:
    for key, reason in rule.not_covered.items():
        matched = [token for token in ALL_TOKENS if t.matches(token, (key,))]
        assert matched, f"{rule.name}: {key} is no type of any provider"
        assert not any(_judges(rule, token) for token in matched), f"{rule.name} judges {key} and excuses it"
        assert len(reason) > 20, f"{rule.name}: say why {key} is not judged"


def _sample_providers(rule: Rule) -> set[Provider]:
    if isinstance(rule, ResourceRule):
        return {s.provider_for(rule.types[0]) for s in rule.samples}
    assert isinstance(rule, StackRule)
    return {r.provider_for() for s in rule.samples for r in s.resources if r.type != t.STACK}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_samples_include_every_provider_the_rule_judges(rule: Rule) -> None:
    """A rule that judges a provider's types has samples written for that provider (built with its
    real classes by tests/test_samples_sdk.py)."""
    wanted = {provider for provider in Provider if catalogue.covered(rule, provider)}
    assert wanted <= _sample_providers(rule), f"{rule.name}: no sample for {sorted(p.value for p in wanted - _sample_providers(rule))}"


def test_every_resource_rule_judges_azure_native_2x_where_it_judges_3x() -> None:
    """azure-native 2.x and 3.x share unversioned tokens: what a rule judges in 3.x it judges in
    2.x, but for the one type 2.x lacks (OutboundRule)."""
    for rule in RULES:
        three = set(catalogue.covered(rule, Provider.AN3)) - {f"{t.ML}:OutboundRule"}
        assert three <= set(catalogue.covered(rule, Provider.AN2)), rule.name


@pytest.mark.parametrize("path", [catalogue.README, catalogue.CATALOGUE], ids=lambda p: p.name)
def test_printed_counts_are_the_registrys(path: object) -> None:
    """The counts are generated (tests/test_samples.py checks the files are current); recounted here
    from the provider tables, without the generator's code."""
    text = catalogue.README.read_text() if path == catalogue.README else catalogue.CATALOGUE.read_text()
    assert re.search(rf"\b{len(RULES)} rules\.", text)
    for provider in Provider:
        exact = {s for r in RULES if isinstance(r, (ResourceRule, StackRule)) for s in r.types if not s.endswith("*")}
        named = len(tokens(provider) & {t.canonical(s) for s in exact})
        assert f"{provider.value}: {named} of its {len(tokens(provider))} Azure ML types" in text


@pytest.mark.parametrize("token", ["azure-native:machinelearning:Workspace", "azure-native:machinelearning:WebService",
                                   "azure-native:machinelearning/v20191001:CommitmentPlan"])
def test_studio_classic_is_another_service(token: str) -> None:
    """``azure-native:machinelearning:*`` (no "services") is Machine Learning Studio (classic): no ML rule
    judges it (no-preview-api-versions only looks at azure-native modules it is configured for)."""
    judging = [r.name for r in RULES if isinstance(r, ResourceRule) and r.applies_to(token)]
    assert judging == ["no-preview-api-versions"]
    rule = next(r for r in RULES if r.name == "no-preview-api-versions")
    assert isinstance(rule, ResourceRule) and rule.evaluate(token, {}) == []


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name)
def test_every_ml_type_is_judged_by_a_family_rule_or_listed_with_a_reason(provider: Provider) -> None:
    for token in sorted(tokens(provider)):
        judged = coverage.judging(RULES, token)
        reason = coverage.NOT_JUDGED.get(token)
        assert bool(judged) != bool(reason), f"{token}: judged by {judged} and listed as not judged ({reason})" if judged \
            else f"{token}: no family rule judges it and coverage.NOT_JUDGED gives no reason"
        assert reason is None or len(reason) > 30


def test_not_judged_and_generic_name_real_types_and_rules() -> None:
    assert set(coverage.NOT_JUDGED) <= ALL_TOKENS
    assert {r.name for r in RULES} >= coverage.GENERIC


def test_the_catalogue_prints_the_coverage_table() -> None:
    text = catalogue.CATALOGUE.read_text()
    for line in coverage.table(RULES):
        assert line in text
    assert len(coverage.table(RULES)) == 2 + sum(len(tokens(p)) for p in Provider)
