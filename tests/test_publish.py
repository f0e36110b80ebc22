"""The pack as users install and publish it (README.md, "Using the pack with the Pulumi CLI"):
the virtualenv the README's commands create starts the pack, and the file set `pulumi policy
publish` uploads from a staged copy (``scripts/stage-pack``), computed the way the CLI computes it
(``tests/published.py``), holds the pack alone and starts it over the protocol."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from google.protobuf import json_format

import policies
from policy_gate.analyzer import PackOptions, PackProcess, analyze
from tests.captures import capture
from tests.published import Ignorer, published_files, unpack
from tests.test_protocol import analyzer_info

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
STAGE = ROOT / "scripts" / "stage-pack"
PACK_FILES = {".gitignore", "PulumiPolicy.yaml", "__main__.py", "requirements.txt", "README.md"}
NOT_PUBLISHED = ("tests", "bench", "examples", "reference_stack", "docs", "policy_gate", "presets", "scripts")
# pulumi/pulumi pkg/backend/httpstate/client: validatePolicyPackVersion.
VERSION_TAG = re.compile(r"^[a-zA-Z0-9-_.]{1,100}$")


def documented_venv_commands() -> list[list[str]]:
    """The README's commands that create the pack's virtualenv by hand (the block with `pulumi install`)."""
    text = README.read_text(encoding="utf-8").split("## Using the pack with the Pulumi CLI", 1)[1]
    block = next(b for b in re.findall(r"```sh\n(.*?)```", text, re.S) if "pulumi install" in b)
    commands = [shlex.split(line) for line in block.splitlines() if line.startswith(("python3 -m venv", "venv/bin/"))]
    assert len(commands) == 2, block
    return commands


def make_venv(directory: Path) -> Path:
    """Run the documented commands in ``directory``; the virtualenv's interpreter."""
    for command in documented_venv_commands():
        subprocess.run(command, cwd=directory, check=True, capture_output=True, timeout=600)
    return directory / "venv" / "bin" / "python"


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pack staged for publishing, its virtualenv made as the README says, and the pack run once
    from it (as `pulumi policy publish` runs it), leaving its __pycache__ behind."""
    target = tmp_path_factory.mktemp("publish") / "azure-ml-governance"
    subprocess.run([sys.executable, str(STAGE), str(target)], check=True, capture_output=True, timeout=60)
    make_venv(target)
    analyzer_info(PackOptions(target))
    return target


@pytest.mark.process
def test_the_documented_virtualenv_starts_the_pack(staged: Path) -> None:
    with PackProcess(PackOptions(staged), {"PATH": "/usr/bin:/bin"}) as pack:
        assert pack.python == str(staged / "venv" / "bin" / "python")  # PulumiPolicy.yaml's virtualenv
        pack.connect()
    info = analyzer_info(PackOptions(staged))
    assert {p.name for p in info.policies} == {r.name for r in policies.RULES}
    installed = subprocess.run([str(staged / "venv" / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
                               check=True, capture_output=True, text=True).stdout
    assert {"pulumi", "pulumi_policy"} <= {p["name"].replace("-", "_").lower() for p in yaml.safe_load(installed)}


@pytest.mark.process
def test_the_published_file_set_is_the_pack_alone(staged: Path) -> None:
    assert (staged / "venv").is_dir() and any(staged.rglob("__pycache__"))  # what running and installing leave
    files = published_files(staged)
    code = {f"policies/{p.relative_to(ROOT / 'policies').as_posix()}" for p in (ROOT / "policies").rglob("*.py")
            if "__pycache__" not in p.parts}
    assert set(files) == PACK_FILES | code
    assert not [f for f in files if f.split("/")[0] in NOT_PUBLISHED or "__pycache__" in f or f.startswith("venv/")]


@pytest.mark.process
def test_the_published_file_set_starts_the_pack_and_judges_alike(staged: Path, tmp_path: Path) -> None:
    """Unpacked as the CLI's install unpacks it, with a virtualenv of its requirements (the staged one)."""
    package = tmp_path / "package"
    unpack(staged, package)
    options = PackOptions(package, python=str(staged / "venv" / "bin" / "python"))
    assert json_format.MessageToDict(analyzer_info(options)) == json_format.MessageToDict(analyzer_info())
    stack = capture([("azure-native:machinelearningservices:Workspace", "ws", {"sku": {"name": "Enterprise"}}),
                     ("azure-native:machinelearningservices:Compute", "cpu", {"properties": {"computeType": "AmlCompute"}})])
    published = analyze(stack, options, {})
    here = analyze(stack, PackOptions(ROOT), {})
    assert published.violations == here.violations and len(here.violations) >= 5


def test_publishing_from_the_repository_root_would_upload_everything() -> None:
    """Why the pack is staged: from here the CLI's file set holds the tests, the gate, the examples."""
    top = {f.split("/")[0] for f in published_files(ROOT)}
    assert {"tests", "policy_gate", "examples", "bench", "reference_stack", "policies", "__main__.py"} <= top


def test_the_version_publish_needs_lives_in_pulumipolicy_yaml() -> None:
    version = yaml.safe_load((ROOT / "PulumiPolicy.yaml").read_text(encoding="utf-8"))["version"]
    assert isinstance(version, str) and VERSION_TAG.match(version)


@pytest.mark.parametrize(("line", "path", "ignored"), [
    ("venv/", "/venv/bin/python", True),
    ("venv/", "/policies/venv/x", True),
    ("venv/", "/venvs/x", False),
    ("__pycache__/", "/policies/core/__pycache__/rule.cpython-311.pyc", True),
    ("*.pyc", "/policies/x.pyc", True),
    ("/out/", "/out/report.json", True),
    ("/out/", "/docs/out/x", False),
    ("bench/.venv-checkov/", "/bench/.venv-checkov/bin/checkov", True),
    ("*.egg-info/", "/policy_gate.egg-info/PKG-INFO", True),
])
def test_ignore_lines_match_as_the_cli_matches_them(tmp_path: Path, line: str, path: str, ignored: bool) -> None:
    """The port of go-gitignore, on the patterns of this repository's .gitignore."""
    (tmp_path / ".gitignore").write_text(f"# comment\n\n{line}\n")
    assert Ignorer.load(tmp_path / ".gitignore").ignores(f"{tmp_path}{path}") is ignored


def test_a_negation_re_includes_and_the_last_match_wins(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("/*\n!/policies/\n__pycache__/\n")
    ignorer = Ignorer.load(tmp_path / ".gitignore")
    assert ignorer.ignores(f"{tmp_path}/tests/test_x.py")
    assert not ignorer.ignores(f"{tmp_path}/policies/rule.py")
    assert ignorer.ignores(f"{tmp_path}/policies/__pycache__/rule.pyc")
