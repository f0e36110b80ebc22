"""An Azure ML workspace on the classic provider, and a datastore for the training data in the
workspace's storage account. The datastore authenticates with the account's access key, as
the provider's own example does."""

import pulumi
import pulumi_azure as azure

tags = {"owner": "ml-platform", "cost-center": "cc-1234"}
current = azure.core.get_client_config()

rg = azure.core.ResourceGroup("rg", name="rg-aml-classic", location="westeurope", tags=tags)
insights = azure.appinsights.Insights(
    "appi",
    resource_group_name=rg.name,
    location=rg.location,
    application_type="web",
    tags=tags,
)
vault = azure.keyvault.KeyVault(
    "kv",
    resource_group_name=rg.name,
    location=rg.location,
    tenant_id=current.tenant_id,
    sku_name="premium",
    purge_protection_enabled=True,
    tags=tags,
)
account = azure.storage.Account(
    "st",
    resource_group_name=rg.name,
    location=rg.location,
    account_tier="Standard",
    account_replication_type="GRS",
    min_tls_version="TLS1_2",
    allow_nested_items_to_be_public=False,
    tags=tags,
)
workspace = azure.machinelearning.Workspace(
    "mlw",
    name="mlw-classic-dev",
    resource_group_name=rg.name,
    location=rg.location,
    application_insights_id=insights.id,
    key_vault_id=vault.id,
    storage_account_id=account.id,
    identity={"type": "SystemAssigned"},
    public_network_access_enabled=False,
    tags=tags,
)
container = azure.storage.Container(
    "training-data",
    name="training-data",
    storage_account_id=account.id,
    container_access_type="private",
)
datastore = azure.machinelearning.DatastoreBlobstorage(
    "training",
    name="training",
    workspace_id=workspace.id,
    storage_container_id=container.id,
    account_key=account.primary_access_key,
)

pulumi.export("workspaceId", workspace.id)
pulumi.export("datastoreId", datastore.id)
