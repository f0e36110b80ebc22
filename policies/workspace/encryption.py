"""workspace-customer-managed-key: the workspace encrypts its data with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import Reading, Setting, read
from . import samples as wx


def _set_or_computed(subject: Subject, setting: Setting) -> tuple[str, bool]:
    """(path, whether it holds a non-empty string or a value unknown during preview: computed from
    another resource, such as a Key Vault key's id, it will be set)."""
    try:
        reading = read(subject.type, subject.props, setting)
    except UnknownValueError as exc:
        return ".".join(exc.props), True
    if reading is None:
        return "", True
    return reading.path, isinstance(reading.raw, str) and bool(reading.raw.strip())


def _customer_managed_key(subject: Subject) -> Iterator[str]:
    # Azure Policy ba769a63 skips kind=project: a project is encrypted with its hub's key.
    if ws.is_project(subject.type, subject.props):
        return
    encryption = read(subject.type, subject.props, ws.ENCRYPTION)
    if encryption is None or not isinstance(encryption.raw, Mapping):
        yield "The workspace has no customer-managed key (encryption is absent): its data is encrypted with Microsoft-managed keys."
        return
    status = read(subject.type, subject.props, ws.ENCRYPTION_STATUS)
    if status is not None:  # the classic encryption block has no status: the key enables it
        yield from _status_enabled(status)
    for setting in (ws.KEY_VAULT, ws.KEY_ID):
        where, ok = _set_or_computed(subject, setting)
        if not ok:
            yield f"{where} is not set; name the Key Vault and the key that encrypt the workspace."


def _status_enabled(status: Reading) -> Iterator[str]:
    if status.absent:
        yield f"{status.path} is not set; set it to Enabled."
    elif not isinstance(status.raw, str):
        yield f"{status.path} is {p.type_name(status.raw)}; set it to Enabled."
    elif status.raw.strip().lower() != "enabled":
        yield f"{status.path} is {quote_known(status.raw, ('Enabled', 'Disabled'))}; set it to Enabled."


_KEY = {"keyVaultArmId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
        "keyIdentifier": "https://kv.vault.azure.net/keys/aml/0123456789abcdef"}

workspace_customer_managed_key = ResourceRule(
    name="workspace-customer-managed-key",
    title="Workspaces encrypt with a customer-managed key",
    description="Azure ML workspaces must encrypt their data with a customer-managed key from Key Vault.",
    details="Azure ML workspaces must encrypt their data with a customer-managed key: encryption.status Enabled "
    "with encryption.keyVaultProperties.keyVaultArmId and keyIdentifier set (the same in azure-native 2.x and 3.x; "
    "classic provider: an encryption block with keyVaultId and keyId). Absent encryption means Microsoft-managed keys "
    "and is a violation. Judges Default, Hub and FeatureStore workspaces: a project is encrypted with its hub's key "
    "(Azure Policy ba769a63 and 7f40cee6 skip kind Project too).",
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
    types=ws.TYPES,
    check=_customer_managed_key,
    samples=(
        Sample("customer-managed key", {"encryption": {"status": "Enabled", "keyVaultProperties": dict(_KEY)}}),
        Sample("snake_case, any case, 2.x versioned module", {"encryption": {"status": "enabled", "key_vault_properties": {
            "key_vault_arm_id": _KEY["keyVaultArmId"], "key_identifier": _KEY["keyIdentifier"]}}}, type=wx.AN2_STABLE),
        Sample("2.x default module", wx.an2_default(encryption={"status": "Enabled", "keyVaultProperties": dict(_KEY)}),
               provider=Provider.AN2),
        Sample("project exempt", {"kind": "project", "hubResourceId": "/subscriptions/s/hub"}),
        Sample("classic", wx.classic(encryption={"keyVaultId": _KEY["keyVaultArmId"], "keyId": _KEY["keyIdentifier"],
                                                 "userAssignedIdentityId": "/subscriptions/s/id"}), type=t.CLASSIC_WORKSPACE),
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
        Sample("classic without key id", wx.classic(encryption={"key_vault_id": _KEY["keyVaultArmId"]}),
               ("encryption.keyId is not set",), type=t.CLASSIC_WORKSPACE),
        Sample("classic absent", wx.classic(highBusinessImpact=True), ("encryption is absent",), type=t.CLASSIC_WORKSPACE),
        Sample("2.x default module, disabled", wx.an2_default(encryption={"status": "Disabled", "keyVaultProperties": dict(_KEY)}),
               ("encryption.status is 'Disabled'",), provider=Provider.AN2),
    ),
)
