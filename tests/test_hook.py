"""The pre-commit hook: ``.pre-commit-hooks.yaml`` as pre-commit reads a manifest, and its entry
point, ``policy-gate pre-commit FILE...``, run as pre-commit runs it (from the repository root,
with the hook's args, then the matching files)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from policy_gate.hook import touched_programs

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

# pre-commit's manifest schema (pre_commit/clientlib.py, MANIFEST_HOOK_DICT): key -> type.
REQUIRED = {"id": str, "name": str, "entry": str, "language": str}
OPTIONAL = {"alias": str, "files": str, "exclude": str, "types": list, "types_or": list, "exclude_types": list,
            "additional_dependencies": list, "args": list, "always_run": bool, "fail_fast": bool, "pass_filenames": bool,
            "description": str, "language_version": str, "log_file": str, "minimum_pre_commit_version": str,
            "require_serial": bool, "stages": list, "verbose": bool}


def hooks() -> list[dict[str, object]]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_the_manifest_is_one_valid_hook() -> None:
    (hook,) = hooks()
    assert set(REQUIRED) <= set(hook) and set(hook) <= set(REQUIRED) | set(OPTIONAL)
    for key, value in hook.items():
        assert isinstance(value, {**REQUIRED, **OPTIONAL}[key]), key
    assert hook["id"] == "policy-gate" and hook["language"] == "python"
    # All files in one call, so a program touched by several files is gated once.
    assert hook["require_serial"] is True and hook["pass_filenames"] is True


def test_the_entry_is_the_installed_command() -> None:
    (hook,) = hooks()
    command, *args = shlex.split(str(hook["entry"]))
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[command] == "policy_gate.cli:main" and args == ["pre-commit"]


@pytest.mark.parametrize(("path", "matches"), [
    ("infra/__main__.py", True), ("infra/network/vnet.py", True), ("Pulumi.yaml", True), ("infra/Pulumi.prod.yaml", True),
    ("infra/Pulumi.yml", True), ("infra/requirements.txt", True), ("README.md", False), ("PulumiPolicy.yaml", False),
    ("infra/index.ts", False), ("docs/Pulumi.md", False),
])
def test_the_files_pattern(path: str, matches: bool) -> None:
    (hook,) = hooks()
    assert bool(re.search(str(hook["files"]), path)) is matches  # pre-commit searches the pattern in each path


def project(directory: Path, runtime: str = "python", body: str = "import pulumi\n") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(f"name: {directory.name}\nruntime: {runtime}\n")
    (directory / "Pulumi.dev.yaml").write_text("config: {}\n")
    (directory / ("__main__.py" if runtime == "python" else "index.ts")).write_text(body)
    return directory


def test_files_map_to_the_programs_they_belong_to(tmp_path: Path) -> None:
    infra = project(tmp_path / "infra")
    (infra / "network").mkdir()
    (infra / "network" / "vnet.py").write_text("")
    data = project(tmp_path / "services" / "data")
    web = project(tmp_path / "web", runtime="nodejs")
    (tmp_path / "tools.py").write_text("")
    programs, notes = touched_programs(["infra/network/vnet.py", "services/data/__main__.py", "infra/Pulumi.dev.yaml",
                                        "web/index.ts", "tools.py"], tmp_path)
    assert programs == [infra.resolve(), data.resolve()]  # each once, in the order met; tools.py is in no project
    assert notes == [f"skipped {web.name}: runtime 'nodejs', the gate runs Python programs"]


def test_a_project_at_the_root_and_none_above_it(tmp_path: Path) -> None:
    repo = project(tmp_path / "repo")
    project(tmp_path / "outer")
    assert touched_programs(["__main__.py", "lib/helpers.py"], repo) == ([repo.resolve()], [])
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.py").write_text("")
    assert touched_programs(["x.py"], tmp_path / "other") == ([], [])  # never a project above the repository


VIOLATING = """\
import os
import pulumi_azure_native as azure_native

with open(os.environ["GATE_TEST_RUNS"], "a") as runs:
    runs.write("run\\n")
azure_native.machinelearningservices.Workspace("ws", resource_group_name="rg", location="westeurope")
"""


def hook(repo: Path, runs: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy_gate", "pre-commit", *arguments], cwd=repo, capture_output=True,
                          text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "GATE_TEST_RUNS": str(runs)})


@pytest.mark.process
def test_the_hook_gates_each_touched_program_once(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project(repo / "infra", body=VIOLATING)
    project(repo / "clean")
    project(repo / "web", runtime="nodejs")
    runs = tmp_path / "runs.txt"
    result = hook(repo, runs, "infra/__main__.py", "infra/Pulumi.dev.yaml", "web/index.ts", "README.md")
    assert result.returncode == 1, result.stderr
    assert runs.read_text() == "run\n"  # two files of one program: one run
    assert result.stdout.startswith("== infra ==\n") and "== clean ==" not in result.stdout
    assert result.stdout.rstrip().splitlines()[-1].startswith("FAIL: ")
    assert result.stderr == "policy-gate: skipped web: runtime 'nodejs', the gate runs Python programs\n"
    # The hook's args are run's options, before the files.
    relaxed = hook(repo, runs, "--fail-on", "none", "infra/__main__.py", "clean/__main__.py")
    assert relaxed.returncode == 0, relaxed.stderr
    assert [line for line in relaxed.stdout.splitlines() if line.startswith("== ")] == ["== infra ==", "== clean =="]
    assert runs.read_text() == "run\n" * 2


@pytest.mark.process
def test_an_error_in_one_program_does_not_hide_the_others(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    project(repo / "broken", body="raise RuntimeError('the program broke')\n")
    project(repo / "clean")
    runs = tmp_path / "runs.txt"
    result = hook(repo, runs, "broken/__main__.py", "clean/__main__.py")
    assert result.returncode == 3  # the worst of the runs
    assert "error: program failed at" in result.stderr and "RuntimeError: the program broke" in result.stderr
    assert "== clean ==" in result.stdout and result.stdout.rstrip().splitlines()[-1].startswith("EMPTY: ")  # no resource: nothing judged
    # Nothing touched: nothing to do.
    assert hook(repo, runs, "README.md").returncode == 0
