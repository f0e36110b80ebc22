"""The Azure ML workspaces and the model registry, each reachable only through its private
endpoint, with resource logs to Log Analytics.

- ``mlw``: the ``FeatureStore`` workspace. Materialisation (serverless Spark in the managed
  network) reaches the offline store only through a private endpoint.
- ``mlw-train``: the ``Default`` workspace for training and serving. It shares the feature
  store's dependencies and reads features through a private endpoint of its managed network.
- ``mlr``: a private registry models are promoted into and shared from.
"""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from dependencies import (
    cmk,
    identity,
    offline_store_account,
    registry,
    role_assignments,
    storage_account,
    vault,
)
from monitoring import app_insights, send_resource_logs
from network import private_endpoint, rg
from settings import (
    OFFLINE_STORE_CONNECTION,
    location,
    model_registry_name,
    prefix,
    stack,
    tags,
    training_workspace_name,
    workspace_name,
)

# Both workspaces hold customer data: classified confidential, hence hbiWorkspace below
# (workspace-hbi-for-confidential reads this tag).
workspace_tags = {**tags, "data-classification": "confidential"}


def workspace_identity_and_encryption() -> dict:
    """What both workspaces share: the user-assigned identity (workspace-managed-identity) and
    the customer-managed key (workspace-customer-managed-key)."""
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
    """The one workspace baseline this estate uses: Basic SKU (workspace-allowed-sku), no public
    network access, not even behind a virtual network (workspace-public-network-disabled), a
    managed network allowing only approved outbound traffic (workspace-managed-network-isolation;
    it also puts the computes in a virtual network, compute-in-virtual-network), identity-based
    system datastores (workspace-system-datastores-identity), HBI (workspace-hbi-for-confidential),
    no v1 API, the shared storage/key vault/insights/registry, the user-assigned identity and the
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
        # The identity's roles on the dependencies must exist before the workspace is created.
        opts=pulumi.ResourceOptions(depends_on=role_assignments),
        **workspace_identity_and_encryption(),
        **extra,
    )


def private_endpoint_rule(target: pulumi.Input[str], subresource: str) -> ml.PrivateEndpointOutboundRuleArgs:
    """A managed-network outbound rule that reaches ``target`` only through a private endpoint
    (with only approved outbound traffic, nothing else leaves the managed network)."""
    return ml.PrivateEndpointOutboundRuleArgs(
        type="PrivateEndpoint",
        category="UserDefined",
        destination=ml.PrivateEndpointDestinationArgs(
            service_resource_id=target, subresource_target=subresource, spark_enabled=True
        ),
    )


feature_store_workspace = hardened_workspace(
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

training_workspace = hardened_workspace(
    "mlw-train",
    training_workspace_name,
    "Default",
    "training and serving",
    {"feature-store": private_endpoint_rule(feature_store_workspace.id, "amlworkspace")},
)

# What every asset, compute and endpoint of the training workspace waits for.
in_training_workspace = pulumi.ResourceOptions(depends_on=[training_workspace])

# Same region as the workspaces (ml-allowed-locations), no public network access, and
# zone-redundant storage without public blob access for the models it holds.
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

for ws_name, ws in [("mlw", feature_store_workspace), ("mlw-train", training_workspace)]:
    send_resource_logs(f"diag-{ws_name}", ws)
    private_endpoint(f"pe-{ws_name}", ws, "amlworkspace")
private_endpoint("pe-mlr", model_registry, "amlregistry")
