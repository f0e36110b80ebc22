"""The hygiene rules (policies/hygiene/) and the other rules that match every ML type: their type
tables against the installed pulumi-azure-native, unknown values, locations, and no crash on any
shape. Every sample of every rule runs in tests/test_samples.py."""

from __future__ import annotations

import importlib
import inspect
import re
from functools import cache
from typing import Any

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy.proxy import UnknownValueError

from policies.core import props as p
from policies.core import types as t
from policies.core.rule import ResourceRule
from policies.hygiene import locations, preview_api, tags
from policies.secrets import inline
from tests.sdk import evaluate_preview, run_resource

UNKNOWN = p.UNKNOWN_STRING


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
    """Fails when azure-native adds a type or moves tags: update the tables in policies/hygiene/."""
    wrong = {token: (tags.tag_path(token), _sdk_tag_path(cls)) for token, cls in _resource_classes()
             if tags.tag_path(token) != _sdk_tag_path(cls)}
    assert wrong == {}


def test_preview_default_table_matches_the_installed_sdk() -> None:
    preview = set()
    for token, cls in _resource_classes():
        version = re.search(r"Uses Azure REST API version ([\w-]+)", inspect.getsource(cls))
        assert version, token
        if "preview" in version.group(1):
            preview.add(token)
    assert preview == set(preview_api.PREVIEW_DEFAULT_TYPES)


@pytest.mark.parametrize("rule", [tags.ml_required_tags, inline.ml_no_inline_credentials], ids=lambda r: r.name)
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
    rule = preview_api.no_preview_api_versions
    assert rule.applies_to("azure-native:storage/v20230101preview:StorageAccount")
    assert not rule.applies_to("azure:machinelearning/workspace:Workspace")
    assert not rule.applies_to("pulumi:providers:azure-native")
    assert rule.evaluate("azure-native:index:Provider", {}, {"modules": ["*"]}) == []


# --- unknown values, locations ----------------------------------------------------------------


def test_unknown_tag_value_is_advisory_after_known_findings() -> None:
    found, unknown = evaluate_preview(tags.ml_required_tags, t.WORKSPACE, {"tags": {"owner": UNKNOWN}})
    assert unknown and len(found) == 1 and "'cost-center' is missing" in found[0]
    with pytest.raises(UnknownValueError):
        run_resource(tags.ml_required_tags, t.WORKSPACE, {"tags": UNKNOWN})


def test_location_is_not_echoed() -> None:
    messages = run_resource(locations.ml_allowed_locations, t.WORKSPACE, {"location": "Canary7Q2xZ"},
                            {"allowedLocations": ["westeurope"]})
    assert messages and all("Canary7Q2xZ" not in m for m in messages)


def test_allowed_locations_default_passes_every_located_type() -> None:
    for type_ in locations.LOCATED_TYPES:
        assert run_resource(locations.ml_allowed_locations, type_, {"location": "Atlantis"}) == [], type_



# --- any shape -----------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["", "  ", inline._KEY, inline._JWT, inline._CONN, inline._KV_SECRET]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["tags", "properties", "password", "key", "value", "type", "name", "keys",
                         "environmentVariables", "secrets", "owner", "cost-center", "x_y"]) | st.text(max_size=8),
        children, max_size=5),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(props=st.dictionaries(st.sampled_from(["tags", "properties", "sku", "registration"]), JSON, max_size=4))
def test_rules_never_raise_on_any_shape(props: dict[str, Any]) -> None:
    for rule in (tags.ml_required_tags, preview_api.no_preview_api_versions, inline.ml_no_inline_credentials):
        for type_token in (t.WORKSPACE, t.DATA_VERSION, f"{t.ML}:LabelingJob",
                           "azure-native:machinelearningservices/v20230401preview:Job"):
            messages = rule.evaluate(type_token, props)
            assert all(isinstance(m, str) and m for m in messages)
