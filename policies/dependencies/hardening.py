"""The settings every resource a workspace stands on keeps, whatever the workspace's network
access: its storage account (workspace-storage-hardened), key vault (workspace-key-vault-protected),
container registry (workspace-registry-hardened) and Application Insights component
(workspace-app-insights-entra-only). Stack rules: only the resources a workspace of the stack names
are judged (``linked``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import bool_setting, enum_setting, fixed
from ..core.providers import Provider
from ..core.resources import dependencies as dx
from ..core.resources import workspace as ws
from ..core.rule import SDK_ADVISORY, StackRule, Subject
from ..core.samples import SampleResource, StackSample, sample_stack
from ..core.shape import read
from . import samples as sx
from .linked import APP_INSIGHTS, KEY_VAULT, REGISTRY, STORAGE, dependency_check

_TLS: Final = ("TLS1_2", "TLS1_3")
_UNKNOWNS: Final = (f"A setting unknown during preview skips that check and {SDK_ADVISORY} is added after the others "
                    "are judged. The resource is linked by property dependency while ids are unknown; one named by a "
                    "literal id cannot be linked during preview, and the advisory says to pass the resource's output "
                    "instead (`pulumi up` links it by id).")
_NOT_DECLARED: Final = "One not declared in the stack cannot be judged and is not reported."
_AN3, _AN2, _CLASSIC = Provider.AN3, Provider.AN2, Provider.CLASSIC


def _stack(provider: Provider, *resources: SampleResource) -> tuple[SampleResource, ...]:
    return sample_stack(sx.workspace(provider), *resources)


# --- storage -------------------------------------------------------------------------------------

# The checks storage-account-fixes and registry-admin-user-fix (policies/dependencies/fixes.py) share.
STORAGE_BLOB_PUBLIC_CHECK: Final = bool_setting(
    setting=dx.STORAGE_BLOB_PUBLIC, expected=False, absent="violation",
    what="anonymous public blob access must be disallowed (absent counts as allowed)")
STORAGE_TLS_CHECK: Final = enum_setting(
    setting=dx.STORAGE_TLS, allowed=fixed(*_TLS), absent="violation", what="the account must refuse TLS before 1.2",
    vocabulary=("TLS1_0", "TLS1_1", *_TLS))
REGISTRY_ADMIN_CHECK: Final = bool_setting(
    setting=dx.REGISTRY_ADMIN, expected=False, absent="violation", what="the admin user (a shared password) must be disabled")

_STORAGE_CHECKS: Final = (
    bool_setting(setting=dx.STORAGE_SHARED_KEY, expected=False, absent="violation",
                 what="shared key access must be disabled, so that only Entra identities reach the data"),
    STORAGE_BLOB_PUBLIC_CHECK,
    STORAGE_TLS_CHECK,
    bool_setting(setting=dx.STORAGE_HTTPS, expected=True, absent="violation", what="the account must accept HTTPS only"),
)

workspace_storage_hardened = StackRule(
    name="workspace-storage-hardened",
    title="Workspace storage accepts identities over TLS 1.2 only",
    description="A workspace's storage account must disable shared keys and public blobs, and require HTTPS with TLS 1.2.",
    details="The storage account an Azure ML workspace names (storageAccount; classic storageAccountId) must have "
    "allowSharedKeyAccess false (classic sharedAccessKeyEnabled; absent means true), allowBlobPublicAccess false "
    "(classic allowNestedItemsToBePublic; absent counts as allowed, as in Azure Policy 4fa4b6c0 and Checkov "
    "CKV_AZURE_190), minimumTlsVersion TLS1_2 or later (classic minTlsVersion; azure-native's absent means TLS1_0, "
    f"the classic provider's TLS1_2) and enableHttpsTrafficOnly true (classic httpsTrafficOnlyEnabled; absent means "
    f"true). {_NOT_DECLARED} Shared keys off needs the workspace to reach its storage by identity "
    "(systemDatastoresAuthMode Identity).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's storage account set allowSharedKeyAccess = false, allowBlobPublicAccess = false, "
    "minimumTlsVersion = 'TLS1_2' and enableHttpsTrafficOnly = true (classic: sharedAccessKeyEnabled, "
    "allowNestedItemsToBePublic, minTlsVersion, httpsTrafficOnlyEnabled), and grant the workspace identity the "
    "storage data roles.",
    unknowns=_UNKNOWNS,
    topics=("data-access", "authentication"),
    frameworks=(fw.AZ_STORAGE_SHARED_KEY, fw.AZ_STORAGE_BLOB_PUBLIC, fw.AZ_STORAGE_TLS, fw.AZ_STORAGE_HTTPS,
                fw.CKV2_AZURE_40, fw.CKV_AZURE_190, fw.CKV_AZURE_44, fw.CKV_AZURE_3, fw.MCSB_IM1, fw.MCSB_DP3),
    types=(*ws.TYPES, *dx.STORAGE_TYPES),
    check=dependency_check((STORAGE, _STORAGE_CHECKS, None)),
    samples=(
        StackSample("hardened", _stack(_AN3, sx.storage())),
        StackSample("2.x", _stack(_AN2, sx.storage(_AN2))),
        StackSample("classic", _stack(_CLASSIC, sx.storage(_CLASSIC))),
        StackSample("classic defaults for TLS and HTTPS", _stack(_CLASSIC, sx.storage(
            _CLASSIC, minTlsVersion=None, httpsTrafficOnlyEnabled=None))),
        StackSample("TLS 1.3, snake_case", _stack(_AN3, sx.storage(minimum_tls_version="TLS1_3"))),
        StackSample("storage not in the stack", sample_stack(sx.workspace())),
        StackSample("linked by property dependency during preview", sample_stack(
            SampleResource(t.WORKSPACE, "ws", {"storageAccount": p.UNKNOWN_STRING}, depends_on={"storageAccount": ("st",)}),
            sx.storage(id=p.UNKNOWN_STRING, allowSharedKeyAccess=True)), ("allowSharedKeyAccess is true",)),
        StackSample("named by a literal id during preview", sample_stack(
            sx.workspace(), sx.storage(id=p.UNKNOWN_STRING)), unknown="storage_account=account.id"),
        StackSample("shared key on", _stack(_AN3, sx.storage(allowSharedKeyAccess=True)),
                    ("storage account of workspace 'ws': allowSharedKeyAccess is true; shared key access must be disabled",)),
        StackSample("every setting absent", _stack(_AN3, sx.storage(
            allowSharedKeyAccess=None, allowBlobPublicAccess=None, minimumTlsVersion=None, enableHttpsTrafficOnly=None)),
            ("allowSharedKeyAccess is not set (absent means true", "allowBlobPublicAccess is not set; anonymous public",
             "minimumTlsVersion is not set (absent means TLS1_0")),
        StackSample("2.x, TLS 1.0 and HTTP", _stack(_AN2, sx.storage(_AN2, minimumTlsVersion="TLS1_0",
                                                                  enableHttpsTrafficOnly=False)),
                    ("minimumTlsVersion is 'TLS1_0'", "enableHttpsTrafficOnly is false; the account must accept HTTPS only")),
        StackSample("classic by its defaults", _stack(_CLASSIC, sx.storage(
            _CLASSIC, sharedAccessKeyEnabled=None, allowNestedItemsToBePublic=None)),
            ("sharedAccessKeyEnabled is not set (absent means true", "allowNestedItemsToBePublic is not set (absent means true")),
    ),
)


# --- key vault ----------------------------------------------------------------------------------

def _vault_rbac(subject: Subject) -> Iterator[str]:
    """RBAC authorization, read from the classic provider's deprecated spelling when only it is set."""
    setting = dx.VAULT_RBAC
    current = read(subject.type, subject.props, dx.VAULT_RBAC)
    old = read(subject.type, subject.props, dx.VAULT_RBAC_DEPRECATED)
    if current is not None and current.absent and old is not None and not old.absent:
        setting = dx.VAULT_RBAC_DEPRECATED
    yield from bool_setting(setting=setting, expected=True, absent="violation",
                            what="data access must be authorized by Azure RBAC, not access policies")(subject)


