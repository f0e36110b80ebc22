"""Running a Pulumi program under the SDK's mocks, in a child process.

The child (``python -m policy_gate.runner``) imports the user's program and its SDKs; keeping
it out of the gate's process isolates the SDK's global state, lets the program use its own
virtualenv, and lets the gate enforce a timeout. The gate reads the project files
(``project``) and hands the runner its ``RunSpec`` on stdin; the capture comes back over a
pipe, so no temporary file ever holds the program's (possibly secret) values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from . import project
from .capture import Capture
from .errors import DEBUG_VARIABLE, EXIT_USAGE, RunError, UsageError, debug_enabled
from .runner.spec import RunSpec

_GATE_ROOT = str(Path(__file__).resolve().parent.parent)


def run_spec(program: project.Program, stack: str, preview: bool, config: dict[str, str],
             remediations: dict[str, dict[str, Any]] | None = None) -> RunSpec:
    return RunSpec(project=program.name, directory=str(program.directory), entry=str(program.entry), stack=stack,
                   preview=preview, config=config, remediations=dict(remediations or {}))


def runner_command(python: str, out_fd: int) -> list[str]:
    return [python, "-m", "policy_gate.runner", "--out-fd", str(out_fd)]


def runner_environment(verbose: bool = False) -> dict[str, str]:
    """This environment, with the gate importable (the runner is part of it); ``verbose`` has
    the runner print a failing program's traceback."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_GATE_ROOT, env.get("PYTHONPATH", "")) if p)
    if verbose:
        env[DEBUG_VARIABLE] = "1"
    return env


def run_program(directory: Path, stack: str, preview: bool, timeout: float, verbose: bool = False,
                remediations: dict[str, dict[str, Any]] | None = None) -> Capture:
    """Run the program; ``remediations`` (URN -> top-level input changes) are applied to the
    inputs the mock provider computes outputs from, as the engine deploys remediated inputs."""
    program = project.load_program(directory.resolve())
    config, warnings = project.stack_config(program, stack)
    spec = run_spec(program, stack, preview, config, remediations)
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(runner_command(program.python, write_fd), pass_fds=(write_fd,), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=runner_environment(verbose),
                                start_new_session=True)
    except OSError as exc:
        os.close(read_fd)
        raise RunError(f"cannot start the program's Python ({program.python}): {exc.strerror or exc}") from None
    finally:
        os.close(write_fd)
    chunks: list[bytes] = []
    reader = threading.Thread(target=_read_all, args=(read_fd, chunks), daemon=True)
    reader.start()
    try:
        out, err = proc.communicate(spec.to_json().encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise RunError(f"the program did not finish within {timeout:g}s (see --timeout)") from None
    finally:
        reader.join(timeout=10)
    if verbose:
        sys.stderr.write("".join(f"warning: {w}\n" for w in warnings))
        sys.stderr.write(out.decode("utf-8", "replace") + err.decode("utf-8", "replace"))
    if proc.returncode != 0:
        if debug_enabled() and not verbose:  # the runner's traceback, before the one-line error
            sys.stderr.write(err.decode("utf-8", "replace"))
        line = _last_line(err) or f"the program runner exited with code {proc.returncode}"
        raise (UsageError if proc.returncode == EXIT_USAGE else RunError)(line)
    try:
        capture = Capture.from_json(json.loads(b"".join(chunks)))
    except (ValueError, KeyError, TypeError):
        raise RunError("the program runner returned no readable capture") from None
    capture.config = dict(config)  # the pack sees the stack's config too (PULUMI_CONFIG), as under the CLI
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
