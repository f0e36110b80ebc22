"""Every sample of every rule, judged through the SDK's own argument objects; every declaration
complete; the generated documents and preset current. (The same samples go through the pack
process in tests/test_protocol.py.)

The cases are built from the registry (``policies.RULES``) when the tests are collected, so a new
rule's samples run without editing this file; ``test_a_new_rule_needs_no_other_edit`` shows it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence

import pytest
from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

import policies
from policies import catalogue
from policies.core import props as p
from policies.core.options import flag
from policies.core.rule import DESCRIPTION_LIMIT, ResourceRule, Rule, StackRule, Subject
from policies.core.samples import Sample, StackSample
from tests.sdk import assert_messages, run_resource, run_stack


def resource_cases(rules: Sequence[Rule]) -> list[tuple[ResourceRule, Sample]]:
    return [(rule, sample) for rule in rules if isinstance(rule, ResourceRule) for sample in rule.samples]


def stack_cases(rules: Sequence[Rule]) -> list[tuple[StackRule, StackSample]]:
    return [(rule, sample) for rule in rules if isinstance(rule, StackRule) for sample in rule.samples]


def fix_cases(rules: Sequence[Rule]) -> list[tuple[ResourceRule, Sample]]:
    return [(rule, sample) for rule, sample in resource_cases(rules) if sample.fixed is not None]


def check_resource_sample(rule: ResourceRule, sample: Sample) -> None:
    messages = run_resource(rule, sample.type or rule.types[0], sample.props, sample.config, sample.resource or "r")
    assert_messages(messages, sample.violations)


def check_stack_sample(rule: StackRule, sample: StackSample) -> None:
    found: list[tuple[str, str | None]] = []
    if sample.unknown:
        with pytest.raises(UnknownValueError) as raised:
            run_stack(rule, sample.resources, sample.config, found)
        assert sample.unknown in raised.value.message, raised.value.message
    else:
        run_stack(rule, sample.resources, sample.config, found)
    assert_messages([m for m, _ in found], sample.violations)
    assert all(urn for _, urn in found), "every stack violation names the resource it is about"


def check_fix_sample(rule: ResourceRule, sample: Sample) -> None:
    type_token = sample.type or rule.types[0]
    before = copy.deepcopy(sample.props)
    fixed = rule.remediated(type_token, sample.props, sample.config)
    assert fixed is not None and sample.props == before  # a fix returns a new bag, never edits its input
    for path, value in (sample.fixed or {}).items():
        assert p.get(fixed, path) == value
    assert run_resource(rule, type_token, fixed, sample.config) == []


TITLE_LIMIT = 60  # characters of a display name


def description_problem(description: str) -> str | None:
    """Why a description is not one sentence of at most DESCRIPTION_LIMIT characters (the CLI
    prints it with every violation), or None."""
    if len(description) > DESCRIPTION_LIMIT:
        return f"is {len(description)} characters (at most {DESCRIPTION_LIMIT}; the long explanation goes to details)"
    if not description.endswith(".") or re.search(r"[.!?]\s", description):
        return "must be one sentence ending with a period (the long explanation goes to details)"
    return None


def declaration_problems(rules: Sequence[Rule]) -> Iterator[str]:
    """What a declaration lacks: a title, a one-sentence description, both kinds of sample, fix
    samples for a fix, distinct names and titles, documented options with defaults, remediation,
    preview behaviour and topics."""
    if len({r.name for r in rules}) != len(rules):
        yield "two rules share a name"
    if len({r.title for r in rules}) != len(rules):
        yield "two rules share a title"
    for rule in rules:
        if not rule.title or len(rule.title) > TITLE_LIMIT or rule.title.endswith("."):
            yield f"{rule.name}: needs a title (the display name Pulumi Cloud shows) of at most {TITLE_LIMIT} characters, no period"
        if problem := description_problem(rule.description):
            yield f"{rule.name}: the description {problem}"
        if rule.details == rule.description:
            yield f"{rule.name}: details repeat the description"
        samples: Sequence[Sample | StackSample] = rule.samples  # type: ignore[attr-defined]
        if not any(not s.violations for s in samples) or not any(s.violations for s in samples):
            yield f"{rule.name}: needs a compliant and a non-compliant sample"
        if len({s.name for s in samples}) != len(samples):
            yield f"{rule.name}: two samples share a name"
        if isinstance(rule, ResourceRule) and rule.fix is not None and not any(s.fixed for s in rule.samples):
            yield f"{rule.name}: has a fix but no sample says what it fixes"
        for option in rule.config_options:
            if "default" not in option.schema or not option.schema.get("description"):
                yield f"{rule.name}: option {option.name} needs a default and a description"
        if not (rule.remediation and rule.unknowns and rule.topics):
            yield f"{rule.name}: needs remediation, unknowns and topics"


RESOURCE_CASES = resource_cases(policies.RULES)
STACK_CASES = stack_cases(policies.RULES)
FIX_CASES = fix_cases(policies.RULES)


@pytest.mark.parametrize(("rule", "sample"), RESOURCE_CASES, ids=[f"{r.name}: {s.name}" for r, s in RESOURCE_CASES])
def test_resource_sample(rule: ResourceRule, sample: Sample) -> None:
    check_resource_sample(rule, sample)


@pytest.mark.parametrize(("rule", "sample"), STACK_CASES, ids=[f"{r.name}: {s.name}" for r, s in STACK_CASES])
def test_stack_sample(rule: StackRule, sample: StackSample) -> None:
    check_stack_sample(rule, sample)


@pytest.mark.parametrize(("rule", "sample"), FIX_CASES, ids=[f"{r.name}: {s.name}" for r, s in FIX_CASES])
def test_fix_sample(rule: ResourceRule, sample: Sample) -> None:
    check_fix_sample(rule, sample)


def test_declarations_are_complete() -> None:
    assert list(declaration_problems(policies.RULES)) == []


@pytest.mark.parametrize(("description", "complaint"), [
    ("Workspaces must disable public network access.", None),
    ("Workspaces must use an approved SKU (default: Basic); absent is a violation.", None),
    ("Workspaces must disable public network access. Absent counts as enabled.", "one sentence"),
    ("Workspaces must disable public network access", "one sentence"),
    ("Workspaces must disable public network access, " + "and much more, " * 6 + "always.", "characters"),
])
def test_a_description_is_one_short_sentence(description: str, complaint: str | None) -> None:
    problem = description_problem(description)
    assert (problem is None) if complaint is None else (complaint in (problem or ""))


def test_catalogue_readme_table_and_enforce_preset_are_current() -> None:
    assert catalogue.stale(catalogue.generated()) == [], "run: python -m policies.catalogue --write"


# --- adding a rule ------------------------------------------------------------------------------


def _no_debug_port(subject: Subject) -> Iterator[str]:
    if p.get_bool(subject.props, "debugPort") is True:
        yield "debugPort is true; close the debug port."


@pytest.fixture
def new_rule(monkeypatch: pytest.MonkeyPatch) -> ResourceRule:
    """A throwaway security rule, registered for this test only (never in the real registry)."""
    rule = ResourceRule(
        name="zz-throwaway-no-debug-port", title="Throwaway: debug port closed",
        description="Throwaway rule: computes keep their debug port closed.",
        severity=Severity.LOW, level=EnforcementLevel.ADVISORY, security=True, topics=("test",),
        remediation="Set debugPort to false.", types=("azure-native:machinelearningservices:Compute",),
        options=(flag("strict", False, "A throwaway option."),), check=_no_debug_port,
        samples=(Sample("closed", {"debugPort": False}), Sample("open", {"debugPort": True}, ("debugPort is true",))))
    monkeypatch.setattr(policies, "RULES", (*policies.RULES, rule))
    return rule


def test_a_new_rule_needs_no_other_edit(new_rule: ResourceRule) -> None:
    """The declaration is all: the catalogue, the README table and the enforce preset pick it up,
    the checks of this file and of tests/test_presets.py run it, and they fail until the
    generated documents are rewritten."""
    from tests.test_presets import enforce_problems

    wanted = catalogue.generated()
    assert f"## {new_rule.name}" in wanted[catalogue.CATALOGUE]
    assert f"[`{new_rule.name}`]" in wanted[catalogue.README]
    preset = json.loads(wanted[catalogue.ENFORCE])
    assert preset[new_rule.name] == {"failClosed": True}
    assert sorted(catalogue.stale(wanted)) == sorted([catalogue.CATALOGUE, catalogue.README, catalogue.ENFORCE])
    # The presets check reads the registry too: the shipped preset lacks the new rule, the generated one has it.
    assert enforce_problems(catalogue.ENFORCE.read_text()) == [f"{new_rule.name}: failClosed is not true"]
    assert enforce_problems(wanted[catalogue.ENFORCE]) == []
    # The sample runner: the new rule's samples are cases, and they pass.
    cases = resource_cases(policies.RULES)
    assert [s.name for r, s in cases if r is new_rule] == ["closed", "open"]
    for rule, sample in cases:
        if rule is new_rule:
            check_resource_sample(rule, sample)
    assert list(declaration_problems(policies.RULES)) == []
