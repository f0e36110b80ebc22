"""Reference Azure ML estate: the compliant case the policy pack is tested against.

Two Azure Machine Learning workspaces behind private endpoints, sharing locked-down
dependencies (no public network access, no shared keys, RBAC only), a user-assigned
identity, customer-managed-key encryption and resource logs to Log Analytics:

- a ``FeatureStore`` workspace with a pinned DataVersion, an entity and a featureset that is
  materialised daily to an ADLS Gen2 offline store (reached through a managed-identity
  connection);
- a ``Default`` workspace for training and serving: an identity-based datastore, versioned
  code, environments (base image pinned by digest), components and a model, a compute
  cluster that scales to zero and a personal compute instance (both without public IPs or
  local auth, inside the workspace's managed network), the training runs as Command, Sweep
  and Pipeline jobs plus a nightly Schedule, and a private online endpoint whose deployment
  serves a pinned model from Microsoft's ``azureml`` registry.

A private model registry for promoting models between workspaces completes the estate.

Written against pulumi-azure-native 3.x (Azure ML API 2025-12-01). Only names and ids
are exported, never keys or connection strings.
"""

import re

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    containerregistry,
    keyvault,
    managedidentity,
    monitor,
    network,
    operationalinsights,
    privatedns,
    resources,
    storage,
)
from pulumi_azure_native import machinelearningservices as ml

# ------------------------------------------------------------------------------
# Configuration (defaults equal the dev stack, so the program also runs without config)
# ------------------------------------------------------------------------------
config = pulumi.Config()
location = config.get("location") or "westeurope"
owner = config.get("owner") or "ml-platform-team"
cost_center = config.get("costCenter") or "CC-4711"
prefix = config.get("prefix") or "amlref"
# The base image of every environment, pinned by digest: a tag can be moved, a digest
# cannot (the enforce preset requires digests). Bump it deliberately, like any dependency:
#   docker buildx imagetools inspect mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:<tag>
base_image = config.get("baseImage") or (
    "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04"
    "@sha256:7481fbfbbc1c7d7ab0e9e4633180c809413bd77e108b605d6e4d3a60aa35bf67"
)
stack = pulumi.get_stack()

# The same tags go on every resource that takes tags (ML assets: in their properties).
tags = {"owner": owner, "cost-center": cost_center, "stack": stack}
# Both workspaces hold customer data: classified confidential, hence hbiWorkspace below.
workspace_tags = {**tags, "data-classification": "confidential"}


def _alnum(*parts: str, limit: int) -> str:
    """Lower-case alphanumeric name (storage accounts and registries need it)."""
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())[:limit]


def _dashed(*parts: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9-]", "", "-".join(parts).lower())[:limit].strip("-")


resource_group_name = f"rg-{prefix}-{stack}"
storage_account_name = _alnum(prefix, stack, "st", limit=24)
offline_store_account_name = _alnum(prefix, stack, "fsoffline", limit=24)
key_vault_name = _dashed(prefix, stack, "kv", limit=24)
registry_name = _alnum(prefix, stack, "acr", limit=50)
workspace_name = _dashed(prefix, stack, "fs", limit=33)
training_workspace_name = _dashed(prefix, stack, "mlw", limit=33)
model_registry_name = _dashed(prefix, stack, "models", limit=33)
cmk_key_name = "aml-cmk"

# ML asset names and versions. Every reference below is built from these variables, so a
# reference can never drift from the asset it points at.
DATA_NAME = "transactions"
DATA_VERSION = "1"
ENTITY_NAME = "customer"
ENTITY_VERSION = "1"
FEATURESET_NAME = "customer_transactions"
FEATURESET_VERSION = "1"
# azure-ai-ml names the feature store's offline store connection this way; so do we.
OFFLINE_STORE_CONNECTION = "OfflineStoreConnectionName"

# The training workspace's assets.
DATASTORE_NAME = "curated"
LABELS_NAME = "fraud-labels"
LABELS_VERSION = "1"
CODE_NAME = "fraud-src"
CODE_VERSION = "1"
SCORING_CODE_NAME = "fraud-scoring-src"
SCORING_CODE_VERSION = "1"
TRAIN_ENV_NAME = "fraud-train"
TRAIN_ENV_VERSION = "1"
SERVE_ENV_NAME = "fraud-serve"
SERVE_ENV_VERSION = "1"
PREP_COMPONENT_NAME = "prep-training-data"
PREP_COMPONENT_VERSION = "1"
TRAIN_COMPONENT_NAME = "train-fraud-model"
TRAIN_COMPONENT_VERSION = "1"
MODEL_NAME = "fraud-model"
MODEL_VERSION = "1"
CLUSTER_NAME = "cpu-cluster"
INSTANCE_NAME = _dashed(prefix, stack, "ci", limit=24)  # unique per region
ENDPOINT_NAME = _dashed(prefix, stack, "txn", limit=32)  # unique per region
# A catalogue model from Microsoft's curated `azureml` registry (the only registry the
# enforce preset admits for deployments), pinned to one version: merchant descriptions are
# encoded for the fraud features. Model card: Azure AI model catalogue, distilbert-base-cased.
SERVED_MODEL = "azureml://registries/azureml/models/distilbert-base-cased/versions/10"

