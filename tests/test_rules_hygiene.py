"""The hygiene rules (policies/hygiene.py): every sample through the SDK's own argument objects and
through the real pack process, the type tables against the installed pulumi-azure-native, unknown
values, and that no credential value ever reaches a message."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy.proxy import UnknownValueError

from policies import hygiene
from policies import props as p
from policies import types as t
from policies.rule import ResourceRule, Sample
from tests.sdk import run_resource

RULES: tuple[ResourceRule, ...] = hygiene.RULES
CASES = [(rule, sample) for rule in RULES for sample in rule.samples]
ROOT = Path(__file__).resolve().parent.parent




def test_metadata() -> None:
    assert [r.name for r in RULES] == ["ml-required-tags", "no-preview-api-versions", "ml-no-inline-credentials"]
    for rule in RULES:
        assert any(not s.violations for s in rule.samples) and any(s.violations for s in rule.samples), rule.name
        assert len({s.name for s in rule.samples}) == len(rule.samples), rule.name
        assert all("default" in o.schema and "description" in o.schema for o in rule.config_options)
    assert [r.name for r in RULES if r.security] == ["ml-no-inline-credentials"]
    assert hygiene.ml_required_tags.types == hygiene.ml_no_inline_credentials.types == hygiene.ML_TYPES


# --- the installed azure-native ML module -------------------------------------------------------

ML_MODULE = "pulumi_azure_native.machinelearningservices"


@cache
def _resource_classes() -> list[tuple[str, type]]:
    """(type token, resource class) for every resource the installed SDK declares."""
    package = importlib.import_module(ML_MODULE)
    # pulumi_azure_native loads this package lazily; importing one of its submodules before the
    # package itself has run would leave that submodule's names out of it (for every later test).
    # Reading one of its names runs it once, fully.
    assert package.Workspace
    found = []
    for name in dir(package):
        cls = getattr(package, name)
        if inspect.isclass(cls) and issubclass(cls, pulumi.CustomResource) and cls.__module__.startswith(ML_MODULE):
            token = re.search(r"super\(\w+, __self__\).__init__\(\s*'([^']+)'", inspect.getsource(cls))
            assert token, cls
            found.append((token.group(1), cls))
    assert len(found) > 50
    return found


def _sdk_tag_path(cls: type) -> str | None:
    """Where the SDK lets a resource's inputs carry tags: top-level ``tags``, or ``<input>.tags``
    of an input whose type has a ``tags`` field (wire names from the input types' getters)."""
    inputs_module = importlib.import_module(f"{ML_MODULE}._inputs")
    params = inspect.signature(cls._internal_init).parameters  # type: ignore[attr-defined]
    if "tags" in params:
        return "tags"
    for name, param in params.items():
        for type_name in re.findall(r"'(\w+Args)'", str(param.annotation)):
            input_type = getattr(inputs_module, type_name, None)
            if input_type is not None and "tags" in inspect.signature(input_type.__init__).parameters:
                return f"{_wire_name(cls, name)}.tags"
    return None


def _wire_name(cls: type, python_name: str) -> str:
    source = inspect.getsource(cls)
    named = re.search(rf'@pulumi\.getter\(name="(\w+)"\)\s+def {python_name}\(', source)
    return named.group(1) if named else python_name


def test_tag_table_matches_the_installed_sdk() -> None:
    """Fails when azure-native adds a type or moves tags: update the tables in hygiene.py."""
    wrong = {token: (hygiene.tag_path(token), _sdk_tag_path(cls)) for token, cls in _resource_classes()
             if hygiene.tag_path(token) != _sdk_tag_path(cls)}
    assert wrong == {}


def test_preview_default_table_matches_the_installed_sdk() -> None:
    preview = set()
    for token, cls in _resource_classes():
        version = re.search(r"Uses Azure REST API version ([\w-]+)", inspect.getsource(cls))
        assert version, token
        if "preview" in version.group(1):
            preview.add(token)
    assert preview == set(hygiene.PREVIEW_DEFAULT_TYPES)


@pytest.mark.parametrize("rule", [hygiene.ml_required_tags, hygiene.ml_no_inline_credentials], ids=lambda r: r.name)
def test_every_ml_type_in_every_spelling_is_covered(rule: ResourceRule) -> None:
    for token, _ in _resource_classes():
        module, name = token.rsplit(":", 1)
        for spelling in (token, f"{module}/v20250401preview:{name}", f"{module}/v20240401:{name}"):
            assert rule.applies_to(spelling), spelling
    for classic in ("azure:machinelearning/workspace:Workspace", "azure:machinelearning/computeInstance:ComputeInstance",
                    "azure:machinelearning/synapseSpark:SynapseSpark"):
        assert rule.applies_to(classic)
    for other in ("azure-native:storage:StorageAccount", "azure-native:machinelearningservicesx:Workspace",
                  "azure:machinelearningx/workspace:Workspace", "azure:storage/account:Account", "pulumi:pulumi:Stack",
                  "pulumi:providers:azure-native"):
        assert not rule.applies_to(other), other


def test_preview_rule_matches_azure_native_only() -> None:
    rule = hygiene.no_preview_api_versions
    assert rule.applies_to("azure-native:storage/v20230101preview:StorageAccount")
    assert not rule.applies_to("azure:machinelearning/workspace:Workspace")
    assert not rule.applies_to("pulumi:providers:azure-native")
    assert rule.evaluate("azure-native:index:Provider", {}, {"modules": ["*"]}) == []


# --- unknown values during preview ---------------------------------------------------------------

UNKNOWN = p.UNKNOWN_STRING


def _run_preview(rule: ResourceRule, type_token: str, props: Mapping[str, Any],
                 config: Mapping[str, Any] | None = None) -> tuple[list[str], bool]:
    """Messages reported before the rule gave up on an unknown value, and whether it did."""
    found: list[str] = []
    try:
        rule.evaluate(type_token, props, config, report=found.append)
    except UnknownValueError:
        return found, True
    via_sdk = run_resource(rule, type_token, props, config)
    assert via_sdk == found
    return found, False


def test_unknown_tag_value_is_advisory_after_known_findings() -> None:
    found, unknown = _run_preview(hygiene.ml_required_tags, t.WORKSPACE, {"tags": {"owner": UNKNOWN}})
    assert unknown and len(found) == 1 and "'cost-center' is missing" in found[0]
    with pytest.raises(UnknownValueError):
        run_resource(hygiene.ml_required_tags, t.WORKSPACE, {"tags": UNKNOWN})


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
    found, gave_up = _run_preview(hygiene.ml_no_inline_credentials, f"{t.ML}:Job", props)
    assert (len(found), gave_up) == (flagged, unknown)


def test_credentials_fail_closed_on_request() -> None:
    props = {"properties": {"properties": {"userAccountCredentials": {"adminUserPassword": UNKNOWN}}}}
    messages = hygiene.ml_no_inline_credentials.evaluate(f"{t.ML}:Compute", props, {"failClosed": True})
    assert messages == ["properties.properties.userAccountCredentials.adminUserPassword is unknown during preview and "
                        "this rule fails closed (failClosed): it cannot be shown compliant yet."]


# --- credentials: what is and is not flagged, never echoed ---------------------------------------

CRED = hygiene.ml_no_inline_credentials


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


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["", "  ", hygiene._KEY, hygiene._JWT, hygiene._CONN, hygiene._KV_SECRET]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["tags", "properties", "password", "key", "value", "type", "name", "keys",
                         "environmentVariables", "secrets", "owner", "cost-center", "x_y"]) | st.text(max_size=8),
        children, max_size=5),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(props=st.dictionaries(st.sampled_from(["tags", "properties", "sku", "registration"]), JSON, max_size=4))
def test_rules_never_raise_on_any_shape(props: dict[str, Any]) -> None:
    for rule in RULES:
        for type_token in (t.WORKSPACE, t.DATA_VERSION, f"{t.ML}:LabelingJob",
                           "azure-native:machinelearningservices/v20230401preview:Job"):
            messages = rule.evaluate(type_token, props)
            assert all(isinstance(m, str) and m for m in messages)


# --- through the real pack process -----------------------------------------------------------------




def _valid_config(rule: ResourceRule, config: Mapping[str, Any]) -> dict[str, bool]:
    """Configs the CLI would reject before the pack sees them are left to test_sample."""
    types = {"array": list, "boolean": bool, "string": str}
    return {o.name: isinstance(config.get(o.name, o.default), types[o.schema["type"]]) for o in rule.config_options}
