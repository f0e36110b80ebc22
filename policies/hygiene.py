"""Hygiene rules for every Azure ML resource: required tags, no preview API versions, and no
credentials put inline in a resource's inputs.

These rules match whole families of types (every ``azure-native:machinelearningservices:*``
and ``azure:machinelearning/*`` token) through the prefix selectors in ``types``, so a type
azure-native adds later is covered without editing a list. The tables below record what the
type token alone cannot say (where a type keeps its tags, which types default to a preview
API version); tests/test_rules_hygiene.py checks them against the installed
pulumi-azure-native, so they fail when the provider changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from . import props as p
from . import types as t
from .credentials import credential_name_reason, credential_value_reason
from .messages import quote_known
from .rule import Framework, Option, ResourceRule, Sample, Subject
from .types import DATASTORE, WORKSPACE_CONNECTION

ML_TYPES: Final = (t.ALL_ML, t.ALL_CLASSIC_ML)
AZURE_NATIVE_TYPES: Final = ("azure-native:*",)

# ---------------------------------------------------------------------------------------------
# ml-required-tags
# ---------------------------------------------------------------------------------------------

# Where each azure-native ML type keeps its tags (pulumi-azure-native 3.x). Types not listed
# keep them in ``properties.tags`` (asset containers and versions, jobs, schedules, datastores).
_TAG_PATHS: Final[Mapping[str, str]] = {
    **{name: "tags" for name in (
        "BatchDeployment", "BatchEndpoint", "CapacityReservationGroup", "Compute", "InferenceEndpoint",
        "InferenceGroup", "InferencePool", "OnlineDeployment", "OnlineEndpoint", "PrivateEndpointConnection",
        "Registry", "ServerlessEndpoint", "Workspace",
    )},
    "LabelingJob": "labelingJobProperties.tags",
    "MachineLearningDataset": "registration.tags",
}
_DEFAULT_TAG_PATH: Final = "properties.tags"
# Types whose API has no tags at all: the rule cannot be met, so it does not apply.
_UNTAGGABLE: Final = frozenset({
    "ConnectionDeployment", "ConnectionRaiBlocklist", "ConnectionRaiBlocklistItem", "ConnectionRaiPolicy",
    "EndpointDeployment", "LinkedService", "LinkedWorkspace", "MachineLearningDatastore",
    "ManagedNetworkSettingsRule", "MarketplaceSubscription", "OutboundRule", "RaiPolicy", "WorkspaceConnection",
})
# The classic provider keeps tags at the top level, except on its outbound rules (no tags).
_CLASSIC_UNTAGGABLE: Final = frozenset({
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn",
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRulePrivateEndpoint:WorkspaceNetworkOutboundRulePrivateEndpoint",
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleServiceTag:WorkspaceNetworkOutboundRuleServiceTag",
})


def tag_path(type_token: str) -> str | None:
    """The dotted path of a type's tag map, or None when the type cannot carry tags."""
    canonical = t.canonical(type_token)
    if t.is_classic(canonical):
        return None if canonical in _CLASSIC_UNTAGGABLE else "tags"
    name = canonical.rsplit(":", 1)[-1]
    if name in _UNTAGGABLE:
        return None
    return _TAG_PATHS.get(name, _DEFAULT_TAG_PATH)


def _tag_names(configured: Sequence[Any]) -> list[str]:
    """The configured names, each once (first spelling kept; Azure tag names ignore case)."""
    names: dict[str, str] = {}
    for tag in configured:
        if isinstance(tag, str) and tag.strip():
            names.setdefault(tag.strip().lower(), tag.strip())
    return list(names.values())


def _required_tags(subject: Subject) -> Iterator[str]:
    where = tag_path(subject.type)
    required = _tag_names(subject.config["requiredTags"])
    if where is None or not required:
        return
    listing = ", ".join(required)
    tags = p.get(subject.props, where)
    if tags is p.MISSING or tags is None:
        yield f"The resource has no tags ({where} is absent); required tags: {listing}."
        return
    if not isinstance(tags, Mapping):
        yield f"{where} is {p.type_name(tags)}, not a map of tags; required tags: {listing}."
        return
    # Azure tag names are case-insensitive; spelling otherwise counts ('cost-center' is not 'costcenter').
    present = {key.strip().lower(): key for key in tags if isinstance(key, str)}
    pending: UnknownValueError | None = None
    for tag in required:
        quoted = quote_known(tag, required)
        key = present.get(tag.strip().lower())
        if key is None:
            yield f"Required tag {quoted} is missing from {where}."
            continue
        try:
            value = p.get(tags, [key])
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        if not isinstance(value, str):
            yield f"Required tag {quoted} in {where} is {p.type_name(value)}, not a string."
        elif not value.strip():
            yield f"Required tag {quoted} in {where} is empty."
    if pending is not None:
        raise pending