data_version_ref = f"azureml:{DATA_NAME}:{DATA_VERSION}"
entity_ref = f"azureml:{ENTITY_NAME}:{ENTITY_VERSION}"

client = authorization.get_client_config_output()
# The compute instance belongs to one data scientist (default: whoever deploys the stack).
instance_user_object_id = config.get("instanceUserObjectId") or client.object_id


def role_definition_id(role_guid: str) -> pulumi.Output[str]:
    return client.subscription_id.apply(
        lambda sub: (
            f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
        )
    )


def training_asset_id(kind: str, name: str, version: str | None = None) -> pulumi.Output[str]:
    """The ARM id of an asset (or a compute) of the training workspace, built from names.

    Jobs and deployments reference their assets by ARM id. Built from names rather than from
    the resources' ``id`` outputs, the ids are known at ``pulumi preview``, so the policy pack
    judges every reference before anything is deployed; ``depends_on`` keeps the order.
    """
    tail = f"{kind}/{name}" + (f"/versions/{version}" if version else "")
    return client.subscription_id.apply(
        lambda sub: (
            f"/subscriptions/{sub}/resourceGroups/{resource_group_name}/providers/"
            f"Microsoft.MachineLearningServices/workspaces/{training_workspace_name}/{tail}"
        )
    )


# Built-in role definition ids.
ROLE_CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
ROLE_STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR = "69566ab7-960f-475b-8e7c-b3118f30c6bd"
ROLE_KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"

# ------------------------------------------------------------------------------
# Resource group, network
# ------------------------------------------------------------------------------
rg = resources.ResourceGroup(
    "rg",
    resource_group_name=resource_group_name,
    location=location,
    tags=tags,
)

vnet = network.VirtualNetwork(
    "vnet",
    resource_group_name=rg.name,
    location=location,
    address_space=network.AddressSpaceArgs(address_prefixes=["10.20.0.0/16"]),
    tags=tags,
)

pe_subnet = network.Subnet(
    "snet-private-endpoints",
    resource_group_name=rg.name,
    virtual_network_name=vnet.name,
    subnet_name="snet-private-endpoints",
    address_prefix="10.20.1.0/24",
    default_outbound_access=False,
    private_endpoint_network_policies="Enabled",
)

# ------------------------------------------------------------------------------
# Monitoring
# ------------------------------------------------------------------------------
log_analytics = operationalinsights.Workspace(
    "log",
    resource_group_name=rg.name,
    location=location,
    sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
    retention_in_days=90,
    tags=tags,
)

app_insights = applicationinsights.Component(
    "appi",
    resource_group_name=rg.name,
    location=location,
    kind="web",
    application_type="web",
    ingestion_mode="LogAnalytics",
    workspace_resource_id=log_analytics.id,
    tags=tags,
)

# ------------------------------------------------------------------------------
# Workspace dependencies: storage, key vault (+ CMK), container registry
# ------------------------------------------------------------------------------
def hardened_storage_account(logical_name: str, name: str, **extra) -> storage.StorageAccount:
    """The one storage baseline this estate uses: HTTPS and TLS 1.2 only, no public blob access,
    no shared keys (identity only), no cross-tenant replication, no public network access."""
    return storage.StorageAccount(
        logical_name,
        account_name=name,
        resource_group_name=rg.name,
        location=location,
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_ZRS"),
        enable_https_traffic_only=True,
        minimum_tls_version="TLS1_2",
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        allow_cross_tenant_replication=False,
        default_to_o_auth_authentication=True,
        public_network_access="Disabled",
        network_rule_set=storage.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices"),
        tags=tags,
        **extra,
    )


storage_account = hardened_storage_account("st", storage_account_name)

# Curated training data, registered below as the training workspace's datastore.
curated_container = storage.BlobContainer(
    "st-curated",
    account_name=storage_account.name,
    resource_group_name=rg.name,
    container_name=DATASTORE_NAME,
    public_access="None",
)

