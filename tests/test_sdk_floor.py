"""The pack on the oldest SDKs ``requirements.txt`` admits gives the same verdicts.

CI builds that environment from ``requirements-floor.txt`` and points POLICY_PACK_FLOOR_PYTHON at
it (.ci/run); locally, set the variable to such an interpreter to run this test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
FLOOR = os.environ.get("POLICY_PACK_FLOOR_PYTHON")


def _verdict(*extra: str) -> tuple[int, set[tuple[str, str, str, str, str]]]:
    """(policy, URN, message, severity, level) per violation: pulumi-policy 1.18 sends no severity,
    the CLI fills it from GetAnalyzerInfo (analyzer_plugin.go convertDiagnostics), so must the gate."""
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", "examples/antipatterns", "--config",
                             "examples/antipatterns/policy-config.json", "--format", "json", *extra],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    data = json.loads(result.stdout)
    return result.returncode, {(v["policy"], v["urn"], v["message"], v["severity"], v["level"]) for v in data["violations"]}


@pytest.mark.skipif(not FLOOR, reason="POLICY_PACK_FLOOR_PYTHON is not set (.ci/run sets it)")
def test_oldest_admitted_sdks_give_the_same_verdicts() -> None:
    assert FLOOR is not None
    version = subprocess.run([FLOOR, "-c", "import importlib.metadata as m; print(m.version('pulumi_policy'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "1.18.0"
    current = _verdict()
    floor = _verdict("--pack-python", FLOOR)
    assert current[0] == floor[0] == 1
    assert floor[1] == current[1] and len(current[1]) >= 39
    assert all(severity for *_, severity, _level in floor[1])


@pytest.mark.skipif(not FLOOR, reason="POLICY_PACK_FLOOR_PYTHON is not set (.ci/run sets it)")
def test_oldest_admitted_sdks_publish_the_same_metadata() -> None:
    """pulumi-policy 1.18 takes every metadata field the pack sets (display names, urls, tags,
    framework versions, readme, repository): its GetAnalyzerInfo answer is the newest SDK's."""
    from google.protobuf import json_format

    from policy_gate.analyzer import PackOptions
    from tests.test_protocol import analyzer_info

    floor = json_format.MessageToDict(analyzer_info(PackOptions(ROOT, python=FLOOR)))
    current = json_format.MessageToDict(analyzer_info())
    assert floor["readme"] and floor["policies"][0]["displayName"] and floor["policies"][0]["url"]
    assert floor == current

