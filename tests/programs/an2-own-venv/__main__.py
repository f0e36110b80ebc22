"""An Azure Machine Learning workspace with its dependencies, a CPU cluster and a blob datastore."""

import pulumi
import pulumi_random as random
from pulumi_azure_native import authorization, insights, keyvault, resources, storage
from pulumi_azure_native import machinelearningservices as ml

config = pulumi.Config()
prefix = config.get("prefix") or "ml"

client = authorization.get_client_config()
suffix = random.RandomString("suffix", length=6, special=False, upper=False)

resource_group = resources.ResourceGroup(f"{prefix}-rg")

account = storage.StorageAccount(
    "mlstorage",
    resource_group_name=resource_group.name,
    account_name=suffix.result.apply(lambda s: f"{prefix}sa{s}"),
    kind=storage.Kind.STORAGE_V2,
    sku=storage.SkuArgs(name=storage.SkuName.STANDARD_LRS),
)

vault = keyvault.Vault(
    "mlvault",
    resource_group_name=resource_group.name,
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=client.tenant_id,
        sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.STANDARD),
        access_policies=[],
    ),
)

app_insights = insights.Component(
    "mlinsights",
    resource_group_name=resource_group.name,
    kind="web",
    application_type=insights.ApplicationType.WEB,
)

workspace = ml.Workspace(
    "workspace",
    resource_group_name=resource_group.name,
    workspace_name=f"{prefix}-workspace",
    identity=ml.ManagedServiceIdentityArgs(type=ml.ManagedServiceIdentityType.SYSTEM_ASSIGNED),
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    storage_account=account.id,
    key_vault=vault.id,
    application_insights=app_insights.id,
    public_network_access=ml.PublicNetworkAccess.ENABLED,
)

cluster = ml.Compute(
    "cpu-cluster",
    resource_group_name=resource_group.name,
    workspace_name=workspace.name,
    compute_name="cpu-cluster",
    properties=ml.AmlComputeArgs(
        compute_type="AmlCompute",
        properties=ml.AmlComputePropertiesArgs(
            vm_size="STANDARD_DS3_V2",
            vm_priority=ml.VmPriority.DEDICATED,
            scale_settings=ml.ScaleSettingsArgs(max_node_count=4, min_node_count=0,
                                                node_idle_time_before_scale_down="PT120S"),
        ),
    ),
)

keys = storage.list_storage_account_keys_output(resource_group_name=resource_group.name, account_name=account.name)

datastore = ml.Datastore(
    "training-data",
    resource_group_name=resource_group.name,
    workspace_name=workspace.name,
    name="trainingdata",
    datastore_properties=ml.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name=account.name,
        container_name="training",
        credentials=ml.AccountKeyDatastoreCredentialsArgs(
            credentials_type="AccountKey",
            secrets=ml.AccountKeyDatastoreSecretsArgs(
                secrets_type="AccountKey",
                key=keys.keys[0].value,
            ),
        ),
    ),
)

pulumi.export("workspace_name", workspace.name)
pulumi.export("storage_account", account.name)
