"""Errors the engine itself reports about a program's registrations."""

from __future__ import annotations


class EngineError(Exception):
    """What the engine would refuse (a duplicate URN, a transform that raised): the program fails
    with this one-line message, as ``pulumi preview`` fails (runner exit 3)."""
