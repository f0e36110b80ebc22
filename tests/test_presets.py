"""The shipped presets: valid against the pack's schemas both ways the CLI checks a config, and what
they claim to be. The checks read the registry (``policies.RULES``) when they run, so a new rule is
covered without editing this file.

The two checks, both with the gate's own validation (``policy_gate.config``), which copies the CLI's:

- ``--policy-pack-config`` (``config.merge``): each policy's merged block against its schema;
- ``pulumi policy validate-config`` (pulumi/pulumi ``pkg/cmd/pulumi/policy/policy_validate.go``,
  ``pkg/resource/analyzer/config.go`` ``ValidatePolicyPackConfig``): against the schemas Pulumi Cloud
  keeps from ``pulumi policy publish`` (each policy's ``configSchema`` from GetAnalyzerInfo, with the
  ``enforcementLevel`` property the CLI injects, ``analyzer_plugin.go`` ``GetAnalyzerInfo``), every
  published policy's entry as written, or ``{}`` when absent, must be an object valid against
  ``{type: object, properties, required}``; ``all`` and names the pack lacks are not checked.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import policies
from policy_gate import config
from policy_gate.analyzer import policy_metas
from policy_gate.errors import UsageError
from policy_gate.results import LEVELS, PolicyMeta

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "presets"


def _metas() -> list[PolicyMeta]:
    return [PolicyMeta(r.name, r.description, r.level.value, r.severity.value,
                       config_schema={o.name: dict(o.schema) for o in r.config_options}) for r in policies.RULES]


# What analyzer_plugin.go GetAnalyzerInfo adds to every policy's schema before publishing.
ENFORCEMENT_LEVEL = {"type": "string", "enum": list(LEVELS)}


def validate_config_problems(metas: list[PolicyMeta], given: Mapping[str, Any]) -> list[str]:
    """What `pulumi policy validate-config` reports for the config ``given`` against the published
    schemas of ``metas`` (module docstring)."""
    problems = []
    for meta in metas:
        published = dataclasses.replace(meta, config_schema={**meta.config_schema, "enforcementLevel": ENFORCEMENT_LEVEL})
        entry = given.get(meta.name, {})
        if not isinstance(entry, Mapping):  # the schema's "type": "object" (--policy-pack-config takes a level string)
            problems.append(f"{meta.name}: invalid type, expected an object, given {type(entry).__name__}")
            continue
        try:
            config._validate(published, entry, "validate-config")  # the gate's JSON Schema check of a block
        except UsageError as exc:
            problems.append(str(exc))
    return problems


def _preset_level(name: str, level: str) -> str:
    """The level a preset setting every rule to ``level`` must give the rule ``name``: opt-in rules
    (disabled by default) stay disabled, since they would judge a workspace's resources twice."""
    return "disabled" if any(r.name == name and r.opt_in for r in policies.RULES) else level


def enforce_problems(text: str) -> list[str]:
    """How an enforce preset (its JSON text) falls short: every rule mandatory but the opt-in ones,
    which stay disabled, every other security rule (and no other) failing closed, every rule's own
    ``enforce`` settings applied."""
    merged = config.merge(_metas(), {}, json.loads(text))
    problems = [f"{name}: level {level}" for name, (level, _) in merged.items() if level != _preset_level(name, "mandatory")]
    for rule in policies.RULES:
        if rule.opt_in:
            continue
        settings = merged[rule.name][1]
        if settings.get("failClosed", False) is not rule.security:
            problems.append(f"{rule.name}: failClosed is not {str(rule.security).lower()}")
        problems += [f"{rule.name}: {key} is not {value!r}" for key, value in rule.enforce.items() if settings.get(key) != value]
    return problems


@pytest.mark.parametrize("name", ["audit.json", "enforce.json"])
def test_preset_is_valid(name: str) -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / name)), name)
    assert set(merged) == {r.name for r in policies.RULES} | {"all"}  # the CLI sends `all` to Configure too


@pytest.mark.parametrize("name", ["audit.json", "enforce.json"])
def test_preset_passes_validate_config(name: str) -> None:
    assert validate_config_problems(_metas(), config.load_file(str(PRESETS / name))) == []


@pytest.mark.process
@pytest.mark.parametrize("name", ["audit.json", "enforce.json"])
def test_preset_passes_validate_config_against_the_published_schemas(name: str) -> None:
    """The schemas as `pulumi policy publish` reads them from the running pack."""
    from tests.test_protocol import analyzer_info

    published = policy_metas(analyzer_info())
    assert {m.name for m in published} == {r.name for r in policies.RULES}
    assert validate_config_problems(published, config.load_file(str(PRESETS / name))) == []


@pytest.mark.parametrize(("given", "complaint"), [
    ({"all": "advisory", "workspace-allowed-sku": {"enforcementLevel": "advisory", "allowedSkus": ["Basic"]}}, None),
    ({"workspace-allowed-sku": "advisory"}, "invalid type, expected an object, given str"),
    ({"workspace-allowed-sku": {"enforcementLevel": "warn"}}, "key enforcementLevel: 'warn' is not one of"),
    ({"workspace-allowed-sku": {"allowedSkus": "Basic"}}, "key allowedSkus: 'Basic' is not of type 'array'"),
    ({"no-such-rule": "advisory", "all": {"failClosed": "yes"}}, None),  # neither is a published policy
])
def test_validate_config_rejects_what_the_cli_rejects(given: dict[str, Any], complaint: str | None) -> None:
    problems = validate_config_problems(_metas(), given)
    assert problems == [] if complaint is None else any(complaint in p for p in problems), problems


def test_audit_is_advisory_everywhere_but_the_opt_in_rules() -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / "audit.json")))
    assert {name: level for name, (level, _) in merged.items()} == {name: _preset_level(name, "advisory") for name in merged}
    assert any(r.opt_in for r in policies.RULES)  # the audit preset names them: `all` alone would turn them on


def test_enforce_is_mandatory_and_fails_closed_on_every_security_rule() -> None:
    assert enforce_problems((PRESETS / "enforce.json").read_text()) == []
    assert json.loads((PRESETS / "enforce.json").read_text())["all"] == "mandatory"
