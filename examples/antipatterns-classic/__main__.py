"""One deliberate mistake per governance rule that applies to the classic provider, pulumi-azure 6.x
(6.40.1). NEVER DEPLOY THIS PROGRAM.

The classic counterpart of examples/antipatterns (azure-native 3.x): every resource whose Pulumi name
is the name of a rule breaks that rule, and only that rule, with the classic provider's names
(publicNetworkAccessEnabled, storageAccountAccessType, localAuthEnabled, ...). Rules about
resources the classic provider does not have (jobs, endpoints, asset versions, feature stores,
connections) are listed in README.md with the reason. ``no-secret-exports`` reports on the stack
itself (``aml-antipatterns-classic-dev``).

    python -m policy_gate run examples/antipatterns-classic --config examples/antipatterns-classic/policy-config.json

(with a ``venv`` built from requirements.txt; tests/test_examples_providers.py links the tests'
cached classic env there and asserts the exact (rule, resource) pairs).
"""

import pulumi
from pulumi_azure import appinsights, authorization, containerservice, core, keyvault, network, privatelink, storage
from pulumi_azure import machinelearning as ml

LOCATION = "westeurope"
TAGS = {"owner": "ml-platform-team", "cost-center": "CC-4711"}
SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000"

client = core.get_client_config_output()

# ------------------------------------------------------------------------------
# Compliant context: network, identity, customer-managed key, private storage
# ------------------------------------------------------------------------------
rg = core.ResourceGroup("rg", name="rg-aml-apc", location=LOCATION, tags=TAGS)
vnet = network.VirtualNetwork("vnet", resource_group_name=rg.name, location=LOCATION, address_spaces=["10.40.0.0/16"],
                              tags=TAGS)
pe_subnet = network.Subnet("snet-private-endpoints", resource_group_name=rg.name, virtual_network_name=vnet.name,
                           address_prefixes=["10.40.1.0/24"])
compute_subnet = network.Subnet("snet-compute", resource_group_name=rg.name, virtual_network_name=vnet.name,
                                address_prefixes=["10.40.2.0/24"])
identity = authorization.UserAssignedIdentity("id-aml", resource_group_name=rg.name, location=LOCATION, tags=TAGS)
insights = appinsights.Insights("appi", resource_group_name=rg.name, location=LOCATION, application_type="web",
                                local_authentication_enabled=False, tags=TAGS)
vault = keyvault.KeyVault("kv", name="kv-aml-apc", resource_group_name=rg.name, location=LOCATION,
                          tenant_id=client.tenant_id, sku_name="standard", purge_protection_enabled=True,
                          rbac_authorization_enabled=True, public_network_access_enabled=False, tags=TAGS)
cmk = keyvault.Key("aml-cmk", name="aml-cmk", key_vault_id=vault.id, key_type="RSA", key_size=3072,
                   key_opts=["wrapKey", "unwrapKey"])


def storage_account(logical: str, name: str, **overrides: object) -> storage.Account:
    args: dict = dict(name=name, resource_group_name=rg.name, location=LOCATION, account_tier="Standard",
                      account_replication_type="ZRS", shared_access_key_enabled=False,
                      allow_nested_items_to_be_public=False, public_network_access_enabled=False,
                      network_rules=storage.AccountNetworkRulesArgs(default_action="Deny", bypasses=["AzureServices"]),
                      tags=TAGS)
    args.update(overrides)
    return storage.Account(logical, **args)


st = storage_account("st", "stamlapc")

# ------------------------------------------------------------------------------
# Workspaces: one compliant configuration, changed in one place per antipattern
# ------------------------------------------------------------------------------


