"""What the gate never prints: every value it saw as a secret, in the forms a message would show it.

The secret strings are each string inside a secret envelope of a property bag, each leaf of
decrypted secure config (and its whole text), and for a number its renderings: ``str``,
``repr``, JSON, ``:g`` and, for a whole number, the integer (``123456789.0`` is also
``123456789`` and ``1.23457e+08``). A ``Redactor`` replaces each one, longest first, by
``[secret]``.

Where it stops (docs/security.md says the same): strings under ``MIN_LENGTH`` characters (a
secret ``42`` or ``on`` would blank every such word of every line), booleans, other renderings
of a number (``123,456,789``), a part of a secret quoted alone, and any value computed from a
secret (inside an ``apply``, say) that never reached a resource, an export or the config as a
secret: the gate cannot know it.

Standard library only: the program runner redacts its failure line with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .wire import SECRET_SIG, SIG_KEY

MIN_LENGTH = 4
REPLACEMENT = "[secret]"


def renderings(value: Any) -> set[str]:
    """The texts a message would show ``value`` as (a string is itself)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return set()
    forms = {str(value), repr(value), json.dumps(value), f"{value:g}"}
    if isinstance(value, float) and value.is_integer():
        forms.add(str(int(value)))
    return forms


def collect(value: Any, found: set[str], inside: bool = False) -> None:
    """Add to ``found`` the renderings of every scalar inside a secret envelope of ``value``
    (everything, when ``inside``)."""
    if isinstance(value, Mapping):
        is_envelope = value.get(SIG_KEY) == SECRET_SIG
        for key, child in value.items():
            if key != SIG_KEY:
                collect(child, found, inside or is_envelope)
    elif isinstance(value, list):
        for child in value:
            collect(child, found, inside)
    elif inside:
        found |= renderings(value)


def config_secrets(values: Mapping[str, Any], secret_keys: Iterable[str]) -> set[str]:
    """The decrypted secure config values of ``values`` ("project:key" -> text, as PULUMI_CONFIG
    carries it): each text, and each leaf of one holding a JSON object."""
    found: set[str] = set()
    for key in secret_keys:
        text = str(values.get(key, ""))
        found.add(text)
        try:
            collect(json.loads(text), found, inside=True)
        except (ValueError, RecursionError):
            pass
    return found


class Redactor:
    def __init__(self, secrets: Iterable[str]):
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_LENGTH}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REPLACEMENT)
        return text