# The feature store's offline store: materialised features land in ADLS Gen2 (hierarchical
# namespace), as locked down as the workspace storage.
offline_store_account = hardened_storage_account("st-fs-offline", offline_store_account_name, is_hns_enabled=True)

offline_store_container = storage.BlobContainer(
    "st-fs-offline-store",
    account_name=offline_store_account.name,
    resource_group_name=rg.name,
    container_name="offline-store",
    public_access="None",
)

vault = keyvault.Vault(
    "kv",
    vault_name=key_vault_name,
    resource_group_name=rg.name,
    location=location,
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=client.tenant_id,
        sku=keyvault.SkuArgs(family="A", name="standard"),
        enable_rbac_authorization=True,
        enable_soft_delete=True,
        soft_delete_retention_in_days=90,
        enable_purge_protection=True,
        public_network_access="Disabled",
        network_acls=keyvault.NetworkRuleSetArgs(
            default_action="Deny", bypass="AzureServices"
        ),
    ),
    tags=tags,
)

cmk = keyvault.Key(
    "aml-cmk",
    key_name=cmk_key_name,
    vault_name=vault.name,
    resource_group_name=rg.name,
    properties=keyvault.KeyPropertiesArgs(
        kty="RSA",
        key_size=3072,
        key_ops=["wrapKey", "unwrapKey"],
    ),
    tags=tags,
)

registry = containerregistry.Registry(
    "acr",
    registry_name=registry_name,
    resource_group_name=rg.name,
    location=location,
    sku=containerregistry.SkuArgs(name="Premium"),
    admin_user_enabled=False,
    anonymous_pull_enabled=False,
    public_network_access="Disabled",
    network_rule_bypass_options="AzureServices",
    zone_redundancy="Enabled",
    tags=tags,
)

# ------------------------------------------------------------------------------
# Workspace identity and its role assignments (must exist before the workspaces)
# ------------------------------------------------------------------------------
identity = managedidentity.UserAssignedIdentity(
    "id-aml",
    resource_group_name=rg.name,
    location=location,
    tags=tags,
)

role_assignments = []
for ra_name, scope, role in [
    ("ra-st-contributor", storage_account.id, ROLE_CONTRIBUTOR),
    ("ra-st-blob-data", storage_account.id, ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR),
    (
        "ra-st-file-data",
        storage_account.id,
        ROLE_STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
    ),
    # Materialisation writes the offline store as the workspace identity.
    ("ra-st-fs-offline-blob-data", offline_store_account.id, ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR),
    ("ra-kv-contributor", vault.id, ROLE_CONTRIBUTOR),
    ("ra-kv-admin", vault.id, ROLE_KEY_VAULT_ADMINISTRATOR),
    ("ra-acr-contributor", registry.id, ROLE_CONTRIBUTOR),
    ("ra-appi-contributor", app_insights.id, ROLE_CONTRIBUTOR),
]:
    role_assignments.append(
        authorization.RoleAssignment(
            ra_name,
            scope=scope,
            principal_id=identity.principal_id,
            principal_type="ServicePrincipal",
            role_definition_id=role_definition_id(role),
        )
    )


def workspace_identity_and_encryption() -> dict:
    """What both workspaces share: the user-assigned identity and the customer-managed key."""
    return dict(
        identity=ml.ManagedServiceIdentityArgs(
            type="SystemAssigned,UserAssigned",
            # v3 takes the user-assigned identities as a list of ARM ids (not a map).
            user_assigned_identities=[identity.id],
        ),
        primary_user_assigned_identity=identity.id,
        encryption=ml.EncryptionPropertyArgs(
            status="Enabled",
            identity=ml.IdentityForCmkArgs(user_assigned_identity=identity.id),
            key_vault_properties=ml.KeyVaultPropertiesArgs(
                key_vault_arm_id=vault.id,
                key_identifier=cmk.key_uri_with_version,
            ),
        ),
    )


def hardened_workspace(logical_name: str, name: str, kind: str, purpose: str,
                       outbound_rules: dict, **extra) -> ml.Workspace:
    """The one workspace baseline this estate uses: Basic SKU, no public network access, managed
    network allowing only approved outbound traffic, identity-based system datastores, HBI,
    the shared storage/key vault/insights/registry, the user-assigned identity and the
    customer-managed key."""
    return ml.Workspace(
        logical_name,
        workspace_name=name,
        resource_group_name=rg.name,
        location=location,
        kind=kind,
        friendly_name=f"{prefix} {stack} {purpose}",
        sku=ml.SkuArgs(name="Basic"),
        public_network_access="Disabled",
        allow_public_access_when_behind_vnet=False,
        managed_network=ml.ManagedNetworkSettingsArgs(
            isolation_mode="AllowOnlyApprovedOutbound", outbound_rules=outbound_rules
        ),
        system_datastores_auth_mode="Identity",
        hbi_workspace=True,
        v1_legacy_mode=False,
        storage_account=storage_account.id,
        key_vault=vault.id,
        application_insights=app_insights.id,
        container_registry=registry.id,
        tags=workspace_tags,
        opts=pulumi.ResourceOptions(depends_on=role_assignments),
        **workspace_identity_and_encryption(),
        **extra,
    )


