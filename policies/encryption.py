"""Encryption, data classification and data residency for Azure ML: customer-managed keys,
the high-business-impact flag for confidential workspaces, and allowed locations."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from . import props as p
from . import types as t
from .messages import quote_known
from .rule import Framework, Option, ResourceRule, Sample, Subject
from .types import CLASSIC_CLUSTER, CLASSIC_INSTANCE
from .workspace import WORKSPACE_TYPES

# Every azure-native ML resource with a top-level location (pulumi-azure-native 3.x), plus the classic ones.
LOCATED_TYPES: Final = (
    t.WORKSPACE, *(f"{t.ML}:{name}" for name in (
        "Registry", "Compute", "OnlineEndpoint", "OnlineDeployment", "BatchEndpoint", "BatchDeployment",
        "ServerlessEndpoint", "InferenceEndpoint", "InferenceGroup", "InferencePool", "CapacityReservationGroup",
        "LinkedService", "PrivateEndpointConnection")),
    t.CLASSIC_WORKSPACE, CLASSIC_CLUSTER, CLASSIC_INSTANCE,
)
# Azure region names (normalised), only so that a message may quote a region: never used to judge.
AZURE_REGIONS: Final = (
    "eastus", "eastus2", "southcentralus", "westus2", "westus3", "australiaeast", "southeastasia", "northeurope",
    "swedencentral", "uksouth", "westeurope", "centralus", "southafricanorth", "centralindia", "eastasia",
    "japaneast", "koreacentral", "canadacentral", "francecentral", "germanywestcentral", "italynorth", "norwayeast",
    "polandcentral", "spaincentral", "switzerlandnorth", "mexicocentral", "uaenorth", "brazilsouth", "israelcentral",
    "qatarcentral", "northcentralus", "westus", "japanwest", "westcentralus", "southafricawest", "australiacentral",
    "australiacentral2", "australiasoutheast", "koreasouth", "southindia", "westindia", "jioindiawest",
    "jioindiacentral", "canadaeast", "francesouth", "germanynorth", "norwaywest", "switzerlandwest", "ukwest",
    "uaecentral", "brazilsoutheast", "swedensouth", "newzealandnorth", "chilecentral", "indonesiacentral",
    "malaysiawest", "austriaeast", "belgiumcentral", "usgovvirginia", "usgovarizona", "usgovtexas", "chinanorth",
    "chinanorth2", "chinanorth3", "chinaeast", "chinaeast2", "chinaeast3", "global",
)


# ---------------------------------------------------------------------------------------------
# workspace-customer-managed-key


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
    if status is p.MISSING or status is None:
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
    "unknown status or encryption block: the SDK's advisory 'can't run policy' diagnostic.",
    topics=("encryption",),
    frameworks=(
        Framework("Azure Policy", "ba769a63-b8cc-4b2d-abf6-ac33c7204be8",
                  "Azure Machine Learning workspaces should be encrypted with a customer-managed key"),
        Framework("MCSB", "DP-5", "Use customer-managed key option in data at rest encryption when required"),
    ),
    types=WORKSPACE_TYPES,
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


# ---------------------------------------------------------------------------------------------
# workspace-hbi-for-confidential


def _classification(subject: Subject) -> tuple[str, str] | None:
    """(tag key, tag value) when the workspace's classification tag names a confidential value."""
    wanted = str(subject.config["classificationTag"]).strip().lower()
    confidential = {v.strip().lower() for v in subject.config["confidentialValues"] if isinstance(v, str)}
    tags = p.get_map(subject.props, "tags")
    for key in list(tags or {}):
        if isinstance(key, str) and key.strip().lower() == wanted:
            value = p.get(tags, [key])  # a list path: tag keys may contain dots
            if isinstance(value, str) and value.strip().lower() in confidential:
                return key, value
    return None


def _hbi_for_confidential(subject: Subject) -> Iterator[str]:
    found = _classification(subject)
    if found is None:
        return
    key, value = found
    path = "highBusinessImpact" if subject.classic else "hbiWorkspace"
    raw = p.get(subject.props, path)
    flag = p.get_bool(subject.props, path)
    if flag is True:
        return
    state = "absent" if raw is p.MISSING or raw is None else ("false" if flag is False else p.type_name(raw))
    tag = quote_known(key, (subject.config["classificationTag"],))
    label = quote_known(value, subject.config["confidentialValues"])
    yield f"The workspace's tag {tag} is {label}, so {path} must be true (it is {state})."


