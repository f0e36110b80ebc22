"""Go duration strings (resource ``customTimeouts``) in seconds, as the engine reads them.

The SDKs send custom timeouts as the strings the user wrote (``"1h30m"``, ``"500ms"``); the
engine turns each into seconds with Go's ``time.ParseDuration`` and rejects the resource when
that fails (pulumi/pulumi ``pkg/resource/deploy/source_eval.go``, ``generateTimeoutInSeconds``);
the analyzer protocol then carries seconds. Grammar (Go ``time.ParseDuration``): an optional
sign, then one or more decimal numbers, each with an optional fraction and a unit (``ns``,
``us``, ``µs``, ``μs``, ``ms``, ``s``, ``m``, ``h``); ``"0"`` alone needs no unit.
"""

from __future__ import annotations

import re

_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_UNIT = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))  # "ms" before "m" and "s"
_TERM = re.compile(rf"(\d+\.?\d*|\.\d+)({_UNIT})")
_DURATION = re.compile(rf"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:{_UNIT}))+")


def go_duration_seconds(text: str) -> float:
    """Seconds in a Go duration string. Raises ``ValueError`` for anything Go would reject."""
    if text in ("0", "+0", "-0"):
        return 0.0
    if not _DURATION.fullmatch(text):
        raise ValueError(f"invalid duration {text!r}")
    sign = -1.0 if text.startswith("-") else 1.0
    return sign * sum(float(number) * _UNITS[unit] for number, unit in _TERM.findall(text))