def private_endpoint_rule(target: pulumi.Input[str], subresource: str) -> ml.PrivateEndpointOutboundRuleArgs:
    """A managed-network outbound rule that reaches ``target`` only through a private endpoint."""
    return ml.PrivateEndpointOutboundRuleArgs(
        type="PrivateEndpoint",
        category="UserDefined",
        destination=ml.PrivateEndpointDestinationArgs(
            service_resource_id=target, subresource_target=subresource, spark_enabled=True
        ),
    )


# ------------------------------------------------------------------------------
# The Azure ML workspace (feature store). Materialisation (serverless Spark in the managed
# network) reaches the offline store only through a private endpoint.
# ------------------------------------------------------------------------------
workspace = hardened_workspace(
    "mlw",
    workspace_name,
    "FeatureStore",
    "feature store",
    {"offline-store-dfs": private_endpoint_rule(offline_store_account.id, "dfs")},
    feature_store_settings=ml.FeatureStoreSettingsArgs(
        compute_runtime=ml.ComputeRuntimeDtoArgs(spark_runtime_version="3.4"),
        offline_store_connection_name=OFFLINE_STORE_CONNECTION,
    ),
)

# ------------------------------------------------------------------------------
# The training and serving workspace. It shares the feature store's dependencies (a
# storage account, key vault and registry can serve several workspaces) and reads features
# through a private endpoint of its managed network.
# ------------------------------------------------------------------------------
training_workspace = hardened_workspace(
    "mlw-train",
    training_workspace_name,
    "Default",
    "training and serving",
    {"feature-store": private_endpoint_rule(workspace.id, "amlworkspace")},
)

for diag_name, resource in [
    ("diag-mlw", workspace),
    ("diag-mlw-train", training_workspace),
    ("diag-kv", vault),
]:
    monitor.DiagnosticSetting(
        diag_name,
        name="to-log-analytics",
        resource_uri=resource.id,
        workspace_id=log_analytics.id,
        logs=[
            monitor.DiagnosticsLogSettingsArgs(category_group="allLogs", enabled=True)
        ],
        metrics=[
            monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)
        ],
    )

# ------------------------------------------------------------------------------
# A private model registry: models are promoted from the training workspace into it and
# shared with other workspaces from there. Same region, no public access.
# ------------------------------------------------------------------------------
model_registry = ml.Registry(
    "mlr",
    registry_name=model_registry_name,
    resource_group_name=rg.name,
    location=location,
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Disabled",
    region_details=[
        ml.RegistryRegionArmDetailsArgs(
            location=location,
            acr_details=[
                ml.AcrDetailsArgs(
                    system_created_acr_account=ml.SystemCreatedAcrAccountArgs(
                        acr_account_sku="Premium",
                    )
                )
            ],
            storage_account_details=[
                ml.StorageAccountDetailsArgs(
                    system_created_storage_account=ml.SystemCreatedStorageAccountArgs(
                        storage_account_type="Standard_ZRS",
                        allow_blob_public_access=False,
                        storage_account_hns_enabled=False,
                    )
                )
            ],
        )
    ],
    tags=tags,
)

# ------------------------------------------------------------------------------
# Private endpoints to the workspaces and the registry, with their private DNS zones
# ------------------------------------------------------------------------------
dns_zone_configs = []
for zone_name in ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]:
    zone = privatedns.PrivateZone(
        zone_name,
        private_zone_name=zone_name,
        resource_group_name=rg.name,
        location="global",
        tags=tags,
    )
    privatedns.VirtualNetworkLink(
        f"{zone_name}-link",
        private_zone_name=zone.name,
        resource_group_name=rg.name,
        location="global",
        registration_enabled=False,
        virtual_network=privatedns.SubResourceArgs(id=vnet.id),
        tags=tags,
    )
    dns_zone_configs.append(
        network.PrivateDnsZoneConfigArgs(
            name=zone_name.replace(".", "-"), private_dns_zone_id=zone.id
        )
    )

