"""Smoke test of the benchmark: ``bench/run.py --quick --skip-checkov`` runs end to end and
writes every figure as JSON. No timing is asserted: CI machines vary, and the benchmark
itself reports whether each target is met (see docs/performance.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run
ROOT = Path(__file__).resolve().parent.parent
ALWAYS = ("startup", "analyze", "analyze_vs_stock_floor", "analyze_vs_stock", "stack_scaling", "stack_growth", "rules_scaling",
          "gate_reference", "gate_vs_checkov")
STACK = ("stack_{}", "stack_{}_vs_stock_floor", "stack_{}_vs_stock")  # per size
NO_TARGET = ("program_",)  # figures that only report
FIELDS = ("key", "title", "unit", "value", "baseline", "baseline_name", "ratio", "target", "met", "cpu", "baseline_cpu",
          "cpu_ratio", "peak_rss_mib", "baseline_peak_rss_mib", "runs", "samples", "baseline_samples", "status", "notes")


def test_quick_benchmark_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}  # the benchmark's temporary files, to check nothing is left
    result = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--skip-checkov", "--json", str(out)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| Figure |" in result.stdout

    data = json.loads(out.read_text(encoding="utf-8"))
    figures = data["figures"]
    stack_keys = [pattern.format(size) for size in data["sizes"] for pattern in STACK]
    program_keys = [f"program_{size}" for size in data["program_sizes"]]
    assert len(stack_keys) == 6 and len(program_keys) == 1
    assert set(figures) == {*ALWAYS, *stack_keys, *program_keys}
    for key, figure in figures.items():
        assert set(FIELDS) <= set(figure), key
        assert isinstance(figure["value"], float) and figure["value"] > 0, key
        assert figure["runs"] == 1, key
        assert (figure["target"] is None) == key.startswith(NO_TARGET), key
    for key in ("startup", "analyze", "analyze_vs_stock_floor", "analyze_vs_stock", *stack_keys, "stack_scaling", "stack_growth",
                "rules_scaling", "gate_reference"):
        assert figures[key]["baseline"] > 0, key
        assert isinstance(figures[key]["ratio"], float), key
        assert isinstance(figures[key]["met"], bool), key

    # Peak memory of every measured process (read from /proc on Linux).
    if sys.platform.startswith("linux"):
        for key in ("startup", "analyze", "analyze_vs_stock_floor", *stack_keys, "gate_reference", *program_keys):
            assert figures[key]["peak_rss_mib"] > 0 and figures[key]["baseline_peak_rss_mib"] > 0, key
        for key in program_keys:  # each path analysed every resource, the root stack and default provider too
            assert figures[key]["notes"]["analysed"] == {"program": 22, "state": 22}, figures[key]["notes"]
        assert figures["gate_vs_checkov"]["peak_rss_mib"] > 0

    checkov = figures["gate_vs_checkov"]
    assert checkov["status"].startswith("skipped")
    assert checkov["baseline"] is None and checkov["met"] is None
    assert checkov["notes"]["gate"]["rules"] > 0 and checkov["notes"]["gate"]["evaluations"] > 0

    for section in ("analyze_in_process", "analyze_in_process_workspaces", "stack_in_process"):
        assert data["breakdown"][section], section
    for servicer in ("real", "noop", "real_stock", "noop_stock"):
        assert data["breakdown"]["analyze_in_process"][f"{servicer}_us"] > 0, servicer
    split = data["gate_split"]
    assert split["client_cpu_s"] > 0 and split["pack_cpu_s"] > 0 and split["profiled"]["phases_s"]["imports"] > 0
    assert data["gate_phases"]["program_under_mocks_s"] > 0
    # The reference stack is split over modules: its provider imports are read from all of them.
    assert "pulumi_azure_native.machinelearningservices" in data["gate_phases"]["program_modules"]
    assert data["machine"]["python"]
    # The no-op pack and every temporary file are removed.
    assert list(scratch.iterdir()) == []
