"""Child-process entry point: ``python -m policy_gate.runner --out-fd N``.

Reads the run spec (``spec.RunSpec``, JSON) from stdin, then runs the program with stdin on
/dev/null, and writes the capture (one JSON document) to file descriptor N. Errors are one
line on stderr, naming the program's line that raised (``program failed at infra/net.py:42:
TypeError: ...``, relative to the directory the gate runs in); ``POLICY_GATE_DEBUG=1`` adds the
traceback before it (the gate sets it for ``--verbose``). Exit codes (``policy_gate.errors``):
0 success, 2 bad arguments or spec, 3 the program failed, 4 an internal error of the gate's
mocks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

from ..errors import EXIT_INTERNAL, EXIT_OK, EXIT_RUN, EXIT_USAGE, debug_enabled
from ..redaction import Redactor
from .faults import EngineError
from .spec import RunSpec


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m policy_gate.runner",
        description="Run a Pulumi Python program under mocks and write its resources as JSON. "
        "The run spec (JSON) comes on stdin.",
    )
    parser.add_argument("--out-fd", type=int, required=True, help="file descriptor for the JSON")
    return parser.parse_args(argv)


def _read_spec() -> RunSpec:
    spec = RunSpec.from_json(sys.stdin.buffer.read().decode("utf-8"))
    # The program's stdin is empty, as under the language host's non-interactive run.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return spec


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _failure_line(exc: BaseException, cwd: str) -> str:
    from .sources import failure_location  # imports pulumi: only once the program's pulumi was found

    where = failure_location(exc, cwd)
    prefix = f"program failed at {where}" if where else "program failed"
    if isinstance(exc, EngineError):  # already the engine's one-line message
        return f"{prefix}: {exc}"
    if isinstance(exc, ModuleNotFoundError):
        return f"{prefix}: missing Python module {exc.name!r} ({_first_line(exc)})"
    return f"{prefix}: {_first_line(exc)}"


def _write_capture(fd: int, capture: dict[str, Any]) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(capture, out, ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    debug = debug_enabled()
    cwd = os.getcwd()  # the gate's: the program runs in its own directory
    try:
        os.fstat(args.out_fd)
    except OSError:
        print(f"error: --out-fd {args.out_fd} is not an open file descriptor", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec = _read_spec()
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"error: stdin holds no valid run spec ({_first_line(exc)})", file=sys.stderr)
        return EXIT_USAGE
    try:
        from .execution import ProgramFailed, execute  # imports pulumi: the program's own
    except ModuleNotFoundError as exc:
        if exc.name != "pulumi":
            raise
        print(f"program failed: the program's Python ({sys.executable}) has no pulumi package; install the "
              "program's requirements into it", file=sys.stderr)
        return EXIT_RUN
    try:
        capture = execute(spec)
    except ProgramFailed as failure:
        redact = Redactor(failure.secrets)  # a program's exception may quote a secret it registered
        if debug:
            sys.stderr.write(redact("".join(traceback.format_exception(failure.error))))
        print(redact(_failure_line(failure.error, cwd)), file=sys.stderr)
        return EXIT_RUN
    except Exception as exc:  # noqa: BLE001 reported as the gate's own failure
        if debug:
            traceback.print_exception(exc)
        print(f"internal error in the policy gate's runner: {_first_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    _write_capture(args.out_fd, capture)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
