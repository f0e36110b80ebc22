"""An Azure ML workspace (pulumi-azure-native 2.x) whose access comes from Entra ID: the
deployment pipeline's service principal and the data-science group get their roles on it, and
the key vault trusts the tenant the deployment runs in."""

import uuid

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import authorization, keyvault, resources, storage
from pulumi_azure_native import machinelearningservices as ml

config = pulumi.Config()
deployer_name = config.get("deployerName") or "sp-aml-deployer"
tags = {"owner": "ml-platform", "cost-center": "cc-1234"}

current = azuread.get_client_config()
deployer = azuread.get_service_principal(display_name=deployer_name)
scientists = azuread.get_group(display_name="aml-data-scientists", security_enabled=True)
subscription = authorization.get_client_config().subscription_id

rg = resources.ResourceGroup("rg", resource_group_name="rg-aml-access", location="westeurope", tags=tags)
vault = keyvault.Vault(
    "kv",
    resource_group_name=rg.name,
    vault_name="kv-aml-access-dev",
    properties=keyvault.VaultPropertiesArgs(
        tenant_id=current.tenant_id,
        sku=keyvault.SkuArgs(family="A", name="standard"),
        enable_rbac_authorization=True,
        enable_purge_protection=True,
        public_network_access="disabled",
    ),
    tags=tags,
)
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
    workspace_name="mlw-access-dev",
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    key_vault=vault.id,
    storage_account=account.id,
    public_network_access="Disabled",
    tags=tags,
)

# Built-in roles: AzureML Data Scientist, and Contributor for the pipeline.
ROLES = {"data-scientist": "f6c7c914-8db3-469d-8ca1-694a8f32e121", "contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c"}


def grant(name: str, principal_id: str, principal_type: str, role: str) -> authorization.RoleAssignment:
    # A stable assignment name: a GUID in the principal's namespace, one per role and workspace.
    return authorization.RoleAssignment(
        name,
        principal_id=principal_id,
        principal_type=principal_type,
        role_assignment_name=str(uuid.uuid5(uuid.UUID(principal_id), f"{role}/mlw-access-dev")),
        role_definition_id=f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{ROLES[role]}",
        scope=workspace.id,
    )


grant("deployer-contributor", deployer.object_id, "ServicePrincipal", "contributor")
grant("scientists-data-scientist", scientists.object_id, "Group", "data-scientist")

pulumi.export("deployerApplicationId", deployer.client_id)
pulumi.export("tenantId", current.tenant_id)
