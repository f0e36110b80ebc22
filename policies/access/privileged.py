"""ml-no-privileged-roles (stack rule): no Owner, Contributor, User Access Administrator or Role Based
Access Control Administrator on an Azure ML resource, a resource a workspace depends on, or their
resource group, unless the config allows the principal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import access as ra
from ..core.rule import SDK_ADVISORY, StackRule
from ..core.samples import SAMPLE_GROUP_ID, SampleResource, StackSample, sample_stack
from . import samples as sx
from .estate import all_hold, any_holds
from .facts import WORKSPACE_CONTRIBUTOR, WORKSPACE_CONTRIBUTOR_NOTE, Facts, each_assignment

_PRIVILEGED_NAMES = ", ".join(ra.ROLES[g] for g in sorted(ra.PRIVILEGED, key=lambda g: ra.ROLES[g]))


def _allowed_principal(facts: Facts, config: Mapping[str, Any]) -> bool:
    allowed = {v.strip().lower() for v in config["allowedPrincipals"] if isinstance(v, str) and v.strip()}
    if not allowed:
        return False
    key = shape.path_of(facts.item.type, facts.item.props, ra.PRINCIPAL_ID) or "principalId"
    value = p.get(facts.item.props, key)  # raises while unknown
    return isinstance(value, str) and value.strip().lower() in allowed


def _allowed_type(facts: Facts, config: Mapping[str, Any]) -> bool:
    allowed = {v.strip().lower() for v in config["allowedPrincipalTypes"] if isinstance(v, str)}
    if not allowed:
        return False
    kind, _ = ra.principal_type(facts.item.type, facts.item.props)
    return kind is not None and kind.lower() in allowed


def _judge(facts: Facts, config: Mapping[str, Any]) -> str | None:
    if not all_hold(lambda: not facts.role.readable or facts.role.guid in ra.PRIVILEGED,
                    lambda: facts.target.in_estate,
                    lambda: not any_holds(lambda: _allowed_principal(facts, config), lambda: _allowed_type(facts, config),
                                          lambda: facts.workspace_contributor(config))):
        return None
    granted = f"grants {facts.role_text()} to {facts.principal()} on {facts.where()}" if facts.role.readable else (
        f"to {facts.principal()} on {facts.where()} has {facts.role_text()}, so it cannot be shown not privileged")
    return (f"The role assignment {granted}: no privileged role "
            f"({_PRIVILEGED_NAMES}) on the ML estate; grant a data-plane role (AzureML Data Scientist, Storage Blob "
            "Data Reader, AcrPull...), or allow the principal in config (allowedPrincipals, allowedPrincipalTypes).")


_OWNER, _CONTRIBUTOR, _UAA, _RBAC = ra.OWNER, ra.CONTRIBUTOR, ra.USER_ACCESS_ADMINISTRATOR, ra.RBAC_ADMINISTRATOR
_RG_SCOPE = SAMPLE_GROUP_ID

ml_no_privileged_roles = StackRule(
    name="ml-no-privileged-roles",
    title="No privileged roles on the ML estate",
    description="No Owner, Contributor or role-assigning role on Azure ML resources, their dependencies or resource group.",
    details="Role assignments (azure-native authorization:RoleAssignment, 2.x and 3.x; classic "
    "azure:authorization/assignment:Assignment) must not grant a privileged built-in role (Azure's built-in roles "
    f"list, section Privileged: {_PRIVILEGED_NAMES}; matched by the GUID at the end of roleDefinitionId, or the "
    "classic roleDefinitionName) on the ML estate: an Azure ML resource (any type of either provider, or any ARM "
    "id under Microsoft.MachineLearningServices), a resource a workspace depends on (storageAccount, keyVault, "
    "containerRegistry, applicationInsights; classic *Id) or the resource group of either. The scope is linked by "
    "property dependency (scope=workspace.id) or by ARM id (the scope or a parent of it); subscription and management "
    "group scopes are not judged. A role that cannot be read (roleDefinitionId absent or not a role definition id) "
    "cannot be shown not privileged and is reported. Exceptions: principals (object ids) in allowedPrincipals, "
    "principal types in allowedPrincipalTypes (an absent principalType is User, the API's default; the classic "
    f"provider looks it up at `pulumi up`, which the pack cannot, so absent counts as User there too). "
    f"{WORKSPACE_CONTRIBUTOR_NOTE} Custom role definitions are not judged (their permissions are not read).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Grant the narrowest built-in role that does the job: AzureML Data Scientist or AzureML Compute "
    "Operator on the workspace for people, the storage data roles and AcrPull for identities. Keep Owner, "
    "Contributor and the role-assigning roles for a small, separately managed set of administrators (allowedPrincipals).",
    unknowns="During preview the scope or principal may be unknown. An assignment whose scope is built from another "
    "resource's output is linked by property dependency; one whose scope or role is unknown and built from nothing "
    f"decides nothing while another condition clears it (a known non-privileged role, a scope outside the estate); "
    f"otherwise it gets {SDK_ADVISORY} (a violation under failClosed), whose message says to build the scope from the "
    "resource's output. An unknown principal id or type matters only when allowedPrincipals or allowedPrincipalTypes "
    "is set.",
    topics=("access-control", "identity"),
    frameworks=(fw.MCSB_PA1, fw.MCSB_PA7),
    types=ra.TYPES,
    options=(
        strings("allowedPrincipals", [], "Principal object ids that may hold a privileged role on the ML estate."),
        strings("allowedPrincipalTypes", [], "Principal types that may hold a privileged role on the ML estate.",
                enum=list(ra.PRINCIPAL_TYPES)),
        WORKSPACE_CONTRIBUTOR,
    ),
    check=each_assignment(_judge),
    samples=(
        StackSample("data-plane roles on the estate", sample_stack(
            *sx.estate(), sx.assignment("ds", sx.WS_ID, "f6c7c914-8db3-469d-8ca1-694a8f32e121", sx.GROUP, "Group"),
            sx.assignment("pull", sx.ACR_ID, "7f951dda-4ed3-4680-a7ca-43fe172d538d", sx.UAI_PRINCIPAL))),
        StackSample("privileged role outside the estate, and at subscription scope", sample_stack(
            *sx.estate(), sx.assignment("web", sx.OTHER_ID, _OWNER, sx.CI_PRINCIPAL),
            sx.assignment("sub", "/subscriptions/00000000-0000-0000-0000-000000000000", _OWNER, sx.CI_PRINCIPAL))),
        StackSample("the workspace identity's Contributor on its dependencies", sample_stack(
            *sx.estate(), sx.assignment("st-c", sx.STORAGE_ID, _CONTRIBUTOR, "from-output", depends_on={"principalId": ("id-aml",)}),
            sx.assignment("kv-c", sx.VAULT_ID, _CONTRIBUTOR, sx.UAI_PRINCIPAL))),
        StackSample("allowed principal and principal type", sample_stack(
            *sx.estate(), sx.assignment("admins", _RG_SCOPE, _OWNER, sx.CI_PRINCIPAL),
            sx.assignment("break-glass", sx.WS_ID, _UAA, sx.GROUP, "Group")),
            config={"allowedPrincipals": [sx.CI_PRINCIPAL.upper()], "allowedPrincipalTypes": ["Group"]}),
        StackSample("2.x assignments", sample_stack(
            *sx.estate(Provider.AN2),
            sx.assignment("ds", sx.WS_ID, "f6c7c914-8db3-469d-8ca1-694a8f32e121", sx.GROUP, "Group", provider=Provider.AN2))),
        StackSample("classic assignments", sample_stack(
            *sx.estate(Provider.CLASSIC),
            sx.assignment("ds", sx.WS_ID, "AzureML Data Scientist", sx.GROUP, "Group", provider=Provider.CLASSIC),
            sx.assignment("st-c", sx.STORAGE_ID, "Contributor", sx.UAI_PRINCIPAL, provider=Provider.CLASSIC))),
        StackSample("Owner on the workspace", sample_stack(
            *sx.estate(), sx.assignment("owner", sx.WS_ID.upper(), _OWNER, sx.CI_PRINCIPAL)),
            ("grants Owner (8e3af657-a8ff-443c-a75c-2fe8c4bcb635) to principal 44444444",)),
        StackSample("Contributor on the resource group, by property dependency", sample_stack(
            SampleResource("azure-native:resources:ResourceGroup", "rg", {"id": _RG_SCOPE, "name": "rg"}),
            SampleResource(t.WORKSPACE, "ws", {"id": p.UNKNOWN_STRING}, depends_on={"resourceGroupName": ("rg",)}),
            sx.assignment("rg-c", p.UNKNOWN_STRING, _CONTRIBUTOR, sx.GROUP, "Group", depends_on={"scope": ("rg",)})),
            ("grants Contributor (b24988ac-6180-42a0-ab88-20f7382dd24c) to principal 33333333",)),
        StackSample("role assigners on a dependency and an ML child resource", sample_stack(
            *sx.estate(), sx.assignment("uaa", f"{sx.STORAGE_ID}/blobServices/default/containers/data", _UAA, sx.GROUP, None),
            sx.assignment("rbac", f"{sx.WS_ID}/computes/cpu", _RBAC, sx.GROUP, "Group")),
            ("User Access Administrator", "Role Based Access Control Administrator")),
        StackSample("another identity's Contributor is not the workspace's", sample_stack(
            *sx.estate(), sx.assignment("st-c", sx.STORAGE_ID, _CONTRIBUTOR, sx.CI_PRINCIPAL)),
            ("(workspace dependency)",)),
        StackSample("unreadable role", sample_stack(
            *sx.estate(), sx.assignment("odd", sx.WS_ID, "not-a-guid", sx.GROUP, "Group", roleDefinitionId="Owner")),
            ("has roleDefinitionId (a string) naming no role, so it cannot be shown not privileged",)),
        StackSample("2.x Owner on the workspace", sample_stack(
            *sx.estate(Provider.AN2), sx.assignment("owner", sx.WS_ID, _OWNER, sx.CI_PRINCIPAL, provider=Provider.AN2)),
            ("grants Owner",)),
        StackSample("classic Owner by name on the storage account", sample_stack(
            *sx.estate(Provider.CLASSIC), sx.assignment("owner", sx.STORAGE_ID, "owner", sx.CI_PRINCIPAL,
                                                        provider=Provider.CLASSIC)),
            ("grants Owner (8e3af657-a8ff-443c-a75c-2fe8c4bcb635) to principal 44444444",)),
        StackSample("scope unknown and built from nothing", sample_stack(
            *sx.estate(), sx.assignment("later", p.UNKNOWN_STRING, _OWNER, sx.CI_PRINCIPAL)),
            unknown="scope=workspace.id"),
    ),
)
