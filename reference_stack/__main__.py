"""Reference Azure ML estate: the compliant case the policy pack is tested against.

One Azure Machine Learning workspace of kind ``FeatureStore`` behind a private endpoint,
with its dependent resources locked down (no public network access, no shared keys, RBAC
only), a user-assigned identity, customer-managed-key encryption, resource logs to Log
Analytics, and one featureset whose source data is a pinned DataVersion.

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
stack = pulumi.get_stack()

# The same tags go on every resource that takes tags (ML assets: in their properties).
tags = {"owner": owner, "cost-center": cost_center, "stack": stack}


def _alnum(*parts: str, limit: int) -> str:
    """Lower-case alphanumeric name (storage accounts and registries need it)."""
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())[:limit]


def _dashed(*parts: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9-]", "", "-".join(parts).lower())[:limit].strip("-")


storage_account_name = _alnum(prefix, stack, "st", limit=24)
key_vault_name = _dashed(prefix, stack, "kv", limit=24)
registry_name = _alnum(prefix, stack, "acr", limit=50)
workspace_name = _dashed(prefix, stack, "fs", limit=33)
cmk_key_name = "aml-cmk"

# ML asset names and versions. Every reference below is built from these variables, so a
# reference can never drift from the asset it points at.
DATA_NAME = "transactions"
DATA_VERSION = "1"
ENTITY_NAME = "customer"
ENTITY_VERSION = "1"
FEATURESET_NAME = "customer_transactions"
FEATURESET_VERSION = "1"

data_version_ref = f"azureml:{DATA_NAME}:{DATA_VERSION}"
entity_ref = f"azureml:{ENTITY_NAME}:{ENTITY_VERSION}"

client = authorization.get_client_config_output()


def role_definition_id(role_guid: str) -> pulumi.Output[str]:
    return client.subscription_id.apply(
        lambda sub: (
            f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
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
    resource_group_name=f"rg-{prefix}-{stack}",
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
storage_account = storage.StorageAccount(
    "st",
    account_name=storage_account_name,
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
    network_rule_set=storage.NetworkRuleSetArgs(
        default_action="Deny", bypass="AzureServices"
    ),
    tags=tags,
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
# Workspace identity and its role assignments (must exist before the workspace)
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

# ------------------------------------------------------------------------------
# The Azure ML workspace (feature store)
# ------------------------------------------------------------------------------
workspace = ml.Workspace(
    "mlw",
    workspace_name=workspace_name,
    resource_group_name=rg.name,
    location=location,
    kind="FeatureStore",
    friendly_name=f"{prefix} {stack} feature store",
    sku=ml.SkuArgs(name="Basic"),
    identity=ml.ManagedServiceIdentityArgs(
        type="SystemAssigned,UserAssigned",
        # v3 takes the user-assigned identities as a list of ARM ids (not a map).
        user_assigned_identities=[identity.id],
    ),
    primary_user_assigned_identity=identity.id,
    public_network_access="Disabled",
    allow_public_access_when_behind_vnet=False,
    managed_network=ml.ManagedNetworkSettingsArgs(
        isolation_mode="AllowOnlyApprovedOutbound"
    ),
    system_datastores_auth_mode="Identity",
    hbi_workspace=True,
    v1_legacy_mode=False,
    encryption=ml.EncryptionPropertyArgs(
        status="Enabled",
        identity=ml.IdentityForCmkArgs(user_assigned_identity=identity.id),
        key_vault_properties=ml.KeyVaultPropertiesArgs(
            key_vault_arm_id=vault.id,
            key_identifier=cmk.key_uri_with_version,
        ),
    ),
    feature_store_settings=ml.FeatureStoreSettingsArgs(
        compute_runtime=ml.ComputeRuntimeDtoArgs(spark_runtime_version="3.4"),
    ),
    storage_account=storage_account.id,
    key_vault=vault.id,
    application_insights=app_insights.id,
    container_registry=registry.id,
    tags=tags,
    opts=pulumi.ResourceOptions(depends_on=role_assignments),
)

# Resource logs (workspace and key vault) to Log Analytics.
for diag_name, resource in [("diag-mlw", workspace), ("diag-kv", vault)]:
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
# Private endpoint to the workspace, with its private DNS zones
# ------------------------------------------------------------------------------
workspace_pe = network.PrivateEndpoint(
    "pe-mlw",
    resource_group_name=rg.name,
    location=location,
    # A plain dict: SubnetArgs would add its own network-policy defaults here.
    subnet={"id": pe_subnet.id},
    private_link_service_connections=[
        network.PrivateLinkServiceConnectionArgs(
            name="mlw-amlworkspace",
            private_link_service_id=workspace.id,
            group_ids=["amlworkspace"],
        )
    ],
    tags=tags,
)

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

network.PrivateDnsZoneGroup(
    "pe-mlw-dns",
    resource_group_name=rg.name,
    private_endpoint_name=workspace_pe.name,
    private_dns_zone_group_name="default",
    private_dns_zone_configs=dns_zone_configs,
)

# ------------------------------------------------------------------------------
# ML assets: a pinned data version, an entity, and a featureset built on both
# ------------------------------------------------------------------------------
ml_asset_opts = pulumi.ResourceOptions(depends_on=[workspace])

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
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(
        depends_on=[featureset_container, entity_version, data_version]
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
