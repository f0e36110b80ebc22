"""Deterministic values: the mocks must give byte-identical answers across runs, so every
generated id, GUID or key is a hash of where it is used."""

from __future__ import annotations

import hashlib

SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
SUBSCRIPTION = f"/subscriptions/{SUBSCRIPTION_ID}"
TENANT_ID = "7e4a4c1d-0000-4000-8000-00000000a11e"  # fake, fixed: one tenant for all

# Outputs that a real provider fills with a GUID whenever the object that holds them exists.
GUID_OUTPUTS = frozenset({"principalId", "clientId", "objectId", "workspaceId", "applicationId"})


def digest(*parts: str) -> bytes:
    """A stable hash of the parts."""
    return hashlib.sha512("\x1f".join(parts).encode()).digest()


def guid(*parts: str) -> str:
    """A deterministic, GUID-shaped string."""
    h = digest(*parts).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def hex8(*parts: str) -> str:
    return digest(*parts).hex()[:8]
