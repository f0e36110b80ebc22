"""The gate's failures and exit codes, the only definition of either. Raised anywhere, printed
once by the CLI as one line on stderr (never a traceback).

Standard library only: the program runner uses the same codes inside the program's interpreter.
"""

from __future__ import annotations

import os
import re

EXIT_OK = 0
EXIT_VIOLATIONS = 1  # a failing violation
EXIT_USAGE = 2  # bad arguments or input
EXIT_RUN = 3  # the program or the pack failed
EXIT_INTERNAL = 4  # the program runner only: its own mocks failed (the gate reports it as EXIT_RUN)
EXIT_INCOMPLETE = 5  # the input records a run that did not complete (a preview file holding an error)
EXIT_EMPTY = 6  # with --fail-on-empty: no resource reached the pack for judging
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT
EXIT_TERMINATED = 143  # SIGTERM, as a shell reports it
DEBUG_VARIABLE = "POLICY_GATE_DEBUG"  # set (not "" or "0"): tracebacks are shown
QUOTE_LIMIT = 300  # characters of user text an error line quotes
LINE_LIMIT = 1000  # characters of any error line

_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x9f]")  # terminal escapes among them


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0")


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit} more characters)"


def one_line(message: str, limit: int = LINE_LIMIT) -> str:
    """``message`` as one line (line breaks shown as " | ", other control characters as ``\\xNN``)
    of at most about ``limit`` characters."""
    text = _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", _BREAKS.sub(" | ", message.strip()))
    return clip(text, limit)


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


class IncompleteInput(GateError):
    """The input records a run that failed part-way (its resources are not the whole stack): exit 5."""

    exit_code = EXIT_INCOMPLETE


class Terminated(BaseException):
    """SIGTERM reached the gate: raised in the main thread like KeyboardInterrupt, so every
    ``finally`` ends the processes the gate started."""
