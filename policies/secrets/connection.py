"""workspace-connection-no-inline-credentials: workspace connections authenticate with Entra ID or a
managed identity and hold no credential inline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core.checks import config_list, enum_setting
from ..core.credentials import credential_name_reason, credential_value_reason, filled
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import connection as cn
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import path_of, read

CONNECTION_AUTH_TYPES: Final = (
    "PAT", "ManagedIdentity", "UsernamePassword", "None", "SAS", "AccountKey", "ServicePrincipal", "AccessKey",
    "ApiKey", "CustomKeys", "OAuth2", "AAD", "DelegatedSAS", "ProjectManagedIdentity", "AccountManagedIdentity",
    "UserEntraToken", "AgentUserImpersonation", "AgenticIdentityToken", "AgenticUser",
)
_IDENTITY_ID: Final = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
                       "Microsoft.ManagedIdentity/userAssignedIdentities/id")


def _credential_paths(credentials: Mapping[str, Any]) -> Iterator[str]:
    """Dotted paths under a connection's credentials that hold an inline credential: a field
    named like one (reported once, with whatever is below it), or a value shaped like one."""
    flagged: list[tuple[str | int, ...]] = []
    for path, value in p.walk(credentials):
        if not path or any(path[: len(f)] == f for f in flagged) or not filled(value):
            continue
        name = path[-1] if isinstance(path[-1], str) else ""
        named = bool(name) and credential_name_reason(name) is not None
        shaped = isinstance(value, str) and not p.is_unknown(value) and credential_value_reason(value) is not None
        if named or shaped:
            flagged.append(path)
            yield ".".join(str(part) for part in path)


_KEEP_OUT = "keep credentials out of the program (a policy cannot see whether it was wrapped as a Pulumi secret)"
# Auth types whose connection holds no credential of its own.
_NO_CREDENTIAL: Final = frozenset({"none", "aad", "managedidentity"})


def _connection_credentials(subject: Subject) -> Iterator[str]:
    credentials = read(subject.type, subject.props, cn.CREDENTIALS)
    if credentials is None or not isinstance(credentials.raw, Mapping):
        return
    for path in _credential_paths(credentials.raw):
        yield f"{credentials.path}.{path} holds an inline credential; {_KEEP_OUT}."


def _legacy_value(subject: Subject) -> Iterator[str]:
    """azure-native 2.x's ``value``: for an auth type that carries a credential, the credential itself."""
    where = path_of(subject.type, subject.props, cn.VALUE)
    value = p.get_or_unknown(subject.props, where) if where else p.MISSING
    if where is None or not filled(value):
        return  # an unknown value counts as held: it will be a value
    auth = read(subject.type, subject.props, cn.AUTH_TYPE)
    kind = auth.raw if auth is not None and isinstance(auth.raw, str) else ""
    if p.norm_key(kind) not in _NO_CREDENTIAL or (isinstance(value, str) and credential_value_reason(value)):
        yield f"{where} holds an inline credential for the connection; {_KEEP_OUT}."


