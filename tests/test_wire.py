"""The gate's own wire definitions (``policy_gate.wire``) against the SDKs they copy, and the
engine's reading of custom timeouts (Go durations, ``policy_gate.analyzer.durations``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.runtime import rpc
from pulumi_policy import proxy

from policy_gate import inputs, wire
from policy_gate.analyzer import go_duration_seconds, stack_resource
from policy_gate.analyzer.requests import resource_options
from policy_gate.capture import Resource
from policy_gate.errors import UsageError


def test_secret_and_unknown_signatures_are_the_sdks() -> None:
    assert rpc._special_sig_key == wire.SIG_KEY
    assert rpc._special_secret_sig == wire.SECRET_SIG
    assert wire.UNKNOWN == rpc.UNKNOWN


def test_typed_unknown_sentinels_are_pulumi_policys() -> None:
    sdk = {value for name, value in vars(proxy).items() if name.startswith("UNKNOWN_") and isinstance(value, str)}
    assert len(sdk) == 7 and sdk == wire.UNKNOWN_SENTINELS


@pytest.mark.parametrize(("token", "expected"), [
    ("azure-native:machinelearningservices/v20240401:Workspace", "azure-native:machinelearningservices:Workspace"),
    ("azure-native:machinelearningservices/v20230401preview:Compute", "azure-native:machinelearningservices:Compute"),
    ("azure-native:storage/v2023_01_01:StorageAccount", "azure-native:storage:StorageAccount"),
    ("azure-native:machinelearningservices:Workspace", "azure-native:machinelearningservices:Workspace"),
    ("azure:machinelearning/workspace:Workspace", "azure:machinelearning/workspace:Workspace"),
    ("pulumi:pulumi:Stack", "pulumi:pulumi:Stack"),
])
def test_canonical_type_drops_only_the_api_version(token: str, expected: str) -> None:
    assert wire.canonical_type(token) == expected


def test_urns_as_the_engine_makes_them() -> None:
    root = wire.root_stack_urn("dev", "proj")
    assert root == "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
    child = wire.urn("dev", "proj", root, "a:b:C", "c")  # children of the root stack are not qualified
    assert child == "urn:pulumi:dev::proj::a:b:C::c"
    grandchild = wire.urn("dev", "proj", child, "x:y:Z", "z")
    assert grandchild == "urn:pulumi:dev::proj::a:b:C$x:y:Z::z"
    assert (wire.urn_name(grandchild), wire.urn_type(grandchild)) == ("z", "x:y:Z")
    assert wire.urn_type("not-a-urn") == ""


def test_secret_envelopes() -> None:
    wrapped = wire.secret("s")
    assert wire.is_secret(wrapped) and wire.secret(wrapped) is wrapped and wire.reveal(wrapped) == "s"
    assert wire.known_string(wrapped) == "s"
    assert [wire.known_string(v) for v in ("", wire.UNKNOWN, 3, None)] == [None] * 4


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0.0), ("-0", 0.0), ("5s", 5.0), ("500ms", 0.5), ("1h30m", 5400.0), ("1.5h", 5400.0), ("10m", 600.0),
    (".5s", 0.5), ("5.s", 5.0), ("1h0m0s", 3600.0), ("2m3.5s", 123.5), ("250us", 250e-6), ("250\u00b5s", 250e-6),
    ("250\u03bcs", 250e-6), ("100ns", 100e-9), ("-1m", -60.0), ("+2h", 7200.0), ("1m1ms1us", 60.001001),
])
def test_go_durations(text: str, seconds: float) -> None:
    assert go_duration_seconds(text) == pytest.approx(seconds, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("text", ["", "5", "1x", "h", ".s", "1h 30m", " 5s", "1e3s", "--1s", "1.2.3s", "1d", "ms"])
def test_go_duration_rejects_what_go_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        go_duration_seconds(text)


def _timed(timeouts: dict[str, str]) -> Resource:
    return Resource(urn="urn:pulumi:dev::p::a:b:C::c", type="a:b:C", name="c", custom_timeouts=timeouts)


def test_custom_timeouts_reach_the_pack_in_seconds() -> None:
    options = resource_options(_timed({"create": "500ms", "update": "1h30m", "delete": ""}))
    assert (options.customTimeouts.create, options.customTimeouts.update, options.customTimeouts.delete) == (0.5, 5400.0, 0.0)
    assert stack_resource(_timed({"create": "2m"}), {}).options.customTimeouts.create == 120.0


def test_an_unparsable_custom_timeout_is_a_usage_error() -> None:
    """The engine rejects the resource (``unable to parse customTimeout Value``): so does the gate."""
    with pytest.raises(UsageError) as caught:
        resource_options(_timed({"create": "forever"}))
    assert "unable to parse customTimeout value 'forever'" in caught.value.message


def test_state_timeouts_in_seconds_become_durations(tmp_path: Path) -> None:
    state = {"version": 3, "deployment": {"resources": [
        {"urn": "urn:pulumi:dev::p::a:b:C::c", "type": "a:b:C", "custom": True,
         "customTimeouts": {"create": 300, "update": 0.25, "delete": 1e-05}}]}}
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    (resource,) = inputs.load(path).resources
    options = resource_options(resource)
    assert (options.customTimeouts.create, options.customTimeouts.update) == (300.0, 0.25)
    assert options.customTimeouts.delete == pytest.approx(1e-05)
