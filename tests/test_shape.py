"""The core's reading of a resource whatever provider declared it (policies/core/shape.py,
providers.py) and which values a message may quote (messages.py)."""

from __future__ import annotations

import pytest

from policies.core import props as p
from policies.core import types as t
from policies.core.messages import NOT_SHOWN, quote_region, quote_size
from policies.core.providers import Provider, body_key, provider_of
from policies.core.resources import compute as cs
from policies.core.resources import endpoints as ep
from policies.core.resources import jobs as jb
from policies.core.resources import workspace as ws
from policies.core.shape import read

ENDPOINT = t.ONLINE_ENDPOINT


@pytest.mark.parametrize(("token", "props", "key", "provider"), [
    (ENDPOINT, {"properties": {}}, "properties", Provider.AN3),
    (ENDPOINT, {"onlineEndpointProperties": {}}, "onlineEndpointProperties", Provider.AN2),
    (ENDPOINT, {"online_endpoint_properties": {}}, "onlineEndpointProperties", Provider.AN2),
    (ENDPOINT, {}, "properties", Provider.AN3),  # nothing to go by: the token's version, unversioned is 3.x
    (f"{t.ML}/v20240401:OnlineEndpoint", {}, "onlineEndpointProperties", Provider.AN2),
    (f"{t.ML}/v20220201preview:OnlineEndpoint", {}, "onlineEndpointDetails", Provider.AN2),
    (f"{t.ML}/v20210301preview:OnlineEndpoint", {}, "properties", Provider.AN2),
    (f"{t.ML}:Registry", {"registryProperties": {}}, "registryProperties", Provider.AN2),
    (f"{t.ML}:Registry", {"publicNetworkAccess": "Disabled"}, None, Provider.AN3),
    (f"{t.ML}/v20210401:WorkspaceConnection", {}, None, Provider.AN2),
    (t.WORKSPACE, {"kind": "Hub"}, None, Provider.AN3),
    (t.CLASSIC_WORKSPACE, {}, None, Provider.CLASSIC),
])
def test_body_key_and_provider(token: str, props: dict, key: str | None, provider: Provider) -> None:
    assert body_key(token, props) == key
    assert provider_of(token, props) is provider


def test_a_reading_names_the_path_as_the_resource_spells_it() -> None:
    three = read(ENDPOINT, {"properties": {"authMode": "Key"}}, ep.AUTH_MODE)
    two = read(ENDPOINT, {"onlineEndpointProperties": {"authMode": "Key"}}, ep.AUTH_MODE)
    assert three is not None and (three.path, three.value) == ("properties.authMode", "Key")
    assert two is not None and (two.path, two.value) == ("onlineEndpointProperties.authMode", "Key")


def test_2x_paths_that_differ_beyond_the_body_key() -> None:
    three = read(t.SCHEDULE, {"properties": {"action": {"jobDefinition": {"jobType": "Command"}}}}, jb.SCHEDULED_JOB)
    two = read(t.SCHEDULE, {"scheduleProperties": {"action": {"jobBaseProperties": {"jobType": "Command"}}}},
               jb.SCHEDULED_JOB)
    assert three is not None and three.path == "properties.action.jobDefinition" and not three.absent
    assert two is not None and two.path == "scheduleProperties.action.jobBaseProperties" and not two.absent


def test_classic_values_map_onto_azure_natives_and_back() -> None:
    reading = read(t.CLASSIC_WORKSPACE, {"publicNetworkAccessEnabled": False}, ws.PUBLIC_NETWORK)
    assert reading is not None and reading.path == "publicNetworkAccessEnabled"
    assert reading.value == "Disabled" and reading.own("Disabled") is False and reading.said("Enabled") == "true"
    inverted = read(t.CLASSIC_CLUSTER, {"localAuthEnabled": "true"}, cs.DISABLE_LOCAL_AUTH)
    assert inverted is not None and inverted.value is False
    number = read(t.CLASSIC_CLUSTER, {"localAuthEnabled": 1.0}, cs.DISABLE_LOCAL_AUTH)
    assert number is not None and number.value == 1.0  # a wrong type stays one


def test_an_absent_setting_takes_its_providers_default_with_its_source() -> None:
    classic = read(t.CLASSIC_WORKSPACE, {}, ws.SYSTEM_DATASTORES_AUTH)
    assert classic is not None and classic.absent and classic.value == "AccessKey"
    assert "pulumi-azure 6.x Workspace docstring" in classic.note()
    native = read(t.WORKSPACE, {}, ws.PUBLIC_NETWORK)
    assert native is not None and native.value == "Enabled" and native.default is not None
    no_default = read(ENDPOINT, {"properties": {}}, ep.AUTH_MODE)
    assert no_default is not None and no_default.value is p.MISSING and no_default.note() == ""


def test_settings_an_api_version_lacks_say_so() -> None:
    default_module = read(t.WORKSPACE, {}, ws.ISOLATION_MODE)
    assert default_module is not None and "azure-native 2.x's default Workspace (API 2023-04-01)" in (default_module.lacking or "")
    stable = read(f"{t.ML}/v20240401:Workspace", {}, ws.SYSTEM_DATASTORES_AUTH)
    assert stable is not None and (stable.lacking or "").startswith("API version v20240401 has no systemDatastoresAuthMode")
    preview = read(f"{t.ML}/v20240401preview:Workspace", {}, ws.SYSTEM_DATASTORES_AUTH)
    assert preview is not None and preview.lacking is None
    # publicNetworkAccess is in 2.x's default module: nothing to say for an unversioned token.
    public = read(t.WORKSPACE, {}, ws.PUBLIC_NETWORK)
    assert public is not None and public.lacking is None


def test_a_provider_without_the_setting_reads_none() -> None:
    assert read(t.CLASSIC_WORKSPACE, {}, ws.BEHIND_VNET) is None
    assert read(t.WORKSPACE, {}, cs.CLASSIC_CLUSTER_SSH) is None


def test_hub_projects() -> None:
    assert ws.is_project(t.WORKSPACE, {"kind": "project"})
    assert not ws.is_project(t.WORKSPACE, {"kind": "Hub"}) and not ws.is_project(t.CLASSIC_WORKSPACE, {"kind": "Project"})


@pytest.mark.parametrize("size", ["Standard_DS2_v2", "STANDARD_NC6", "standard_e64s_v3", "Standard_NC24ads_A100_v4",
                                  "Standard_M8-2ms_v2", "Standard_ND96isr_H100_v5", " Standard_F4s_v2 "])
def test_azure_size_names_are_quoted(size: str) -> None:
    assert quote_size(size) == f"'{size.strip()}'"


@pytest.mark.parametrize("value", ["Standard_Canary_Q7", "gpu-large", "Standard_", "Standard_DS2_v2; rm -rf",
                                   "Standard_DS3_v2cnry7q9424ccf422q7yrnc", "Standard_NC6_x1_y2_z3",
                                   "Basic_A0", "Standard_" + "A1" * 30, "sig=AbCdEfGhIjKlMnOpQrStUv0123456789"])
def test_other_values_are_not(value: str) -> None:
    assert quote_size(value) == NOT_SHOWN


def test_regions_azure_publishes_or_the_config_names_are_quoted() -> None:
    assert quote_region("West Europe") == "'westeurope'"
    assert quote_region("eastus2euap") == "'eastus2euap'"
    assert quote_region("Contoso North", ["contosonorth"]) == "'contosonorth'"
    assert quote_region("Atlantis North") == NOT_SHOWN
