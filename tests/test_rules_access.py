"""The access rules where a value is absent or unknown: what each decides, and that an unknown
decides only when no known value clears the assignment (the samples cover the known cases)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies.access import identities, people, privileged
from policies.access import samples as sx
from policies.core import props as p
from policies.core import types as t
from policies.core.linking import Unlinked
from policies.core.providers import Provider
from policies.core.resources import access as ra
from policies.core.rule import StackRule
from policies.core.samples import SAMPLE_GROUP_ID, SampleResource, sample_stack
from policies.core.stack import UnknownItems
from tests.sdk import run_stack

PRIVILEGED = privileged.ml_no_privileged_roles
PEOPLE = people.ml_people_data_plane_roles
IDENTITY = identities.ml_identity_data_roles
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121"
ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
UNKNOWN = p.UNKNOWN_STRING


def outcome(rule: StackRule, *resources: SampleResource, config: dict[str, Any] | None = None) -> tuple[list[str], str]:
    """(violation messages, the unknown-value message raised after them, or "")."""
    found: list[tuple[str, str | None]] = []
    try:
        run_stack(rule, sample_stack(*sx.estate(), *resources), config, found)
    except UnknownValueError as exc:
        return [m for m, _ in found], exc.message
    return [m for m, _ in found], ""


@pytest.mark.parametrize("value", [
    "/providers/Microsoft.Authorization/roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635",
    "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/",
    "/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleDefinitions/"
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    " 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 ",
])
def test_a_role_definition_id_is_read_in_every_form(value: str) -> None:
    assert ra.role_guid(value) == ra.OWNER


@pytest.mark.parametrize("value", ["Owner", "", "/roleDefinitions/not-a-guid", 3.0, None])
def test_what_is_no_role_definition_id(value: Any) -> None:
    assert ra.role_guid(value) is None


def test_config_entries_are_guids_ids_or_built_in_names() -> None:
    entries = ra.role_entries(["AzureML Data Scientist", sx.role_id(READER), "AcrPULL", "My Custom Role", 3])
    assert {DATA_SCIENTIST, READER, "7f951dda-4ed3-4680-a7ca-43fe172d538d", "my custom role"} <= entries


# --- ml-no-privileged-roles -------------------------------------------------------------------------


def test_unknown_role_on_the_estate_gives_the_advisory_and_fails_closed_when_asked() -> None:
    later = sx.assignment("later", sx.WS_ID, UNKNOWN, sx.CI_PRINCIPAL)
    assert outcome(PRIVILEGED, later) == ([], "string value at .roleDefinitionId can't be known during preview")
    messages, unknown = outcome(PRIVILEGED, later, config={"failClosed": True})
    assert unknown == "" and len(messages) == 1
    assert messages[0].startswith("roleDefinitionId is unknown during preview and this rule fails closed")


def test_unknown_role_is_cleared_by_a_scope_outside_the_estate() -> None:
    assert outcome(PRIVILEGED, sx.assignment("web", sx.OTHER_ID, UNKNOWN, sx.CI_PRINCIPAL)) == ([], "")


def test_unknown_scope_is_cleared_by_a_known_role_that_is_not_privileged() -> None:
    assert outcome(PRIVILEGED, sx.assignment("ds", UNKNOWN, DATA_SCIENTIST, sx.GROUP, "Group")) == ([], "")


def test_unknown_scope_under_fail_closed_says_how_to_link_it() -> None:
    messages, _ = outcome(PRIVILEGED, sx.assignment("later", UNKNOWN, ra.OWNER, sx.CI_PRINCIPAL), config={"failClosed": True})
    assert len(messages) == 1 and "the link is unknown during preview and this rule fails closed" in messages[0]
    assert "scope=workspace.id" in messages[0]


def test_absent_role_and_absent_scope_are_reported() -> None:
    no_role = SampleResource(ra.ROLE_ASSIGNMENT, "no-role", {"scope": sx.WS_ID, "principalId": sx.GROUP})
    no_scope = SampleResource(ra.ROLE_ASSIGNMENT, "no-scope", {"roleDefinitionId": sx.role_id(ra.OWNER),
                                                              "principalId": sx.GROUP})
    messages, unknown = outcome(PRIVILEGED, no_role, no_scope)
    assert unknown == "" and len(messages) == 2
    assert any("has no role (roleDefinitionId absent), so it cannot be shown not privileged" in m for m in messages)
    assert any("grants Owner" in m and "scope absent" in m for m in messages)


def test_unknown_principal_type_matters_only_when_types_are_allowed() -> None:
    owner = sx.assignment("owner", sx.WS_ID, ra.OWNER, sx.GROUP, UNKNOWN)
    messages, unknown = outcome(PRIVILEGED, owner)
    assert len(messages) == 1 and "principalType unknown" in messages[0] and unknown == ""
    assert outcome(PRIVILEGED, owner, config={"allowedPrincipalTypes": ["Group"]}) == (
        [], "string value at .principalType can't be known during preview")


def test_an_unknown_principal_does_not_hold_back_a_privileged_role() -> None:
    messages, unknown = outcome(PRIVILEGED, sx.assignment("owner", sx.WS_ID, ra.OWNER, UNKNOWN))
    assert unknown == "" and len(messages) == 1 and "grants Owner (8e3af657-a8ff-443c-a75c-2fe8c4bcb635) to the principal" in messages[0]


def test_resource_group_scope_by_id_and_while_ids_are_unknown() -> None:
    owner = sx.assignment("owner", SAMPLE_GROUP_ID.upper(), ra.OWNER, sx.CI_PRINCIPAL)
    messages, _ = outcome(PRIVILEGED, owner)
    assert len(messages) == 1 and "(resource group)" in messages[0]
    found: list[tuple[str, str | None]] = []
    with pytest.raises(UnknownItems) as raised:  # each unknown with its resource (judge_each)
        run_stack(PRIVILEGED, sample_stack(SampleResource(t.WORKSPACE, "ws", {"id": UNKNOWN}), owner), None, found)
    assert [type(e) for _, e in raised.value.found] == [Unlinked]
    assert "the resource group scope cannot be matched to the ML estate yet" in raised.value.message and found == []


def test_subscription_and_management_group_scopes_are_not_judged() -> None:
    scopes = ["/subscriptions/00000000-0000-0000-0000-000000000000", "/providers/Microsoft.Management/managementGroups/mg"]
    assert outcome(PRIVILEGED, *(sx.assignment(f"s{i}", s, ra.OWNER, sx.CI_PRINCIPAL) for i, s in enumerate(scopes))) == ([], "")


# --- ml-people-data-plane-roles ---------------------------------------------------------------------


def test_unknown_principal_type_is_cleared_by_an_allowed_role() -> None:
    assert outcome(PEOPLE, sx.assignment("ds", sx.WS_ID, DATA_SCIENTIST, sx.GROUP, UNKNOWN)) == ([], "")
    assert outcome(PEOPLE, sx.assignment("read", sx.WS_ID, READER, sx.GROUP, UNKNOWN)) == (
        [], "string value at .principalType can't be known during preview")


def test_a_principal_type_the_api_does_not_name_counts_as_a_person() -> None:
    messages, _ = outcome(PEOPLE, sx.assignment("read", sx.WS_ID, READER, sx.GROUP, "Device"))
    assert len(messages) == 1 and "principalType a value outside the known set (not shown)" in messages[0]


def test_classic_absent_principal_type_counts_as_a_user() -> None:
    found = run_stack(PEOPLE, sample_stack(*sx.estate(Provider.CLASSIC),
                                           sx.assignment("read", sx.WS_ID, "Reader", sx.GROUP, None, provider=Provider.CLASSIC)))
    assert len(found) == 1 and "principalType absent (counted as User" in found[0][0]


def test_an_ml_identity_without_principal_type_is_left_to_the_identity_rule() -> None:
    assert outcome(PEOPLE, sx.assignment("mi", sx.STORAGE_ID, ACCOUNT_CONTRIBUTOR, sx.UAI_PRINCIPAL, None)) == ([], "")


# --- ml-identity-data-roles -------------------------------------------------------------------------


def test_unknown_principal_is_cleared_by_an_allowed_role_or_a_scope_that_holds_no_data() -> None:
    blob = sx.assignment("blob", sx.STORAGE_ID, "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", UNKNOWN)
    vault = sx.assignment("kv", sx.VAULT_ID, ACCOUNT_CONTRIBUTOR, UNKNOWN)
    assert outcome(IDENTITY, blob, vault) == ([], "")


def test_a_literal_principal_that_is_no_known_identity_is_not_one() -> None:
    assert outcome(IDENTITY, sx.assignment("keys", sx.STORAGE_ID, ACCOUNT_CONTRIBUTOR, sx.CI_PRINCIPAL)) == ([], "")


def test_unknown_role_for_an_identity_on_storage_gives_the_advisory() -> None:
    later = sx.assignment("later", sx.STORAGE_ID, UNKNOWN, sx.UAI_PRINCIPAL)
    assert outcome(IDENTITY, later) == ([], "string value at .roleDefinitionId can't be known during preview")
    messages, _ = outcome(IDENTITY, later, config={"failClosed": True})
    assert len(messages) == 1 and "fails closed" in messages[0]


def test_absent_scope_for_an_identity_is_reported() -> None:
    bare = SampleResource(ra.ROLE_ASSIGNMENT, "bare", {"roleDefinitionId": sx.role_id(ACCOUNT_CONTRIBUTOR),
                                                      "principalId": sx.UAI_PRINCIPAL})
    messages, unknown = outcome(IDENTITY, bare)
    assert unknown == "" and len(messages) == 1 and "scope absent" in messages[0]


def test_the_catalogue_names_the_assignment_types_each_provider_has() -> None:
    from policies import catalogue

    lines = catalogue.coverage_lines(PRIVILEGED)
    assert lines[:3] == ["- azure-native 3.x: `azure-native:authorization:RoleAssignment`",
                         "- azure-native 2.x: `azure-native:authorization:RoleAssignment`",
                         "- pulumi-azure 6.x (classic): `azure:authorization/assignment:Assignment`"]
