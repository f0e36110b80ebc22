"""Opt-in fixes for the one-property settings of the resources a workspace stands on: public blob
access and the minimum TLS version of storage accounts (storage-account-fixes), the admin user of
container registries (registry-admin-user-fix).

The stack rules of ``hardening`` judge only the resources a workspace names, and a stack rule cannot
remediate (pulumi_policy's ``StackValidationPolicy`` has no ``remediate``); a resource rule can, but
cannot see which workspace names the resource. So these are resource rules over every storage account
and container registry of the stack, as Azure Policy's Modify definitions are, and are disabled by
default: nothing is judged twice unless a team turns them on, and ``presets/enforce.json`` keeps them
off (``Rule.enforced``). They share their checks with ``hardening``.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import types as t
from ..core.checks import combined_fix, setting_fix
from ..core.providers import Provider
from ..core.resources import dependencies as dx
from ..core.rule import ResourceRule, unknown_advisory
from ..core.samples import Sample, SampleResource
from . import samples as sx
from .hardening import REGISTRY_ADMIN_CHECK, STORAGE_BLOB_PUBLIC_CHECK, STORAGE_TLS_CHECK

_AN2, _CLASSIC = Provider.AN2, Provider.CLASSIC
_OPT_IN: Final = ("Disabled by default: at `remediate` it sets {what} on every {kind} of the stack before it is "
                  "deployed, {modify}. At `advisory` or `mandatory` it reports "
                  "every {kind} of the stack, whether or not a workspace names it (unlike {stack_rule}, which judges "
                  "only the ones a workspace names, so a workspace's {kind} may then be reported by both).")


def _inputs(resource: SampleResource) -> dict[str, Any]:
    """A dependency sample's bag as a program declares it (without the ``id`` the stack samples carry)."""
    return {k: v for k, v in resource.props.items() if k != "id"}


