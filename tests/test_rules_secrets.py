"""The credential rules (policies/secrets/): what their samples cannot express, namely unknown
preview values, which paths are and are not flagged, and that no credential value ever reaches a
message. Every sample of every rule runs in tests/test_samples.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_policy.proxy import UnknownValueError

from policies.core import props as p
from policies.core import types as t
from policies.core.rule import ResourceRule
from policies.core.samples import Sample
from policies.secrets import connection, data_uri, datastore, inline
from tests.sdk import assert_messages, evaluate_preview, run_resource

UNKNOWN = p.UNKNOWN_STRING
CANARY = "Canary7Q2xZ"


# --- unknown values during preview -----------------------------------------------------------


def test_unknown_secret_values_still_count_as_inline() -> None:
    store = {"properties": {"credentials": {"credentialsType": "None", "secrets": {"key": UNKNOWN}}}}
    assert_messages(run_resource(datastore.datastore_no_inline_credentials, t.DATASTORE, store),
                    ("secrets.key holds an inline secret",))
    link = {"properties": {"authType": "AAD", "credentials": {"clientSecret": UNKNOWN, "clientId": UNKNOWN}}}
    assert_messages(run_resource(connection.workspace_connection_no_inline_credentials, t.WORKSPACE_CONNECTION, link),
                    ("credentials.clientSecret holds",))


def test_unknown_job_input_is_raised_after_the_known_ones_are_reported() -> None:
    reported: list[str] = []
    props = {"properties": {"inputs": {"a": {"uri": "https://x.blob.core.windows.net/c/f?sig=abc"}, "b": {"uri": UNKNOWN},
                                       "c": {"uri": "https://x.blob.core.windows.net/c/g?sig=def"}}}}
    with pytest.raises(UnknownValueError):
        data_uri.data_uri_no_sas_token.evaluate(t.JOB, props, report=reported.append)
    assert_messages(reported, ("inputs.a.uri", "inputs.c.uri"))


@pytest.mark.parametrize(("props", "flagged", "unknown"), [
    # Ids and names of other resources are unknown in almost every preview: not judged.
    ({"workspaceName": UNKNOWN, "properties": {"computeId": UNKNOWN, "codeId": UNKNOWN}}, 0, False),
    # A credential-named value or an environment variable may hide a credential: advisory.
    ({"properties": {"properties": {"userAccountCredentials": {"adminUserPassword": UNKNOWN}}}}, 0, True),
    ({"properties": {"environmentVariables": {"CONN": UNKNOWN}}}, 0, True),
    ({"properties": {"environmentVariables": UNKNOWN}}, 0, True),
    ({"properties": {"credentials": {"keys": {"x": UNKNOWN}}}}, 0, True),
    ({"properties": {"passwords": ["a1", UNKNOWN]}}, 0, True),
    # Known findings are reported before the advisory.
    ({"properties": {"environmentVariables": {"DB_PASSWORD": "x", "OTHER": UNKNOWN}}}, 1, True),
])
def test_unknown_credentials(props: dict[str, Any], flagged: int, unknown: bool) -> None:
    found, gave_up = evaluate_preview(inline.ml_no_inline_credentials, f"{t.ML}:Job", props)
    assert (len(found), gave_up) == (flagged, unknown)


def test_credentials_fail_closed_on_request() -> None:
    props = {"properties": {"properties": {"userAccountCredentials": {"adminUserPassword": UNKNOWN}}}}
    messages = inline.ml_no_inline_credentials.evaluate(f"{t.ML}:Compute", props, {"failClosed": True})
    assert messages == ["properties.properties.userAccountCredentials.adminUserPassword is unknown during preview and "
                        "this rule fails closed (failClosed): it cannot be shown compliant yet."]


@pytest.mark.parametrize(("rule", "type_", "props"), [
    (connection.workspace_connection_no_inline_credentials, t.WORKSPACE_CONNECTION,
     {"properties": {"authType": CANARY, "credentials": {"password": CANARY}}}),
    (datastore.datastore_no_inline_credentials, t.DATASTORE,
     {"properties": {"credentials": {"credentialsType": CANARY, "secrets": {"sasToken": CANARY}}}}),
    (data_uri.data_uri_no_sas_token, t.DATA_VERSION, {"properties": {"dataUri": f"https://a/b?sig={CANARY}"}}),
])
def test_free_form_values_are_not_echoed(rule: ResourceRule, type_: str, props: dict[str, Any]) -> None:
    messages = run_resource(rule, type_, props)
    assert messages and all(CANARY not in m for m in messages)


# --- ml-no-inline-credentials: what is and is not flagged, never echoed ---------------------------

CRED = inline.ml_no_inline_credentials


@pytest.mark.parametrize(("props", "expected"), [
    # The shapes the brief names: a CMK key URL and a public key are not credentials.
    ({"encryption": {"keyVaultProperties": {"keyIdentifier": "https://kv.vault.azure.net/keys/k/1",
                                            "keyVaultArmId": "/subscriptions/s/resourceGroups/r/x"}}}, []),
    ({"properties": {"properties": {"userAccountCredentials": {"adminUserSshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"}}}}, []),
    ({"properties": {"properties": {"userAccountCredentials": {"adminUserPassword": "pw"}}}},
     ["properties.properties.userAccountCredentials.adminUserPassword"]),
    # Credential-named objects are not credentials themselves: their children are judged.
    ({"properties": {"credentials": {"credentialsType": "Sas", "secrets": {"secretsType": "Sas", "sasToken": "tok"}}}},
     ["properties.credentials.secrets.sasToken"]),
    # A key/value entry in a list (InferencePool properties) named like a key is judged by its key.
    ({"properties": [{"key": "primaryKey", "value": "v"}, {"key": "key", "value": ""}]}, ["properties[0]"]),
    # A pair's key is a name, never a credential itself, whatever its value holds; a lone `key`
    # is a credential (WorkspaceConnectionApiKey has exactly that shape).
    ({"properties": [{"key": "region", "value": None}, {"key": "zone"}, {"name": "n", "value": {"password": "p"}}]},
     ["properties[1].key", "properties[2].value.password"]),
    # A literal job input is judged under its input's name.
    ({"properties": {"inputs": {"db_password": {"jobInputType": "literal", "value": "p"}}}}, ["properties.inputs.db_password"]),
    # Names in any spelling.
    ({"properties": {"properties": {"databricks_access_token": "dapi123"}}}, ["properties.properties.databricks_access_token"]),
    ({"properties": {"properties": {"relayConnectionString": "Endpoint=sb://x/;SharedAccessKey=abc"}}},
     ["properties.properties.relayConnectionString"]),
    ({"properties": {"properties": {"privateKeyData": "-----BEGIN OPENSSH PRIVATE KEY-----"}}},
     ["properties.properties.privateKeyData"]),
    # Public material and references under credential names.
    ({"properties": {"properties": {"sslConfiguration": {"cert": "-----BEGIN CERTIFICATE-----\nMII", "key": "k"}}}},
     ["properties.properties.sslConfiguration.key"]),
    ({"properties": {"credentials": {"secrets": {"key": "https://kv.vault.azure.net:443/secrets/k"}}}}, []),
])
def test_credential_paths(props: dict[str, Any], expected: list[str]) -> None:
    messages = run_resource(CRED, f"{t.ML}:Compute", props)
    assert [m.split(" holds a credential inline")[0] for m in messages] == expected


def _string_values(node: Any) -> Iterator[str]:
    for path, value in p.walk(node):
        if isinstance(value, str) and path and not (isinstance(path[-1], str) and path[-1] == value):
            yield value


@pytest.mark.parametrize("sample", [s for s in CRED.samples if s.violations], ids=lambda s: s.name)
def test_credential_values_are_never_echoed(sample: Sample) -> None:
    messages = run_resource(CRED, sample.type, sample.props, sample.config)
    for value in _string_values(sample.props):
        if len(value.strip()) >= 4:
            assert all(value not in m for m in messages), (value, messages)
