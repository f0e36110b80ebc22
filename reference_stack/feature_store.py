"""Feature store assets: a pinned data version, an entity, and a featureset built on both,
materialised daily to the offline store, which the workspace reaches through a
managed-identity connection."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from dependencies import identity, offline_store_container
from network import rg
from settings import OFFLINE_STORE_CONNECTION, tags, workspace_name
from workspaces import feature_store_workspace

# Asset names and versions: every reference below is built from them, so a reference can
# never drift from the asset it points at.
DATA_NAME = "transactions"
DATA_VERSION = "1"
ENTITY_NAME = "customer"
ENTITY_VERSION = "1"
FEATURESET_NAME = "customer_transactions"
FEATURESET_VERSION = "1"

data_version_ref = f"azureml:{DATA_NAME}:{DATA_VERSION}"
entity_ref = f"azureml:{ENTITY_NAME}:{ENTITY_VERSION}"

ml_asset_opts = pulumi.ResourceOptions(depends_on=[feature_store_workspace])

# Materialisation authenticates to the offline store as the workspace identity: no key
# (workspace-connection-no-inline-credentials).
offline_store_connection = ml.WorkspaceConnection(
    "conn-fs-offline-store",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    connection_name=OFFLINE_STORE_CONNECTION,
    properties=ml.ManagedIdentityAuthTypeWorkspaceConnectionPropertiesArgs(
        auth_type="ManagedIdentity",
        category="ADLSGen2",
        target=offline_store_container.id,
        credentials=ml.WorkspaceConnectionManagedIdentityArgs(
            client_id=identity.client_id,
            resource_id=identity.id,
        ),
    ),
    opts=ml_asset_opts,
)

# An explicit, named version (data-version-explicit) whose URI is a datastore path without a
# SAS token (data-uri-no-sas-token): the featureset below records it as its source.
data_version = ml.DataVersion(
    "data-transactions-v1",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    name=DATA_NAME,
    version=DATA_VERSION,
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder",
        data_uri=f"azureml://datastores/workspaceblobstore/paths/{DATA_NAME}/v{DATA_VERSION}/",
        is_anonymous=False,
        is_archived=False,
        description="Card transactions, one folder per data version.",
        tags=tags,
    ),
    opts=ml_asset_opts,
)

entity_container = ml.FeaturestoreEntityContainerEntity(
    "entity-customer",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    name=ENTITY_NAME,
    properties=ml.FeaturestoreEntityContainerPropertiesArgs(
        description="A customer, keyed by customer_id.",
        tags=tags,
    ),
    opts=ml_asset_opts,
)

# Explicit version with its index columns (asset-version-explicit).
entity_version = ml.FeaturestoreEntityVersion(
    "entity-customer-v1",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    name=ENTITY_NAME,
    version=ENTITY_VERSION,
    properties=ml.FeaturestoreEntityVersionPropertiesArgs(
        index_columns=[
            ml.IndexColumnArgs(column_name="customer_id", data_type="String")
        ],
        stage="Development",
        is_anonymous=False,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[entity_container]),
)

featureset_container = ml.FeaturesetContainerEntity(
    "featureset-customer-transactions",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    name=FEATURESET_NAME,
    properties=ml.FeaturesetContainerPropertiesArgs(
        description="Rolling transaction aggregates per customer.",
        tags=tags,
    ),
    opts=ml_asset_opts,
)

# Explicit version with a specification and a pinned entity, recording the pinned data
# version it is built from (featureset-data-version-pinned), which is the data version
# declared above (featureset-data-version-resolves).
featureset_version = ml.FeaturesetVersion(
    "featureset-customer-transactions-v1",
    resource_group_name=rg.name,
    workspace_name=workspace_name,
    name=FEATURESET_NAME,
    version=FEATURESET_VERSION,
    properties=ml.FeaturesetVersionPropertiesArgs(
        description="Rolling transaction aggregates per customer (transactions v1).",
        specification=ml.FeaturesetSpecificationArgs(
            path=(
                "azureml://datastores/workspaceblobstore/paths/"
                f"featuresets/{FEATURESET_NAME}/v{FEATURESET_VERSION}/spec/"
            ),
        ),
        entities=[entity_ref],
        stage="Development",
        is_anonymous=False,
        properties={"dataVersionId": data_version_ref},
        # Daily materialisation to the offline store on a memory-optimised Spark size from
        # the approved list (featureset-materialization-limits); training reads the
        # materialised features, not raw aggregates.
        materialization_settings=ml.MaterializationSettingsArgs(
            store_type="Offline",
            resource=ml.MaterializationComputeResourceArgs(instance_type="standard_e4s_v3"),
            schedule=ml.RecurrenceTriggerArgs(
                trigger_type="Recurrence",
                frequency="Day",
                interval=1,
                schedule=ml.RecurrenceScheduleArgs(hours=[2], minutes=[0]),
                time_zone="UTC",
            ),
            spark_configuration={
                "spark.driver.cores": "4",
                "spark.driver.memory": "28g",
                "spark.executor.cores": "4",
                "spark.executor.memory": "28g",
                "spark.executor.instances": "2",
            },
        ),
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(
        depends_on=[featureset_container, entity_version, data_version, offline_store_connection]
    ),
)
