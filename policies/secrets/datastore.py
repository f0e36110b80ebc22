"""datastore-no-inline-credentials: datastores use identity-based access and hold no secret inline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import config_list, enum_setting
from ..core.credentials import filled
from ..core.options import strings
from ..core.resources import datastore as ds
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import path_of, read

CREDENTIALS_TYPES: Final = ("AccountKey", "Certificate", "None", "Sas", "ServicePrincipal")

_CREDENTIALS_TYPE = enum_setting(
    setting=ds.CREDENTIALS_TYPE, allowed=config_list("allowedCredentialTypes"), absent="violation",
    vocabulary=CREDENTIALS_TYPES, what="the datastore must use identity-based access, not stored credentials")
_SECRET_WHAT = "keep credentials out of the program (a policy cannot see whether it was wrapped as a Pulumi secret)"


def _v2(subject: Subject) -> bool:
    return t.canonical(subject.type) == t.DATASTORE


def _datastore_credentials_type(subject: Subject) -> Iterator[str]:
    if not _v2(subject):
        return
    credentials = read(subject.type, subject.props, ds.CREDENTIALS)
    if credentials is None or credentials.absent:
        return  # no credentials: identity-based access
    yield from _CREDENTIALS_TYPE(subject)


def _datastore_secrets(subject: Subject) -> Iterator[str]:
    if not _v2(subject):
        return
    secrets = read(subject.type, subject.props, ds.SECRETS)
    if secrets is None or not isinstance(secrets.raw, Mapping):
        return
    for path, value in p.walk(secrets.raw):
        if len(path) == 1 and p.norm_key(str(path[0])) != "secretstype" and filled(value):
            yield f"{secrets.path}.{path[0]} holds an inline secret; {_SECRET_WHAT}."


def _flat_credentials(subject: Subject) -> Iterator[str]:
    """The v1 and classic datastores: each credential input set means a credentials type, and a
    secret one is held inline."""
    if _v2(subject):
        return
    allowed = {a.strip().lower() for a in subject.config["allowedCredentialTypes"] if isinstance(a, str)}
    listing = ", ".join(a for a in subject.config["allowedCredentialTypes"] if isinstance(a, str)) or "none"
    reported: set[str] = set()
    for credential in ds.FLAT_CREDENTIALS:
        where = path_of(subject.type, subject.props, credential.setting)
        if where is None or not filled(p.get_or_unknown(subject.props, where)):
            continue  # an unknown value counts as held: it will be a value
        means = credential.means
        if means and means.lower() not in allowed and means not in reported:
            reported.add(means)
            yield (f"{where} is set, so the datastore uses {means} credentials; the datastore must use "
                   f"identity-based access (allowed: {listing}).")
        if credential.secret:
            yield f"{where} holds an inline secret; {_SECRET_WHAT}."


datastore_no_inline_credentials = ResourceRule(
    name="datastore-no-inline-credentials",
    description="Azure ML datastores must use identity-based access: properties.credentials.credentialsType must be "
    "in the allowed list (default: None) and no secret (key, sasToken, clientSecret, certificate) may be held inline "
    "under properties.credentials.secrets, whatever the type and even if wrapped as a Pulumi secret. Absent "
    "credentials mean identity-based access and pass.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.credentials to {credentialsType: 'None'} and grant the workspace (or the user, via "
    "serviceDataAccessAuthIdentity) a storage data role; if a service principal is unavoidable, allow its type in "
    "allowedCredentialTypes and keep its secret out of the program (the service keeps it in the workspace Key Vault).",
    unknowns=f"An unknown credentialsType during preview: {SDK_ADVISORY}. A secret field whose value is unknown "
    "still counts as inline (a value will be there).",
    topics=("secrets", "data-access"),
    frameworks=(fw.MCSB_IM8,),
    types=ds.TYPES,
    options=(strings("allowedCredentialTypes", ["None"], "Datastore credential types allowed (None is identity-based access)."),),
    check=(_datastore_credentials_type, _datastore_secrets, _flat_credentials),
    samples=(
        Sample("identity based", {"workspaceName": "ws", "name": "blob", "properties": {
            "datastoreType": "AzureBlob", "accountName": "acct", "containerName": "data",
            "credentials": {"credentialsType": "None"}}}),
        Sample("no credentials block", {"properties": {"datastoreType": "AzureDataLakeGen2", "accountName": "acct",
                                                       "filesystem": "fs"}}),
        Sample("snake_case, versioned", {"properties": {"datastore_type": "AzureFile", "account_name": "acct",
                                                        "file_share_name": "share",
                                                        "credentials": {"credentials_type": "none"}}},
               type="azure-native:machinelearningservices/v20240401:Datastore"),
        Sample("service principal allowed, secret kept out", {"properties": {
            "datastoreType": "AzureDataLakeGen1", "storeName": "adls", "credentials": {
                "credentialsType": "ServicePrincipal", "clientId": "00000000-0000-0000-0000-000000000001",
                "tenantId": "00000000-0000-0000-0000-000000000002", "secrets": {"secretsType": "ServicePrincipal"}}}},
            config={"allowedCredentialTypes": ["None", "ServicePrincipal"]}),
        Sample("account key", {"properties": {"datastoreType": "AzureBlob", "accountName": "acct", "credentials": {
            "credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": "not-a-real-key"}}}},
            ("credentialsType is 'AccountKey'", "secrets.key holds an inline secret")),
        Sample("sas, secret envelope", {"properties": {"datastoreType": "AzureBlob", "credentials": {
            "credentialsType": "Sas", "secrets": {"secretsType": "Sas",
                                                  "sasToken": {p.SIG_KEY: p.SECRET_SIG, "value": "sv=x&sig=y"}}}}},
            ("credentialsType is 'Sas'", "secrets.sasToken holds an inline secret")),
        Sample("service principal allowed, secret inline", {"properties": {"datastoreType": "AzureBlob", "credentials": {
            "credentialsType": "ServicePrincipal", "clientId": "c", "tenantId": "t",
            "secrets": {"secretsType": "ServicePrincipal", "clientSecret": "not-a-real-secret"}}}},
            ("secrets.clientSecret holds an inline secret",),
            config={"allowedCredentialTypes": ["None", "ServicePrincipal"]}),
        Sample("certificate, snake_case", {"properties": {"datastore_type": "AzureBlob", "credentials": {
            "credentials_type": "Certificate", "client_id": "c", "tenant_id": "t", "thumbprint": "AB12",
            "secrets": {"secrets_type": "Certificate", "certificate": "MIIC..."}}}},
            ("credentialsType is 'Certificate'", "secrets.certificate holds an inline secret")),
        Sample("inline secret under type None", {"properties": {"credentials": {
            "credentialsType": "None", "secrets": {"key": "not-a-real-key"}}}}, ("secrets.key holds an inline secret",)),
        Sample("credentials without a type", {"properties": {"credentials": {}}},
               ("properties.credentials.credentialsType is not set",)),
        Sample("wrong type", {"properties": {"credentials": {"credentialsType": 1.0}}},
               ("credentialsType is a number",)),
    ),
)
