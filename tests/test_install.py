"""The gate as an installed tool: ``pip install`` of this checkout into a fresh virtualenv gives a
``policy-gate`` command with the pack bundled and no provider SDK, and the CI recipes of
docs/ci.md and README.md's commands run as written: their ``run:`` steps, with the repository URL
pointing at this checkout and pipx's directories in a temporary directory; the action recipe's
``uses`` of this repository runs ``action.yml`` as the runner runs a composite action
(``tests/actions.py``); the pre-commit hook's entry point runs from the installed command, and
pre-commit itself (run by pipx) runs docs/ci.md's ``.pre-commit-config.yaml``.

What is installed is what ``git`` would hand ``pipx install git+<repo>``: the tracked and
untracked-but-not-ignored files, copied first into a repository of their own (so no build output
lands in the checkout), which the recipes' ``pipx install git+...`` clone as a ``git+file://`` URL.
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
from google.protobuf import empty_pb2
from packaging.requirements import Requirement

from policy_gate.analyzer import PackOptions, PackProcess
from tests.actions import run_action
from tests.corpus import CORPUS as PROGRAMS
from tests.corpus import copy_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
CI_DOC = ROOT / "docs" / "ci.md"
README = ROOT / "README.md"
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
    # A repository of its own, so `pipx install git+file://...` clones it as pip clones the real one.
    identity = {**clean_environment([]), "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "checkout"]):
        run(["git", *command], cwd=target, env=identity).check_returncode()
    return target


def local_url(commands: str, source: Path) -> str:
    """``commands`` with the repository's URL pointing at ``source``, a git repository."""
    return commands.replace(REPO_URL, f"git+file://{source}")


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


def requirement_lines(*names: str) -> list[str]:
    lines = [line.strip() for name in names for line in (ROOT / name).read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_installed_distribution_carries_the_project_metadata(installed: Path) -> None:
    """pyproject.toml's metadata as pip recorded it: name, version (the gate's), summary, Python
    floor, the readme, the ``policy-gate`` console script and, as dependencies, requirements.txt
    and requirements-gate.txt, no more."""
    probe = ("import importlib.metadata as m, json; d = m.distribution('policy-gate'); md = d.metadata; "
             "print(json.dumps({'name': md['Name'], 'version': md['Version'], 'summary': md['Summary'], "
             "'python': md['Requires-Python'], 'readme': md.get_payload().startswith('# Azure ML governance for Pulumi'), "
             "'requires': md.get_all('Requires-Dist'), "
             "'scripts': sorted((e.name, e.value) for e in d.entry_points if e.group == 'console_scripts')}))")
    found = json.loads(run([str(installed / "python"), "-c", probe], cwd=installed).stdout)
    found["requires"] = sorted(str(Requirement(r)) for r in found["requires"])
    assert found == {"name": "policy-gate", "version": "0.1.0", "python": ">=3.11", "readme": True,
                     "summary": "Offline CI gate for Pulumi CrossGuard policy packs, with the Azure ML governance pack bundled",
                     "requires": sorted(str(Requirement(r)) for r in requirement_lines("requirements.txt", "requirements-gate.txt")),
                     "scripts": [["policy-gate", "policy_gate.cli:main"]]}


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


def recipe(name: str) -> Any:
    """The workflow (or steps) that follows ``<!-- recipe: NAME`` in docs/ci.md."""
    text = CI_DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)}\b[^>]*-->\s*```yaml\n(.*?)```", text, re.S)
    assert match, f"docs/ci.md has no recipe {name}"
    return yaml.safe_load(match.group(1))