_VAULT_CHECKS: Final = (
    bool_setting(setting=dx.VAULT_PURGE_PROTECTION, expected=True, absent="violation",
                 what="purge protection must be on, so that a deleted key cannot be purged before its retention ends"),
    bool_setting(setting=dx.VAULT_SOFT_DELETE, expected=True, absent="violation", what="soft delete must be on"),
    _vault_rbac,
)

workspace_key_vault_protected = StackRule(
    name="workspace-key-vault-protected",
    title="Workspace key vault is recoverable and uses RBAC",
    description="A workspace's key vault must enable purge protection and soft delete and authorize data access by RBAC.",
    details="The key vault an Azure ML workspace names (keyVault; classic keyVaultId) must set "
    "properties.enablePurgeProtection true (classic purgeProtectionEnabled; absent means off), keep "
    "properties.enableSoftDelete true (absent means on; the classic provider always turns it on) and set "
    "properties.enableRbacAuthorization true (classic rbacAuthorizationEnabled or its deprecated "
    f"enableRbacAuthorization; absent means access policies). {_NOT_DECLARED}",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's key vault set properties.enablePurgeProtection = true, enableSoftDelete = true and "
    "enableRbacAuthorization = true (classic: purgeProtectionEnabled, rbacAuthorizationEnabled), and grant the "
    "workspace identity Key Vault data roles instead of access policies.",
    unknowns=_UNKNOWNS,
    topics=("encryption", "data-access"),
    frameworks=(fw.AZ_VAULT_PURGE_PROTECTION, fw.AZ_VAULT_SOFT_DELETE, fw.AZ_VAULT_RBAC, fw.CKV_AZURE_110,
                fw.CKV_AZURE_111, fw.CKV_AZURE_242, fw.MCSB_DP8),
    types=(*ws.TYPES, *dx.KEY_VAULT_TYPES),
    check=dependency_check((KEY_VAULT, _VAULT_CHECKS, None)),
    samples=(
        StackSample("protected", _stack(_AN3, sx.vault())),
        StackSample("2.x", _stack(_AN2, sx.vault(_AN2))),
        StackSample("classic", _stack(_CLASSIC, sx.vault(_CLASSIC))),
        StackSample("classic, deprecated RBAC spelling", _stack(_CLASSIC, sx.vault(
            _CLASSIC, rbacAuthorizationEnabled=None, enableRbacAuthorization=True))),
        StackSample("soft delete by default", _stack(_AN3, sx.vault(properties={"enableSoftDelete": None}))),
        StackSample("no purge protection, access policies", _stack(_AN3, sx.vault(properties={
            "enablePurgeProtection": None, "enableRbacAuthorization": False})),
            ("key vault of workspace 'ws': properties.enablePurgeProtection is not set (absent means false",
             "properties.enableRbacAuthorization is false; data access must be authorized by Azure RBAC")),
        StackSample("2.x without soft delete", _stack(_AN2, sx.vault(_AN2, properties={"enableSoftDelete": False})),
                    ("properties.enableSoftDelete is false; soft delete must be on",)),
        StackSample("classic by its defaults", _stack(_CLASSIC, sx.vault(
            _CLASSIC, purgeProtectionEnabled=None, rbacAuthorizationEnabled=None)),
            ("purgeProtectionEnabled is not set (absent means false", "rbacAuthorizationEnabled is not set (absent means false")),
    ),
)


