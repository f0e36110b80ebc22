"""workspace-customer-managed-key: the workspace encrypts its data with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample


def _set_or_computed(parent: Mapping[str, Any] | None, key: str) -> bool:
    """Whether ``parent.key`` holds a non-empty string, or a value unknown during preview
    (computed from another resource, such as a Key Vault key's id: it will be set)."""
    if parent is None:
        return False
    try:
        value = p.get(parent, key)
    except UnknownValueError:
        return True
    return isinstance(value, str) and bool(value.strip())


def _kind_exempt(subject: Subject) -> bool:
    # Azure Policy ba769a63 skips kind=project: a project is encrypted with its hub's key.
    kind = p.get_str(subject.props, "kind")
    return kind is not None and kind.strip().lower() == "project"


def _customer_managed_key(subject: Subject) -> Iterator[str]:
    if _kind_exempt(subject):
        return
    encryption = p.get_map(subject.props, "encryption")
    if encryption is None:
        yield "The workspace has no customer-managed key (encryption is absent): its data is encrypted with Microsoft-managed keys."
        return
    if subject.classic:
        required = (("keyVaultId", "encryption.keyVaultId"), ("keyId", "encryption.keyId"))
        vault: Mapping[str, Any] | None = encryption
    else:
        yield from _status_enabled(encryption)
        required = (("keyVaultArmId", "encryption.keyVaultProperties.keyVaultArmId"),
                    ("keyIdentifier", "encryption.keyVaultProperties.keyIdentifier"))
        vault = p.get_map(encryption, "keyVaultProperties")
    for key, where in required:
        if not _set_or_computed(vault, key):
            yield f"{where} is not set; name the Key Vault and the key that encrypt the workspace."


def _status_enabled(encryption: Mapping[str, Any]) -> Iterator[str]:
    status = p.get(encryption, "status")
    if not p.present(status):
        yield "encryption.status is not set; set it to Enabled."
    elif not isinstance(status, str):
        yield f"encryption.status is {p.type_name(status)}; set it to Enabled."
    elif status.strip().lower() != "enabled":
        yield f"encryption.status is {quote_known(status, ('Enabled', 'Disabled'))}; set it to Enabled."


_KEY = {"keyVaultArmId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "keyIdentifier": "https://kv.vault.azure.net/keys/aml/0123456789abcdef"}

workspace_customer_managed_key = ResourceRule(
    name="workspace-customer-managed-key",
    description="Azure ML workspaces must encrypt their data with a customer-managed key: encryption.status Enabled "
    "with encryption.keyVaultProperties.keyVaultArmId and keyIdentifier set (classic provider: an encryption block "
    "with keyVaultId and keyId). Absent encryption means Microsoft-managed keys and is a violation. Workspaces of "
    "kind Project are exempt (they use their hub's key; Azure Policy ba769a63 skips them too).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Create a Key Vault key and give the workspace encryption: {status: 'Enabled', keyVaultProperties: "
    "{keyVaultArmId: <vault id>, keyIdentifier: <key URI>}} (classic: encryption {keyVaultId, keyId, "
    "userAssignedIdentityId}). The key can only be set when the workspace is created. Raise this policy to "
    "mandatory where regulation requires customer-managed keys.",
    unknowns="Key Vault and key ids unknown during preview count as set (they come from other resources); an "
    f"unknown status or encryption block: {SDK_ADVISORY}.",
    topics=("encryption",),
    frameworks=(fw.AZ_CUSTOMER_MANAGED_KEY, fw.MCSB_DP5),
    types=t.WORKSPACE_TYPES,
    check=_customer_managed_key,
    samples=(
        Sample("customer-managed key", {"encryption": {"status": "Enabled", "keyVaultProperties": dict(_KEY)}}),
        Sample("snake_case, any case, versioned", {"encryption": {"status": "enabled", "key_vault_properties": {
            "key_vault_arm_id": _KEY["keyVaultArmId"], "key_identifier": _KEY["keyIdentifier"]}}},
            type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("project exempt", {"kind": "project", "hubResourceId": "/subscriptions/s/hub"}),
        Sample("classic", {"encryption": {"keyVaultId": _KEY["keyVaultArmId"], "keyId": _KEY["keyIdentifier"],
                                          "userAssignedIdentityId": "/subscriptions/s/id"}}, type=t.CLASSIC_WORKSPACE),
        Sample("absent", {"kind": "Hub"}, ("has no customer-managed key (encryption is absent)",)),
        Sample("disabled", {"encryption": {"status": "Disabled", "keyVaultProperties": dict(_KEY)}},
               ("encryption.status is 'Disabled'",)),
        Sample("enabled without key", {"encryption": {"status": "Enabled", "keyVaultProperties": {"keyIdentifier": " "}}},
               ("keyVaultArmId is not set", "keyIdentifier is not set")),
        Sample("no status, wrong types", {"encryption": {"keyVaultProperties": {"keyVaultArmId": 1.0,
                                                                                "keyIdentifier": _KEY["keyIdentifier"]}}},
               ("encryption.status is not set", "keyVaultArmId is not set")),
        Sample("status wrong type", {"encryption": {"status": True, "keyVaultProperties": dict(_KEY)}},
               ("encryption.status is a boolean",)),
        Sample("classic without key id", {"encryption": {"key_vault_id": _KEY["keyVaultArmId"]}},
               ("encryption.keyId is not set",), type=t.CLASSIC_WORKSPACE),
        Sample("classic absent", {"highBusinessImpact": True}, ("encryption is absent",), type=t.CLASSIC_WORKSPACE),
    ),
)