workspace_hbi_for_confidential = ResourceRule(
    name="workspace-hbi-for-confidential",
    description="Azure ML workspaces (every kind) whose classification tag names confidential data must set "
    "hbiWorkspace (classic: highBusinessImpact) to true, which reduces the diagnostic data Microsoft collects; an "
    "absent flag means false. The tag key and values come from config and are compared case-insensitively; untagged "
    "workspaces pass.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set hbiWorkspace to true (classic: highBusinessImpact = true). The flag can only be set when the "
    "workspace is created, so this replaces an existing workspace; if the data is not confidential, correct the tag.",
    unknowns="An unknown classification tag or HBI flag during preview: the SDK's advisory 'can't run policy' "
    "diagnostic.",
    topics=("data-classification", "data-access"),
    types=WORKSPACE_TYPES,
    options=(
        Option("classificationTag", {
            "type": "string", "default": "data-classification",
            "description": "Tag key holding the data classification (matched case-insensitively).",
        }),
        Option("confidentialValues", {
            "type": "array", "items": {"type": "string"},
            "default": ["confidential", "highly-confidential", "restricted"],
            "description": "Classification values that require an HBI workspace (compared case-insensitively).",
        }),
    ),
    check=_hbi_for_confidential,
    samples=(
        Sample("confidential and hbi", {"tags": {"data-classification": "Confidential"}, "hbiWorkspace": True}),
        Sample("key case differs, snake_case flag", {"tags": {"Data-Classification": "RESTRICTED"}, "hbi_workspace": "true"}),
        Sample("not confidential", {"tags": {"data-classification": "public"}}),
        Sample("untagged", {"hbiWorkspace": False}),
        Sample("other key spelling is another tag", {"tags": {"data_classification": "confidential"}}),
        Sample("classic", {"tags": {"data-classification": "restricted"}, "highBusinessImpact": True},
               type=t.CLASSIC_WORKSPACE),
        Sample("custom tag and values", {"tags": {"Sensitivity": "Secret"}, "hbiWorkspace": True},
               config={"classificationTag": "sensitivity", "confidentialValues": ["secret"]}),
        Sample("confidential without hbi", {"tags": {"data-classification": "confidential"}},
               ("tag 'data-classification' is 'confidential', so hbiWorkspace must be true (it is absent)",)),
        Sample("hbi false", {"tags": {"data-classification": "Highly-Confidential"}, "hbiWorkspace": False},
               ("(it is false)",), type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("hbi wrong type", {"tags": {"data-classification": "restricted"}, "hbiWorkspace": 1.0},
               ("(it is a number)",)),
        Sample("classic without hbi", {"tags": {"DATA-CLASSIFICATION": "confidential"}, "highBusinessImpact": False},
               ("highBusinessImpact must be true",), type=t.CLASSIC_WORKSPACE),
        Sample("custom tag without hbi", {"tags": {"sensitivity": "secret"}}, ("tag 'sensitivity' is 'secret'",),
               config={"classificationTag": "Sensitivity", "confidentialValues": ["Secret"]}),
    ),
)


# ---------------------------------------------------------------------------------------------
# ml-allowed-locations


def _norm_location(value: str) -> str:
    """'West Europe' == 'westeurope' == 'WestEurope'."""
    return "".join(value.split()).lower()


def _allowed_location(subject: Subject) -> Iterator[str]:
    allowed = [a for a in subject.config["allowedLocations"] if isinstance(a, str) and a.strip()]
    if not allowed:
        return  # not configured: every location passes
    listing = ", ".join(allowed)
    value = p.get(subject.props, "location")
    if value is p.MISSING or value is None or (isinstance(value, str) and not value.strip()):
        return  # inherits the resource group's (or the workspace's) location
    if not isinstance(value, str):
        yield f"location is {p.type_name(value)}, not a region; allowed: {listing}."
        return
    location = _norm_location(value)
    permitted = {_norm_location(a) for a in allowed}
    if location not in permitted:
        yield f"location {quote_known(location, (*AZURE_REGIONS, *permitted))} is not allowed; allowed: {listing}."


ml_allowed_locations = ResourceRule(
    name="ml-allowed-locations",
    description="Azure ML resources with a location of their own (workspaces, registries, computes, endpoints, "
    "deployments and the classic workspace and computes) must be in an allowed region. Until allowedLocations is "
    "configured (default: empty) every location passes. Regions compare case-insensitively ignoring spaces "
    "('West Europe' == 'westeurope'); an absent location passes, since it inherits the resource group's.",
    severity=Severity.LOW,
    level=EnforcementLevel.MANDATORY,
    remediation="Deploy the resource to one of the allowed regions (location), or add the region to this policy's "
    "allowedLocations config.",
    unknowns="A location unknown during preview (e.g. taken from a resource group created in the same stack): the "
    "SDK's advisory 'can't run policy' diagnostic.",
    topics=("compliance",),
    frameworks=(Framework("Azure Policy", "e56962a6-4747-49cd-b67b-bf8b01975c4c", "Allowed locations"),),
    types=LOCATED_TYPES,
    options=(
        Option("allowedLocations", {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Allowed Azure regions, e.g. westeurope or 'West Europe'. Empty: any location.",
        }),
    ),
    check=_allowed_location,
    samples=(
        Sample("not configured: anything goes", {"location": "eastus"}),
        Sample("display name matches short name", {"location": "West Europe"}, config={"allowedLocations": ["westeurope"]}),
        Sample("short name matches display name", {"location": "northeurope"}, type=f"{t.ML}:Registry",
               config={"allowedLocations": ["West Europe", "North Europe"]}),
        Sample("absent location inherits", {"properties": {"computeType": "AmlCompute"}}, type=f"{t.ML}:Compute",
               config={"allowedLocations": ["westeurope"]}),
        Sample("classic compute cluster", {"location": "WestEurope", "vmSize": "STANDARD_DS2_V2"},
               type=CLASSIC_CLUSTER, config={"allowedLocations": ["westeurope"]}),
        Sample("outside the list", {"location": "East US"}, ("location 'eastus' is not allowed; allowed: westeurope",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("online endpoint, versioned", {"location": "japaneast", "properties": {"authMode": "AADToken"}},
               ("location 'japaneast' is not allowed",),
               type="azure-native:machinelearningservices/v20240401:OnlineEndpoint",
               config={"allowedLocations": ["westeurope", "northeurope"]}),
        Sample("classic workspace", {"location": "eastus2"}, ("'eastus2' is not allowed",), type=t.CLASSIC_WORKSPACE,
               config={"allowedLocations": ["westeurope"]}),
        Sample("unknown region not quoted", {"location": "Atlantis North"},
               ("location a value outside the known set (not shown) is not allowed",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("wrong type", {"location": ["westeurope"]}, ("location is a list",),
               config={"allowedLocations": ["westeurope"]}),
    ),
)

RULES = (workspace_customer_managed_key, workspace_hbi_for_confidential, ml_allowed_locations)
