"""Resource objects passed where an id is expected, a common style: the SDK sends a resource
reference, and the engine gives the analyzer the resource's id (unknown in a preview while the
id is unknown), or a component's URN."""

import pulumi
from pulumi_azure_native import keyvault, network, resources, storage
from pulumi_azure_native import machinelearningservices as ml

LOCATION = "westeurope"
TAGS = {"owner": "ml-team", "cost-center": "42"}

rg = resources.ResourceGroup("rg", location=LOCATION, tags=TAGS)
common = {"resource_group_name": rg.name, "location": LOCATION, "tags": TAGS}

vault = keyvault.Vault("kv", **common, properties=keyvault.VaultPropertiesArgs(
    tenant_id="00000000-0000-0000-0000-000000000000", sku=keyvault.SkuArgs(family="A", name="standard"),
    enable_rbac_authorization=True, enable_purge_protection=True, enable_soft_delete=True, public_network_access="Disabled"))
account = storage.StorageAccount("st", **common, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS"),
                                 public_network_access="Disabled", allow_blob_public_access=False, allow_shared_key_access=False,
                                 minimum_tls_version="TLS1_2", enable_https_traffic_only=True)
vnet = network.VirtualNetwork("vnet", resource_group_name=rg.name, location=LOCATION,
                              address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
subnet = network.Subnet("snet", resource_group_name=rg.name, virtual_network_name=vnet.name,
                        address_prefix="10.0.1.0/24")

workspace = ml.Workspace(
    "mlw", **common, sku=ml.SkuArgs(name="Basic"), identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Disabled", system_datastores_auth_mode="Identity", hbi_workspace=True,
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"),
    # Resource objects, not their .id: the workspace's storage is judged by hbi-workspace-storage-private.
    key_vault=vault, storage_account=account)

# The private endpoint names the workspace by the object too (workspace-private-endpoint).
network.PrivateEndpoint("pe", resource_group_name=rg.name, location=LOCATION, subnet=network.SubnetArgs(id=subnet.id),
                        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                            name="mlw", private_link_service_id=workspace, group_ids=["amlworkspace"])])

cluster = ml.Compute("cluster", **common, workspace_name=workspace.name, properties=ml.AmlComputeArgs(
    compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
        vm_size="Standard_DS3_v2", enable_node_public_ip=False, remote_login_port_public_access="Disabled",
        subnet=ml.ResourceIdArgs(id=subnet),  # the subnet object
        scale_settings=ml.ScaleSettingsArgs(max_node_count=2, min_node_count=0, node_idle_time_before_scale_down="PT2M"))))

# A job on the cluster object (job-allowed-compute finds it by its ARM id).
ml.Job("train", resource_group_name=rg.name, workspace_name=workspace.name, properties=ml.CommandJobArgs(
    job_type="Command", command="python train.py", compute_id=cluster,
    environment_id="azureml://registries/shared/environments/train/versions/3",
    code_id="azureml://registries/shared/codes/train/versions/1",
    identity=ml.ManagedIdentityArgs(identity_type="Managed"),
    limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="PT2H")))

pulumi.export("workspaceId", workspace.id)