# --- container registry -------------------------------------------------------------------------

_REGISTRY_CHECKS: Final = (
    REGISTRY_ADMIN_CHECK,
    bool_setting(setting=dx.REGISTRY_ANONYMOUS_PULL, expected=False, absent="violation",
                 what="anonymous pull must be disabled"),
)

workspace_registry_hardened = StackRule(
    name="workspace-registry-hardened",
    title="Workspace registry has no admin user or anonymous pull",
    description="A workspace's container registry must disable its admin user and anonymous pull.",
    details="The container registry an Azure ML workspace names (containerRegistry; classic containerRegistryId) must "
    "set adminUserEnabled false (classic adminEnabled; absent means false) and anonymousPullEnabled false (absent "
    "means false; azure-native 2.x's default module cannot set it). Azure ML reaches its registry with the workspace "
    f"identity and needs neither. {_NOT_DECLARED}",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's container registry set adminUserEnabled = false (classic: adminEnabled) and "
    "anonymousPullEnabled = false, and grant pull and push through Entra roles (AcrPull, AcrPush).",
    unknowns=_UNKNOWNS,
    topics=("authentication",),
    frameworks=(fw.AZ_REGISTRY_ADMIN, fw.AZ_REGISTRY_ANONYMOUS_PULL, fw.CKV_AZURE_137, fw.CKV_AZURE_138, fw.MCSB_IM1),
    types=(*ws.TYPES, *dx.REGISTRY_TYPES),
    check=dependency_check((REGISTRY, _REGISTRY_CHECKS, None)),
    samples=(
        StackSample("hardened", _stack(_AN3, sx.registry())),
        StackSample("2.x default module", _stack(_AN2, sx.registry(_AN2))),
        StackSample("classic", _stack(_CLASSIC, sx.registry(_CLASSIC))),
        StackSample("classic by its defaults", _stack(_CLASSIC, sx.registry(
            _CLASSIC, adminEnabled=None, anonymousPullEnabled=None))),
        StackSample("admin user", _stack(_AN3, sx.registry(adminUserEnabled=True)),
                    ("container registry of workspace 'ws': adminUserEnabled is true; the admin user",)),
        StackSample("anonymous pull, 2.x preview module", _stack(_AN2, sx.registry(
            _AN2, "azure-native:containerregistry/v20231101preview:Registry", anonymousPullEnabled=True)),
            ("anonymousPullEnabled is true; anonymous pull must be disabled",)),
        StackSample("classic admin user", _stack(_CLASSIC, sx.registry(_CLASSIC, adminEnabled=True)),
                    ("adminEnabled is true",)),
        StackSample("one registry, two workspaces: reported once", sample_stack(
            sx.workspace(), SampleResource(t.WORKSPACE, "ws2", {"containerRegistry": sx.REGISTRY_ID.upper()}),
            sx.registry(adminUserEnabled=True)), ("container registry of workspace 'ws': adminUserEnabled is true",)),
    ),
)


