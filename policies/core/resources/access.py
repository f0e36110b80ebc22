"""Role assignments, and the built-in roles the access rules name, in every provider's shape.

Role assignments: azure-native ``authorization:RoleAssignment`` (3.x; 2.x's default module and its
versioned modules v20171001preview, v20200301preview, v20200401preview, v20220401) and the classic
``azure:authorization/assignment:Assignment`` (pulumi-azure 6.x). Their inputs and outputs are flat,
with the same names in 2.x and 3.x (read from pulumi-azure-native 3.29 and 2.92.3): ``scope``,
``roleDefinitionId``, ``principalId``, ``principalType``; v20171001preview has no ``principalType``.
The classic provider also takes ``roleDefinitionName`` (a built-in role's name; "Either
role_definition_id or role_definition_name must be set", its docstring) and fills the other at
``pulumi up``.

Role GUIDs and names: Azure's published built-in roles list (learn.microsoft.com/azure/role-based-access-control/built-in-roles,
MicrosoftDocs/azure-docs ``articles/role-based-access-control/built-in-roles.md``, 2026-04-09).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from .. import props as p
from .. import types as t
from ..messages import quote_known
from ..shape import Default, Only, Setting, read

ROLE_ASSIGNMENT: Final = "azure-native:authorization:RoleAssignment"
CLASSIC_ROLE_ASSIGNMENT: Final = "azure:authorization/assignment:Assignment"
TYPES: Final = (ROLE_ASSIGNMENT, CLASSIC_ROLE_ASSIGNMENT)

SCOPE: Final = Setting("scope", classic="scope")
ROLE_ID: Final = Setting("roleDefinitionId", classic="roleDefinitionId")
ROLE_NAME: Final = Setting(None, classic="roleDefinitionName")
PRINCIPAL_ID: Final = Setting("principalId", classic="principalId")
PRINCIPAL_TYPE: Final = Setting(
    "principalType", classic="principalType",
    only=Only(frozenset({"v20200301preview", "v20200401preview", "v20220401"}),
              "use azure-native 3.x or the 2.x module v20220401", in_default_module=True),
    default=Default("User", "the Azure authorization REST API (2022-04-01) gives principalType the default User"))
PRINCIPAL_TYPES: Final = ("User", "Group", "ServicePrincipal", "ForeignGroup")  # the API's enum (modelAsString)

# Resources an identity can belong to: user-assigned identities (azure-native, classic and its
# older alias) are linked to the ML resources that list them.
USER_IDENTITY_TYPES: Final = ("azure-native:managedidentity:UserAssignedIdentity",
                              "azure:authorization/userAssignedIdentity:UserAssignedIdentity",
                              "azure:msi/userAssignedIdentity:UserAssignedIdentity")
UAI_PRINCIPAL: Final = "principalId"  # a user-assigned identity's output, the same in every provider
ML_PRINCIPAL: Final = Setting("identity.principalId", classic="identity.principalId")  # a system-assigned identity
ML_IDENTITY_INPUTS: Final = ("identity", "primaryUserAssignedIdentity")  # the inputs that name an ML resource's identities
RESOURCE_GROUP_TYPES: Final = ("azure-native:resources:ResourceGroup", "azure:core/resourceGroup:ResourceGroup")
RESOURCE_GROUP_INPUT: Final = "resourceGroupName"

# What a workspace depends on: azure-native inputs (2.x and 3.x) and classic ``*Id`` properties.
WORKSPACE_DEPENDENCIES: Final = (
    Setting("storageAccount", classic="storageAccountId"), Setting("keyVault", classic="keyVaultId"),
    Setting("containerRegistry", classic="containerRegistryId"),
    Setting("applicationInsights", classic="applicationInsightsId"),
)

# The built-in roles the rules and their defaults name: GUID -> exact name in Azure's list.
ROLES: Final[Mapping[str, str]] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "f6c7c914-8db3-469d-8ca1-694a8f32e121": "AzureML Data Scientist",
    "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815": "AzureML Compute Operator",
    "1823dd4f-9b8c-4ab6-ab4e-7397a3684615": "AzureML Registry User",
    "635dd51f-9968-44d3-b7fb-6d9a6bd613ae": "AzureML Metrics Writer (preview)",
    "64702f94-c441-49e6-a78b-ef80e0188fee": "Azure AI Developer",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "b8eda974-7b85-4f76-af95-65846b26df6d": "Storage File Data Privileged Reader",
    "69566ab7-960f-475b-8e7c-b3118f30c6bd": "Storage File Data Privileged Contributor",
    "19e7f393-937e-4f77-808e-94535e297925": "Storage Queue Data Reader",
    "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
    "76199698-9eea-4c19-bc75-cec21354c6b6": "Storage Table Data Reader",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
    "81a9662b-bebf-436f-a333-f67b29880f12": "Storage Account Key Operator Service Role",
    "c12c1c16-33a1-487b-954d-41c89c60f349": "Reader and Data Access",
    "985d6b00-f706-48f5-a6fe-d0ca12fb668d": "Classic Storage Account Key Operator Service Role",
    "92b92042-07d9-4307-87f7-36a593fc5850": "Azure File Sync Administrator",
    "7f951dda-4ed3-4680-a7ca-43fe172d538d": "AcrPull",
    "8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
    "3bc748fc-213d-45c1-8d91-9da5725539b9": "Container Registry Contributor and Data Access Configuration Administrator",
    "69b07be0-09bf-439a-b9a6-e73de851bd59": "Container Registry Configuration Reader and Data Access Configuration Reader",
}
_BY_NAME: Final = {name.lower(): guid for guid, name in ROLES.items()}
OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR = (
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168")
# Owner, Contributor and the two roles that assign roles: the built-in list's "Privileged" section
# (less Reservations Administrator, which reaches no ML resource).
PRIVILEGED: Final = frozenset({OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR, RBAC_ADMINISTRATOR})
# Roles the built-in list describes as reaching storage data through the account keys, or registry
# data through admin credentials: the ones a data role replaces.
KEY_ROLES: Final = frozenset({
    "17d1049b-9a84-46fb-8f53-869881c3d3ab", "81a9662b-bebf-436f-a333-f67b29880f12",
    "c12c1c16-33a1-487b-954d-41c89c60f349", "985d6b00-f706-48f5-a6fe-d0ca12fb668d",
    "92b92042-07d9-4307-87f7-36a593fc5850", "3bc748fc-213d-45c1-8d91-9da5725539b9",
    "69b07be0-09bf-439a-b9a6-e73de851bd59",
})
# The Azure ML data-plane roles people get (the list's "AI + machine learning" section).
ML_PEOPLE_ROLES: Final = ("f6c7c914-8db3-469d-8ca1-694a8f32e121", "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815",
                          "1823dd4f-9b8c-4ab6-ab4e-7397a3684615", "635dd51f-9968-44d3-b7fb-6d9a6bd613ae",
                          "64702f94-c441-49e6-a78b-ef80e0188fee")
# What a job's identity needs on the storage and registries it reads: the storage data roles, AcrPull,
# and AzureML Registry User on an Azure ML registry.
IDENTITY_DATA_ROLES: Final = ("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
                              "b8eda974-7b85-4f76-af95-65846b26df6d", "69566ab7-960f-475b-8e7c-b3118f30c6bd",
                              "19e7f393-937e-4f77-808e-94535e297925", "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
                              "76199698-9eea-4c19-bc75-cec21354c6b6", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
                              "7f951dda-4ed3-4680-a7ca-43fe172d538d", "1823dd4f-9b8c-4ab6-ab4e-7397a3684615")

_GUID: Final = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_ROLE_ID: Final = re.compile(rf"^(?:.*/roledefinitions/)?({_GUID})/?$", re.IGNORECASE)


@dataclass(frozen=True)
class Role:
    """The role an assignment grants, as far as it can be read: its GUID (lower case) and/or its name;
    both None when the assignment names no role, or names one in a form no role id has."""

    guid: str | None
    name: str | None
    path: str  # where it was read
    written: str = ""  # the type of the value (never the value), when it could not be read as a role

    @property
    def readable(self) -> bool:
        return self.guid is not None or self.name is not None

    def label(self) -> str:
        if self.guid is not None:
            return f"{ROLES[self.guid]} ({self.guid})" if self.guid in ROLES else f"role {self.guid}"
        if self.name is not None:
            return f"{self.path} naming no built-in role the pack knows (not shown)"
        return "no role"

    def among(self, entries: frozenset[str]) -> bool:
        """Whether the role is one of ``entries`` (``role_entries``: GUIDs and lower-case names)."""
        return (self.guid is not None and self.guid in entries) or (self.name is not None and self.name.lower() in entries)


def role_guid(value: Any) -> str | None:
    """The GUID of a role definition id in any of its forms: the tenant-level and
    subscription-scoped ids (``.../providers/Microsoft.Authorization/roleDefinitions/<guid>``, the
    last segment, case-insensitively) or a bare GUID."""
    match = _ROLE_ID.match(value.strip()) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def role_entries(values: Iterable[Any]) -> frozenset[str]:
    """Config entries (role GUIDs, role definition ids or built-in role names) as GUIDs and lower-case names."""
    found: set[str] = set()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        guid = role_guid(value) or _BY_NAME.get(value.strip().lower())
        found.add(guid if guid else value.strip().lower())
        if guid and guid in ROLES:
            found.add(ROLES[guid].lower())
    return frozenset(found)


def read_role(token: str, props: Any) -> Role:
    """The role an assignment grants; raises ``UnknownValueError`` when the value that names it is
    unknown (during preview). The classic provider's role name wins: its role id is filled from it
    at ``pulumi up``."""
    name = read(token, props, ROLE_NAME)
    if name is not None and isinstance(name.raw, str) and name.raw.strip():
        return Role(_BY_NAME.get(name.raw.strip().lower()), name.raw.strip(), name.path)
    reading = read(token, props, ROLE_ID)
    if reading is None or reading.absent:
        return Role(None, None, (reading.path if reading else "roleDefinitionId"))
    guid = role_guid(reading.raw)
    return Role(guid, None, reading.path, "" if guid else p.type_name(reading.raw))


def principal_type(token: str, props: Any) -> tuple[str | None, str]:
    """(the principal type in the API's spelling, or None when not recognised, what the message says
    of it). Absent means User (the API's default) for azure-native; the classic provider looks it up
    at ``pulumi up``, which the pack cannot, so absent counts as User there too. Raises
    ``UnknownValueError`` when unknown (during preview)."""
    reading = read(token, props, PRINCIPAL_TYPE)
    if reading is None or reading.absent:
        where = reading.path if reading else "principalType"
        return "User", f"{where} absent (counted as User, the API's default)"
    value = reading.raw
    if isinstance(value, str):
        known = next((kind for kind in PRINCIPAL_TYPES if kind.lower() == value.strip().lower()), None)
        return known, f"{reading.path} {quote_known(value, PRINCIPAL_TYPES)}"
    return None, f"{reading.path} a {p.type_name(value)}"


def module_of(token: str) -> str:
    """The provider module of a type token: ``storage`` (azure-native) or ``storage/account`` (classic)."""
    canonical = t.canonical(token)
    return canonical.split(":", 2)[1] if canonical.count(":") >= 2 else ""
