"""An Azure Machine Learning feature store and the data it is built from."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources

tags = {"owner": "data-platform", "cost-center": "ml-7"}

resource_group = resources.ResourceGroup("features-rg", tags=tags)

feature_store = ml.Workspace(
    "feature-store",
    resource_group_name=resource_group.name,
    workspace_name="feature-store",
    kind="FeatureStore",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    public_network_access="Disabled",
    system_datastores_auth_mode="Identity",
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"),
    tags=tags,
)

transactions = ml.DataVersion(
    "transactions",
    resource_group_name=resource_group.name,
    workspace_name=feature_store.name,
    name="transactions",
    version="latest",
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder",
        data_uri="azureml://datastores/workspaceblobstore/paths/transactions/",
    ),
)

pulumi.export("feature_store", feature_store.name)