def workspace(logical: str, name: str, *, private_endpoint: bool = True, **overrides: object) -> ml.Workspace:
    """A workspace configured like the reference stack's, with ``overrides`` applied (``None`` leaves
    a setting out), reached through its own private endpoint unless told otherwise."""
    args: dict = dict(
        name=name,
        location=LOCATION,
        resource_group_name=rg.name,
        application_insights_id=insights.id,
        key_vault_id=vault.id,
        storage_account_id=st.id,
        sku_name="Basic",
        identity=ml.WorkspaceIdentityArgs(type="SystemAssigned, UserAssigned", identity_ids=[identity.id]),
        primary_user_assigned_identity=identity.id,
        public_network_access_enabled=False,
        managed_network=ml.WorkspaceManagedNetworkArgs(isolation_mode="AllowOnlyApprovedOutbound"),
        storage_account_access_type="Identity",
        high_business_impact=True,
        encryption=ml.WorkspaceEncryptionArgs(key_vault_id=vault.id, key_id=cmk.id, user_assigned_identity_id=identity.id),
        tags=TAGS,
    )
    args.update(overrides)
    ws = ml.Workspace(logical, **{k: v for k, v in args.items() if v is not None})
    if private_endpoint:
        privatelink.Endpoint(
            f"pe-{name}",
            resource_group_name=rg.name,
            location=LOCATION,
            subnet_id=pe_subnet.id,
            private_service_connection=privatelink.EndpointPrivateServiceConnectionArgs(
                name=f"{name}-amlworkspace", is_manual_connection=False, private_connection_resource_id=ws.id,
                subresource_names=["amlworkspace"]),
            tags=TAGS,
        )
    return ws


mlw = workspace("mlw", "mlw-apc")

# A Premium SKU copied from an old template.
workspace("workspace-allowed-sku", "mlw-apc-sku", sku_name="Premium")
# The user-assigned identity is listed but never made the primary one.
workspace("workspace-managed-identity", "mlw-apc-identity", primary_user_assigned_identity=None)
# A private endpoint, and the public endpoint left open beside it.
workspace("workspace-public-network-disabled", "mlw-apc-public", public_network_access_enabled=True)
# A managed network that still lets everything out to the internet.
workspace("workspace-managed-network-isolation", "mlw-apc-outbound",
          managed_network=ml.WorkspaceManagedNetworkArgs(isolation_mode="AllowInternetOutbound"))
# Public access disabled, but no private endpoint: nobody can reach it.
workspace("workspace-private-endpoint", "mlw-apc-unreachable", private_endpoint=False)
# System datastores reached with the storage account key.
workspace("workspace-system-datastores-identity", "mlw-apc-accesskey", storage_account_access_type="AccessKey")
# Microsoft-managed keys only.
workspace("workspace-customer-managed-key", "mlw-apc-mmk", encryption=None)
# Tagged confidential, but not flagged high business impact.
workspace("workspace-hbi-for-confidential", "mlw-apc-confidential", high_business_impact=False,
          tags={**TAGS, "data-classification": "confidential"})

# A high-business-impact workspace whose storage account is open to the internet: the violation is
# reported on the storage account.
public_storage = storage_account("hbi-workspace-storage-private", "stamlapcopen", public_network_access_enabled=True,
                                 network_rules=storage.AccountNetworkRulesArgs(default_action="Allow"))
workspace("mlw-hbi", "mlw-apc-hbi", storage_account_id=public_storage.id)

# ------------------------------------------------------------------------------
# Datastores
# ------------------------------------------------------------------------------
ml.DatastoreBlobstorage("datastore-training", name="training", workspace_id=mlw.id,
                        storage_container_id=f"{SUBSCRIPTION}/resourceGroups/rg-aml-apc/providers/Microsoft.Storage/"
                                             "storageAccounts/stamlapc/blobServices/default/containers/training",
                        service_data_auth_identity="WorkspaceSystemAssignedIdentity", tags=TAGS)
# A service principal instead of identity-based access (its secret is to be "added later": an inline
# one would also be judged as inline by the same rule).
ml.DatastoreDatalakeGen2("datastore-no-inline-credentials", name="partner_drop", workspace_id=mlw.id,
                         storage_container_id=f"{SUBSCRIPTION}/resourceGroups/rg-partner/providers/Microsoft.Storage/"
                                              "storageAccounts/stpartner/blobServices/default/containers/drop",
                         client_id="11111111-2222-3333-4444-555555555555", tenant_id=client.tenant_id, tags=TAGS)