def job_environment(tmp_path: Path) -> dict[str, str]:
    """A job's environment: actions/setup-python's Python first on PATH (``python``, ``python3``),
    pipx from the test run's, pipx's directories and the step summary file in ``tmp_path``."""
    job_python = tmp_path / "job-python"
    if not job_python.exists():
        run([sys.executable, "-m", "venv", str(job_python)]).check_returncode()
    pipx = shutil.which("pipx", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert pipx, "pipx is not installed (requirements-dev.txt)"
    env = clean_environment([job_python / "bin", tmp_path / "pipx-bin", Path(pipx).parent])
    (tmp_path / "step-summary.md").write_text("")
    env.update(PIPX_HOME=str(tmp_path / "pipx-home"), PIPX_BIN_DIR=str(tmp_path / "pipx-bin"),
               GITHUB_STEP_SUMMARY=str(tmp_path / "step-summary.md"))
    return env


def run_steps(steps: list[dict[str, Any]], work: Path, env: dict[str, str], source: Path) -> subprocess.CompletedProcess[str]:
    """The ``run:`` steps, as the runner runs them (bash, -e and pipefail) in ``work``; every step
    but the last must pass; returns the last one's result."""
    commands = [step for step in steps if "run" in step]
    for index, step in enumerate(commands):
        script = local_url(step["run"], source)
        result = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=work,
                     env={**env, **step.get("env", {})})
        if index < len(commands) - 1:
            assert result.returncode == 0, (step["name"], result.stderr[-2000:])
    return result


def recipe_program(work: Path, own_virtualenv: bool = True) -> None:
    shutil.copytree(PROGRAMS / "recipe-infra", work / "infra")
    if not own_virtualenv:
        (work / "infra" / "Pulumi.yaml").write_text("name: training-names\nruntime: python\n")


@pytest.mark.parametrize("name", ["own-virtualenv", "no-virtualenv"])
def test_the_ci_recipes_run_as_written(name: str, source: Path, tmp_path: Path) -> None:
    steps = recipe(name)["jobs"]["gate"]["steps"]
    work = tmp_path / "job"
    recipe_program(work, own_virtualenv=name == "own-virtualenv")
    assert [step["name"] for step in steps if "run" in step][-1] == "Policy gate"
    env = job_environment(tmp_path)
    result = run_steps(steps, work, env, source)
    # The pack judged the program's resource (no Azure ML resource, nothing to report), with the
    # root stack and the default provider, as the engine analyses them; one run, three reports.
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.startswith("PASS: 0 mandatory and 0 advisory violation(s) in 3 resource(s) checked by "
                                    "azure-ml-governance@0.1.0")
    sarif = json.loads((work / "policy.sarif").read_text())
    assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["properties"]["resourcesAnalysed"] == 3
    assert (work / "policy.xml").read_text().startswith("<?xml")
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text().startswith("## Policy gate: PASS on training-names/dev")
    # The gate's own environment has no pulumi_random: the verdict came from the program's interpreter.
    gate_python = tmp_path / "pipx-home" / "venvs" / "policy-gate" / "bin" / "python"
    assert run([str(gate_python), "-c", "import pulumi_random"]).returncode == 1