storage_account_fixes = ResourceRule(
    name="storage-account-fixes",
    title="Storage accounts refuse public blobs and TLS before 1.2",
    description="Opt-in fix: every storage account of the stack must disallow public blob access and require TLS 1.2.",
    details=_OPT_IN.format(what="allowBlobPublicAccess false and minimumTlsVersion TLS1_2 (classic: "
                           "allowNestedItemsToBePublic, minTlsVersion)", kind="storage account",
                           modify="as Azure Policy's Modify definition 13502221 does for public blob access (no built-in Modify "
                           "definition for the TLS version was found)",
                           stack_rule="workspace-storage-hardened") +
    " Absent public blob access counts as allowed, as in workspace-storage-hardened; an absent minimumTlsVersion means "
    "TLS1_0 in azure-native and TLS1_2 in the classic provider. A minimum of TLS1_3 passes and is left as it is.",
    severity=Severity.HIGH,
    level=EnforcementLevel.DISABLED,
    remediation="Set allowBlobPublicAccess = false and minimumTlsVersion = 'TLS1_2' on the storage account (classic: "
    "allowNestedItemsToBePublic = false, minTlsVersion = 'TLS1_2'), or set this rule to `remediate` to have them set.",
    unknowns=unknown_advisory("setting"),
    topics=("data-access", "encryption"),
    frameworks=(fw.AZ_STORAGE_BLOB_PUBLIC_MODIFY, fw.AZ_STORAGE_BLOB_PUBLIC, fw.AZ_STORAGE_TLS, fw.CKV_AZURE_190,
                fw.CKV_AZURE_44, fw.MCSB_DP3),
    types=dx.STORAGE_TYPES,
    check=(STORAGE_BLOB_PUBLIC_CHECK, STORAGE_TLS_CHECK),
    fix=combined_fix(setting_fix(STORAGE_BLOB_PUBLIC_CHECK, dx.STORAGE_BLOB_PUBLIC, False),
                     setting_fix(STORAGE_TLS_CHECK, dx.STORAGE_TLS, "TLS1_2")),
    samples=(
        Sample("hardened", _inputs(sx.storage())),
        Sample("TLS 1.3, snake_case", {"kind": "StorageV2", "allow_blob_public_access": False, "minimum_tls_version": "TLS1_3"}),
        Sample("2.x", _inputs(sx.storage(_AN2)), provider=_AN2),
        Sample("classic", _inputs(sx.storage(_CLASSIC)), type=t.CLASSIC_STORAGE_ACCOUNT),
        Sample("classic, TLS by its default", _inputs(sx.storage(_CLASSIC, minTlsVersion=None)), type=t.CLASSIC_STORAGE_ACCOUNT),
        Sample("public blobs", _inputs(sx.storage(allowBlobPublicAccess=True)),
               ("allowBlobPublicAccess is true; anonymous public blob access must be disallowed",),
               fixed={"allowBlobPublicAccess": False, "minimumTlsVersion": "TLS1_2"}),
        Sample("both absent", _inputs(sx.storage(allowBlobPublicAccess=None, minimumTlsVersion=None)),
               ("allowBlobPublicAccess is not set", "minimumTlsVersion is not set (absent means TLS1_0"),
               fixed={"allowBlobPublicAccess": False, "minimumTlsVersion": "TLS1_2"}),
        Sample("2.x, TLS 1.0", _inputs(sx.storage(_AN2, minimumTlsVersion="TLS1_0")), ("minimumTlsVersion is 'TLS1_0'",),
               provider=_AN2, fixed={"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False}),
        Sample("classic, public blobs by default and TLS 1.1", _inputs(sx.storage(
            _CLASSIC, allowNestedItemsToBePublic=None, minTlsVersion="TLS1_1")),
            ("allowNestedItemsToBePublic is not set (absent means true", "minTlsVersion is 'TLS1_1'"),
            type=t.CLASSIC_STORAGE_ACCOUNT, fixed={"allowNestedItemsToBePublic": False, "minTlsVersion": "TLS1_2"}),
    ),
)


registry_admin_user_fix = ResourceRule(
    name="registry-admin-user-fix",
    title="Container registries disable the admin user",
    description="Opt-in fix: every container registry of the stack must disable its admin user (a shared password).",
    details=_OPT_IN.format(what="adminUserEnabled false (classic: adminEnabled)", kind="container registry",
                           modify="as Azure Policy's Modify definition 79fdfe03 does", stack_rule="workspace-registry-hardened") +
    " An absent admin user setting means false in every provider.",
    severity=Severity.HIGH,
    level=EnforcementLevel.DISABLED,
    remediation="Set adminUserEnabled = false on the registry (classic: adminEnabled = false) and grant pull and push "
    "through Entra roles (AcrPull, AcrPush), or set this rule to `remediate` to have it set.",
    unknowns=unknown_advisory("setting"),
    topics=("authentication",),
    frameworks=(fw.AZ_REGISTRY_ADMIN_MODIFY, fw.AZ_REGISTRY_ADMIN, fw.CKV_AZURE_137, fw.MCSB_IM1),
    types=dx.REGISTRY_TYPES,
    check=REGISTRY_ADMIN_CHECK,
    fix=setting_fix(REGISTRY_ADMIN_CHECK, dx.REGISTRY_ADMIN, False),
    samples=(
        Sample("admin user disabled", _inputs(sx.registry())),
        Sample("absent (false)", _inputs(sx.registry(adminUserEnabled=None))),
        Sample("2.x default module", _inputs(sx.registry(_AN2)), provider=_AN2),
        Sample("classic", _inputs(sx.registry(_CLASSIC)), type=dx.CLASSIC_REGISTRY),
        Sample("classic absent (false)", _inputs(sx.registry(_CLASSIC, adminEnabled=None)), type=dx.CLASSIC_REGISTRY),
        Sample("admin user", _inputs(sx.registry(adminUserEnabled=True)), ("adminUserEnabled is true; the admin user",),
               fixed={"adminUserEnabled": False}),
        Sample("2.x admin user", _inputs(sx.registry(_AN2, adminUserEnabled=True)),
               ("adminUserEnabled is true",), provider=_AN2, fixed={"adminUserEnabled": False}),
        Sample("2.x preview module", _inputs(sx.registry(_AN2, "azure-native:containerregistry/v20231101preview:Registry",
                                                         adminUserEnabled=True)), ("adminUserEnabled is true",),
               type="azure-native:containerregistry/v20231101preview:Registry", provider=_AN2,
               fixed={"adminUserEnabled": False}),
        Sample("classic admin user", _inputs(sx.registry(_CLASSIC, adminEnabled=True)), ("adminEnabled is true",),
               type=dx.CLASSIC_REGISTRY, fixed={"adminEnabled": False}),
    ),
)
