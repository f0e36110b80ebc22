"""ml-people-data-plane-roles (stack rule): users and groups get the Azure ML data-plane roles on the
ML estate (or roles the config allows), never a role the config denies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import access as ra
from ..core.rule import SDK_ADVISORY, StackRule
from ..core.samples import StackSample, sample_stack
from . import samples as sx
from .estate import all_hold
from .facts import Facts, each_assignment, entries

_DATA_SCIENTIST, _COMPUTE_OPERATOR, _READER = ("f6c7c914-8db3-469d-8ca1-694a8f32e121",
                                               "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
                                               "acdd72a7-3385-48ef-bd42-f606fba81ae7")
_BLOB_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
_DEFAULT_NAMES = ", ".join(ra.ROLES[g] for g in ra.ML_PEOPLE_ROLES)


def _person(facts: Facts) -> bool:
    """A user or group: principalType User, Group or ForeignGroup, absent (User, the API's default) or
    not one the API names (counted as a person: fail closed), and not an ML resource's identity."""
    kind, _ = ra.principal_type(facts.item.type, facts.item.props)
    return kind != "ServicePrincipal" and not facts.served


def _wrong_role(facts: Facts, config: Mapping[str, Any]) -> bool:
    role = facts.role
    if not role.readable or role.among(entries(config, "deniedRoles")):
        return True
    return not role.among(entries(config, "allowedRoles"))


def _judge(facts: Facts, config: Mapping[str, Any]) -> str | None:
    if not all_hold(lambda: _wrong_role(facts, config), lambda: _person(facts), lambda: facts.target.in_estate):
        return None
    denied = facts.role.readable and facts.role.among(entries(config, "deniedRoles"))
    why = "a role the config denies (deniedRoles)" if denied else (
        "not an Azure ML data-plane role (allowedRoles)" if facts.role.readable else "no role that can be read")
    return (f"The role assignment grants {facts.role_text()} to {facts.principal()} on {facts.where()}: {why}; "
            f"people get the Azure ML data-plane roles ({_DEFAULT_NAMES}) or the roles the config allows.")


ml_people_data_plane_roles = StackRule(
    name="ml-people-data-plane-roles",
    title="People get Azure ML data-plane roles",
    description="Users and groups on Azure ML resources, their dependencies or resource group get the ML data-plane roles.",
    details="Role assignments (azure-native authorization:RoleAssignment, 2.x and 3.x; classic "
    "azure:authorization/assignment:Assignment) to users and groups (principalType User, Group or ForeignGroup) on "
    "the ML estate (as ml-no-privileged-roles links it: an Azure ML resource, a resource a workspace depends on, or "
    "their resource group) must grant a role of allowedRoles, by default the Azure ML data-plane roles of Azure's "
    f"built-in list ({_DEFAULT_NAMES}); a role of deniedRoles is reported even when allowedRoles lists it. Entries are "
    "role GUIDs, role definition ids or built-in role names. An absent principalType is User (the API's default; the "
    "classic provider looks it up at `pulumi up`, which the pack cannot, so absent counts as User there too); a type "
    "the API does not name counts as a person (fail closed); a principal that is an ML resource's managed identity "
    "is left to ml-identity-data-roles. A role that cannot be read (roleDefinitionId absent or not a role definition "
    "id) is reported. Service principals are not judged here (ml-no-privileged-roles still is).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Grant people AzureML Data Scientist (or AzureML Compute Operator, AzureML Registry User) on the "
    "workspace or registry instead of Reader, Contributor or storage roles; Reader lists datastore credentials. Add a "
    "role the team needs to allowedRoles, or forbid one outright with deniedRoles.",
    unknowns="During preview an unknown role, principal type, principal id (not built from another resource) or scope "
    f"(not built from another resource) decides nothing while another condition clears the assignment; otherwise it "
    f"gets {SDK_ADVISORY} (a violation under failClosed).",
    topics=("access-control", "identity"),
    frameworks=(fw.MCSB_PA7,),
    types=ra.TYPES,
    options=(
        strings("allowedRoles", list(ra.ML_PEOPLE_ROLES),
                "Roles users and groups may hold on the ML estate (role GUIDs, role definition ids or built-in role names)."),
        strings("deniedRoles", [], "Roles users and groups may never hold on the ML estate, even if allowedRoles lists them."),
    ),
    check=each_assignment(_judge),
    samples=(
        StackSample("data scientists and compute operators", sample_stack(
            *sx.estate(), sx.assignment("ds", sx.WS_ID, _DATA_SCIENTIST, sx.GROUP, "Group"),
            sx.assignment("ops", sx.WS_ID, _COMPUTE_OPERATOR, sx.GROUP, None))),
        StackSample("service principals and identities are not judged here", sample_stack(
            *sx.estate(), sx.assignment("ci", sx.WS_ID, _READER, sx.CI_PRINCIPAL),
            sx.assignment("mi", sx.STORAGE_ID, _BLOB_READER, sx.UAI_PRINCIPAL, None))),
        StackSample("outside the estate", sample_stack(
            *sx.estate(), sx.assignment("web", sx.OTHER_ID, _READER, sx.GROUP, "Group"))),
        StackSample("a role the config allows", sample_stack(
            *sx.estate(), sx.assignment("read", sx.STORAGE_ID, _BLOB_READER, sx.GROUP, "User")),
            config={"allowedRoles": [*ra.ML_PEOPLE_ROLES, "Storage Blob Data Reader"]}),
        StackSample("2.x data scientists", sample_stack(
            *sx.estate(Provider.AN2), sx.assignment("ds", sx.WS_ID, _DATA_SCIENTIST, sx.GROUP, "Group", provider=Provider.AN2))),
        StackSample("classic data scientists by name", sample_stack(
            *sx.estate(Provider.CLASSIC),
            sx.assignment("ds", sx.WS_ID, "azureml data scientist", sx.GROUP, "Group", provider=Provider.CLASSIC))),
        StackSample("Reader for a group on the workspace", sample_stack(
            *sx.estate(), sx.assignment("read", sx.WS_ID, _READER, sx.GROUP, "Group")),
            ("grants Reader (acdd72a7-3385-48ef-bd42-f606fba81ae7) to principal 33333333-3333-3333-3333-333333333333, "
             "principalType 'Group' on the Azure ML resource its scope names (ML resource): not an Azure ML data-plane role",)),
        StackSample("absent principal type counts as a user", sample_stack(
            *sx.estate(), sx.assignment("blob", sx.STORAGE_ID, _BLOB_READER, sx.GROUP, None)),
            ("principalType absent (counted as User, the API's default)",)),
        StackSample("denied wins over allowed", sample_stack(
            *sx.estate(), sx.assignment("ops", sx.WS_ID, _COMPUTE_OPERATOR, sx.GROUP, "Group")),
            ("a role the config denies (deniedRoles)",), config={"deniedRoles": ["AzureML Compute Operator"]}),
        StackSample("2.x Contributor for a user", sample_stack(
            *sx.estate(Provider.AN2), sx.assignment("c", sx.WS_ID, ra.CONTRIBUTOR, sx.GROUP, "User", provider=Provider.AN2)),
            ("grants Contributor",)),
        StackSample("classic Storage Blob Data Contributor for a group", sample_stack(
            *sx.estate(Provider.CLASSIC),
            sx.assignment("blob", sx.STORAGE_ID, "Storage Blob Data Contributor", sx.GROUP, "Group", provider=Provider.CLASSIC)),
            ("grants Storage Blob Data Contributor (ba92f5b4-2d11-453d-a403-e96b0029c9fe)",)),
        StackSample("role unknown for a group on the workspace", sample_stack(
            *sx.estate(), sx.assignment("later", sx.WS_ID, p.UNKNOWN_STRING, sx.GROUP, "Group")),
            unknown="roleDefinitionId"),
    ),
)
