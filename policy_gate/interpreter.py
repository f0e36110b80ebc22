"""The Python a program runs in, chosen as the Pulumi Python language host chooses it.

Upstream (pulumi/pulumi): ``sdk/python/cmd/pulumi-language-python/main.go`` ``parseOptions``
reads ``runtime.options`` (``virtualenv`` must be a string; ``toolchain`` one of pip, poetry,
uv) and ``sdk/python/toolchain/toolchain.go`` ``ResolveToolchain`` picks the toolchain:

- pip (``pip.go``): ``virtualenv`` relative to the project root (the directory of Pulumi.yaml);
  ``ValidateVenv`` fails with ``NewVirtualEnvError`` when it is not a virtualenv. Without a
  ``virtualenv`` the host runs ``$PULUMI_PYTHON_CMD``, else ``python3`` from PATH; the gate runs
  ``$PULUMI_PYTHON_CMD`` too, else its own interpreter (documented in docs/ci.md).
- uv (``uv.go`` ``newUv``): ``uv`` must be on PATH (at least 0.4.26); the virtualenv is the
  ``virtualenv`` option, else ``.venv`` beside the nearest ``uv.lock`` above the root, else beside
  the nearest ``pyproject.toml``, else ``<root>/.venv``. The host runs ``<venv>/bin/python``
  itself, not ``uv run``.
- poetry (``poetry.go``): ``poetry`` must be on PATH (at least 1.8); the virtualenv is what
  ``poetry env info --path`` prints in the program directory.

The CLI creates a missing virtualenv (``pulumi install``); the gate does not install anything,
so a missing one is a usage error that says how to create it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError

_TOOL_TIMEOUT = 60.0  # seconds for `uv --version`, `poetry env info`
_MIN_UV = (0, 4, 26)
_MIN_POETRY = (1, 8, 0)


@dataclass(frozen=True)
class Interpreter:
    python: str  # the executable the runner starts
    source: str  # how it was chosen, for people: "virtualenv venv", "uv", "poetry", "the gate's Python"
    virtualenv: str | None = None  # the environment to activate, as the host does (PATH, VIRTUAL_ENV)

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """``base`` activated for this virtualenv (toolchain.go ``ActivateVirtualEnv``): its bin
        directory first on PATH, VIRTUAL_ENV set, PYTHONHOME removed."""
        env = dict(base)
        if self.virtualenv is None:
            return env
        env.pop("PYTHONHOME", None)
        env["PATH"] = os.pathsep.join(p for p in (str(Path(self.virtualenv) / "bin"), env.get("PATH", "")) if p)
        env["VIRTUAL_ENV"] = self.virtualenv
        return env


def resolve(root: Path, program_dir: Path, options: Mapping[str, Any]) -> Interpreter:
    """The interpreter for a project whose Pulumi.yaml is in ``root`` and whose ``main`` is
    ``program_dir``, from its ``runtime.options``; raises ``UsageError`` (one line)."""
    virtualenv = options.get("virtualenv", "")
    if not isinstance(virtualenv, str):
        raise UsageError("Pulumi.yaml: virtualenv option must be a string")
    toolchain = options.get("toolchain", "pip")
    if not isinstance(toolchain, str):
        raise UsageError("Pulumi.yaml: toolchain option must be a string")
    if toolchain == "uv":
        return _uv(root, virtualenv)
    if toolchain == "poetry":
        return _poetry(program_dir)
    if toolchain != "pip":
        raise UsageError(f"Pulumi.yaml: unsupported toolchain option: {toolchain} (pip, poetry or uv)")
    return _pip(root, virtualenv)


def _pip(root: Path, virtualenv: str) -> Interpreter:
    if not virtualenv:
        command = os.environ.get("PULUMI_PYTHON_CMD")
        if command:
            found = shutil.which(command)
            if found is None:
                raise UsageError(f"PULUMI_PYTHON_CMD is set to {command!r}, which is not on PATH")
            return Interpreter(found, f"PULUMI_PYTHON_CMD ({command})")
        return Interpreter(sys.executable, "the gate's Python (Pulumi.yaml names no virtualenv)")
    path = _absolute(root, virtualenv)
    if not _is_virtualenv(path):
        state = "doesn't exist" if not path.exists() else "doesn't appear to be a virtual environment"
        raise UsageError(
            f"The 'virtualenv' option in Pulumi.yaml is set to {virtualenv!r}, but {str(path)!r} {state}; create it: "
            f"python3 -m venv {path} && {path / 'bin' / 'python'} -m pip install -r requirements.txt")
    return Interpreter(str(path / "bin" / "python"), f"virtualenv {virtualenv}", str(path))


def _uv(root: Path, virtualenv: str) -> Interpreter:
    _require_tool("uv", ["--version"], r"uv (\d+)\.(\d+)(?:\.(\d+))?", _MIN_UV, "Install uv and make sure it is in your PATH")
    if virtualenv:
        path = _absolute(root, virtualenv)
    else:
        anchor = _search_up(root, "uv.lock") or _search_up(root, "pyproject.toml") or root
        path = anchor / ".venv"
    if not _is_virtualenv(path):
        raise UsageError(f"'{path}' is not a virtualenv (toolchain: uv); create it with `uv sync` in {path.parent}")
    return Interpreter(str(path / "bin" / "python"), "uv", str(path))


def _poetry(program_dir: Path) -> Interpreter:
    poetry = _require_tool("poetry", ["--version", "--no-ansi"], r"Poetry \(version (\d+)\.(\d+)(?:\.(\d+))?", _MIN_POETRY,
                           "Install poetry and make sure it is in your PATH, or set the toolchain option in Pulumi.yaml "
                           "to `pip`")
    try:
        result = subprocess.run([poetry, "env", "info", "--path"], cwd=program_dir, capture_output=True, text=True,
                                timeout=_TOOL_TIMEOUT, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"`poetry env info --path` failed in {program_dir}: {exc}") from None
    path = Path(result.stdout.strip()) if result.returncode == 0 and result.stdout.strip() else None
    if path is None or not _is_virtualenv(path):
        raise UsageError(f"poetry has no virtualenv for {program_dir} (toolchain: poetry); create it with "
                         f"`poetry install` there")
    return Interpreter(str(path / "bin" / "python"), "poetry", str(path))


def _require_tool(name: str, version_args: list[str], pattern: str, minimum: tuple[int, int, int], hint: str) -> str:
    """The tool's path, once its version is known to be at least ``minimum``."""
    found = shutil.which(name)
    if found is None:
        raise UsageError(f"Could not find `{name}` executable (Pulumi.yaml sets toolchain: {name}). {hint}.")
    try:
        output = subprocess.run([found, *version_args], capture_output=True, text=True, timeout=_TOOL_TIMEOUT,
                                stdin=subprocess.DEVNULL).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"`{name} {' '.join(version_args)}` failed: {exc}") from None
    match = re.search(pattern, output)
    if match is None:
        raise UsageError(f"unexpected output from `{name} {' '.join(version_args)}`: {output.strip()[:100]!r}")
    version = tuple(int(part or 0) for part in match.groups())
    if version < minimum:
        raise UsageError(f"{name} version {'.'.join(map(str, version))} is less than the minimum required version "
                         f"{'.'.join(map(str, minimum))}")
    return found


def _absolute(root: Path, virtualenv: str) -> Path:
    path = Path(virtualenv)
    return path if path.is_absolute() else root / path


def _is_virtualenv(path: Path) -> bool:
    """pip.go ``IsVirtualEnv``: the directory holds ``bin/python`` (a file, links followed)."""
    return (path / "bin" / "python").is_file()


def _search_up(start: Path, name: str) -> Path | None:
    """toolchain.go ``searchup``: the nearest directory from ``start`` upwards holding ``name``."""
    for directory in (start, *start.parents):
        if (directory / name).exists():
            return directory
    return None
