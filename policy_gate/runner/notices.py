"""The runner's warnings: what the program saw differently from a real deployment (another
stack's outputs read as unset, ...). They travel in the capture, so the gate prints every one
on stderr and in every report, whatever the program itself printed."""

from __future__ import annotations

_WARNINGS: list[str] = []


def warn(message: str) -> None:
    if message not in _WARNINGS:
        _WARNINGS.append(message)


def collected() -> list[str]:
    return list(_WARNINGS)