@pytest.fixture(scope="module")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runner's temporary directory, shared by the action's runs here (its second install of
    the gate reuses the virtualenv: pip then has nothing to download)."""
    return tmp_path_factory.mktemp("runner-temp")


def test_the_action_recipe_runs_as_written(source: Path, tmp_path: Path, runner_temp: Path) -> None:
    """The recipe's steps; its ``uses: <org>/<this-repo>@...`` runs this checkout's action.yml
    (install, one gate run, the upload reached with the SARIF report, the verdict)."""
    steps = recipe("action")["jobs"]["gate"]["steps"]
    work = tmp_path / "job"
    recipe_program(work)
    env = job_environment(tmp_path)
    run_steps([step for step in steps if "run" in step] + [{"run": "true"}], work, env, source)
    (uses,) = [step for step in steps if str(step.get("uses", "")).startswith("<org>/<this-repo>@")]
    action = run_action(source, uses.get("with", {}), {**env, **uses.get("env", {})}, work, runner_temp)
    assert action.failed is None, action.log[-3000:]
    assert action.outputs["exit-code"] == "0" and action.outputs["summary"].startswith(
        "PASS: 0 mandatory and 0 advisory violation(s) in 3 resource(s) checked by azure-ml-governance@0.1.0")
    assert action.summary.startswith("## Policy gate: PASS on training-names/dev")
    assert action.ran == ["Install the policy gate", "Policy gate", "Upload SARIF to code scanning", "Verdict"]
    (upload,) = action.uses
    sarif_file = work / upload[1]["sarif_file"]
    assert upload == ("github/codeql-action/upload-sarif@v3", {"sarif_file": upload[1]["sarif_file"], "category": "policy-gate"})
    assert json.loads(sarif_file.read_text())["runs"][0]["properties"]["resourcesAnalysed"] == 3
    assert (work / "policy-gate-reports" / "policy-gate.junit.xml").is_file()
    # The gate ran from the action's own environment, without the program's SDK.
    gate_python = runner_temp / "policy-gate" / "bin" / "python"
    assert run([str(gate_python), "-c", "import policy_gate, pulumi_policy"]).returncode == 0
    assert run([str(gate_python), "-c", "import pulumi_random"]).returncode == 1


def test_the_action_fails_the_job_after_uploading_the_violations(source: Path, tmp_path: Path, runner_temp: Path) -> None:
    """A program with violations (the seed example, run in this test run's Python, which has its SDK,
    as a program without a virtualenv runs in the job's): SARIF uploaded, the summary written, then
    the action's last step fails with the gate's exit code."""
    work = tmp_path / "job"
    shutil.copytree(ROOT / "examples" / "seed", work / "infra")
    env = {**job_environment(tmp_path), "PULUMI_PYTHON_CMD": sys.executable}
    action = run_action(source, {"path": "infra", "reports": "json", "sarif-category": "seed"}, env, work, runner_temp)
    assert action.failed == "Verdict" and action.outputs["exit-code"] == "1", action.log[-3000:]
    assert action.ran == ["Install the policy gate", "Policy gate", "Upload SARIF to code scanning", "Verdict"]
    report = json.loads((work / action.outputs["json"]).read_text())
    assert action.outputs["summary"] == report["summary"] and report["summary"].startswith("FAIL: 7 mandatory")
    assert action.summary.startswith("## Policy gate: FAIL on aml-seed/dev")
    assert action.uses[0][1]["category"] == "seed"
    sarif = json.loads((work / action.uses[0][1]["sarif_file"]).read_text())
    assert len(sarif["runs"][0]["results"]) == len(report["violations"])
    # Without the upload: the step is skipped, the verdict the same.
    quiet = run_action(source, {"path": "infra", "upload-sarif": False, "step-summary": False}, env, work, runner_temp)
    assert quiet.skipped == ["Upload SARIF to code scanning"] and quiet.summary == "" and quiet.failed == "Verdict"


def readme_commands(name: str) -> str:
    """The shell commands that follow ``<!-- commands: NAME`` in README.md."""
    match = re.search(rf"<!-- commands: {re.escape(name)}\b[^>]*-->\s*```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert match, f"README.md has no {name} commands"
    return match.group(1)


def test_the_readme_installs_and_runs_locally_as_written(source: Path, tmp_path: Path) -> None:
    """README.md's install commands (pipx, with the repository URL pointing at this checkout), then
    its commands that give a program its environment and gate it, with the ``policy-gate`` pipx
    installed; in a job's environment (the system's tools and the job's Python on PATH)."""
    work = tmp_path / "job"
    recipe_program(work)
    env = job_environment(tmp_path)
    install = readme_commands("install")
    assert f'"{REPO_URL}"' in install
    installed = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", local_url(install, source)],
                    cwd=work, env=env)
    assert installed.returncode == 0, installed.stderr[-2000:]
    (version,) = [line for line in installed.stdout.splitlines() if line.startswith("policy-gate ")]
    match = re.fullmatch(r"policy-gate 0\.1\.0; policy pack 0\.1\.0 \((.*)\)", version)
    assert match, version
    pack = Path(match.group(1))  # the pack bundled in pipx's virtualenv of the gate
    assert pack.is_relative_to(tmp_path / "pipx-home" / "venvs" / "policy-gate") and (pack / "PulumiPolicy.yaml").is_file()
    result = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", readme_commands("run-locally")], cwd=work, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.rstrip().splitlines()[-1].startswith("PASS: 0 mandatory and 0 advisory violation(s) in 3 resource(s)")