for pe_name, target, group in [
    ("pe-mlw", workspace, "amlworkspace"),
    ("pe-mlw-train", training_workspace, "amlworkspace"),
    ("pe-mlr", model_registry, "amlregistry"),
]:
    endpoint = network.PrivateEndpoint(
        pe_name,
        resource_group_name=rg.name,
        location=location,
        # A plain dict: SubnetArgs would add its own network-policy defaults here.
        subnet={"id": pe_subnet.id},
        private_link_service_connections=[
            network.PrivateLinkServiceConnectionArgs(
                name=f"{pe_name.removeprefix('pe-')}-{group}",
                private_link_service_id=target.id,
                group_ids=[group],
            )
        ],
        tags=tags,
    )
    network.PrivateDnsZoneGroup(
        f"{pe_name}-dns",
        resource_group_name=rg.name,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="default",
        private_dns_zone_configs=dns_zone_configs,
    )

# ------------------------------------------------------------------------------
# Feature store assets: a pinned data version, an entity, and a featureset built on both,
# materialised daily to the offline store
# ------------------------------------------------------------------------------
ml_asset_opts = pulumi.ResourceOptions(depends_on=[workspace])

# Materialisation authenticates to the offline store as the workspace identity: no key.
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
        # the approved list; training reads the materialised features, not raw aggregates.
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

# ------------------------------------------------------------------------------
# Training workspace: identity-based datastore and the versioned assets jobs pin
# ------------------------------------------------------------------------------
training_asset_opts = pulumi.ResourceOptions(depends_on=[training_workspace])

# No credentials: the service reads the container as the workspace's user-assigned
# identity, which holds Storage Blob Data Contributor on the account.
curated_datastore = ml.Datastore(
    "datastore-curated",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=DATASTORE_NAME,
    properties=ml.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name=storage_account_name,
        container_name=DATASTORE_NAME,
        credentials=ml.NoneDatastoreCredentialsArgs(credentials_type="None"),
        service_data_access_auth_identity="WorkspaceUserAssignedIdentity",
        description="Curated training data (identity-based access).",
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[training_workspace, curated_container]),
)

labels_version = ml.DataVersion(
    "data-fraud-labels-v1",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=LABELS_NAME,
    version=LABELS_VERSION,
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder",
        data_uri=(
            f"azureml://datastores/{DATASTORE_NAME}/paths/{LABELS_NAME}/v{LABELS_VERSION}/"
        ),
        is_anonymous=False,
        is_archived=False,
        description="Confirmed fraud labels per transaction, one folder per version.",
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[curated_datastore]),
)

