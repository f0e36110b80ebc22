"""Resource group and network: a virtual network with a subnet for private endpoints, the
private DNS zones Azure ML resolves through, and the private endpoint helper the workspaces and
the registry use (they are not reachable any other way: public network access is disabled)."""

import pulumi
from pulumi_azure_native import network as azure_network
from pulumi_azure_native import privatedns, resources

from settings import location, resource_group_name, tags

rg = resources.ResourceGroup(
    "rg",
    resource_group_name=resource_group_name,
    location=location,
    tags=tags,
)

vnet = azure_network.VirtualNetwork(
    "vnet",
    resource_group_name=rg.name,
    location=location,
    address_space=azure_network.AddressSpaceArgs(address_prefixes=["10.20.0.0/16"]),
    tags=tags,
)

# Private endpoints only. No default outbound internet access from the subnet, and network
# policies (NSGs, route tables) apply to the private endpoints in it.
pe_subnet = azure_network.Subnet(
    "snet-private-endpoints",
    resource_group_name=rg.name,
    virtual_network_name=vnet.name,
    subnet_name="snet-private-endpoints",
    address_prefix="10.20.1.0/24",
    default_outbound_access=False,
    private_endpoint_network_policies="Enabled",
)

# The zones a workspace's and a registry's private endpoints register in (API and notebooks),
# linked to the virtual network so names resolve to the private addresses inside it.
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
        azure_network.PrivateDnsZoneConfigArgs(
            name=zone_name.replace(".", "-"), private_dns_zone_id=zone.id
        )
    )


def private_endpoint(pe_name: str, target: pulumi.CustomResource, group: str) -> azure_network.PrivateEndpoint:
    """A private endpoint to ``target`` in the private-endpoint subnet, registered in the private
    DNS zones. For a workspace (group ``amlworkspace``) this is what workspace-private-endpoint
    looks for: a connection with that group id whose privateLinkServiceId is the workspace."""
    endpoint = azure_network.PrivateEndpoint(
        pe_name,
        resource_group_name=rg.name,
        location=location,
        # A plain dict: SubnetArgs would add its own network-policy defaults here.
        subnet={"id": pe_subnet.id},
        private_link_service_connections=[
            azure_network.PrivateLinkServiceConnectionArgs(
                name=f"{pe_name.removeprefix('pe-')}-{group}",
                private_link_service_id=target.id,
                group_ids=[group],
            )
        ],
        tags=tags,
    )
    azure_network.PrivateDnsZoneGroup(
        f"{pe_name}-dns",
        resource_group_name=rg.name,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="default",
        private_dns_zone_configs=dns_zone_configs,
    )
    return endpoint