workspace_connection_no_inline_credentials = ResourceRule(
    name="workspace-connection-no-inline-credentials",
    title="Connections use Entra ID or a managed identity",
    description="Azure ML workspace connections must use Entra ID or a managed identity and hold no credential inline.",
    details="Azure ML workspace connections must authenticate with Microsoft Entra ID or a managed identity: "
    "properties.authType must be in the allowed list (default: AAD, ManagedIdentity, None; azure-native 2.x has no AAD "
    "type) and no credential (key, pat, password, clientSecret, sas, custom keys, tokens) may be held inline under "
    "properties.credentials, even if wrapped as a Pulumi secret; a 2.x connection's value (the credential JSON of its "
    "older API; flat in 2.x's modules v20210401 and v20220201preview) counts as inline too unless the type carries no "
    "credential. An absent authType (required by the API) is a violation; absent credentials pass. Other connection "
    "resources (ConnectionDeployment, ConnectionRaiBlocklist, ConnectionRaiPolicy) carry no authType and are not "
    "judged; the classic provider has no connection resource.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Use authType 'AAD' or 'ManagedIdentity' (with useWorkspaceManagedIdentity or a managed identity's "
    "clientId/resourceId) and grant that identity access to the target; if a key-based type is unavoidable, allow it "
    "in allowedAuthTypes and set the secret outside the program (e.g. in the studio or from Key Vault at run time).",
    unknowns=f"An unknown authType during preview: {SDK_ADVISORY}. A field named like a credential whose value is "
    "unknown still counts as inline; other unknown fields are judged by name only.",
    topics=("secrets", "data-access", "identity"),
    frameworks=(fw.MCSB_IM8,),
    types=cn.TYPES,
    options=(strings("allowedAuthTypes", ["AAD", "ManagedIdentity", "None"], "Connection auth types allowed (compared case-insensitively)."),),
    check=(
        enum_setting(setting=cn.AUTH_TYPE, allowed=config_list("allowedAuthTypes"), absent="violation",
                     vocabulary=CONNECTION_AUTH_TYPES,
                     what="the connection must authenticate with Entra ID or a managed identity"),
        _connection_credentials,
        _legacy_value,
    ),
    samples=(
        Sample("entra id", {"workspaceName": "ws", "connectionName": "blob", "properties": {
            "authType": "AAD", "category": "AzureBlob", "target": "https://acct.blob.core.windows.net/",
            "useWorkspaceManagedIdentity": True}}),
        Sample("managed identity ids are not secrets", {"properties": {
            "authType": "ManagedIdentity", "category": "AzureOpenAI", "credentials": {
                "clientId": "00000000-0000-0000-0000-000000000001",
                "resourceId": _IDENTITY_ID}}}),
        Sample("snake_case, 2.x versioned module", {"properties": {"auth_type": "None", "category": "PythonFeed",
                                                                   "target": "https://pypi.org/simple"}},
               type="azure-native:machinelearningservices/v20240401:WorkspaceConnection"),
        Sample("2.x managed identity", {"workspaceName": "ws", "properties": {
            "authType": "ManagedIdentity", "category": "ContainerRegistry", "target": "myacr.azurecr.io",
            "credentials": {"clientId": "00000000-0000-0000-0000-000000000001", "resourceId": _IDENTITY_ID}}},
            provider=Provider.AN2),
        Sample("2.x flat module, no credential", {"authType": "None", "category": "PythonFeed",
                                                  "target": "https://pypi.org/simple"},
               type="azure-native:machinelearningservices/v20210401:WorkspaceConnection"),
        Sample("service principal allowed, no secret", {"properties": {
            "authType": "ServicePrincipal", "credentials": {"clientId": "c", "tenantId": "t"}}},
            config={"allowedAuthTypes": ["AAD", "ServicePrincipal"]}),
        Sample("pat", {"properties": {"authType": "PAT", "category": "Git", "credentials": {"pat": "not-a-real-pat"}}},
               ("properties.authType is 'PAT'", "properties.credentials.pat holds an inline credential")),
        Sample("api key", {"properties": {"authType": "ApiKey", "credentials": {"key": "k"}}},
               ("authType is 'ApiKey'", "credentials.key holds")),
        Sample("custom keys reported once", {"properties": {"authType": "CustomKeys", "credentials": {
            "keys": {"x-api-key": "a", "x-other": "b"}}}}, ("authType is 'CustomKeys'", "credentials.keys holds")),
        Sample("username and password", {"properties": {"authType": "UsernamePassword", "credentials": {
            "username": "svc", "password": "p", "securityToken": "s"}}},
            ("authType is 'UsernamePassword'", "credentials.password holds", "credentials.securityToken holds")),
        Sample("access key id is not the secret", {"properties": {"authType": "AccessKey", "credentials": {
            "accessKeyId": "AKIDEXAMPLE", "secretAccessKey": {p.SIG_KEY: p.SECRET_SIG, "value": "s"}}}},
            ("authType is 'AccessKey'", "credentials.secretAccessKey holds")),
        Sample("service principal allowed, secret inline", {"properties": {"auth_type": "ServicePrincipal", "credentials": {
            "client_id": "c", "client_secret": "s", "tenant_id": "t"}}}, ("credentials.client_secret holds",),
            config={"allowedAuthTypes": ["AAD", "ServicePrincipal"]}),
        Sample("token-shaped value under an innocent name", {"properties": {"authType": "AAD", "credentials": {
            "note": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"}}}, ("credentials.note holds",)),
        Sample("absent auth type", {"properties": {"category": "AzureBlob"}}, ("properties.authType is not set",)),
        Sample("unknown auth type value not quoted", {"properties": {"authType": "Magic"}},
               ("a value outside the known set (not shown)",)),
        Sample("2.x pat and value", {"workspaceName": "ws", "properties": {
            "authType": "PAT", "category": "Git", "target": "https://github.com/org/repo", "value": '{"pat": "x"}',
            "valueFormat": "JSON", "credentials": {"pat": "not-a-real-pat"}}},
            ("properties.authType is 'PAT'", "properties.credentials.pat holds", "properties.value holds an inline credential"),
            provider=Provider.AN2),
        Sample("2.x flat module, pat in value", {"authType": "PAT", "category": "Git", "target": "https://github.com/org/r",
                                                 "value": '{"pat": "not-a-real-pat"}', "valueFormat": "JSON"},
               ("authType is 'PAT'", "value holds an inline credential"),
               type="azure-native:machinelearningservices/v20210401:WorkspaceConnection"),
    ),
)
