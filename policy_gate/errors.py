"""The gate's failures, each with its documented exit code. Raised anywhere, printed once
by the CLI as one line on stderr (never a traceback)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2
EXIT_RUN = 3


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
