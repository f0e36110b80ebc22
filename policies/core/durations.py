"""Durations as Azure ML writes them: ISO-8601 (``PT2H``, ``P1DT2H``, ``PT0.5H``), and for job
limits also a number of seconds."""

from __future__ import annotations

import re
from typing import Any, Final

_DURATION = re.compile(
    r"^P(?=\d|T\d)"
    r"(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_UNIT_SECONDS: Final = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: Any) -> float | None:
    """Seconds in a job duration: an ISO-8601 duration of weeks, days, hours, minutes and seconds
    (``PT2H``, ``P1DT2H``, ``PT0.5H``: the REST form), or a number of seconds (the form Azure ML
    YAML and SDK v2 write in pipeline steps, also as a numeric string). None for anything else,
    including negative values and years or months, whose length is not fixed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        match = _DURATION.match(text)
        if match is None:
            return None
        return sum(float(v.replace(",", ".")) * _UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)
    return seconds if seconds >= 0 else None


def iso_duration_seconds(text: str) -> float | None:
    """Seconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds (``PT15M``,
    ``PT1H30M``, ``P1D``, ``PT0.5H``). None for anything else: years and months (no fixed
    length) and plain numbers, which the compute API does not accept (jobs do)."""
    stripped = text.strip()
    return parse_duration(stripped) if stripped[:1] in ("P", "p") else None
