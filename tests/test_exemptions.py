"""Exemptions and the failure threshold (--fail-on, --min-severity)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policy_gate import exemptions as ex
from policy_gate.errors import UsageError
from policy_gate.results import Outcome, Violation

pytestmark = pytest.mark.process
ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "tests" / "fixtures" / "state" / "stack-export.json"
TODAY = dt.date(2026, 11, 27)
FOUNDATION = {"all": "disabled", "workspace-allowed-sku": "mandatory", "no-secret-exports": "advisory"}


def _outcome() -> Outcome:
    return Outcome("p", "1", violations=[
        Violation("sku", "mandatory", "medium", "urn:pulumi:dev::proj::t::legacy-ws", "t", "m1"),
        Violation("sku", "mandatory", "medium", "urn:pulumi:dev::proj::t::new-ws", "t", "m2"),
        Violation("exports", "advisory", "critical", "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", "s", "m3"),
        Violation("tags", "advisory", "low", "urn:pulumi:dev::proj::t::new-ws", "t", "m4"),
    ])


def _write(tmp_path: Path, entries: list[dict[str, Any]], name: str = "ex.yaml") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"exemptions": entries}) if name.endswith(".json") else
                    "exemptions:\n" + "".join(
                        "  - " + "\n    ".join(f"{k}: {json.dumps(v) if k != 'expires' else v}" for k, v in e.items()) + "\n"
                        for e in entries))
    return str(path)


def test_exempted_violations_are_kept_and_marked(tmp_path: Path) -> None:
    path = _write(tmp_path, [
        {"policy": "sku", "resource": "legacy-*", "reason": "migration ML-123", "expires": "2027-01-31"},
        {"policy": "sku", "resource": "urn:pulumi:dev::proj::t::gone", "reason": "old", "expires": "2027-01-31"},
        {"policy": "tags", "resource": "new-ws", "reason": "expired waiver", "expires": "2026-11-26"},
    ])
    outcome = _outcome()
    ex.apply(outcome, ex.load(path), TODAY)
    assert len(outcome.violations) == 4
    marked = {v.message: v.exemption.reason if v.exemption else None for v in outcome.violations}
    assert marked == {"m1": "migration ML-123", "m2": None, "m3": None, "m4": None}
    notes = [d.message for d in outcome.diagnostics if d.kind == "exemption"]
    assert any("expired" in n and "tags on new-ws" in n for n in notes)
    assert any("matched no violation" in n and "gone" in n for n in notes)
    assert [v.message for v in outcome.mandatory] == ["m2"]


def test_expiry_day_itself_still_applies(tmp_path: Path) -> None:
    outcome = _outcome()
    ex.apply(outcome, ex.load(_write(tmp_path, [{"policy": "sku", "resource": "*", "reason": "r",
                                                 "expires": TODAY.isoformat()}], "ex.json")), TODAY)
    assert outcome.mandatory == []


@pytest.mark.parametrize(("entry", "fragment"), [
    ({"policy": "sku", "resource": "x", "expires": "2027-01-01"}, "must give its reason"),
    ({"policy": "sku", "resource": "x", "reason": "  ", "expires": "2027-01-01"}, "does not match"),
    ({"policy": "sku", "resource": "x", "reason": "r"}, "'expires' is a required property"),
    ({"policy": "sku", "resource": "x", "reason": "r", "expires": "someday"}, "is not a 'date'"),
    ({"resource": "x", "reason": "r", "expires": "2027-01-01"}, "'policy' is a required property"),
    ({"policy": "sku", "resource": "x", "reason": "r", "expires": "2027-01-01", "extra": 1}, "Additional properties"),
])
def test_invalid_exemptions_are_usage_errors(tmp_path: Path, entry: dict[str, Any], fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        ex.load(_write(tmp_path, [entry], "ex.json"))
    assert fragment in caught.value.message


@pytest.mark.parametrize(("fail_on", "severity", "failing"), [
    ("mandatory", "low", ["m1", "m2"]),
    ("advisory", "low", ["m1", "m2", "m3", "m4"]),
    ("advisory", "high", ["m3"]),
    ("mandatory", "high", []),
    ("none", "low", []),
])
def test_failure_threshold(fail_on: str, severity: str, failing: list[str]) -> None:
    assert [v.message for v in _outcome().failing(fail_on, severity)] == failing


def gate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy_gate", "run", str(EXPORT), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_exemptions_and_thresholds_through_the_cli(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps(FOUNDATION))
    base = ("--config", str(config), "--format", "json")
    assert gate(*base).returncode == 1
    assert gate(*base, "--fail-on", "none").returncode == 0
    assert gate(*base, "--min-severity", "high").returncode == 0  # the SKU violation is medium
    assert gate(*base, "--min-severity", "high", "--fail-on", "advisory").returncode == 1  # the export is critical
    exemptions = _write(tmp_path, [{"policy": "workspace-allowed-sku", "resource": "mlw", "reason": "legacy SKU until Q1",
                                    "expires": "2099-01-01"}])
    result = gate(*base, "--exemptions", exemptions)
    assert result.returncode == 0
    data = json.loads(result.stdout)
    sku = next(v for v in data["violations"] if v["policy"] == "workspace-allowed-sku")
    assert sku["exempted"] == {"reason": "legacy SKU until Q1", "expires": "2099-01-01"}
    assert "1 exempted" in data["summary"]
    expired = _write(tmp_path, [{"policy": "workspace-allowed-sku", "resource": "mlw", "reason": "r",
                                 "expires": "2020-01-01"}], "old.yaml")
    result = gate(*base, "--exemptions", expired)
    assert result.returncode == 1
    assert any("expired" in d["message"] for d in json.loads(result.stdout)["diagnostics"])


def test_exemption_for_an_unknown_policy_is_a_usage_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"policy": "no-such-policy", "resource": "*", "reason": "r", "expires": "2099-01-01"}])
    result = gate("--exemptions", path)
    assert result.returncode == 2 and "no policy named 'no-such-policy'" in result.stderr
