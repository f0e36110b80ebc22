"""Running a Pulumi program under the SDK's mocks, in a child process.

The child (``policy_gate.runner``) imports the user's program and its SDKs; keeping it out
of the gate's process isolates the SDK's global state, lets the program use its own
virtualenv, and lets the gate enforce a timeout. The capture comes back over a pipe, so
no temporary file ever holds the program's (possibly secret) values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import yaml

from .capture import Capture
from .errors import RunError, UsageError

_GATE_ROOT = str(Path(__file__).resolve().parent.parent)


def _project(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise UsageError(f"program directory {directory} does not exist")
    manifest = directory / "Pulumi.yaml"
    if not manifest.is_file():
        raise UsageError(f"{directory} is not a Pulumi project (no Pulumi.yaml)")
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise UsageError(f"{manifest} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{manifest} must be a YAML mapping")
    return data


def _interpreter(directory: Path, project: dict[str, Any]) -> str:
    runtime = project.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    if isinstance(venv, str) and (directory / venv / "bin" / "python").exists():
        return str(directory / venv / "bin" / "python")
    return sys.executable


def run_program(directory: Path, stack: str, preview: bool, timeout: float, verbose: bool = False) -> Capture:
    project = _project(directory)
    python = _interpreter(directory, project)
    read_fd, write_fd = os.pipe()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_GATE_ROOT, env.get("PYTHONPATH", "")) if p)
    command = [python, "-m", "policy_gate.runner", str(directory), "--out-fd", str(write_fd), "--stack", stack]
    if preview:
        command.append("--preview")
    try:
        proc = subprocess.Popen(command, pass_fds=(write_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, start_new_session=True)
    except OSError as exc:
        os.close(read_fd)
        raise RunError(f"cannot start the program's Python ({python}): {exc.strerror or exc}") from None
    finally:
        os.close(write_fd)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(read_fd, chunks), daemon=True)
    reader.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise RunError(f"the program did not finish within {timeout:g}s (see --timeout)") from None
    finally:
        reader.join(timeout=10)
    if verbose:
        sys.stderr.write(out.decode("utf-8", "replace") + err.decode("utf-8", "replace"))
    if proc.returncode != 0:
        line = _last_line(err) or f"the program runner exited with code {proc.returncode}"
        raise (UsageError if proc.returncode == 2 else RunError)(line)
    try:
        capture = Capture.from_json(json.loads(b"".join(chunks)))
    except (ValueError, KeyError, TypeError):
        raise RunError("the program runner returned no readable capture") from None
    capture.source_dir = str(directory)
    return capture


def _read_all(fd: int, chunks: list[bytes]) -> None:
    with os.fdopen(fd, "rb") as stream:
        while chunk := stream.read(1 << 16):
            chunks.append(chunk)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The runner and anything the program started run in their own session: end them all."""
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    proc.communicate()


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""
