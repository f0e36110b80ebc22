"""Running the programs of ``tests/programs/`` as a user runs them: each is copied to a temporary
directory, its ``venv`` (``.venv`` for uv and poetry) linked to a pinned SDK environment of
``tests/sdk_envs``, as ``python -m venv venv && pip install -r requirements.txt`` would leave it;
then ``python -m policy_gate run`` on it, and the capture of the same run in process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policy_gate.program import run_program
from tests import sdk_envs

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "programs"


@dataclass
class Gate:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        assert self.stdout, self.stderr
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    @property
    def verdicts(self) -> set[tuple[str, str]]:
        """(policy, resource name) of every violation."""
        return {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in self.report["violations"]}

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


def env_dir(name: str) -> Path:
    """The pinned SDK environment ``name`` (built on first use)."""
    return sdk_envs.python(name).parent.parent


def copy_program(name: str, tmp_path: Path, env: str | None = None, link: str = "venv") -> Path:
    """``tmp_path/name``, a copy of the program with ``link`` (relative to it: ``infra/venv`` for
    a project in a subdirectory of a repository) linked to the SDK environment ``env``."""
    target = tmp_path / name
    shutil.copytree(CORPUS / name, target)
    if env is not None:
        (target / link).symlink_to(env_dir(env), target_is_directory=True)
    return target


def environment(path_dirs: tuple[Path, ...] = (), /, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "POLICY_GATE_DEBUG"))}
    env["PATH"] = os.pathsep.join([*(str(d) for d in path_dirs), env.get("PATH", "")])
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def gate(program: Path, *args: str, env: dict[str, str] | None = None, fmt: str = "json", cwd: Path = ROOT) -> Gate:
    """``python -m policy_gate run PROGRAM --format FMT ARGS`` in ``cwd``: this checkout's gate,
    whose default pack is the repository root."""
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(program), "--format", fmt, *args],
                            cwd=cwd, capture_output=True, text=True, timeout=600,
                            env={**(env or environment()), "PYTHONPATH": str(ROOT)})
    return Gate(result.returncode, result.stdout, result.stderr)


def captured(program: Path, stack: str = "dev", /, **env: str | None) -> Any:
    """The capture of a program run in-process (the runner is still its own process)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            if value is None:
                patch.delenv(key, raising=False)
            else:
                patch.setenv(key, value)
        return run_program(program, stack, False, 600)


def run_copy(name: str, tmp_path: Path, env: str) -> tuple[Path, Any, Gate]:
    """A copy of program ``name`` with its venv linked to ``env``: the copy, its capture and the gate's JSON run."""
    program = copy_program(name, tmp_path, env)
    return program, captured(program), gate(program)


def line_of(path: Path, marker: str) -> int:
    """The 1-based line of ``path`` that contains ``marker`` (exactly one)."""
    lines = [i + 1 for i, text in enumerate(path.read_text().splitlines()) if marker in text]
    assert len(lines) == 1, (marker, lines)
    return lines[0]


def custom_resources(capture: Any) -> set[tuple[str, str]]:
    return {(r.type, r.name) for r in capture.resources if r.custom and not r.is_provider}


def exports(capture: Any) -> dict[str, Any]:
    return next(r.outputs for r in capture.resources if r.is_root_stack)


def tool_dir(name: str) -> Path:
    """The directory of ``name``'s executable: uv comes with the dev requirements, poetry with its
    own pinned environment."""
    if name == "poetry":
        return env_dir("poetry") / "bin"
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, f"{name} is not installed (requirements-dev.txt)"
    return Path(found).parent


def assert_verdicts(result: Gate, expected: set[tuple[str, str]]) -> None:
    """A failing run with exactly the ``expected`` verdicts and nothing on stderr."""
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts == expected