ml.WorkspaceNetworkOutboundRuleFqdn("outbound-pypi", name="pypi", workspace_id=mlw.id, destination_fqdn="pypi.org")

# ------------------------------------------------------------------------------
# Compute: one compliant configuration, changed in one place per antipattern
# ------------------------------------------------------------------------------


def cluster(logical: str, name: str, *, workspace_id: pulumi.Input[str] = mlw.id, **overrides: object) -> ml.ComputeCluster:
    args: dict = dict(
        name=name, location=LOCATION, machine_learning_workspace_id=workspace_id, vm_size="Standard_DS3_v2",
        vm_priority="Dedicated", scale_settings=ml.ComputeClusterScaleSettingsArgs(
            min_node_count=0, max_node_count=4, scale_down_nodes_after_idle_duration="PT15M"),
        local_auth_enabled=False, node_public_ip_enabled=False, ssh_public_access_enabled=False,
        subnet_resource_id=compute_subnet.id, tags=TAGS)
    args.update(overrides)
    return ml.ComputeCluster(logical, **{k: v for k, v in args.items() if v is not None})


def instance(logical: str, name: str, **overrides: object) -> ml.ComputeInstance:
    args: dict = dict(name=name, machine_learning_workspace_id=mlw.id, virtual_machine_size="Standard_DS3_v2",
                      local_auth_enabled=False, node_public_ip_enabled=False, subnet_resource_id=compute_subnet.id,
                      tags=TAGS)
    args.update(overrides)
    return ml.ComputeInstance(logical, **args)


cluster("compute-cpu-cluster", "cpu-cluster")
instance("compute-instance", "ci-apc")

# An A100 cluster nobody approved.
cluster("compute-allowed-vm-sizes", "gpu-a100", vm_size="Standard_NC24ads_A100_v4")
# Two warm nodes, around the clock.
cluster("compute-cluster-scale", "cpu-warm", scale_settings=ml.ComputeClusterScaleSettingsArgs(
    min_node_count=2, max_node_count=4, scale_down_nodes_after_idle_duration="PT15M"))
