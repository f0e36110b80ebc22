"""Figure 4b, the gate against Checkov: the gate on an n-workspace ``pulumi stack export``
against Checkov on the equivalent ARM template with its Azure ML checks. Checkov runs from its
own virtualenv (``bench/.venv-checkov``, from bench/requirements.txt), never the project's,
and with ``--skip-download`` (offline, as the gate is)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import stacks
from bench.gate import gate_command
from bench.harness import BENCH, ROOT, Figure, child_env, interleaved, log, median, stock_env
from bench.memory import Measured, check_ok, measure
from bench.noop_pack import NoopPack
from policies import RULES, ResourceRule, StackRule
from policy_gate.capture import Capture

CHECKOV_VENV = BENCH / ".venv-checkov"


def checkov_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_checkov(venv: Path, install: bool) -> Path | None:
    """The ``checkov`` executable of the benchmark's own virtualenv; created from
    bench/requirements.txt when ``install`` and missing. None when unavailable."""
    executable = venv / "bin" / "checkov"
    if executable.exists():
        return executable
    if not install:
        return None
    log(f"creating {venv} for Checkov (bench/requirements.txt)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(checkov_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(BENCH / "requirements.txt")], check=True)
    return executable if executable.exists() else None


def checkov_ml_checks(venv: Path) -> list[str]:
    """Ids of the installed Checkov's ARM checks on Azure ML (resource checks in Python, graph
    checks in JSON/YAML), found by grepping its checks directory for MachineLearningServices."""
    located = subprocess.run([str(checkov_python(venv)), "-c", "import checkov, os; print(os.path.dirname(checkov.__file__))"],
                             capture_output=True, text=True, check=True)
    checks_dir = Path(located.stdout.strip()) / "arm" / "checks"
    ids: set[str] = set()
    for path in checks_dir.rglob("*"):
        if path.suffix not in (".py", ".json", ".yaml", ".yml") or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Microsoft.MachineLearningServices" in text:
            ids.update(re.findall(r"\bCKV2?_AZURE_\d+\b", text))
    return sorted(ids)


def checkov_version(venv: Path) -> str:
    result = subprocess.run([str(venv / "bin" / "checkov"), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"


def gate_checks(capture: Capture) -> dict[str, int]:
    """What the gate evaluates on a capture: (resource rule, resource) pairs whose types match,
    and one run of each stack rule over the whole stack."""
    resources = [r for r in capture.resources if not r.is_root_stack and not r.is_provider]
    resource_rules = [r for r in RULES if isinstance(r, ResourceRule)]
    pairs = sum(1 for res in resources for rule in resource_rules if rule.applies_to(res.type))
    stack_rules = sum(1 for r in RULES if isinstance(r, StackRule))
    return {"rules": len(RULES), "resource_rule_evaluations": pairs, "stack_rule_runs": stack_rules,
            "evaluations": pairs + stack_rules}


def bench_gate_checkov(noop: NoopPack, workspaces: int, reps: int, warmup: bool, tmp: Path, checkov: Path | None,
                       skip_reason: str) -> Figure:
    export = tmp / f"stack-export-{workspaces}.json"
    template = tmp / f"template-{workspaces}.json"
    export.write_text(json.dumps(stacks.workspace_export(workspaces)), encoding="utf-8")
    template.write_text(json.dumps(stacks.arm_template(workspaces), indent=1), encoding="utf-8")
    report = tmp / "gate-export.json"
    title = f"Gate on a {workspaces:,}-workspace stack export vs Checkov (ARM)"
    runs: dict[str, Callable[[], Measured]] = {
        "gate": lambda: measure(gate_command(export, ROOT, report), ROOT),
        "gate_noop": lambda: measure(gate_command(export, noop.directory, tmp / "gate-export-noop.json"), ROOT),
        # The real pack on the SDK's own servicer: what the adapter saves end to end.
        "gate_stock": lambda: measure(gate_command(export, ROOT, tmp / "gate-export-stock.json"), ROOT, stock_env()),
    }
    notes: dict[str, Any] = {"workspaces": workspaces, "computes": workspaces,
                             "gate": gate_checks(stacks.workspace_capture(workspaces))}
    venv = checkov.parent.parent if checkov is not None else None
    if checkov is not None and venv is not None:
        ids = checkov_ml_checks(venv)
        notes["checkov"] = {"version": checkov_version(venv), "checks": ids}
        # --skip-download: no calls to the Prisma Cloud API (offline, as the gate is).
        command = [str(checkov), "-f", str(template), "--framework", "arm", "--check", ",".join(ids), "-o", "json",
                   "--compact", "--quiet", "--skip-download"]
        env = {**child_env(), "BC_SKIP_MAPPING": "TRUE"}
        runs["checkov"] = lambda: measure(command, tmp, env)
    results = interleaved(runs, reps, warmup)
    for item in results["gate"] + results["gate_noop"] + results["gate_stock"]:
        check_ok("the gate on the stack export", item)
    gate = results["gate"]
    violations = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    notes["gate"]["violations"] = len(violations.get("violations", []))
    notes["gate_noop_s"] = median([m.wall for m in results["gate_noop"]])
    notes["gate_noop_cpu_s"] = median([m.cpu for m in results["gate_noop"]])
    notes["gate_noop_peak_rss_mib"] = max(m.peak_rss_mib for m in results["gate_noop"])
    notes["gate_stock_s"] = median([m.wall for m in results["gate_stock"]])
    notes["gate_stock_cpu_s"] = median([m.cpu for m in results["gate_stock"]])
    stock_report = json.loads((tmp / "gate-export-stock.json").read_text(encoding="utf-8"))
    assert len(stock_report["violations"]) == notes["gate"]["violations"]  # the adapter changes no verdict
    figure = Figure("gate_vs_checkov", title, "s", median([m.wall for m in gate]), None, "Checkov on the equivalent ARM template",
                    1 / 3, peak_rss_mib=max(m.peak_rss_mib for m in gate), runs=reps, samples=[m.wall for m in gate],
                    cpu=median([m.cpu for m in gate]),
                    notes=notes)
    if "checkov" not in results:
        figure.status = f"skipped Checkov: {skip_reason}"
        return figure
    checkov_runs = results["checkov"]
    for item in checkov_runs:
        check_ok("checkov", item, (0, 1))
    summary = _checkov_summary(checkov_runs[-1].stdout)
    notes["checkov"].update(summary)
    figure.baseline = median([m.wall for m in checkov_runs])
    figure.baseline_samples = [m.wall for m in checkov_runs]
    figure.baseline_peak_rss_mib = max(m.peak_rss_mib for m in checkov_runs)
    figure.baseline_cpu = median([m.cpu for m in checkov_runs])
    return figure


def _checkov_summary(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    reports = data if isinstance(data, list) else [data]
    summary: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0, "resource_count": 0}
    for item in reports:
        for key in summary:
            summary[key] += int(item.get("summary", {}).get(key, 0))
    return {**summary, "evaluations": summary["passed"] + summary["failed"] + summary["skipped"]}
