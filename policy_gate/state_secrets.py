"""Secrets in a saved state file, as ``pulumi policy analyze --file`` treats them
(pulumi/pulumi ``pkg/cmd/pulumi/policy/policy_analyze.go``): decrypted with the state's own
secrets provider when it can be, otherwise every secret blinded to ``[secret]`` with the
warning "could not decrypt secrets in <file>; analyzing with secret values redacted".

The gate decrypts the passphrase provider (``secrets_providers: {type: passphrase, state:
{salt}}``) with ``PULUMI_CONFIG_PASSPHRASE[_FILE]``; cloud and KMS providers need their services
and are blinded. As in the CLI it is all or nothing: one secret that does not decrypt blinds them
all. A decrypted plaintext is a JSON value and stays inside its secret envelope.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import UsageError
from .passphrase import Crypter, DecryptError, passphrase_from_environment

OPAQUE_SECRET = "[secret]"


class StateSecrets:
    """Reveals the ciphertexts of one state file; ``blinded`` tells whether any was left opaque."""

    def __init__(self, crypter: Crypter | None) -> None:
        self._crypter = crypter
        self.blinded = False

    @classmethod
    def for_state(cls, data: Mapping[str, Any]) -> StateSecrets:
        provider = _secrets_provider(data)
        salt = provider.get("state", {}).get("salt") if isinstance(provider.get("state"), Mapping) else None
        if provider.get("type") != "passphrase" or not isinstance(salt, str):
            return cls(None)
        phrase = passphrase_from_environment()
        if phrase is None:
            return cls(None)
        try:
            return cls(Crypter(phrase, salt))
        except DecryptError:
            return cls(None)  # a wrong passphrase: blinded, as the CLI falls back

    def blind(self) -> StateSecrets:
        """The same state with every secret left opaque (after one failed to decrypt)."""
        return StateSecrets(None)

    def reveal(self, envelope: Mapping[str, Any]) -> Any:
        """The value of a secret envelope without ``value``: its ``plaintext`` (``--show-secrets``
        exports) or its decrypted ``ciphertext``, decoded from JSON; else ``[secret]``.
        Raises ``DecryptError`` when a ciphertext does not decrypt."""
        plaintext = envelope.get("plaintext")
        if isinstance(plaintext, str):
            return _decoded(plaintext)
        ciphertext = envelope.get("ciphertext")
        if self._crypter is None or not isinstance(ciphertext, str):
            self.blinded = True
            return OPAQUE_SECRET
        return _decoded(self._crypter.decrypt(ciphertext))


def warning(path: Path) -> str:
    return f"could not decrypt secrets in {path}; analyzing with secret values redacted"


def _secrets_provider(data: Mapping[str, Any]) -> Mapping[str, Any]:
    deployment = data.get("deployment")
    if not isinstance(deployment, Mapping):
        checkpoint = data.get("checkpoint")
        deployment = checkpoint.get("latest") if isinstance(checkpoint, Mapping) else None
    provider = deployment.get("secrets_providers") if isinstance(deployment, Mapping) else None
    return provider if isinstance(provider, Mapping) else {}


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
    except RecursionError:
        raise UsageError("a secret in the state file is nested too deeply") from None