_TAGS = {"owner": "ml-platform", "cost-center": "cc-1234"}

ml_required_tags = ResourceRule(
    name="ml-required-tags",
    description="Every Azure ML resource that can carry tags (workspaces of every kind included) must carry the "
    "required tags (default: owner, cost-center) with non-empty values. Tag names match case-insensitively; a "
    "resource with no tags at all violates. Types whose API has no tags (connections, outbound rules, RAI policies "
    "and the like) are exempt.",
    severity=Severity.LOW,
    level=EnforcementLevel.ADVISORY,
    remediation="Add each required tag with a non-empty value: in `tags` on workspaces, registries, computes, "
    "endpoints and deployments (and every classic azure:machinelearning resource), in `properties.tags` on asset "
    "containers and versions, jobs, schedules and datastores. Change the list with this policy's requiredTags config.",
    unknowns="A tag map or required tag value unknown during preview: the SDK's advisory 'can't run policy' "
    "diagnostic, after the tags that can be judged are reported.",
    topics=("tagging", "resource-usage"),
    frameworks=(
        Framework("Azure Policy", "871b6d14-10aa-478d-b590-94f262ecfa99", "Require a tag on resources"),
    ),
    types=ML_TYPES,
    options=(
        Option("requiredTags", {
            "type": "array", "items": {"type": "string"}, "default": ["owner", "cost-center"],
            "description": "Tag names every ML resource must carry (matched case-insensitively).",
        }),
    ),
    check=_required_tags,
    samples=(
        Sample("workspace, top-level tags", {"sku": {"name": "Basic"}, "tags": _TAGS}, type=t.WORKSPACE),
        Sample("compute, names in another case", {"tags": {"Owner": "ml", "COST-CENTER": "cc-1"},
                                                  "properties": {"computeType": "AmlCompute"}},
               type=f"{t.ML}:Compute"),
        Sample("data version, properties.tags", {"name": "txn", "version": "1", "properties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/b/paths/t/", "tags": _TAGS}},
            type=t.DATA_VERSION),
        Sample("job, snake_case keys", {"properties": {"job_type": "Command", "tags": _TAGS}}, type=f"{t.ML}:Job"),
        Sample("versioned token", {"properties": {"tags": _TAGS}},
               type="azure-native:machinelearningservices/v20240401:ModelVersion"),
        Sample("labeling job, snake_case", {"labeling_job_properties": {"job_type": "Labeling", "tags": _TAGS}},
               type=f"{t.ML}:LabelingJob"),
        Sample("dataset registration", {"registration": {"name": "d", "tags": _TAGS}},
               type=f"{t.ML}:MachineLearningDataset"),
        Sample("classic compute cluster", {"vmSize": "STANDARD_DS2_V2", "tags": _TAGS},
               type=f"{t.CLASSIC_ML}/computeCluster:ComputeCluster"),
        Sample("cannot carry tags", {"properties": {"authType": "AAD"}}, type=f"{t.ML}:WorkspaceConnection"),
        Sample("classic outbound rule cannot carry tags", {"destinationFqdn": "pypi.org"},
               type=f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn"),
        Sample("configured list", {"tags": {"env": "dev"}}, type=f"{t.ML}:Registry", config={"requiredTags": ["env"]}),
        Sample("duplicates in config reported once", {"tags": {}}, ("Required tag 'Env' is missing",),
               type=f"{t.ML}:Registry", config={"requiredTags": ["Env", "env ", ""]}),
        Sample("nothing required", {}, type=t.WORKSPACE, config={"requiredTags": []}),
        Sample("no tags", {"sku": {"name": "Basic"}}, ("has no tags (tags is absent); required tags: owner, cost-center",),
               type=t.WORKSPACE),
        Sample("null tags", {"tags": None}, ("has no tags",), type=f"{t.CLASSIC_ML}/workspace:Workspace"),
        Sample("tags in the wrong place", {"properties": {"tags": _TAGS}}, ("has no tags (tags is absent)",),
               type=f"{t.ML}:Compute"),
        Sample("asset without properties.tags", {"tags": _TAGS, "properties": {"codeUri": "https://x/y"}},
               ("has no tags (properties.tags is absent)",), type=f"{t.ML}:CodeVersion"),
        Sample("one missing", {"properties": {"tags": {"owner": "ml"}}},
               ("Required tag 'cost-center' is missing from properties.tags",), type=t.DATA_VERSION),
        Sample("spelling counts", {"tags": {"owner": "ml", "costcenter": "1"}},
               ("Required tag 'cost-center' is missing",), type=f"{t.ML}:OnlineEndpoint"),
        Sample("empty and blank values", {"tags": {"owner": "", "cost-center": "  "}},
               ("Required tag 'owner' in tags is empty", "Required tag 'cost-center' in tags is empty"),
               type=f"{t.ML}:OnlineDeployment"),
        Sample("wrong value types", {"tags": {"owner": None, "cost-center": 1234.0}},
               ("'owner' in tags is null, not a string", "'cost-center' in tags is a number, not a string"),
               type=f"{t.ML}:BatchEndpoint"),
        Sample("tags not a map", {"tags": ["owner", "cost-center"]}, ("tags is a list, not a map of tags",),
               type=t.WORKSPACE),
        Sample("versioned token missing", {"properties": {}}, ("has no tags (properties.tags is absent)",),
               type="azure-native:machinelearningservices/v20230401preview:Schedule"),
        Sample("classic datastore missing one", {"tags": {"cost-center": "1"}}, ("'owner' is missing from tags",),
               type=f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"),
        Sample("bad config", {"tags": _TAGS}, ("policy config 'requiredTags' must be of type array",),
               type=t.WORKSPACE, config={"requiredTags": "owner"}),
    ),
)

# ---------------------------------------------------------------------------------------------
# no-preview-api-versions
# ---------------------------------------------------------------------------------------------

# ML types whose default API version (the unversioned token) is a preview version in
# pulumi-azure-native 3.29. The pack cannot see which provider version a program uses, so
# judging unversioned tokens by this table is opt-in (flagPreviewDefaults).
PREVIEW_DEFAULT_TYPES: Final = frozenset(f"{t.ML}:{name}" for name in (
    "CapacityReservationGroup", "ConnectionDeployment", "ConnectionRaiBlocklist", "ConnectionRaiBlocklistItem",
    "ConnectionRaiPolicy", "EndpointDeployment", "EnvironmentSpecificationVersion", "InferenceEndpoint",
    "InferenceGroup", "InferencePool", "LabelingJob", "LinkedService", "LinkedWorkspace", "MachineLearningDataset",
    "MachineLearningDatastore", "OutboundRule", "RaiPolicy",
))


def _module(type_token: str) -> str | None:
    """``machinelearningservices`` for any spelling of an azure-native token, else None."""
    parts = t.canonical(type_token).split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "azure-native" else None


def _preview_api(subject: Subject) -> Iterator[str]:
    module = _module(subject.type)
    modules = {m.strip().lower() for m in subject.config["modules"] if isinstance(m, str)}
    if module is None or not ({"*", module.lower()} & modules):
        return
    version = t.api_version(subject.type)
    stable = t.canonical(subject.type)
    if version is not None:
        if "preview" in version.lower():
            yield (f"The type token pins API version {version} of azure-native {module}, a preview API; use a stable "
                   f"API version or the unversioned token {stable}.")
    elif subject.config["flagPreviewDefaults"] and stable in PREVIEW_DEFAULT_TYPES:
        yield (f"{stable} has no stable API version: its default API version in pulumi-azure-native 3.29 is a "
               "preview version.")


no_preview_api_versions = ResourceRule(
    name="no-preview-api-versions",
    description="Azure ML resources must not be declared with a preview API version (a versioned azure-native "
    "type token such as machinelearningservices/v20230401preview). An unversioned token uses the provider's default "
    "API version, which the token does not show and which depends on the installed provider; such tokens pass "
    "unless flagPreviewDefaults is set.",
    severity=Severity.LOW,
    level=EnforcementLevel.MANDATORY,
    remediation="Use the unversioned token (e.g. azure-native.machinelearningservices.Workspace) or a local SDK "
    "package generated for a stable API version instead of a preview one. Extend or narrow the checked provider "
    "modules with this policy's modules config ('*' for every azure-native module).",
    unknowns="Judges only the type token, which is always known: never unknown during preview.",
    topics=("api", "preview", "unstable"),
    frameworks=(
        Framework("Pulumi compliance-policies", "azurenative-machinelearningservices-*-disallow-preview-resource",
                  "Disallow the use of non-stable (Preview) Azure resources"),
    ),
    types=AZURE_NATIVE_TYPES,
    options=(
        Option("modules", {
            "type": "array", "items": {"type": "string"}, "default": ["machinelearningservices"],
            "description": "azure-native modules whose resources are checked ('*' for all).",
        }),
        Option("flagPreviewDefaults", {
            "type": "boolean", "default": False,
            "description": "Also flag unversioned tokens of ML types whose default API version in "
            "pulumi-azure-native 3.29 is a preview version (they have no stable API version to switch to).",
        }),
    ),
    check=_preview_api,
    samples=(
        Sample("unversioned token", {"sku": {"name": "Basic"}}, type=t.WORKSPACE),
        Sample("stable version", {}, type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("other module not checked by default", {}, type="azure-native:storage/v20230101preview:StorageAccount"),
        Sample("preview default passes unless asked", {}, type=f"{t.ML}:OutboundRule"),
        Sample("stable default with flagPreviewDefaults", {}, type=f"{t.ML}:Job", config={"flagPreviewDefaults": True}),
        Sample("preview version", {}, ("pins API version v20230401preview of azure-native machinelearningservices",),
               type="azure-native:machinelearningservices/v20230401preview:Workspace"),
        Sample("private preview", {}, ("v20181102privatepreview",),
               type="azure-native:machinelearningservices/v20181102privatepreview:Compute"),
        Sample("names the stable replacement", {}, ("unversioned token azure-native:machinelearningservices:Job",),
               type="azure-native:machinelearningservices/v20240101preview:Job"),
        Sample("every module", {}, ("v20230101preview of azure-native storage",),
               type="azure-native:storage/v20230101preview:StorageAccount", config={"modules": ["*"]}),
        Sample("module case-insensitive", {}, ("a preview API",),
               type="azure-native:storage/v20230101preview:StorageAccount", config={"modules": ["Storage"]}),
        Sample("preview default flagged", {}, ("default API version in pulumi-azure-native 3.29 is a preview",),
               type=f"{t.ML}:OutboundRule", config={"flagPreviewDefaults": True}),
    ),
)

# ---------------------------------------------------------------------------------------------
# ml-no-inline-credentials
# ---------------------------------------------------------------------------------------------

# Values that point at a secret, or public key material: not a credential even under a
# credential name (Key Vault secret/key URIs, App Service-style Key Vault references, ARM ids,
# SSH public keys and PEM public keys or certificates).
_NOT_A_SECRET = re.compile(
    r"^(?:https://[^/\s]+\.(?:vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net|managedhsm\.azure\.net)"
    r"(?::443)?/(?:secrets|keys|certificates)/"
    r"|@Microsoft\.KeyVault\("
    r"|/subscriptions/[^/\s]+/resourceGroups/"
    r"|(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+)\s+[A-Za-z0-9+/=]{16,}"
    r"|-----BEGIN (?:PUBLIC KEY|RSA PUBLIC KEY|SSH2 PUBLIC KEY|CERTIFICATE)-----)",
    re.IGNORECASE,
)
# Objects that wrap one named value ({type, value}, {key, value}, {name, value}): the value is
# judged under the wrapper's name, or the name it carries (environment variable lists).
_WRAPPER_LABELS: Final = ("key", "name")
_WRAPPER_EXTRAS: Final = frozenset({"type", "description", *_WRAPPER_LABELS})
# Containers whose entries are free-form: their names and values are the user's, so an unknown
# value there may hide a credential.
_ENV: Final = "environmentvariables"
# A map of keys is a map of credentials (WorkspaceConnection CustomKeys credentials.keys,
# endpoint keys): every entry is one, whatever its name.
_KEY_MAPS: Final = frozenset({"keys"})


def _key_map_entry(path: tuple[str | int, ...]) -> bool:
    return len(path) >= 2 and isinstance(path[-1], str) and isinstance(path[-2], str) and p.norm_key(path[-2]) in _KEY_MAPS


def _free_form(path: tuple[str | int, ...]) -> bool:
    return _key_map_entry(path) or any(isinstance(part, str) and p.norm_key(part) == _ENV for part in path)


def _peek(mapping: Mapping[str, Any], key: str) -> Any:
    """A child with secrets unwrapped; an unknown child as its sentinel."""
    try:
        return p.get(mapping, [key])
    except UnknownValueError as exc:
        return exc.unknown_type_sentinel


def _unwrapped(name: str | None, value: Mapping[str, Any]) -> tuple[str | None, Any, list[str]] | None:
    """For a wrapper object: the name its value is judged under, the value, and its label keys
    (``key``/``name``: names, never credentials themselves); None for any other object."""
    keys = {p.norm_key(k): k for k in value if isinstance(k, str)}
    if "value" not in keys or not all(k == "value" or k in _WRAPPER_EXTRAS or k.endswith("type") for k in keys):
        return None
    labels = [keys[k] for k in _WRAPPER_LABELS if k in keys]
    given = (_peek(value, k) for k in labels)
    label = next((v for v in given if isinstance(v, str) and not p.is_unknown(v)), name)
    return label, _peek(value, keys["value"]), labels


def _judge(path: tuple[str | int, ...], name: str | None, value: Any) -> tuple[list[str], bool]:
    """(reasons the value is an inline credential, whether an unknown value hides one)."""
    by_name = credential_name_reason(name) if name else None
    if by_name is None and _key_map_entry(path):
        by_name = "it is an entry of a map of keys"
    if p.is_unknown(value):
        return [], bool(by_name) or _free_form(path)
    if isinstance(value, str):
        if not value.strip() or _NOT_A_SECRET.match(value.strip()):
            return [], False
        return [r for r in (by_name, credential_value_reason(value)) if r], False
    if by_name and isinstance(value, Sequence) and any(
            isinstance(v, str) and v.strip() and not _NOT_A_SECRET.match(v.strip()) for v in p.elements(value)):
        return [by_name], False
    return [], False


# Subtrees a dedicated rule judges (datastore-/workspace-connection-no-inline-credentials):
# reporting them here too would only repeat the same finding.
_OWNED_ELSEWHERE: Final = {DATASTORE: ("properties", "credentials"), WORKSPACE_CONNECTION: ("properties", "credentials")}


def _owned_elsewhere(subject: Subject, path: tuple[str | int, ...]) -> bool:
    owned = _OWNED_ELSEWHERE.get(t.canonical(subject.type))
    return owned is not None and len(path) >= len(owned) and all(
        isinstance(part, str) and p.norm_key(part) == p.norm_key(want) for part, want in zip(path, owned))


def _inline_credentials(subject: Subject) -> Iterator[str]:
    done: set[tuple[str | int, ...]] = set()  # judged subtrees: each offending path is reported once
    unknown: list[tuple[str | int, ...]] = []
    for path, value in p.walk(subject.props):
        if not path or any(path[:n] in done for n in range(1, len(path))) or _owned_elsewhere(subject, path):
            continue
        name = path[-1] if isinstance(path[-1], str) else None
        wrapped = _unwrapped(name, value) if isinstance(value, Mapping) else None
        if wrapped is not None:
            name, value, labels = wrapped
            if isinstance(value, (Mapping, Sequence)) and not isinstance(value, str):
                # Walk into the value; the label is a name, never judged as a credential.
                done.update((*path, label) for label in labels)
                continue
            done.add(path)
        try:
            reasons, hidden = _judge(path, name, value)
        except UnknownValueError:  # an unknown list element under a credential name
            reasons, hidden = [], True
        if hidden:
            unknown.append(path)
        if reasons:
            done.add(path)
            yield f"{p.path_text(path)} holds a credential inline: {'; '.join(reasons)}."
    if unknown:
        # What was known is reported; these values can only be judged at `pulumi up`.
        raise UnknownValueError(p.UNKNOWN_STRING, [str(part) for part in unknown[0]])


_KEY = "Zm9v" * 21 + "Ym=="  # the shape of a storage account key, not a real one
_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
_CONN = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0c2VjcmV0"
_SSH_PUB = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ml@example"
_KV_SECRET = "https://ml-kv.vault.azure.net/secrets/db-password"
_KV_KEY = "https://ml-kv.vault.azure.net/keys/cmk/0123456789abcdef"
_KV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/ml-kv"
_SECRET = {p.SIG_KEY: p.SECRET_SIG, "value": "hunter2-Passw0rd"}


def _aml(**user_account: Any) -> dict[str, Any]:
    return {"properties": {"computeType": "AmlCompute", "properties": {
        "vmSize": "STANDARD_DS3_V2", "scaleSettings": {"minNodeCount": 0.0, "maxNodeCount": 4.0},
        "userAccountCredentials": {"adminUserName": "azureuser", **user_account}}}}


def _command_job(env: Any) -> dict[str, Any]:
    return {"properties": {"jobType": "Command", "command": "python train.py --epochs 3",
                           "environmentId": "azureml:train-env:3", "environmentVariables": env}}


def _datastore(credentials: Mapping[str, Any]) -> dict[str, Any]:
    return {"properties": {"datastoreType": "AzureBlob", "accountName": "acct", "containerName": "data",
                           "credentials": credentials}}


ml_no_inline_credentials = ResourceRule(
    name="ml-no-inline-credentials",
    description="No Azure ML resource (workspaces of every kind included) may carry a credential inline in its "
    "inputs: no property named like a password, key, secret, token or connection string may hold a value, no value "
    "may look like one (storage key, SAS signature, connection string with a key, JWT, private key), and no job, "
    "deployment or environment "
    "variable may be named or valued like one. Azure ML marks none of these properties secret, so they land in "
    "state; a policy cannot see whether a value was wrapped as a Pulumi secret, so wrapping does not exempt it. "
    "References are allowed: Key Vault secret and key URIs, resource ids, SSH public keys. Absent or empty "
    "properties pass.",
    severity=Severity.CRITICAL,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Remove the credential from the resource: use identity-based access (datastore credentials "
    "type None with a managed identity, connection authType AAD or ManagedIdentity, endpoint authMode AADToken), "
    "SSH public keys instead of admin passwords, and Key Vault references (workspace secrets or "
    "secretsConfiguration) instead of values in environment variables.",
    unknowns="A value unknown during preview is judged only where it could hide a credential (a property named "
    "like one, an environment variable, an entry of a map of keys): the SDK's advisory 'can't run policy' "
    "diagnostic (with failClosed: a violation) is added after the known findings. Other unknown values (ids and "
    "names of other resources) are not judged: every credential-carrying property of the ML API is named as one.",
    topics=("secrets", "data-access"),
    frameworks=(Framework("MCSB", "IM-8", "Restrict the exposure of credentials and secrets"),),
    types=ML_TYPES,
    check=_inline_credentials,
    samples=(
        Sample("customer-managed key and key vault references", {
            "sku": {"name": "Basic"}, "keyVault": _KV_ID,
            "encryption": {"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": _KV_ID, "keyIdentifier": _KV_KEY}},
        }, type=t.WORKSPACE),
        Sample("ssh public key, no password", _aml(adminUserSshPublicKey=_SSH_PUB), type=f"{t.ML}:Compute"),
        Sample("empty password", _aml(adminUserPassword=""), type="azure-native:machinelearningservices/v20240401:Compute"),
        Sample("blank password, snake_case", {"properties": {"properties": {"user_account_credentials": {
            "admin_user_name": "azureuser", "admin_user_password": "   "}}}}, type=f"{t.ML}:Compute"),
        Sample("identity-based datastore", _datastore({"credentialsType": "None"}), type=f"{t.ML}:Datastore"),
        Sample("innocent environment variables, key vault reference", _command_job({
            "LOG_LEVEL": "debug", "DB_PASSWORD": _KV_SECRET, "EPOCHS": 3.0}), type=f"{t.ML}:Job"),
        Sample("password from key vault", _aml(adminUserPassword="@Microsoft.KeyVault(SecretUri=" + _KV_SECRET + ")"),
               type=f"{t.ML}:Compute"),
        Sample("key/value pairs with innocent keys", {"properties": [{"key": "region", "value": "westeurope"}]},
               type=f"{t.ML}:InferencePool"),
        Sample("classic cluster, snake_case ssh public key", {
            "vm_size": "STANDARD_DS2_V2", "ssh": {"admin_username": "azureuser", "key_value": _SSH_PUB}},
            type=f"{t.CLASSIC_ML}/computeCluster:ComputeCluster"),
        Sample("wrong type is not a string credential", _aml(adminUserPassword=12345678.0), type=f"{t.ML}:Compute"),
        Sample("admin password", _aml(adminUserPassword="Hunter2-Passw0rd"),
               ("properties.properties.userAccountCredentials.adminUserPassword holds a credential inline: its name "
                "reads as a credential ('password')",), type=f"{t.ML}:Compute"),
        Sample("secret envelope still judged", _aml(adminUserPassword=_SECRET),
               ("userAccountCredentials.adminUserPassword holds a credential inline",), type=f"{t.ML}:Compute"),
        # Datastore and connection credentials belong to their dedicated rules: not reported twice.
        Sample("datastore account key left to datastore-no-inline-credentials", _datastore({
            "credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": _KEY}}), type=f"{t.ML}:Datastore"),
        Sample("connection keys left to workspace-connection-no-inline-credentials", {"properties": {
            "authType": "CustomKeys", "category": "CustomKeys", "credentials": {"keys": {"x-api-header": "abc123"}}}},
            type=f"{t.ML}:WorkspaceConnection"),
        Sample("datastore secrets outside credentials still judged, snake_case", {"properties": {
            "datastore_type": "AzureDataLakeGen2", "description": _CONN}},
            ("properties.description holds a credential inline",),
            type="azure-native:machinelearningservices/v20230401preview:Datastore"),
        Sample("environment variables by name and by value", _command_job({
            "DB_PASSWORD": "hunter2", "STORAGE": _CONN, "LOG_LEVEL": "info"}),
            ("environmentVariables.DB_PASSWORD holds a credential inline: its name reads as a credential",
             "environmentVariables.STORAGE holds a credential inline: its value carries an account key"),
            type=f"{t.ML}:Job"),
        Sample("deployment environment variables", {"properties": {"endpointComputeType": "Managed",
                                                                   "environmentVariables": {"HF_TOKEN": "hf_abc"}}},
               ("properties.environmentVariables.HF_TOKEN holds",), type=f"{t.ML}:OnlineDeployment"),
        Sample("custom service variable wrapped in {type, value}", {"properties": {"jobType": "Command", "services": {
            "svc": {"environmentVariables": {"API_TOKEN": {"type": "local", "value": "tok-123"}}}}}},
            ("properties.services.svc.environmentVariables.API_TOKEN holds a credential inline",), type=f"{t.ML}:Job"),
        Sample("environment variable list of key/value pairs", {"environmentConfiguration": {
            "environmentVariables": [{"key": "OPENAI_API_KEY", "value": "sk-abc"}, {"key": "MODE", "value": "fast"}]}},
            ("environmentConfiguration.environmentVariables[0] holds a credential inline: its name reads as a credential",),
            type=f"{t.ML}:InferenceGroup"),
        Sample("value shape in an innocent property", {"properties": {"jobType": "Command",
                                                                      "command": f"python score.py --token {_JWT}"}},
               ("properties.command holds a credential inline: its value contains a JSON Web Token",),
               type=f"{t.ML}:Job"),
        Sample("classic datastore", {"storageContainerId": "/x", "shared_access_signature": "sv=2022&sig=abc",
                                     "accountKey": _KEY},
               ("shared_access_signature holds a credential inline: its name reads as a shared access signature",
                "accountKey holds"), type=f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"),
        Sample("classic cluster admin password", {"ssh": {"admin_username": "u", "admin_password": "p4ss"}},
               ("ssh.admin_password holds",), type=f"{t.CLASSIC_ML}/computeCluster:ComputeCluster"),
        Sample("endpoint keys", {"properties": {"authMode": "Key", "keys": {"primaryKey": "k1", "secondaryKey": "k2"}}},
               ("properties.keys.primaryKey holds", "properties.keys.secondaryKey holds"),
               type=f"{t.ML}:OnlineEndpoint"),
        Sample("credential list reported once", {"properties": {"passwords": ["a1", "b2"]}},
               ("properties.passwords holds",), type=f"{t.ML}:Registry"),
    ),
)

RULES = (ml_required_tags, no_preview_api_versions, ml_no_inline_credentials)
