"""What the workspaces depend on: storage (the workspace account, its curated-data container and
the feature store's ADLS Gen2 offline store), Key Vault with the customer-managed key, the
container registry, and the user-assigned identity with the data-plane roles it works with.

Both workspaces share these (a storage account, key vault and registry can serve several
workspaces). The storage accounts, the vault and the registry are closed to the public
network and accept identities only: no shared keys, RBAC for the vault, no admin user (the
policy pack's dependency rules, policies/dependencies, judge those the workspaces name).
"""

import pulumi
from pulumi_azure_native import authorization, containerregistry, keyvault, managedidentity, storage

from monitoring import app_insights, send_resource_logs
from network import rg
from settings import (
    DATASTORE_NAME,
    client,
    key_vault_name,
    location,
    offline_store_account_name,
    registry_name,
    storage_account_name,
    tags,
)

cmk_key_name = "aml-cmk"

# Built-in role definition ids.
ROLE_CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
ROLE_STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
ROLE_STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR = "69566ab7-960f-475b-8e7c-b3118f30c6bd"
ROLE_KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"


def role_definition_id(role_guid: str) -> pulumi.Output[str]:
    return client.subscription_id.apply(
        lambda sub: (
            f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
        )
    )


def hardened_storage_account(logical_name: str, name: str, **extra) -> storage.StorageAccount:
    """The one storage baseline this estate uses: HTTPS and TLS 1.2 only, no public blob access,
    no shared keys (identity only), no cross-tenant replication, no public network access.

    The workspaces are HBI, so hbi-workspace-storage-private requires their account to be
    private (publicNetworkAccess Disabled or a Deny rule set); it has both."""
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

# Curated training data, registered as the training workspace's datastore (assets.py).
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

# Holds the customer-managed key: RBAC instead of access policies, and soft delete for 90 days
# with purge protection, since without the key the encrypted workspace data cannot be read.
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

send_resource_logs("diag-kv", vault)

# The key both workspaces encrypt with (workspace-customer-managed-key): it only wraps and
# unwraps the data encryption keys.
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

# Premium: the only tier with network rules and private link; no admin user, no anonymous pull.
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

# The workspaces' user-assigned identity (workspace-managed-identity; the enforce preset
# requires a user-assigned one). Its roles must exist before the workspaces are created.
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
