"""The runner's notices: what the program saw differently from a real deployment (another
stack's outputs read as unset, ...), and what the program itself logged at warning or error
level (``pulumi.log.warn``/``error``, which the CLI shows whatever the output options). They
travel in the capture, so the gate prints every one on stderr and in every report, whatever
the program itself printed. At most ``MAX_EACH`` of a kind are kept, each clipped."""

from __future__ import annotations

import logging

from ..errors import clip

MAX_EACH = 100
MAX_CHARS = 1000

_WARNINGS: list[str] = []
_ERRORS: list[str] = []
_DROPPED = {"warnings": 0, "errors": 0}


def warn(message: str) -> None:
    _keep(_WARNINGS, "warnings", message)


def _keep(kept: list[str], kind: str, message: str) -> None:
    message = clip(message.strip(), MAX_CHARS)
    if message in kept:
        return
    if len(kept) >= MAX_EACH:
        _DROPPED[kind] += 1
    else:
        kept.append(message)


def collected() -> list[str]:
    dropped = _DROPPED["warnings"]
    return [*_WARNINGS, *([f"... and {dropped} more warning(s)"] if dropped else [])]


def program_errors() -> list[str]:
    """What the program logged with ``pulumi.log.error`` (the CLI shows it and goes on)."""
    dropped = _DROPPED["errors"]
    return [*_ERRORS, *([f"... and {dropped} more error(s)"] if dropped else [])]


class ProgramLogs(logging.Handler):
    """Keeps the program's warning and error logs (the mock engine's logger receives them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a log call with bad arguments is still a log call
            message = str(record.msg)
        if record.levelno >= logging.ERROR:
            _keep(_ERRORS, "errors", message)
        else:
            warn(f"the program logged a warning: {message}")