code_versions = {}
for code_name, code_version, what in [
    (CODE_NAME, CODE_VERSION, "Training and data preparation code"),
    (SCORING_CODE_NAME, SCORING_CODE_VERSION, "Scoring script for the online deployment"),
]:
    code_versions[code_name] = ml.CodeVersion(
        f"code-{code_name}-v{code_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=code_name,
        version=code_version,
        properties=ml.CodeVersionPropertiesArgs(
            # Uploaded by CI (as the workspace identity) before the stack is updated.
            code_uri=(
                f"https://{storage_account_name}.blob.core.windows.net/"
                f"{DATASTORE_NAME}/code/{code_name}/{code_version}/"
            ),
            description=f"{what}, release {code_version}.",
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(depends_on=[training_workspace, curated_container]),
    )

TRAIN_CONDA = """\
name: fraud-train
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
      - mlflow==2.16.2
      - azureml-mlflow==1.57.0
      - scikit-learn==1.5.2
      - pandas==2.2.3
"""
SERVE_CONDA = """\
name: fraud-serve
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
      - azureml-inference-server-http==1.3.4
      - transformers==4.44.2
      - torch==2.4.1
"""

environment_versions = {}
for env_name, env_version, conda_file, what in [
    (TRAIN_ENV_NAME, TRAIN_ENV_VERSION, TRAIN_CONDA, "Training runtime"),
    (SERVE_ENV_NAME, SERVE_ENV_VERSION, SERVE_CONDA, "Inference runtime"),
]:
    environment_versions[env_name] = ml.EnvironmentVersion(
        f"env-{env_name}-v{env_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=env_name,
        version=env_version,
        properties=ml.EnvironmentVersionPropertiesArgs(
            image=base_image,
            conda_file=conda_file,
            os_type="Linux",
            # Never rebuilt behind our back: a new base image is a new environment version.
            auto_rebuild="Disabled",
            description=f"{what} on the pinned AzureML base image.",
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=training_asset_opts,
    )

code_id = training_asset_id("codes", CODE_NAME, CODE_VERSION)
scoring_code_id = training_asset_id("codes", SCORING_CODE_NAME, SCORING_CODE_VERSION)
train_env_id = training_asset_id("environments", TRAIN_ENV_NAME, TRAIN_ENV_VERSION)
serve_env_id = training_asset_id("environments", SERVE_ENV_NAME, SERVE_ENV_VERSION)
labels_id = training_asset_id("data", LABELS_NAME, LABELS_VERSION)
prep_component_id = training_asset_id("components", PREP_COMPONENT_NAME, PREP_COMPONENT_VERSION)
train_component_id = training_asset_id(
    "components", TRAIN_COMPONENT_NAME, TRAIN_COMPONENT_VERSION
)
cluster_id = training_asset_id("computes", CLUSTER_NAME)

component_versions = {}
for comp_name, comp_version, spec in [
    (
        PREP_COMPONENT_NAME,
        PREP_COMPONENT_VERSION,
        {
            "$schema": "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
            "name": PREP_COMPONENT_NAME,
            "version": PREP_COMPONENT_VERSION,
            "type": "command",
            "display_name": "Join labels with materialised customer features",
            "code": code_id,
            "environment": train_env_id,
            "command": (
                "python prep.py --labels ${{inputs.labels}} "
                f"--featureset {FEATURESET_NAME}:{FEATURESET_VERSION} "
                "--out ${{outputs.training_data}}"
            ),
            "inputs": {"labels": {"type": "uri_folder"}},
            "outputs": {"training_data": {"type": "uri_folder"}},
        },
    ),
    (
        TRAIN_COMPONENT_NAME,
        TRAIN_COMPONENT_VERSION,
        {
            "$schema": "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
            "name": TRAIN_COMPONENT_NAME,
            "version": TRAIN_COMPONENT_VERSION,
            "type": "command",
            "display_name": "Train the fraud classifier",
            "code": code_id,
            "environment": train_env_id,
            "command": (
                "python train.py --data ${{inputs.training_data}} "
                "--learning-rate ${{inputs.learning_rate}} --model ${{outputs.model}}"
            ),
            "inputs": {
                "training_data": {"type": "uri_folder"},
                "learning_rate": {"type": "number", "default": 0.1},
            },
            "outputs": {"model": {"type": "mlflow_model"}},
        },
    ),
]:
    component_versions[comp_name] = ml.ComponentVersion(
        f"component-{comp_name}-v{comp_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=comp_name,
        version=comp_version,
        properties=ml.ComponentVersionPropertiesArgs(
            component_spec=spec,
            description=spec["display_name"],
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(
            depends_on=[
                code_versions[CODE_NAME],
                environment_versions[TRAIN_ENV_NAME],
            ]
        ),
    )

model_version = ml.ModelVersion(
    "model-fraud-model-v1",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=MODEL_NAME,
    version=MODEL_VERSION,
    properties=ml.ModelVersionPropertiesArgs(
        model_type="mlflow_model",
        model_uri=f"azureml://datastores/{DATASTORE_NAME}/paths/models/{MODEL_NAME}/{MODEL_VERSION}/",
        description="Fraud classifier trained on fraud-labels v1 (baseline).",
        stage="Development",
        is_anonymous=False,
        is_archived=False,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[curated_datastore]),
)

# ------------------------------------------------------------------------------
# Compute. Both run inside the training workspace's managed network (no subnet of ours),
# without public IPs, without local accounts (Entra ID only) and without public SSH.
# ------------------------------------------------------------------------------
cluster = ml.Compute(
    "compute-cpu-cluster",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    compute_name=CLUSTER_NAME,
    location=location,
    # Jobs with a Managed identity run as this identity on the cluster.
    identity=ml.ManagedServiceIdentityArgs(
        type="UserAssigned", user_assigned_identities=[identity.id]
    ),
    properties=ml.AmlComputeArgs(
        compute_type="AmlCompute",
        disable_local_auth=True,
        description="CPU training cluster; scales to zero when idle.",
        properties=ml.AmlComputePropertiesArgs(
            vm_size="Standard_DS3_v2",
            vm_priority="Dedicated",
            os_type="Linux",
            enable_node_public_ip=False,
            remote_login_port_public_access="Disabled",
            scale_settings=ml.ScaleSettingsArgs(
                min_node_count=0,
                max_node_count=4,
                node_idle_time_before_scale_down="PT15M",
            ),
        ),
    ),
    tags=tags,
    opts=training_asset_opts,
)

compute_instance = ml.Compute(
    "compute-instance",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    compute_name=INSTANCE_NAME,
    location=location,
    properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance",
        disable_local_auth=True,
        description="Personal development instance; shuts down after 30 idle minutes.",
        properties=ml.ComputeInstancePropertiesArgs(
            vm_size="Standard_DS3_v2",
            enable_node_public_ip=False,
            idle_time_before_shutdown="PT30M",
            application_sharing_policy="Personal",
            compute_instance_authorization_type="personal",
            personal_compute_instance_settings=ml.PersonalComputeInstanceSettingsArgs(
                assigned_user=ml.AssignedUserArgs(
                    object_id=instance_user_object_id,
                    tenant_id=client.tenant_id,
                ),
            ),
            ssh_settings=ml.ComputeInstanceSshSettingsArgs(ssh_public_access="Disabled"),
        ),
    ),
    tags=tags,
    opts=training_asset_opts,
)

# ------------------------------------------------------------------------------
# Training runs: every job pins its code, environment, components and data by version,
# runs as the cluster's managed identity on the cluster declared above, and is bounded.
# ------------------------------------------------------------------------------
job_opts = pulumi.ResourceOptions(
    depends_on=[
        cluster,
        labels_version,
        code_versions[CODE_NAME],
        environment_versions[TRAIN_ENV_NAME],
        *component_versions.values(),
    ]
)
managed_identity = ml.ManagedIdentityArgs(identity_type="Managed")
labels_input = ml.UriFolderJobInputArgs(
    job_input_type="uri_folder", uri=labels_id, mode="ReadOnlyMount"
)

# The baseline run behind fraud-model v1.
command_job = ml.Job(
    "job-fraud-train-baseline",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-baseline",
    properties=ml.CommandJobArgs(
        job_type="Command",
        display_name="Fraud classifier, baseline",
        experiment_name="fraud-train",
        command=(
            "python train.py --data ${{inputs.training_data}} "
            "--learning-rate ${{inputs.learning_rate}} --model ${{outputs.model}}"
        ),
        code_id=code_id,
        environment_id=train_env_id,
        compute_id=cluster_id,
        identity=managed_identity,
        inputs={
            "training_data": labels_input,
            "learning_rate": ml.LiteralJobInputArgs(job_input_type="literal", value="0.1"),
        },
        outputs={
            "model": ml.MLFlowModelJobOutputArgs(
                job_output_type="mlflow_model", mode="ReadWriteMount"
            ),
        },
        limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="PT2H"),
        tags=tags,
    ),
    opts=job_opts,
)

# Hyperparameter search around the baseline: at most 20 trials, 4 at a time, 6 hours.
sweep_job = ml.Job(
    "job-fraud-train-sweep",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-sweep",
    properties=ml.SweepJobArgs(
        job_type="Sweep",
        display_name="Fraud classifier, learning-rate and depth sweep",
        experiment_name="fraud-train",
        compute_id=cluster_id,
        identity=managed_identity,
        inputs={"training_data": labels_input},
        objective=ml.ObjectiveArgs(goal="Maximize", primary_metric="auc"),
        sampling_algorithm=ml.RandomSamplingAlgorithmArgs(
            sampling_algorithm_type="Random", seed=42
        ),
        search_space={
            "learning_rate": ["uniform", [0.01, 0.3]],
            "max_depth": ["choice", [[4, 6, 8]]],
        },
        trial=ml.TrialComponentArgs(
            command=(
                "python train.py --data ${{inputs.training_data}} "
                "--learning-rate ${{search_space.learning_rate}} "
                "--max-depth ${{search_space.max_depth}}"
            ),
            code_id=code_id,
            environment_id=train_env_id,
        ),
        early_termination=ml.BanditPolicyArgs(
            policy_type="Bandit", slack_factor=0.1, evaluation_interval=1, delay_evaluation=5
        ),
        limits=ml.SweepJobLimitsArgs(
            job_limits_type="Sweep",
            max_total_trials=20,
            max_concurrent_trials=4,
            timeout="PT6H",
            trial_timeout="PT1H",
        ),
        tags=tags,
    ),
    opts=job_opts,
)


def training_pipeline(display_name: str) -> ml.PipelineJobArgs:
    """Prepare the training data, then train: both steps are the pinned components above,
    on the cluster (the pipeline's default compute) as the pipeline's managed identity."""
    return ml.PipelineJobArgs(
        job_type="Pipeline",
        display_name=display_name,
        experiment_name="fraud-train",
        identity=managed_identity,
        settings={"default_compute": cluster_id, "continue_on_step_failure": False},
        inputs={"labels": labels_input},
        outputs={
            "model": ml.MLFlowModelJobOutputArgs(
                job_output_type="mlflow_model", mode="ReadWriteMount"
            ),
        },
        # Pipeline steps are untyped in the API; they are written as azure-ai-ml writes them.
        jobs={
            "prep": {
                "type": "command",
                "componentId": prep_component_id,
                "inputs": {
                    "labels": {"job_input_type": "literal", "value": "${{parent.inputs.labels}}"},
                },
                "outputs": {"training_data": {"type": "uri_folder"}},
                "limits": {"job_limits_type": "Command", "timeout": 3600},
            },
            "train": {
                "type": "command",
                "componentId": train_component_id,
                "inputs": {
                    "training_data": {
                        "job_input_type": "literal",
                        "value": "${{parent.jobs.prep.outputs.training_data}}",
                    },
                    "learning_rate": {"job_input_type": "literal", "value": "0.1"},
                },
                "outputs": {"model": {"value": "${{parent.outputs.model}}", "type": "literal"}},
                "limits": {"job_limits_type": "Command", "timeout": 7200},
            },
        },
        tags=tags,
    )


pipeline_job = ml.Job(
    "job-fraud-train-pipeline",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-pipeline",
    properties=training_pipeline("Fraud classifier, prepare and train"),
    opts=job_opts,
)

# Retrain nightly on the same pinned inputs (a new labels version is a reviewed change here).
schedule = ml.Schedule(
    "schedule-fraud-train-nightly",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name="fraud-train-nightly",
    properties=ml.SchedulePropertiesArgs(
        display_name="Nightly fraud retraining",
        is_enabled=True,
        trigger=ml.CronTriggerArgs(
            trigger_type="Cron", expression="0 3 * * *", time_zone="UTC"
        ),
        action=ml.JobScheduleActionArgs(
            action_type="CreateJob",
            job_definition=training_pipeline("Fraud classifier, nightly retraining"),
        ),
        tags=tags,
    ),
    opts=job_opts,
)

# ------------------------------------------------------------------------------
# Serving: a private online endpoint (Entra ID tokens only) and one deployment that
# serves a pinned catalogue model with no outbound internet access.
# ------------------------------------------------------------------------------
online_endpoint = ml.OnlineEndpoint(
    "endpoint-txn",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    endpoint_name=ENDPOINT_NAME,
    location=location,
    kind="Managed",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    properties=ml.OnlineEndpointPropertiesArgs(
        auth_mode="AADToken",
        public_network_access="Disabled",
        description="Merchant-description encoder for the fraud features.",
    ),
    tags=tags,
    opts=training_asset_opts,
)

# Traffic is shifted to a deployment by the release pipeline (blue/green), not here.
online_deployment = ml.OnlineDeployment(
    "deployment-txn-blue",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    endpoint_name=online_endpoint.name,
    deployment_name="blue",
    location=location,
    kind="Managed",
    sku=ml.SkuArgs(name="Default", capacity=2),
    properties=ml.ManagedOnlineDeploymentArgs(
        endpoint_compute_type="Managed",
        model=SERVED_MODEL,
        environment_id=serve_env_id,
        code_configuration=ml.CodeConfigurationArgs(
            code_id=scoring_code_id, scoring_script="score.py"
        ),
        instance_type="Standard_DS3_v2",
        egress_public_network_access="Disabled",
        app_insights_enabled=True,
        scale_settings=ml.DefaultScaleSettingsArgs(scale_type="Default"),
        request_settings=ml.OnlineRequestSettingsArgs(
            request_timeout="PT5S", max_concurrent_requests_per_instance=2
        ),
        description="distilbert-base-cased v10 from the azureml registry.",
    ),
    tags=tags,
    opts=pulumi.ResourceOptions(
        depends_on=[
            code_versions[SCORING_CODE_NAME],
            environment_versions[SERVE_ENV_NAME],
        ]
    ),
)

# ------------------------------------------------------------------------------
# Exports: names and ids only
# ------------------------------------------------------------------------------
pulumi.export("resource_group_name", rg.name)
pulumi.export("workspace_name", workspace_name)
pulumi.export("workspace_id", workspace.id)
pulumi.export("data_version_reference", data_version_ref)
pulumi.export("featureset_name", FEATURESET_NAME)
pulumi.export("featureset_version", FEATURESET_VERSION)
pulumi.export("training_workspace_name", training_workspace_name)
pulumi.export("training_workspace_id", training_workspace.id)
pulumi.export("model_registry_name", model_registry_name)
pulumi.export("compute_cluster_name", CLUSTER_NAME)
pulumi.export("online_endpoint_name", ENDPOINT_NAME)
pulumi.export("online_endpoint_id", online_endpoint.id)