# --- Application Insights -----------------------------------------------------------------------

workspace_app_insights_entra_only = StackRule(
    name="workspace-app-insights-entra-only",
    title="Workspace Application Insights accepts Entra auth only",
    description="A workspace's Application Insights component must disable local (instrumentation key) authentication.",
    details="The Application Insights component an Azure ML workspace names (applicationInsights; classic "
    "applicationInsightsId) must set disableLocalAuth true (classic localAuthenticationEnabled false; absent means "
    "local authentication is on), so that telemetry is accepted only from Entra identities. The component's token is "
    "azure-native:applicationinsights:Component in azure-native 3.x and azure-native:insights:Component in 2.x. "
    f"{_NOT_DECLARED}",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's Application Insights component set disableLocalAuth = true (classic: "
    "localAuthenticationEnabled = false) and grant senders the Monitoring Metrics Publisher role.",
    unknowns=_UNKNOWNS,
    topics=("authentication",),
    frameworks=(fw.AZ_APP_INSIGHTS_LOCAL_AUTH, fw.MCSB_IM1),
    types=(*ws.TYPES, *dx.APP_INSIGHTS_TYPES),
    check=dependency_check((APP_INSIGHTS, (bool_setting(
        setting=dx.APP_INSIGHTS_LOCAL_AUTH, expected=True, absent="violation",
        what="local (instrumentation key) authentication must be disabled"),), None)),
    samples=(
        StackSample("Entra only", _stack(_AN3, sx.insights())),
        StackSample("2.x token", _stack(_AN2, sx.insights(_AN2))),
        StackSample("classic", _stack(_CLASSIC, sx.insights(_CLASSIC))),
        StackSample("local auth by default", _stack(_AN3, sx.insights(disableLocalAuth=None)),
                    ("Application Insights component of workspace 'ws': disableLocalAuth is not set (absent means false",)),
        StackSample("2.x local auth", _stack(_AN2, sx.insights(_AN2, disableLocalAuth=False)),
                    ("disableLocalAuth is false",)),
        StackSample("classic by its defaults", _stack(_CLASSIC, sx.insights(_CLASSIC, localAuthenticationEnabled=None)),
                    ("localAuthenticationEnabled is not set (absent means true",)),
    ),
)
