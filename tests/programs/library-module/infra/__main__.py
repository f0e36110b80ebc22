"""The training workspace, built with the team's shared library in ../lib."""

import sys
from pathlib import Path

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources, storage

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lib"))
from aml_platform.compute import training_cluster

tags = {"owner": "ml-platform", "cost-center": "cc-1234", "environment": "dev"}
rg = resources.ResourceGroup("rg", resource_group_name="rg-aml-training", location="westeurope", tags=tags)
account = storage.StorageAccount(
    "st",
    resource_group_name=rg.name,
    sku=storage.SkuArgs(name="Standard_ZRS"),
    kind="StorageV2",
    allow_blob_public_access=False,
    minimum_tls_version="TLS1_2",
    tags=tags,
)
workspace = ml.Workspace(
    "mlw",
    resource_group_name=rg.name,
    workspace_name="mlw-training-dev",
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    storage_account=account.id,
    public_network_access="Enabled",
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"),
    system_datastores_auth_mode="Identity",
    tags=tags,
)
cluster = training_cluster("cpu-cluster", workspace, rg.name)

keys = storage.list_storage_account_keys_output(resource_group_name=rg.name, account_name=account.name)
pulumi.export("workspaceName", workspace.name)
pulumi.export("storageKey", keys.keys[0].value)
