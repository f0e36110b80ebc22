"""ml-identity-data-roles (stack rule): the managed identities of Azure ML resources hold only the roles
the config allows on the storage accounts and registries they read: data roles, not account keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import access as ra
from ..core.rule import SDK_ADVISORY, StackRule
from ..core.samples import SampleResource, StackSample, ml_id, sample_stack
from . import samples as sx
from .estate import all_hold
from .facts import WORKSPACE_CONTRIBUTOR, WORKSPACE_CONTRIBUTOR_NOTE, Facts, each_assignment, entries

_KEY_ROLE_NAMES = ", ".join(ra.ROLES[g] for g in sorted(ra.KEY_ROLES, key=lambda g: ra.ROLES[g]))
_BLOB_READER, _BLOB_CONTRIBUTOR, _ACR_PULL, _ACCOUNT_CONTRIBUTOR, _KEY_OPERATOR, _READER_AND_DATA = (
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab", "81a9662b-bebf-436f-a333-f67b29880f12", "c12c1c16-33a1-487b-954d-41c89c60f349")


def _data_scope(facts: Facts) -> bool:
    """A storage account or registry (or a scope below one); an absent scope cannot be shown not to be."""
    return bool(facts.target.data) or facts.target.kind == "absent"


def _wrong_role(facts: Facts, config: Mapping[str, Any]) -> bool:
    role = facts.role
    if role.readable and role.among(entries(config, "allowedRoles")):
        return False
    return not (role.readable and facts.workspace_contributor(config))


def _judge(facts: Facts, config: Mapping[str, Any]) -> str | None:
    if not all_hold(lambda: _data_scope(facts), lambda: bool(facts.served), lambda: _wrong_role(facts, config)):
        return None
    keys = " It reaches the data through the account keys or registry credentials." if (
        facts.role.guid in ra.KEY_ROLES) else ""
    return (f"The role assignment grants {facts.role_text()} to {facts.principal()} on {facts.where()}: an ML "
            "identity holds only the roles the config allows there (allowedRoles: the storage data roles, AcrPull, "
            f"AzureML Registry User).{keys}")


def _endpoint(name: str = "ep") -> SampleResource:
    return SampleResource(f"{t.ML}:OnlineEndpoint", name, {"id": ml_id("workspaces", "ws", "onlineEndpoints", name),
                                                         "identity": {"type": "SystemAssigned", "principalId": p.UNKNOWN_STRING}})


ml_identity_data_roles = StackRule(
    name="ml-identity-data-roles",
    title="ML identities use data roles on storage and registries",
    description="Azure ML managed identities hold only allowed data roles on storage and registries, not account-key roles.",
    details="Role assignments (azure-native authorization:RoleAssignment, 2.x and 3.x; classic "
    "azure:authorization/assignment:Assignment) whose principal is the managed identity of an Azure ML resource "
    "(a workspace, compute, endpoint or registry: its system-assigned identity, identity.principalId, or a "
    "user-assigned identity its identity or primaryUserAssignedIdentity names; linked by property dependency, "
    "principalId=identity.principal_id, or by the principal ids known after `pulumi up`) and whose scope is a storage "
    "account, a container registry or an Azure ML registry (or a scope below one, such as a blob container) must grant "
    "a role of allowedRoles, by default the storage data roles (blob, file privileged, queue, table; reader and "
    "contributor), AcrPull and AzureML Registry User. Account-key roles (" + _KEY_ROLE_NAMES + ") reach the data "
    f"without Entra ID and are named in the message. {WORKSPACE_CONTRIBUTOR_NOTE} A role that cannot be read "
    "(roleDefinitionId absent or not a role definition id) and an absent scope are reported. principalType is not "
    "read: the principal's link decides. A literal principal id that matches no known ML identity is not one (an "
    "identity declared in the stack has no principal id before it is created).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Grant the identity Storage Blob Data Reader or Contributor (Storage File Data Privileged "
    "Contributor for notebooks) on the storage account and AcrPull on the container registry, instead of Storage "
    "Account Contributor, Reader and Data Access or the key operator roles; disable shared key access on the account.",
    unknowns="During preview an unknown role, scope (not built from another resource) or principal id (not built "
    f"from another resource) decides nothing while another condition clears the assignment; otherwise it gets "
    f"{SDK_ADVISORY} (a violation under failClosed).",
    topics=("access-control", "identity", "data-access"),
    frameworks=(fw.MCSB_PA7, fw.MCSB_IM3),
    types=ra.TYPES,
    options=(
        strings("allowedRoles", list(ra.IDENTITY_DATA_ROLES),
                "Roles ML managed identities may hold on storage accounts and registries (role GUIDs, role definition "
                "ids or built-in role names)."),
        WORKSPACE_CONTRIBUTOR,
    ),
    check=each_assignment(_judge),
    samples=(
        StackSample("data roles for the workspace identity", sample_stack(
            *sx.estate(), sx.assignment("blob", f"{sx.STORAGE_ID}/blobServices/default/containers/data", _BLOB_READER,
                                        "from-output", depends_on={"principalId": ("id-aml",)}),
            sx.assignment("pull", sx.ACR_ID, _ACR_PULL, sx.WS_PRINCIPAL),
            sx.assignment("st-c", sx.STORAGE_ID, ra.CONTRIBUTOR, sx.UAI_PRINCIPAL))),
        StackSample("an endpoint identity, by property dependency", sample_stack(
            *sx.estate(), _endpoint(),
            sx.assignment("ep-blob", p.UNKNOWN_STRING, _BLOB_CONTRIBUTOR, p.UNKNOWN_STRING,
                          depends_on={"principalId": ("ep",), "scope": ("st",)}))),
        StackSample("other principals and scopes are not judged here", sample_stack(
            *sx.estate(), sx.assignment("ci", sx.STORAGE_ID, _ACCOUNT_CONTRIBUTOR, sx.CI_PRINCIPAL),
            sx.assignment("kv", sx.VAULT_ID, ra.CONTRIBUTOR, sx.WS_PRINCIPAL))),
        StackSample("2.x data role", sample_stack(
            *sx.estate(Provider.AN2),
            sx.assignment("blob", sx.STORAGE_ID, _BLOB_READER, "from-output", provider=Provider.AN2,
                          depends_on={"principalId": ("id-aml",)}))),
        StackSample("classic AcrPull by name", sample_stack(
            *sx.estate(Provider.CLASSIC),
            sx.assignment("pull", sx.ACR_ID, "AcrPull", sx.UAI_PRINCIPAL, provider=Provider.CLASSIC))),
        StackSample("Storage Account Contributor for the workspace identity", sample_stack(
            *sx.estate(), sx.assignment("keys", sx.STORAGE_ID, _ACCOUNT_CONTRIBUTOR, sx.UAI_PRINCIPAL)),
            ("grants Storage Account Contributor (17d1049b-9a84-46fb-8f53-869881c3d3ab) to principal "
             "11111111-1111-1111-1111-111111111111 (the managed identity of ws), principalType 'ServicePrincipal' on "
             "the storage account its scope names (workspace dependency): an ML identity holds only the roles the "
             "config allows there (allowedRoles: the storage data roles, AcrPull, AzureML Registry User). It reaches "
             "the data through the account keys",)),
        StackSample("the workspace Contributor exception switched off", sample_stack(
            *sx.estate(), sx.assignment("st-c", sx.STORAGE_ID, ra.CONTRIBUTOR, sx.UAI_PRINCIPAL)),
            ("grants Contributor",), config={"workspaceIdentityContributor": False}),
        StackSample("2.x Reader and Data Access", sample_stack(
            *sx.estate(Provider.AN2),
            sx.assignment("keys", sx.STORAGE_ID, _READER_AND_DATA, "from-output", provider=Provider.AN2,
                          depends_on={"principalId": ("ws",)})),
            ("grants Reader and Data Access",)),
        StackSample("classic key operator on the storage account", sample_stack(
            *sx.estate(Provider.CLASSIC),
            sx.assignment("keys", sx.STORAGE_ID, "Storage Account Key Operator Service Role", sx.UAI_PRINCIPAL,
                          provider=Provider.CLASSIC)),
            ("grants Storage Account Key Operator Service Role",)),
        StackSample("an endpoint identity with AcrPush", sample_stack(
            *sx.estate(), _endpoint(),
            sx.assignment("push", sx.ACR_ID, "8311e382-0749-4cb8-b61a-304f252e45ec", p.UNKNOWN_STRING,
                          depends_on={"principalId": ("ep",)})),
            ("grants AcrPush",)),
        StackSample("principal unknown and built from nothing", sample_stack(
            *sx.estate(), sx.assignment("later", sx.STORAGE_ID, _ACCOUNT_CONTRIBUTOR, p.UNKNOWN_STRING)),
            unknown="principal_id=identity.principal_id"),
    ),
)
