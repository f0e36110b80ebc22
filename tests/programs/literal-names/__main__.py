"""Children that name their workspace, compute and data version by literal strings, as many public
programs do (``workspace_name="mlw-literal"`` rather than ``workspace.name``): no property
dependency links them. After ``pulumi up`` the provider's outputs do (each child's ARM id lies
below its workspace's, and the workspace's ``name`` output is its name); during ``pulumi preview``
they are unknown, so the stack rules cannot link them and say so."""

import pulumi
from pulumi_azure_native import network, resources
from pulumi_azure_native import machinelearningservices as ml

LOCATION = "westeurope"
TAGS = {"owner": "ml-team", "cost-center": "42"}
WORKSPACE = "mlw-literal"

rg = resources.ResourceGroup("rg", resource_group_name="rg-literal", location=LOCATION, tags=TAGS)
vnet = network.VirtualNetwork("vnet", resource_group_name=rg.name, location=LOCATION,
                              address_space=network.AddressSpaceArgs(address_prefixes=["10.0.0.0/16"]))
subnet = network.Subnet("snet", resource_group_name=rg.name, virtual_network_name=vnet.name, address_prefix="10.0.1.0/24")

workspace = ml.Workspace(
    "mlw", workspace_name=WORKSPACE, resource_group_name=rg.name, location=LOCATION, tags=TAGS,
    sku=ml.SkuArgs(name="Basic"), identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Disabled", system_datastores_auth_mode="Identity",
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"))
network.PrivateEndpoint("pe", resource_group_name=rg.name, location=LOCATION, subnet=network.SubnetArgs(id=subnet.id),
                        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                            name="mlw", private_link_service_id=workspace.id, group_ids=["amlworkspace"])])

# No subnet: the cluster relies on its workspace's managed network (compute-in-virtual-network).
ml.Compute("cpu", resource_group_name=rg.name, workspace_name=WORKSPACE, compute_name="cpu", location=LOCATION, tags=TAGS,
           properties=ml.AmlComputeArgs(compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
               vm_size="Standard_DS3_v2", enable_node_public_ip=False, remote_login_port_public_access="Disabled",
               scale_settings=ml.ScaleSettingsArgs(max_node_count=2, min_node_count=0, node_idle_time_before_scale_down="PT2M"))))

ml.DataVersion("transactions", resource_group_name=rg.name, workspace_name=WORKSPACE, name="transactions", version="1",
               properties=ml.UriFolderDataVersionArgs(data_type="uri_folder", tags=TAGS,
                                                      data_uri="azureml://datastores/workspaceblobstore/paths/transactions/v1/"))
ml.FeaturesetVersion("features", resource_group_name=rg.name, workspace_name=WORKSPACE, name="transactions", version="1",
                     properties=ml.FeaturesetVersionPropertiesArgs(
                         entities=["azureml:account:1"], tags=TAGS, properties={"dataVersionId": "azureml:transactions:1"},
                         specification=ml.FeaturesetSpecificationArgs(path="azureml://datastores/workspaceblobstore/paths/spec/")))

# A job on the cluster by name (job-allowed-compute).
ml.Job("train", resource_group_name=rg.name, workspace_name=WORKSPACE, properties=ml.CommandJobArgs(
    job_type="Command", command="python train.py", compute_id="azureml:cpu", tags=TAGS,
    environment_id="azureml://registries/shared/environments/train/versions/3",
    code_id="azureml://registries/shared/codes/train/versions/1",
    identity=ml.ManagedIdentityArgs(identity_type="Managed"),
    limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="PT2H")))

pulumi.export("workspace_name", WORKSPACE)
