"""Running a Pulumi program under the SDK's mocks, in a child process.

The child (``python -m policy_gate.runner``) imports the user's program and its SDKs; keeping
it out of the gate's process isolates the SDK's global state, lets the program use its own
virtualenv, and lets the gate enforce a timeout. The gate reads the project files
(``project``) and hands the runner its ``RunSpec`` on stdin; the capture comes back over a
pipe, so no temporary file ever holds the program's (possibly secret) values. ``childproc``
runs it: output streamed with a bounded tail, its process group killed on every way out. What
the gate prints of the runner's output is redacted with the decrypted secure config.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import childproc, interpreter, project, stack_config
from .capture import Capture
from .errors import DEBUG_VARIABLE, EXIT_USAGE, RunError, UsageError, debug_enabled
from .redaction import Redactor, config_secrets
from .runner.spec import RunSpec

_GATE_PACKAGE = str(Path(__file__).resolve().parent)
# Starts the runner with only the gate's own package importable: PYTHONPATH pointing at the
# gate's parent directory would put everything installed next to it (its pulumi, its grpcio)
# ahead of the program's own virtualenv.
_BOOTSTRAP = """\
import importlib.util, runpy, sys
package = sys.argv.pop(1)
spec = importlib.util.spec_from_file_location("policy_gate", package + "/__init__.py", submodule_search_locations=[package])
module = importlib.util.module_from_spec(spec)
sys.modules["policy_gate"] = module
spec.loader.exec_module(module)
runpy.run_module("policy_gate.runner", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Prepared:
    """A program ready to run: its project, its interpreter and its stack's config."""

    program: project.Program
    stack: str
    interpreter: interpreter.Interpreter
    config: stack_config.StackConfig


def prepare(directory: Path, stack: str, allow_missing_stack_file: bool = False) -> Prepared:
    """Everything the gate reads before the program starts; every problem is a ``UsageError``."""
    program = project.load_program(directory.resolve())
    name = stack.rsplit("/", 1)[-1]  # org/project/stack: files and URNs use the stack's own name
    if not name or name in (".", "..") or any(c in name for c in "\\\0"):
        raise UsageError(f"--stack {stack!r} is not a stack name")
    config = stack_config.load(program.name, program.declarations, program.stack_dir, name, allow_missing_stack_file)
    chosen = interpreter.resolve(program.directory, program.program_dir, program.runtime_options)
    return Prepared(program, name, chosen, config)


def run_spec(prepared: Prepared, preview: bool, remediations: dict[str, dict[str, Any]] | None = None) -> RunSpec:
    program = prepared.program
    return RunSpec(project=program.name, directory=str(program.directory), entry=str(program.entry),
                   stack=prepared.stack, preview=preview, config=dict(prepared.config.values),
                   secret_keys=list(prepared.config.secret_keys), remediations=dict(remediations or {}))


def runner_command(python: str, out_fd: int) -> list[str]:
    return [python, "-c", _BOOTSTRAP, _GATE_PACKAGE, "--out-fd", str(out_fd)]


def run_program(directory: Path, stack: str, preview: bool, timeout: float, verbose: bool = False,
                allow_missing_stack_file: bool = False, remediations: dict[str, dict[str, Any]] | None = None) -> Capture:
    """Run the program; ``remediations`` (URN -> top-level input changes) are applied to the
    inputs the mock provider computes outputs from, as the engine deploys remediated inputs."""
    prepared = prepare(directory, stack, allow_missing_stack_file)
    python = prepared.interpreter.python
    spec = run_spec(prepared, preview, remediations)
    # The decrypted secure config: never printed, whatever the program does with it.
    redact = Redactor(config_secrets(prepared.config.values, prepared.config.secret_keys))
    lines = _RedactedLines(redact) if verbose else None
    try:
        finished = childproc.run(lambda fd: runner_command(python, fd), _runner_environment(prepared, verbose),
                                 spec.to_json().encode("utf-8"), timeout, lines.write if lines else None)
    except OSError as exc:
        raise RunError(f"cannot start the program's Python ({python}): {exc.strerror or exc}") from None
    except childproc.TimedOut:
        raise RunError(f"the program did not finish within {timeout:g}s (see --timeout)") from None
    finally:
        if lines is not None:
            lines.close()
    if finished.returncode != 0:
        if debug_enabled() and not verbose:  # the runner's last output and traceback, before the one-line error
            for tail in (finished.stdout_tail, finished.stderr_tail):
                sys.stderr.write(redact(tail.decode("utf-8", "replace")))
        line = redact(_last_line(finished.stderr_tail)) or f"the program runner exited with code {finished.returncode}"
        raise (UsageError if finished.returncode == EXIT_USAGE else RunError)(line)
    try:
        capture = Capture.from_json(json.loads(finished.result))
    except (ValueError, KeyError, TypeError, RecursionError):
        raise RunError("the program runner returned no readable capture") from None
    # The pack sees the stack's config too (PULUMI_CONFIG, ConfigureStack), as under the CLI.
    capture.config = dict(prepared.config.values)
    capture.config_secret_keys = list(prepared.config.secret_keys)
    capture.warnings = [*prepared.config.warnings, *capture.warnings]
    capture.source_dir = str(directory)
    capture.description = prepared.program.description
    return capture


class _RedactedLines:
    """``--verbose``: the program's output on stderr as it comes, a line at a time, redacted."""

    _MAX_LINE = 1 << 20  # a longer line is written in pieces (a secret across a cut is not caught)

    def __init__(self, redact: Redactor) -> None:
        self._redact = redact
        self._pending = {"stdout": b"", "stderr": b""}

    def write(self, stream: str, data: bytes) -> None:
        *lines, rest = (self._pending[stream] + data).split(b"\n")
        if len(rest) > self._MAX_LINE:
            lines.append(rest)
            rest = b""
        self._pending[stream] = rest
        for line in lines:
            sys.stderr.write(self._redact(line.decode("utf-8", "replace")) + "\n")

    def close(self) -> None:
        for rest in self._pending.values():
            if rest:
                sys.stderr.write(self._redact(rest.decode("utf-8", "replace")) + "\n")
        self._pending = {"stdout": b"", "stderr": b""}
        sys.stderr.flush()


def _runner_environment(prepared: Prepared, verbose: bool = False) -> dict[str, str]:
    """This environment with the program's virtualenv activated; the passphrase stays in the
    gate (the config it decrypted travels on stdin). ``verbose`` has the runner print a failing
    program's traceback."""
    env = prepared.interpreter.environment(os.environ)
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        env.pop(name, None)
    if verbose:
        env[DEBUG_VARIABLE] = "1"
    return env


def _last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""
