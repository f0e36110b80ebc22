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
from . import samples as sx

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
    title="Datastores use identity-based access",
    description="Azure ML datastores must use identity-based access and hold no secret inline, even wrapped as a Pulumi secret.",
    details="Azure ML datastores must use identity-based access and hold no secret inline, even if wrapped as a "
    "Pulumi secret. A v2 Datastore (body properties in azure-native 3.x, datastoreProperties in 2.x): "
    "credentials.credentialsType must be in the allowed list (default: None) and no secret (key, sasToken, "
    "clientSecret, certificate) may be under credentials.secrets, whatever the type. A v1 MachineLearningDatastore "
    "(both azure-native versions) and the classic datastores (DatastoreBlobstorage, DatastoreDatalakeGen2, "
    "DatastoreFileshare) hold credentials as top-level inputs: accountKey, sasToken (classic: "
    "sharedAccessSignature) or clientId and clientSecret mean AccountKey, Sas or ServicePrincipal credentials, judged "
    "against the same list, and each secret one set is inline (as is a v1 password). Absent credentials mean "
    "identity-based access and pass.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the datastore's credentials to {credentialsType: 'None'} (v1 and classic datastores: set no "
    "account key, SAS or service principal) and grant the workspace (or the user, via serviceDataAccessAuthIdentity; "
    "classic: serviceDataAuthIdentity / serviceDataIdentity) a storage data role; if a service principal is "
    "unavoidable, allow its type in allowedCredentialTypes and keep its secret out of the program (the service keeps "
    "it in the workspace Key Vault).",
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
        Sample("snake_case, 2.x versioned module", {"datastore_properties": {
            "datastore_type": "AzureFile", "account_name": "acct", "file_share_name": "share",
            "credentials": {"credentials_type": "None"}}}, type="azure-native:machinelearningservices/v20240401:Datastore"),
        Sample("2.x default module", sx.an2(credentials={"credentialsType": "None"},
                                            serviceDataAccessAuthIdentity="WorkspaceSystemAssignedIdentity")),
        Sample("v1 datastore, workspace identity", sx.v1(workspaceSystemAssignedIdentity=True), type=sx.V1),
        Sample("classic blob, identity", sx.classic_blob(serviceDataAuthIdentity="WorkspaceSystemAssignedIdentity"),
               type=sx.BLOB),
        Sample("classic data lake, no service principal", {"workspaceId": sx.WORKSPACE_ID, "storageContainerId": sx.CONTAINER},
               type=sx.DATALAKE_GEN2),
        Sample("v1 service principal allowed, secret kept out", sx.v1(clientId="00000000-0000-0000-0000-000000000001",
                                                                     tenantId="00000000-0000-0000-0000-000000000002"),
               type=sx.V1, config={"allowedCredentialTypes": ["None", "ServicePrincipal"]}),
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
        Sample("2.x account key", sx.an2(credentials={"credentialsType": "AccountKey", "secrets": {
            "secretsType": "AccountKey", "key": "not-a-real-key"}}),
            ("datastoreProperties.credentials.credentialsType is 'AccountKey'",
             "datastoreProperties.credentials.secrets.key holds an inline secret")),
        Sample("2.x preview module, sas", {"datastoreProperties": {"datastoreType": "AzureBlob", "credentials": {
            "credentialsType": "Sas", "secrets": {"secretsType": "Sas", "sasToken": "sv=x&sig=y"}}}},
            ("credentialsType is 'Sas'", "datastoreProperties.credentials.secrets.sasToken holds"), type=sx.AN2_PREVIEW),
        Sample("v1 account key", sx.v1(accountKey="not-a-real-key"),
               ("accountKey is set, so the datastore uses AccountKey credentials", "accountKey holds an inline secret"),
               type=sx.V1),
        Sample("v1 sql password", sx.v1(dataStoreType="sqldb", serverName="sql", databaseName="db", userId="u",
                                        password="not-a-real-password"), ("password holds an inline secret",), type=sx.V1),
        Sample("v1 service principal with secret", sx.v1(dataStoreType="adls-gen2", clientId="c", tenantId="t",
                                                         clientSecret="not-a-real-secret"),
               ("clientId is set, so the datastore uses ServicePrincipal credentials", "clientSecret holds an inline secret"),
               type=sx.V1),
        Sample("classic blob account key", sx.classic_blob(accountKey="not-a-real-key"),
               ("accountKey is set, so the datastore uses AccountKey credentials", "accountKey holds an inline secret"),
               type=sx.BLOB),
        Sample("classic fileshare sas, secret envelope", {"workspaceId": sx.WORKSPACE_ID, "storageFileshareId": sx.SHARE,
                                                          "sharedAccessSignature": {p.SIG_KEY: p.SECRET_SIG, "value": "sv=x&sig=y"}},
               ("sharedAccessSignature is set, so the datastore uses Sas credentials",
                "sharedAccessSignature holds an inline secret"), type=sx.FILESHARE),
        Sample("classic data lake service principal", {"workspaceId": sx.WORKSPACE_ID, "storageContainerId": sx.CONTAINER,
                                                       "clientId": "c", "tenantId": "t", "clientSecret": "not-a-real-secret"},
               ("clientId is set, so the datastore uses ServicePrincipal credentials", "clientSecret holds an inline secret"),
               type=sx.DATALAKE_GEN2),
    ),
)
