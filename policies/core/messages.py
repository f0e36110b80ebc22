"""Values in violation messages.

Messages reach terminals, CI logs and Pulumi Cloud, and a policy cannot tell whether a value
was a secret (pulumi-policy unwraps secrets first). So a message names a property's path and
what is wrong with it, and quotes a value only when it belongs to a closed vocabulary (enum
members such as SKU or identity type names, or the user's own config); anything else is
described without its content.
"""

from __future__ import annotations

from collections.abc import Iterable


def quote_known(value: object, vocabulary: Iterable[object]) -> str:
    if isinstance(value, str):
        known = {v.strip().lower(): v for v in vocabulary if isinstance(v, str)}
        if value.strip().lower() in known:
            return f"'{value.strip()}'"
        return "a value outside the known set (not shown)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "a value (not shown)"


def number_text(value: object) -> str:
    """A config number for messages (``4`` rather than ``4.0``)."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)