def test_the_installed_pre_commit_hook_gates_the_touched_program(installed: Path, tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path, "an3")
    (tmp_path / "notes.py").write_text("")
    result = run([str(installed / "policy-gate"), "pre-commit", f"{program.name}/__main__.py", "notes.py"], cwd=tmp_path,
                 env=clean_environment([]))
    assert result.returncode == 1 and result.stdout.startswith(f"== {program.name} ==\n"), result.stderr
    assert result.stdout.rstrip().splitlines()[-1].startswith("FAIL: ")


def test_pre_commit_runs_the_documented_hook(source: Path, tmp_path: Path) -> None:
    """pre-commit itself (from the package index, run by pipx) with docs/ci.md's
    ``.pre-commit-config.yaml``, its ``repo`` and ``rev`` this checkout: it reads
    ``.pre-commit-hooks.yaml``, installs the repository in an environment of its own and passes the
    matching files to the hook, whose ``args`` reach ``policy-gate run``."""
    config = recipe("pre-commit")
    (entry,) = config["repos"]
    assert entry["repo"] == "https://github.com/<org>/<this-repo>" and [h["id"] for h in entry["hooks"]] == ["policy-gate"]
    entry["repo"], entry["rev"] = str(source), run(["git", "rev-parse", "HEAD"], cwd=source).stdout.strip()
    repo = tmp_path / "user-repo"
    repo.mkdir()
    program = copy_program("an3-venv", repo, "an3")
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    # The hook's args name this file: the advisory customer-managed-key rule made mandatory.
    (repo / "policy-config.json").write_text(json.dumps({"workspace-customer-managed-key": "mandatory"}))
    (repo / "notes.md").write_text("")
    env = {**job_environment(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    run(["git", "init", "-q"], cwd=repo, env=env).check_returncode()
    run(["git", "add", "-A"], cwd=repo, env=env).check_returncode()
    result = run(["pipx", "run", "--spec", "pre-commit>=4,<5", "pre-commit", "run", "--verbose", "--files",
                  f"{program.name}/__main__.py", "notes.md"], cwd=repo, env=env)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"== {program.name} ==" in result.stdout and "Pulumi policy gate" in result.stdout
    (summary,) = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("FAIL: ")]
    assert summary.startswith("FAIL: 4 mandatory and 0 advisory violation(s)"), summary  # 3 and 1 without the args
    # pre-commit's environment for the hook holds the gate and its pack, no provider SDK.
    (python,) = (tmp_path / "pre-commit-home").glob("repo*/py_env-*/bin/python")
    assert run([str(python), "-c", "import policy_gate, pulumi_policy"]).returncode == 0
    assert run([str(python), "-c", "import pulumi_azure_native"]).returncode == 1


def test_the_cli_preview_recipe_makes_the_venv_the_pack_starts_in(source: Path, tmp_path: Path) -> None:
    """docs/ci.md's `pulumi preview --policy-pack` recipe: its checkout of this repository as
    ``policy-pack``, then its run step; the pack then starts from that virtualenv as the CLI starts it."""
    steps = recipe("cli-preview")
    (checkout, *_) = steps
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["path"] == "policy-pack"
    assert any(s.get("uses", "").startswith("pulumi/actions@") and s["with"]["policyPacks"] == "policy-pack" for s in steps)
    work = tmp_path / "job"
    shutil.copytree(source, work / "policy-pack")
    result = run_steps([*steps, {"run": "true"}], work, job_environment(tmp_path), source)
    assert result.returncode == 0
    with PackProcess(PackOptions(work / "policy-pack"), clean_environment([])) as pack:
        assert pack.python == str(work / "policy-pack" / "venv" / "bin" / "python")
        info = pack.call(pack.connect().GetAnalyzerInfo, empty_pb2.Empty(), "GetAnalyzerInfo")
    assert info.name == "azure-ml-governance" and len(info.policies) > 30
