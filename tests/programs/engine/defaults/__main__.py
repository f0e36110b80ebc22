"""Resources that rely on the azure-native provider's Check for their location and name: the
engine sends Analyze the checked inputs, so the rules see the location the provider fills in.

- ``in-provider``: the explicit provider's location (northeurope);
- ``in-config``: the default provider's, from the stack's ``azure-native:location`` (westeurope);
- ``in-group``: a resource of the explicit "no-location" provider, so its resource group's
  location applies: the group declared below, in eastus (not allowed);
- ``in-existing-group``: a group the stack does not declare: the real provider reads its
  location from Azure, the gate cannot, so the location is unknown and the rule cannot judge it;
- ``unversioned-data``: a data version without a version: the provider's Check auto-names it
  (the logical name and 8 random characters), and data-version-explicit reads that as not set.
"""

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources

TAGS = {"owner": "ml-team", "cost-center": "42"}
north = azure_native.Provider("north", location="northeurope")
no_location = azure_native.Provider("no-location")

east = resources.ResourceGroup("east", location="eastus", tags=TAGS)


def cluster(name: str, group: pulumi.Input[str], provider: azure_native.Provider | None = None) -> ml.Compute:
    """A compliant compute cluster without a location (nor a name: the provider auto-names it)."""
    return ml.Compute(name, resource_group_name=group, workspace_name="shared", tags=TAGS,
                      properties=ml.AmlComputeArgs(
                          compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
                              vm_size="Standard_DS3_v2", enable_node_public_ip=False,
                              remote_login_port_public_access="Disabled",
                              subnet=ml.ResourceIdArgs(id="/subscriptions/s/resourceGroups/net/providers/"
                                                          "Microsoft.Network/virtualNetworks/v/subnets/ml"),
                              scale_settings=ml.ScaleSettingsArgs(max_node_count=2, min_node_count=0,
                                                                  node_idle_time_before_scale_down="PT2M"))),
                      opts=pulumi.ResourceOptions(provider=provider))


cluster("in-provider", "ml-rg", north)
cluster("in-config", "ml-rg")
cluster("in-group", east.name, no_location)
cluster("in-existing-group", "existing-rg", no_location)

ml.DataVersion("unversioned-data", resource_group_name="ml-rg", workspace_name="shared", name="events",
               properties=ml.UriFolderDataVersionArgs(
                   data_type="uri_folder", data_uri="azureml://datastores/workspaceblobstore/paths/events/", tags=TAGS))
