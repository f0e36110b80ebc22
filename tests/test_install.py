"""The gate as an installed tool: ``pip install`` of this checkout into a fresh virtualenv gives a
``policy-gate`` command with the pack bundled and no provider SDK, and the two CI recipes of
docs/ci.md run as written (their ``run:`` steps, with the repository URL pointing at this
checkout and pipx's directories in a temporary directory).

What is installed is what ``git`` would hand ``pipx install git+<repo>``: the tracked and
untracked-but-not-ignored files, copied first, so no build output lands in the checkout.
Needs the package index, as any install does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.corpus import CORPUS as PROGRAMS
from tests.corpus import copy_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
REPO_URL = "git+https://github.com/<org>/<this-repo>"


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def clean_environment(path: list[Path]) -> dict[str, str]:
    """No PULUMI_* or virtualenv of the test run; PATH from ``path``, then the system's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "POLICY_GATE_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = os.pathsep.join([*map(str, path), "/usr/local/bin", "/usr/bin", "/bin"])
    return env


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("checkout") / "repo"
    files = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def installed(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with ``pip install <checkout>``; returns its bin directory."""
    venv = tmp_path_factory.mktemp("gate") / "venv"
    run([sys.executable, "-m", "venv", str(venv)]).check_returncode()
    result = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                  str(source)], env=clean_environment([]))
    assert result.returncode == 0, result.stderr[-2000:]
    return venv / "bin"


def bundled_pack(installed: Path) -> Path:
    package = run([str(installed / "python"), "-c", "import policy_gate, os; print(os.path.dirname(policy_gate.__file__))"],
                  cwd=installed).stdout.strip()
    return Path(package) / "pack"


def test_policy_gate_version_names_the_gate_and_the_bundled_pack(installed: Path) -> None:
    result = run([str(installed / "policy-gate"), "--version"], env=clean_environment([]))
    assert result.returncode == 0 and result.stdout == f"policy-gate 0.1.0; policy pack 0.1.0 ({bundled_pack(installed)})\n"


def test_the_bundled_pack_is_the_pack_staged_for_publishing(installed: Path, tmp_path: Path) -> None:
    """setup.py bundles the files scripts/stage-pack names (README.md, the pack's readme, too)."""
    staged = tmp_path / "staged"
    run([sys.executable, str(ROOT / "scripts" / "stage-pack"), str(staged)]).check_returncode()

    def files(directory: Path) -> set[str]:
        return {p.relative_to(directory).as_posix() for p in directory.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}

    assert "README.md" in files(bundled_pack(installed))
    assert files(bundled_pack(installed)) == files(staged) - {".gitignore"}


def test_the_install_has_the_pack_and_no_provider_sdk(installed: Path) -> None:
    probe = ("import importlib.util as u, json; print(json.dumps({m: u.find_spec(m) is not None for m in "
             "['pulumi', 'pulumi_policy', 'pulumi_azure_native', 'pulumi_azure', 'policies', 'cryptography']}))")
    found = json.loads(run([str(installed / "python"), "-c", probe], cwd=installed).stdout)
    assert found == {"pulumi": True, "pulumi_policy": True, "pulumi_azure_native": False, "pulumi_azure": False,
                     "policies": False, "cryptography": True}


def test_the_installed_gate_checks_a_program_whose_venv_has_the_provider_sdk(installed: Path, tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path, "an3")
    result = run([str(installed / "policy-gate"), "run", str(program), "--format", "json"], cwd=tmp_path,
                 env=clean_environment([]))
    assert result.returncode == 1 and result.stderr == ""
    report = json.loads(result.stdout)
    assert report["pack"] == {"name": "azure-ml-governance", "version": "0.1.0"}
    assert {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in report["violations"]} == {
        ("workspace-customer-managed-key", "workspace"), ("workspace-private-endpoint", "workspace"),
        ("online-endpoint-aad-auth", "scoring"), ("online-endpoint-no-public-access", "scoring")}


def recipe(name: str) -> dict[str, Any]:
    """The workflow that follows ``<!-- recipe: NAME`` in docs/ci.md."""
    text = CI_DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)}\b[^>]*-->\s*```yaml\n(.*?)```", text, re.S)
    assert match, f"docs/ci.md has no recipe {name}"
    workflow: dict[str, Any] = yaml.safe_load(match.group(1))
    return workflow


@pytest.mark.parametrize("name", ["own-virtualenv", "no-virtualenv"])
def test_the_ci_recipes_run_as_written(name: str, source: Path, tmp_path: Path) -> None:
    steps = recipe(name)["jobs"]["gate"]["steps"]
    work = tmp_path / "job"
    shutil.copytree(PROGRAMS / "recipe-infra", work / "infra")
    if name == "no-virtualenv":
        (work / "infra" / "Pulumi.yaml").write_text("name: training-names\nruntime: python\n")
    # actions/setup-python: a Python of the job's own first on PATH; pipx from the test run's.
    job_python = tmp_path / "job-python"
    run([sys.executable, "-m", "venv", str(job_python)]).check_returncode()
    pipx = shutil.which("pipx", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert pipx, "pipx is not installed (requirements-dev.txt)"
    env = clean_environment([job_python / "bin", tmp_path / "pipx-bin", Path(pipx).parent])
    env.update(PIPX_HOME=str(tmp_path / "pipx-home"), PIPX_BIN_DIR=str(tmp_path / "pipx-bin"))
    commands = [step for step in steps if "run" in step]
    assert [step["name"] for step in commands][-1] == "Policy gate"
    for step in commands:
        script = step["run"].replace(REPO_URL, str(source))
        result = run(["bash", "-eo", "pipefail", "-c", script], cwd=work, env={**env, **step.get("env", {})})
        if step["name"] != "Policy gate":
            assert result.returncode == 0, (step["name"], result.stderr[-2000:])
    # The pack judged the program's resource (no Azure ML resource, nothing to report), with the
    # root stack and the default provider, as the engine analyses them.
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.startswith("PASS: 0 mandatory and 0 advisory violation(s) in 3 resource(s) checked by "
                                    "azure-ml-governance@0.1.0")
    sarif = json.loads((work / "policy.sarif").read_text())
    assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["properties"]["resourcesAnalysed"] == 3
    # The gate's own environment has no pulumi_random: the verdict came from the program's interpreter.
    gate_python = tmp_path / "pipx-home" / "venvs" / "policy-gate" / "bin" / "python"
    assert run([str(gate_python), "-c", "import pulumi_random"]).returncode == 1
