"""Reading the user's files (programs' project files, state, config, exemptions): any failure
is one line naming the file, a usage error (exit 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .errors import UsageError, clip


def resolve(path: str | Path, what: str = "") -> Path:
    """``path`` made absolute with symbolic links resolved; a link loop or an unreadable
    directory on the way is a usage error (``what`` names the path: "--pack ")."""
    try:
        resolved = Path(path).resolve()
        resolved.exists()  # stat: raises on a loop that resolve() left in place
    except (OSError, RuntimeError) as exc:
        raise UsageError(f"cannot resolve {what}{clip(str(path))}: {getattr(exc, 'strerror', None) or exc}") from None
    return resolved


def read_text(path: Path | str, what: str = "", max_bytes: int | None = None) -> str:
    """The file's UTF-8 text; ``what`` names it in the error ("config file "); ``max_bytes``
    refuses a larger file before reading it."""
    try:
        if max_bytes is not None and Path(path).stat().st_size > max_bytes:
            raise UsageError(f"{what}{path} is larger than {max_bytes // (1024 * 1024)} MiB")
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what}{path}: {getattr(exc, 'strerror', None) or exc}") from None


class _Invalid(ValueError):
    pass


def _number(text: str) -> float | int:
    # Go's encoding/json reads every number of a property bag into a float64: one that does not
    # fit is an error there ("cannot unmarshal number 1e400 into Go value of type float64").
    value = float(text)
    if not math.isfinite(value):
        raise _Invalid(f"the number {clip(text, 40)} does not fit a 64-bit float")
    return value if any(c in text for c in ".eE") else int(text)  # at most 309 digits here


def _constant(text: str) -> Any:
    raise _Invalid(f"{text} is not JSON")  # Python's reader accepts NaN and Infinity; JSON and Go do not


def parse_json(text: str, where: str) -> Any:
    """Strict JSON as the CLI (Go's ``encoding/json``) reads it: no NaN or Infinity, every number
    a finite float64; a document nested too deeply for Python's reader is refused too.
    ``where`` names the file in the one-line ``UsageError``."""
    try:
        return json.loads(text, parse_float=_number, parse_int=_number, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        hint = " (the file looks truncated)" if exc.pos >= len(text.rstrip()) else ""
        raise UsageError(f"{where} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}{hint}") from None
    except _Invalid as exc:
        raise UsageError(f"{where} is not valid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{where} is nested too deeply for a JSON reader") from None
