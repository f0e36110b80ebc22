"""Every string a report prints passes through a ``Redactor``: whatever a policy wrote, a
value the program marked secret is never shown."""

from __future__ import annotations

from collections.abc import Iterable


class Redactor:
    def __init__(self, secrets: Iterable[str]):
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[secret]")
        return text
