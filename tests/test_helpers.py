"""The core every rule relies on (policies/core/): property reading, type tokens, references,
credentials, durations and counts."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import Secret
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.core import props as p
from policies.core import types as t
from policies.core.checks import count_at_most
from policies.core.credentials import credential_name_reason, credential_value_reason
from policies.core.durations import iso_duration_seconds, parse_duration
from policies.core.refs import parse_ref
from policies.core.shape import Setting, read
from tests.captures import secret


@pytest.mark.parametrize("bag", [
    {"sku": {"name": "Basic"}},
    {"Sku": {"Name": "Basic"}},
    {"sku": secret({"name": "Basic"})},
    {"sku": {"name": Secret("Basic")}},
])
def test_get_reads_any_spelling_and_unwraps_secrets(bag: dict) -> None:
    assert p.get(bag, "sku.name") == "Basic"
    assert p.get_str(bag, "sku.name") == "Basic"


def test_snake_case_keys_match_camel_case_paths() -> None:
    bag = {"properties": {"compute_type": "AmlCompute", "scale_settings": {"max_node_count": 4.0}}}
    assert p.get_str(bag, "properties.computeType") == "AmlCompute"
    assert p.get_number(bag, "properties.scaleSettings.maxNodeCount") == 4.0


@pytest.mark.parametrize(("value", "number", "boolean"), [
    (3.0, 3.0, None), (3, 3.0, None), ("7", 7.0, None), (True, None, True), ("false", None, False),
    ("yes", None, None), (None, None, None), ([], None, None),
])
def test_typed_getters_tolerate_wrong_types(value: object, number: float | None, boolean: bool | None) -> None:
    assert p.get_number({"v": value}, "v") == number
    assert p.get_bool({"v": value}, "v") == boolean


def test_missing_is_distinct_from_null() -> None:
    assert p.get({}, "a.b") is p.MISSING
    assert p.get({"a": None}, "a") is None
    assert p.get({"a": "text"}, "a.b") is p.MISSING  # a non-mapping on the way


@pytest.mark.parametrize("through_sdk", [False, True])
def test_unknowns_raise_the_sdk_error_with_the_path(through_sdk: bool) -> None:
    raw = {"identity": {"type": p.UNKNOWN_STRING}, "ids": ["a", p.UNKNOWN_STRING]}
    bag = unknown_checking_proxy(deserialize_properties(raw)) if through_sdk else raw
    with pytest.raises(UnknownValueError) as caught:
        p.get(bag, "identity.type")
    assert caught.value.props == ["identity", "type"]
    with pytest.raises(UnknownValueError):
        p.elements(p.get_list(bag, "ids") or [], "ids")
    nodes = dict(p.walk(bag))
    assert p.is_unknown(nodes[("identity", "type")])


def test_plain_copy_and_set_path_keep_spelling_and_secrets() -> None:
    bag = {"properties": {"disable_local_auth": False, "secretThing": Secret("x")}}
    copy = p.plain_copy(bag)
    p.set_path(copy, "properties.disableLocalAuth", True)
    assert copy["properties"]["disable_local_auth"] is True
    assert isinstance(copy["properties"]["secretThing"], Secret)
    assert bag["properties"]["disable_local_auth"] is False


@pytest.mark.parametrize(("token", "canonical", "version"), [
    ("azure-native:machinelearningservices:Workspace", "azure-native:machinelearningservices:Workspace", None),
    ("azure-native:machinelearningservices/v20240401:Workspace", "azure-native:machinelearningservices:Workspace", "v20240401"),
    ("azure-native:machinelearningservices/v20230401preview:Job", "azure-native:machinelearningservices:Job", "v20230401preview"),
    ("azure:machinelearning/workspace:Workspace", "azure:machinelearning/workspace:Workspace", None),
])
def test_type_tokens(token: str, canonical: str, version: str | None) -> None:
    assert t.canonical(token) == canonical
    assert t.api_version(token) == version
    assert t.matches(token, (t.ALL_ML,)) == token.startswith("azure-native:machinelearningservices")


@pytest.mark.parametrize("ref", [
    "azureml:transactions:1",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/data/d/versions/2",
    "azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/codes/c/versions/1",
    "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/environments/e/versions/3",
    "azureml://locations/westeurope/workspaces/abc/models/m/versions/4",
    "azureml://registries/shared/components/train/versions/5",
])
def test_pinned_references(ref: str) -> None:
    assert parse_ref(ref).pinned, parse_ref(ref)


@pytest.mark.parametrize(("ref", "problem"), [
    ("", "is empty"), ("   ", "is empty"),
    ("azureml:transactions:latest", "'latest'"), ("azureml:transactions:LATEST", "'latest'"),
    ("azureml:transactions@latest", "label"), ("azureml:transactions@prod", "label"),
    ("azureml:transactions", "no version"),
    ("azureml://registries/shared/models/m/labels/latest", "label"),
    ("azureml://registries/shared/models/m", "no version"),
    ("azureml://datastores/workspaceblobstore/paths/data/", "storage or datastore path"),
    ("https://acct.blob.core.windows.net/c/d.csv", "storage or datastore path"),
    ("abfss://c@acct.dfs.core.windows.net/d", "storage or datastore path"),
    ("wasbs://c@acct.blob.core.windows.net/d", "storage or datastore path"),
    ("transactions", "not a recognised"),
])
def test_unpinned_references(ref: str, problem: str) -> None:
    parsed = parse_ref(ref)
    assert not parsed.pinned and problem in (parsed.problem or "")


@pytest.mark.parametrize("name", ["primaryKey", "workspace_primary_key", "storageConnectionString", "adminPassword",
                                  "sasToken", "apiKeys", "client_secret", "sasUrl", "dbPasswordValue", "storagekey"])
def test_credential_names(name: str) -> None:
    assert credential_name_reason(name)


@pytest.mark.parametrize("name", ["keyVaultName", "keyVaultUri", "tokenEndpointUrl", "keyId", "sshPublicKey",
                                  "partitionKey", "secretName", "resource_group", "monkey", "workspaceId"])
def test_innocent_names(name: str) -> None:
    assert credential_name_reason(name) is None


@pytest.mark.parametrize("value", [
    "Zm9v" * 21 + "Ym==",
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abcdef;EndpointSuffix=core.windows.net",
    "Server=tcp:x.database.windows.net;Database=d;User ID=u;Password=p4ss;",
    "https://a.blob.core.windows.net/c?sv=2022-11-02&se=2030-01-01&sp=r&sig=abcdefghijklmnopqrstuvwx%3D",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "-----BEGIN PRIVATE KEY-----\nMIIEvQ...",
    f"az storage blob download --account-key {'Zm9v' * 21 + 'Ym=='} --name x",
    f"https://acct.blob.core.windows.net/c/t.csv?AccountKey={'Zm9v' * 21 + 'Ym=='}",
    "https://acct.blob.core.windows.net/c/t.csv?x=1&Password=hunter22",
])
def test_credential_values(value: str) -> None:
    assert credential_value_reason(value)


@pytest.mark.parametrize("value", ["westeurope", "https://kv.vault.azure.net/", "azureml:transactions:1",
                                   "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"])
def test_innocent_values(value: str) -> None:
    assert credential_value_reason(value) is None


@pytest.mark.parametrize(("value", "seconds"), [
    ("PT2H", 7200.0), ("P1DT2H", 93600.0), ("pt30m", 1800.0), ("PT0.5H", 1800.0), ("PT1,5S", 1.5), ("P1W", 604800.0),
    ("P1D", 86400.0), (3600, 3600.0), (7200.0, 7200.0), ("3600", 3600.0), (" PT1H ", 3600.0),
    ("P1M", None), ("P1Y", None), ("PT", None), ("P", None), ("P1DT", None), ("2 hours", None), ("", None),
    (-5, None), ("-PT1H", None), (True, None), (None, None), ({"h": 1}, None), ("1.02:00:00", None),
])
def test_parse_duration(value: Any, seconds: float | None) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT15M", 900), ("PT1H30M", 5400), ("P1D", 86400), ("PT120S", 120), ("pt120s", 120), ("PT0.5H", 1800),
    ("PT1,5M", 90), ("P1W", 604800), ("P1DT2H", 93600), ("PT0S", 0), (" PT1H ", 3600), ("P0DT0H20M0S", 1200),
])
def test_iso_duration_seconds(text: str, seconds: float) -> None:
    assert iso_duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "P1Y", "P1M", "15M", "PT5", "-PT5M", "PT1H 30M", "1:00:00",
                                  "PT1M1H", "P1.5.2D"])
def test_duration_seconds_rejects(text: str) -> None:
    assert iso_duration_seconds(text) is None


@pytest.mark.parametrize(("value", "expected"), [
    (4, []), (4.0, []), ("4", []), (0, []), (5, ["exceeds the limit of 4 nodes (maxNodes)"]),
    (2.5, ["is a fraction"]), (True, ["is a boolean"]), ({}, ["is an object"]), (None, []),
])
def test_count_at_most(value: Any, expected: list[str]) -> None:
    reading = read("azure-native:machinelearningservices:Compute", {"n": value}, Setting("n"))
    assert reading is not None
    found = list(count_at_most(reading, 4, "maxNodes", "nodes", "pass"))
    assert len(found) == len(expected) and all(e in f for e, f in zip(expected, found))