# Local accounts left enabled.
cluster("compute-local-auth-disabled", "cpu-localauth", local_auth_enabled=True)
# Nodes with public IP addresses.
instance("compute-no-public-ip", "ci-apc-publicip", node_public_ip_enabled=True)
# An ssh block: the classic provider then opens public SSH on the instance.
instance("compute-ssh-not-public", "ci-apc-ssh", ssh=ml.ComputeInstanceSshArgs(
    public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBexampleExampleExampleExampleExample00 ds@example"))
# Attached to a workspace managed elsewhere, without a subnet: its network isolation cannot be confirmed.
cluster("compute-in-virtual-network", "cpu-legacy", subnet_resource_id=None,
        workspace_id=f"{SUBSCRIPTION}/resourceGroups/rg-legacy/providers/Microsoft.MachineLearningServices/workspaces/mlw-legacy")
# An admin password for the nodes, inline.
cluster("ml-no-inline-credentials", "cpu-password", ssh=ml.ComputeClusterSshArgs(
    admin_username="azureuser", admin_password="hunter2-Not-A-Real-Password"))
# An inference cluster in a region outside the allowed list (see policy-config.json).
ml.InferenceCluster("ml-allowed-locations", name="aks-us", location="eastus", machine_learning_workspace_id=mlw.id,
                    kubernetes_cluster_id=f"{SUBSCRIPTION}/resourceGroups/rg-aml-apc/providers/Microsoft.ContainerService/"
                                          "managedClusters/aks-us", tags=TAGS)
# No owner, no cost center.
ml.SynapseSpark("ml-required-tags", name="synapse", location=LOCATION, machine_learning_workspace_id=mlw.id,
                synapse_spark_pool_id=f"{SUBSCRIPTION}/resourceGroups/rg-aml-apc/providers/Microsoft.Synapse/"
                                      "workspaces/syn/bigDataPools/pool", local_auth_enabled=False)

# ------------------------------------------------------------------------------
# BEGIN dependent resources (issue 15 section 2): one workspace names a storage account, key vault,
# container registry and Application Insights component with one mistake each; another, private,
# names a registry open to the internet.
# ------------------------------------------------------------------------------
# Shared keys left on (an identity-only workspace needs them off).
dep_storage = storage_account("workspace-storage-hardened", "stamlapcdeps", shared_access_key_enabled=True)
# No purge protection: a deleted key could be purged at once.
dep_vault = keyvault.KeyVault("workspace-key-vault-protected", name="kv-aml-apc-deps", resource_group_name=rg.name,
                              location=LOCATION, tenant_id=client.tenant_id, sku_name="standard",
                              purge_protection_enabled=False, rbac_authorization_enabled=True,
                              public_network_access_enabled=False, tags=TAGS)


def registry(logical: str, name: str, **overrides: object) -> containerservice.Registry:
    args: dict = dict(name=name, resource_group_name=rg.name, location=LOCATION, sku="Premium", admin_enabled=False,
                      anonymous_pull_enabled=False, public_network_access_enabled=False, tags=TAGS)
    args.update(overrides)
    return containerservice.Registry(logical, **args)


# Anonymous pull enabled: anyone can pull its images. (Not the admin user, which registry-admin-user-fix,
# once turned on in policy-config.json, reports on every registry.)
dep_registry = registry("workspace-registry-hardened", "acramlapcdeps", anonymous_pull_enabled=True)
# Instrumentation keys still accepted.
dep_insights = appinsights.Insights("workspace-app-insights-entra-only", resource_group_name=rg.name, location=LOCATION,
                                    application_type="web", local_authentication_enabled=True, tags=TAGS)
workspace("mlw-deps", "mlw-apc-deps", storage_account_id=dep_storage.id, key_vault_id=dep_vault.id,
          container_registry_id=dep_registry.id, application_insights_id=dep_insights.id)
# A private workspace whose registry takes traffic from the internet.
open_registry = registry("workspace-dependencies-private", "acramlapcopen", public_network_access_enabled=True)
workspace("mlw-deps-open", "mlw-apc-deps-open", container_registry_id=open_registry.id)
# The opt-in fixes (disabled by default; policy-config.json turns them on at advisory) judge every
# storage account and registry of the stack, named by a workspace or not.
# TLS 1.1 still accepted.
storage_account("storage-account-fixes", "stamlapcfixes", min_tls_version="TLS1_1")
# The admin user (a shared password) enabled.
registry("registry-admin-user-fix", "acramlapcadmin", admin_enabled=True)
# END dependent resources

# ------------------------------------------------------------------------------
# Exports: the storage account key, handed to a downstream stack (no-secret-exports, reported on the
# stack itself: aml-antipatterns-classic-dev)
# ------------------------------------------------------------------------------
account = storage.get_account_output(name=st.name, resource_group_name=rg.name)
pulumi.export("workspace_name", mlw.name)
pulumi.export("storage_primary_key", account.primary_access_key)

# ------------------------------------------------------------------------------
# Access control: role assignments on the estate (ml-no-privileged-roles,
# ml-people-data-plane-roles, ml-identity-data-roles)
# ------------------------------------------------------------------------------
CI_PRINCIPAL = "00000000-0000-0000-0000-0000000000c1"  # the deployment pipeline's service principal
DATA_SCIENTISTS = "00000000-0000-0000-0000-0000000000d5"  # the data scientists' Entra group

# The pipeline's service principal made Owner of the workspace, "to make deployments work".
authorization.Assignment("ml-no-privileged-roles", scope=mlw.id, principal_id=CI_PRINCIPAL,
                         principal_type="ServicePrincipal", role_definition_name="Owner")
# The data scientists made Readers of the workspace instead of AzureML Data Scientists: Reader lists
# datastore credentials.
authorization.Assignment("ml-people-data-plane-roles", scope=mlw.id, principal_id=DATA_SCIENTISTS,
                         principal_type="Group", role_definition_name="Reader")
# The workspace identity given Storage Account Contributor, which reaches the data through the account keys.
authorization.Assignment("ml-identity-data-roles", scope=st.id, principal_id=identity.principal_id,
                         principal_type="ServicePrincipal", role_definition_name="Storage Account Contributor")
