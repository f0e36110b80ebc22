"""A rule's config keys: each a JSON Schema with a default, merged and type-checked in one place.

The CLI validates a ``--policy-pack-config`` block against each policy's schema before the pack
sees it, but the Python SDK validates nothing itself (DESIGN.md section 2), so ``merge`` checks
the types again: a wrongly-typed value is reported, never used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Option:
    """One config key: its JSON Schema (which must carry a ``default``)."""

    name: str
    schema: Mapping[str, Any]

    @property
    def default(self) -> Any:
        return self.schema["default"]


def strings(name: str, default: Sequence[str], description: str, **items: Any) -> Option:
    """A list of strings (``items`` adds to the item schema, e.g. an ``enum``)."""
    return Option(name, {"type": "array", "items": {"type": "string", **items}, "default": list(default),
                         "description": description})


def flag(name: str, default: bool, description: str) -> Option:
    return Option(name, {"type": "boolean", "default": default, "description": description})


def integer(name: str, default: int, description: str) -> Option:
    return Option(name, {"type": "integer", "default": default, "description": description})


def number(name: str, default: float, description: str) -> Option:
    return Option(name, {"type": "number", "default": default, "description": description})


def string(name: str, default: str, description: str) -> Option:
    return Option(name, {"type": "string", "default": default, "description": description})


FAIL_CLOSED_STACK_KEY: Final = "azure-ml-governance:failClosed"
FAIL_CLOSED: Final = flag(
    "failClosed", False,
    "Report a value that is unknown during preview as a violation (fail closed) instead of the SDK's advisory 'can't "
    f"run policy' diagnostic. Also switched on for every security rule by the stack config key {FAIL_CLOSED_STACK_KEY}.")

_JSON_TYPES: Final[Mapping[str, tuple[type, ...]]] = {
    "array": (list, tuple),
    "object": (dict, Mapping),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int, float),
    "number": (int, float),
}


def merge(options: Sequence[Option], given: Mapping[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """Defaults overlaid with ``given``; the second item names a wrongly-typed key."""
    merged = {o.name: o.default for o in options}
    for key, value in (given or {}).items():
        merged[key] = value
    for option in options:
        expected = option.schema.get("type")
        value = merged.get(option.name)
        if isinstance(expected, str) and expected in _JSON_TYPES:
            ok = isinstance(value, _JSON_TYPES[expected]) and not (expected in ("integer", "number") and isinstance(value, bool))
            if not ok:
                return merged, f"policy config '{option.name}' must be of type {expected}; the rule was not evaluated"
    return merged, None
