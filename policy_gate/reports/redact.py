"""Every string a report prints passes through a ``Redactor``: whatever a policy wrote, a
value the program marked secret is never shown (``policy_gate.redaction`` holds it, where the
program runner can use it too)."""

from __future__ import annotations

from ..redaction import Redactor

__all__ = ["Redactor"]
