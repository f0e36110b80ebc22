"""Recognising credentials by name and by value.

Names are judged by their words: the head noun (the last word, skipping generic tails such
as ``value`` or ``string``) decides what a value is, so ``primaryKey`` and ``sasToken`` are
credentials while ``keyVaultName`` and ``tokenEndpointUrl`` are not. Values are judged by
shape: storage account keys, SAS tokens, connection strings carrying a key or password,
JWTs and PEM private keys. Reasons never contain the value itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from . import props as p

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")

_SECRET_HEADS: Final = frozenset(
    {
        "key", "keys", "password", "passwords", "passwd", "pwd", "secret", "secrets", "token", "tokens",
        "credential", "credentials", "creds", "passphrase", "apikey", "sas", "pat", "connectionstring",
    }
)
# Words after the head noun that still describe the credential itself (sasToken*Value*).
_GENERIC_TAILS: Final = frozenset({"value", "values", "string", "str", "text", "b64", "base64", "data", "raw", "plain", "plaintext", "encoded"})
# Words before "key" that make it something other than a credential.
_NON_SECRET_KEY_QUALIFIERS: Final = frozenset({"public", "partition", "sort", "row", "cache", "lookup", "foreign", "idempotency", "hash", "routing"})
# Lower-case compounds for names written without word breaks (``storageconnectionstring``).
_COMPOUND_SUFFIXES: Final = (
    "password", "passwd", "secret", "token", "connectionstring", "accountkey", "accesskey", "primarykey",
    "secondarykey", "apikey", "privatekey", "sastoken", "clientsecret", "storagekey", "masterkey", "sharedkey",
)


def words(name: str) -> list[str]:
    """The lower-case words of an identifier in any casing (camel, snake, kebab, dotted)."""
    return [w.lower() for w in _WORD.findall(name)]


@lru_cache(maxsize=4096)
def credential_name_reason(name: str) -> str | None:
    """Why a name reads as a credential (e.g. ``"its name ends in 'key'"``), else None."""
    parts = words(name)
    if not parts:
        return None
    if "sas" in parts or parts[-2:] == ["access", "signature"]:
        return "its name reads as a shared access signature"
    if "connection" in parts and "string" in parts[parts.index("connection") :]:
        return "its name reads as a connection string"
    head_index = len(parts) - 1
    while head_index > 0 and parts[head_index] in _GENERIC_TAILS:
        head_index -= 1
    head = parts[head_index]
    if head in _SECRET_HEADS:
        before = parts[head_index - 1] if head_index > 0 else ""
        if head in ("key", "keys") and before in _NON_SECRET_KEY_QUALIFIERS:
            return None
        return f"its name reads as a credential ('{head}')"
    compact = "".join(parts)
    if len(parts) == 1 and compact.endswith(_COMPOUND_SUFFIXES):
        return "its name reads as a credential"
    return None


_VALUE_PATTERNS: Final = (
    # Anywhere in the value: a key also leaks inside a command line or a URL.
    (re.compile(r"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])"), "its value has the shape of an Azure storage account key"),
    (re.compile(r"(?:^|[?&])sig=[A-Za-z0-9%+/=]{16,}", re.IGNORECASE), "its value contains a SAS token signature"),
    (
        re.compile(r"(?:^|[;?&\s])(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=\s*[^;&\s]", re.IGNORECASE),
        "its value carries an account key, shared access key or password (connection string or URL)",
    ),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "its value contains a JSON Web Token"),
    (re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"), "its value contains a PEM private key"),
    (re.compile(r"\b(?:ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}"), "its value contains a GitHub token"),
)


def credential_value_reason(value: str) -> str | None:
    """Why a string value looks like a credential, else None."""
    if len(value) < 16:
        return None
    for pattern, reason in _VALUE_PATTERNS:
        if pattern.search(value):
            return reason
    return None


def filled(value: Any) -> bool:
    """Whether a credential field holds something: any non-empty value, or an unknown one
    (computed from another resource's output, it will be a value)."""
    if p.is_unknown(value):
        return True
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (Mapping, Sequence)):  # Sequence: the SDK hands lists over as a proxy, not a list
        return len(value) > 0
    return p.present(value)
