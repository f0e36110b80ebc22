"""The provider's Check, as the mock provider emulates it: the defaults it fills are what Analyze
sees (and what gets deployed), for azure-native 3.x and 2.x and for the bridged classic provider."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from policy_gate.wire import UNKNOWN
from tests.probe import ROOT, probe, write_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

LOCATIONS = """
import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import resources, storage

bare = azure_native.Provider("bare")  # no location of its own
north = azure_native.Provider("north", location="northeurope")
east = resources.ResourceGroup("east", location="eastus")
named = resources.ResourceGroup("named", resource_group_name="fixed-name", location="uksouth")

def account(name, group, provider=None):
    return storage.StorageAccount(name, resource_group_name=group, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS"),
                                  opts=pulumi.ResourceOptions(provider=provider))

account("from-provider", "any", north)
account("from-config", "any")
account("from-group-dependency", east.name, bare)
account("from-group-name", "fixed-name", bare)
account("from-azure", "not-in-this-stack", bare)
# A container has no location of its own (its class takes none): nothing is filled in.
storage.BlobContainer("container", resource_group_name="any", account_name="acct", opts=pulumi.ResourceOptions(provider=bare))
"""


@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_azure_native_location_as_getDefaultLocation_finds_it(tmp_path: Path, preview: bool) -> None:
    program = write_program(tmp_path / "p", LOCATIONS, stack_config="config:\n  azure-native:location: westeurope\n")
    seen = probe(program, *(["--preview"] if preview else []))
    assert seen.code == 0, seen.stderr
    location = {name: seen.inputs[name]["props"].get("location") for name in (
        "from-provider", "from-config", "from-group-dependency", "from-group-name", "from-azure", "container")}
    assert location == {
        "from-provider": "northeurope", "from-config": "westeurope",
        # In a preview the group's name is an output of a group not created yet: unknown, and so
        # is its location (getDefaultLocation 3a).
        "from-group-dependency": UNKNOWN if preview else "eastus",
        "from-group-name": "uksouth",
        "from-azure": UNKNOWN,  # the real provider reads the group from Azure
        "container": None,
    }
    assert seen.stack["from-config"]["props"]["location"] == "westeurope"  # deployed with it
    # The default provider's inputs are the stack's config for its package.
    default = next(seen.inputs[name]["props"] for name in seen.inputs if name.startswith("default"))
    assert default["location"] == "westeurope"


NAMES = """
from pulumi_azure_native import machinelearningservices as ml
ml.Workspace("auto", resource_group_name="rg", location="westeurope")
ml.Workspace("given", resource_group_name="rg", location="westeurope", workspace_name="my-workspace")
"""


@pytest.mark.parametrize(("env", "api_version"), [(None, "2025-12-01"), ("an2", None)], ids=["v3", "v2"])
def test_azure_native_auto_names_and_api_version(tmp_path: Path, env: str | None, api_version: str | None) -> None:
    """The auto-name the mocks give the resource is the name Analyze sees; v3's Check also sets
    azureApiVersion (the SDK shows v3 by that output), v2's does not."""
    seen = probe(write_program(tmp_path / "p", NAMES, env=env))
    auto, given = seen.inputs["auto"]["props"], seen.inputs["given"]["props"]
    assert auto["workspaceName"] == seen.stack["auto"]["props"]["name"]
    assert auto["workspaceName"].startswith("auto") and len(auto["workspaceName"]) == len("auto") + 8
    assert given["workspaceName"] == "my-workspace"
    assert auto.get("azureApiVersion") == given.get("azureApiVersion") == api_version


CLASSIC = """
import pulumi_azure as azure
azure.machinelearning.Workspace("classic", location="westeurope", resource_group_name="rg",
                                application_insights_id="/ai", key_vault_id="/kv", storage_account_id="/st",
                                identity={"type": "SystemAssigned"})
"""


def test_bridged_provider_schema_defaults_from_the_sdk_documentation(tmp_path: Path) -> None:
    """The classic (Terraform-bridged) provider's Check fills its schema defaults; the gate reads
    them from the SDK's own documentation of each input ("Defaults to `X`")."""
    program = write_program(tmp_path / "p", CLASSIC, env="classic")
    props = probe(program).inputs["classic"]["props"]
    assert {k: props.get(k) for k in ("skuName", "storageAccountAccessType", "publicNetworkAccessEnabled", "kind",
                                      "v1LegacyModeEnabled", "highBusinessImpact")} == {
        "skuName": "Basic", "storageAccountAccessType": "AccessKey", "publicNetworkAccessEnabled": True,
        "kind": "Default", "v1LegacyModeEnabled": False, "highBusinessImpact": None}
    # The pack then judges what the provider deploys: a Basic workspace, reachable publicly.
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(program), "--format", "json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    policies = {v["policy"] for v in json.loads(result.stdout)["violations"]}
    assert "workspace-allowed-sku" not in policies and "workspace-public-network-disabled" in policies
