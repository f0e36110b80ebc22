"""The shipped presets: valid against the pack's schemas, and what they claim to be. The checks read
the registry (``policies.RULES``) when they run, so a new rule is covered without editing this file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import policies
from policy_gate import config
from policy_gate.results import PolicyMeta

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "presets"


def _metas() -> list[PolicyMeta]:
    return [PolicyMeta(r.name, r.description, r.level.value, r.severity.value,
                       config_schema={o.name: dict(o.schema) for o in r.config_options}) for r in policies.RULES]


def enforce_problems(text: str) -> list[str]:
    """How an enforce preset (its JSON text) falls short: every rule mandatory, every security rule
    (and no other) failing closed, every rule's own ``enforce`` settings applied."""
    merged = config.merge(_metas(), {}, json.loads(text))
    problems = [f"{name}: level {level}" for name, (level, _) in merged.items() if level != "mandatory"]
    for rule in policies.RULES:
        settings = merged[rule.name][1]
        if settings.get("failClosed", False) is not rule.security:
            problems.append(f"{rule.name}: failClosed is not {str(rule.security).lower()}")
        problems += [f"{rule.name}: {key} is not {value!r}" for key, value in rule.enforce.items() if settings.get(key) != value]
    return problems


@pytest.mark.parametrize("name", ["audit.json", "enforce.json"])
def test_preset_is_valid(name: str) -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / name)), name)
    assert set(merged) == {r.name for r in policies.RULES} | {"all"}  # the CLI sends `all` to Configure too


def test_audit_is_advisory_everywhere() -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / "audit.json")))
    assert {level for level, _ in merged.values()} == {"advisory"}


def test_enforce_is_mandatory_and_fails_closed_on_every_security_rule() -> None:
    assert enforce_problems((PRESETS / "enforce.json").read_text()) == []
    assert json.loads((PRESETS / "enforce.json").read_text())["all"] == "mandatory"
