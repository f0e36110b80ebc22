"""The gate's failures and exit codes, the only definition of either. Raised anywhere, printed
once by the CLI as one line on stderr (never a traceback).

Standard library only: the program runner uses the same codes inside the program's interpreter.
"""

from __future__ import annotations

import os

EXIT_OK = 0
EXIT_VIOLATIONS = 1  # a failing violation
EXIT_USAGE = 2  # bad arguments or input
EXIT_RUN = 3  # the program or the pack failed
EXIT_INTERNAL = 4  # the program runner only: its own mocks failed (the gate reports it as EXIT_RUN)
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
DEBUG_VARIABLE = "POLICY_GATE_DEBUG"  # set (not "" or "0"): tracebacks are shown


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


class GateError(Exception):
    exit_code = EXIT_RUN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(GateError):
    """Bad arguments or input files: exit 2."""

    exit_code = EXIT_USAGE


class RunError(GateError):
    """The program or the pack failed: exit 3."""

    exit_code = EXIT_RUN
