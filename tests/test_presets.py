"""The shipped presets: valid against the pack's schemas, and what they claim to be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies import RULES
from policy_gate import config
from policy_gate.results import PolicyMeta

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "presets"


def _metas() -> list[PolicyMeta]:
    return [PolicyMeta(r.name, r.description, r.level.value, r.severity.value,
                       config_schema={o.name: dict(o.schema) for o in r.config_options}) for r in RULES]


@pytest.mark.parametrize("name", ["audit.json", "enforce.json"])
def test_preset_is_valid(name: str) -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / name)), name)
    assert set(merged) == {r.name for r in RULES} | {"all"}  # the CLI sends `all` to Configure too


def test_audit_is_advisory_everywhere() -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / "audit.json")))
    assert {level for level, _ in merged.values()} == {"advisory"}


def test_enforce_is_mandatory_and_fails_closed_on_every_security_rule() -> None:
    merged = config.merge(_metas(), {}, config.load_file(str(PRESETS / "enforce.json")))
    assert {level for level, _ in merged.values()} == {"mandatory"}
    for rule in RULES:
        assert merged[rule.name][1].get("failClosed", False) is rule.security, rule.name
    assert merged["workspace-managed-identity"][1]["requireUserAssigned"] is True
    assert json.loads((PRESETS / "enforce.json").read_text())["all"] == "mandatory"
