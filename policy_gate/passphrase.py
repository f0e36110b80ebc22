"""Pulumi's passphrase secrets provider, for stack config ``secure:`` values and state secrets.

The format (pulumi/pulumi ``sdk/go/common/resource/config/crypt.go``
``NewSymmetricCrypterFromPassphrase``, ``pkg/secrets/passphrase/manager.go``): the key is
PBKDF2-HMAC-SHA256 of the passphrase with the stack's salt, 1,000,000 iterations, 32 bytes; a
value is ``v1:<base64 nonce>:<base64 AES-256-GCM ciphertext and tag>`` (12-byte nonce, no
associated data). The salt state (a stack file's ``encryptionsalt``, a state file's
``secrets_providers.state.salt``) is ``v1:<base64 salt>:<the encrypted word "pulumi">``, which
tells a wrong passphrase from a right one. The passphrase comes from ``PULUMI_CONFIG_PASSPHRASE``
(even empty), else the file ``PULUMI_CONFIG_PASSPHRASE_FILE`` names (stripped), as
``readPassphrase`` takes them.

Built on ``cryptography`` (maintained), not on PyPI's ``pulumi-crypto`` (one release in 2022).
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from .errors import UsageError

_ITERATIONS = 1_000_000
_KEY_BYTES = 32
_CHECK_WORD = "pulumi"


class DecryptError(Exception):
    """A value or salt state that cannot be decrypted (malformed, or a wrong passphrase)."""


def passphrase_from_environment() -> str | None:
    """The passphrase the CLI would use non-interactively, or None when neither variable is set."""
    phrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE")
    if phrase is not None:
        return phrase
    phrase_file = os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if not phrase_file:
        return None
    try:
        return Path(phrase_file).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"unable to read PULUMI_CONFIG_PASSPHRASE_FILE: {getattr(exc, 'strerror', None) or exc}") from None


class Crypter:
    """Decrypts values of one stack: built from the passphrase and the salt state, which it
    checks (``DecryptError`` on a wrong passphrase or a malformed state)."""

    def __init__(self, phrase: str, state: str) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

        parts = state.split(":", 2)
        if len(parts) != 3:
            raise DecryptError("malformed state value")
        if parts[0] != "v1":
            raise DecryptError("unknown state version")
        salt = _b64(parts[1])
        key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=salt, iterations=_ITERATIONS).derive(
            phrase.encode("utf-8"))
        self._aead = AESGCM(key)
        try:
            check = self.decrypt(parts[2])
        except DecryptError:
            check = None
        if check != _CHECK_WORD:
            raise DecryptError("incorrect passphrase")

    def decrypt(self, value: str) -> str:
        from cryptography.exceptions import InvalidTag

        parts = value.split(":")
        if len(parts) != 3 or parts[0] != "v1":
            raise DecryptError("unknown value version")
        nonce = _b64(parts[1])
        if len(nonce) != 12:
            raise DecryptError("bad value: nonce size is incorrect")
        try:
            return self._aead.decrypt(nonce, _b64(parts[2]), None).decode("utf-8")
        except (InvalidTag, UnicodeDecodeError):
            raise DecryptError("the value does not decrypt with this passphrase") from None


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError("bad value: not base64") from None
