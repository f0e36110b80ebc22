"""ml-no-inline-credentials: no Azure ML resource carries a credential inline in its inputs.

The rule matches every ML type of both providers (``types.ML_TYPES``), walks every property and
judges names (``credentials.credential_name_reason``) and values (``credential_value_reason``).
Datastore and connection credentials are left to their own rules (``_OWNED_ELSEWHERE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.credentials import credential_name_reason, credential_value_reason
from ..core.resources import connection as cn
from ..core.resources import datastore as ds
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import path_of

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


def _owned_elsewhere(subject: Subject) -> list[tuple[str, ...]]:
    """Subtrees a dedicated rule judges (datastore-/workspace-connection-no-inline-credentials):
    reporting them here too would only repeat the same finding."""
    canonical = t.canonical(subject.type)
    if canonical in ds.TYPES:
        settings = (ds.CREDENTIALS, *(c.setting for c in ds.FLAT_CREDENTIALS))
    elif canonical in cn.TYPES:
        settings = (cn.CREDENTIALS, cn.VALUE)
    else:
        return []
    found = (path_of(subject.type, subject.props, setting) for setting in settings)
    return [tuple(p.norm_key(part) for part in where.split(".")) for where in found if where]


def _inline_credentials(subject: Subject) -> Iterator[str]:
    """Every property judged once, parents before children: a judged subtree (an offending value, a
    wrapper of one value) is not walked further, so each offending path is reported once; the
    subtrees a dedicated rule owns are skipped. Unknown values that could hide a credential are
    raised after everything known is reported."""
    unknown: list[tuple[str | int, ...]] = []
    owned = frozenset(_owned_elsewhere(subject))
    yield from _children(p.walked(subject.props), (), (), owned, unknown)
    if unknown:
        # What was known is reported; these values can only be judged at `pulumi up`.
        raise UnknownValueError(p.UNKNOWN_STRING, [str(part) for part in unknown[0]])


def _children(container: Any, path: tuple[str | int, ...], keys: tuple[str, ...], owned: frozenset[tuple[str, ...]],
              unknown: list[tuple[str | int, ...]], labels: Sequence[str] = ()) -> Iterator[str]:
    """The findings in the children of ``container``, read as ``props.walk`` reads them; below a
    wrapper's ``labels`` (names, never credentials themselves) nothing is walked."""
    kind = p.kind_of(container)
    if kind == p.MAP:
        entries: Iterable[tuple[str | int, Any]] = ((key, p.walk_child(container, key)) for key in list(container))
    elif kind == p.SEQ:
        entries = ((index, p.walk_child(container, index)) for index in range(len(container)))
    else:
        return
    for key, value in entries:
        child_keys = (*keys, p.norm_key(key) if isinstance(key, str) else "")
        if child_keys not in owned:  # else judged by datastore-/workspace-connection-no-inline-credentials
            yield from _node((*path, key), child_keys, value, owned, unknown, key not in labels)


def _node(path: tuple[str | int, ...], keys: tuple[str, ...], value: Any, owned: frozenset[tuple[str, ...]],
          unknown: list[tuple[str | int, ...]], walk: bool) -> Iterator[str]:
    name = path[-1] if isinstance(path[-1], str) else None
    judged = value
    if p.kind_of(value) == p.MAP:
        wrapped = _unwrapped(name, value)
        if wrapped is None:  # an object is judged by its children
            if walk:
                yield from _children(value, path, keys, owned, unknown)
            return
        name, judged, labels = wrapped
        if p.kind_of(judged) != p.LEAF:
            if walk:  # walk into the value
                yield from _children(value, path, keys, owned, unknown, labels)
            return
        walk = False  # a wrapper of one value is judged as that value
    try:
        reasons, hidden = _judge(path, name, judged)
    except UnknownValueError:  # an unknown list element under a credential name
        reasons, hidden = [], True
    if hidden:
        unknown.append(path)
    if reasons:
        yield f"{p.path_text(path)} holds a credential inline: {'; '.join(reasons)}."
    elif walk:
        yield from _children(value, path, keys, owned, unknown)


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
    title="No inline credentials in Azure ML resources",
    description="No Azure ML resource may carry a credential inline in its inputs, even wrapped as a Pulumi secret.",
    details="No Azure ML resource (workspaces of every kind included) may carry a credential inline in its "
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
    f"like one, an environment variable, an entry of a map of keys): {SDK_ADVISORY} "
    "(with failClosed: a violation) is added after the known findings. Other unknown values (ids and "
    "names of other resources) are not judged: every credential-carrying property of the ML API is named as one.",
    topics=("secrets", "data-access"),
    frameworks=(fw.MCSB_IM8,),
    types=t.ML_TYPES,
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
        Sample("datastore secrets outside credentials still judged, 2.x, snake_case", {"datastore_properties": {
            "datastore_type": "AzureDataLakeGen2", "account_name": "acct", "filesystem": "fs", "description": _CONN}},
            ("datastore_properties.description holds a credential inline",),
            type="azure-native:machinelearningservices/v20230401preview:Datastore"),
        Sample("v1 datastore: credentials left to datastore-no-inline-credentials", {
            "workspaceName": "ws", "dataStoreType": "blob", "accountName": "acct", "accountKey": _KEY,
            "description": _CONN}, ("description holds a credential inline",), type=f"{t.ML}:MachineLearningDatastore"),
        Sample("2.x job environment variables", {"jobBaseProperties": {"jobType": "Command", "command": "python train.py",
                                                                       "environmentId": "azureml:env:1",
                                                                       "environmentVariables": {"DB_PASSWORD": "hunter2"}}},
               ("jobBaseProperties.environmentVariables.DB_PASSWORD holds a credential inline",), type=f"{t.ML}:Job"),
        Sample("2.x connection value left to workspace-connection-no-inline-credentials", {
            "authType": "PAT", "category": "Git", "target": "https://github.com/o/r", "value": '{"pat": "x"}'},
            type="azure-native:machinelearningservices/v20210401:WorkspaceConnection"),
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
        Sample("classic datastore: credentials left to datastore-no-inline-credentials", {
            "storageContainerId": "/x", "shared_access_signature": "sv=2022&sig=abc", "accountKey": _KEY,
            "description": _CONN}, ("description holds a credential inline",),
            type=f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"),
        Sample("classic cluster admin password", {"ssh": {"admin_username": "u", "admin_password": "p4ss"}},
               ("ssh.admin_password holds",), type=f"{t.CLASSIC_ML}/computeCluster:ComputeCluster"),
        Sample("endpoint keys", {"properties": {"authMode": "Key", "keys": {"primaryKey": "k1", "secondaryKey": "k2"}}},
               ("properties.keys.primaryKey holds", "properties.keys.secondaryKey holds"),
               type=f"{t.ML}:OnlineEndpoint"),
        Sample("credential list reported once", {"properties": {"passwords": ["a1", "b2"]}},
               ("properties.passwords holds",), type=f"{t.ML}:Registry"),
    ),
)
