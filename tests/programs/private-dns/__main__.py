"""A private Azure ML workspace: public network access off, a managed network, and a private
endpoint registered in the private DNS zones; the addresses it got are exported for the
on-premises DNS forwarders."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import network, privatedns, resources, storage

config = pulumi.Config()
location = config.get("location") or "westeurope"
tags = {"owner": "ml-platform", "cost-center": "cc-1234", "environment": "dev"}

rg = resources.ResourceGroup("rg", resource_group_name="rg-aml-private", location=location, tags=tags)

vnet = network.VirtualNetwork(
    "vnet",
    resource_group_name=rg.name,
    address_space=network.AddressSpaceArgs(address_prefixes=["10.30.0.0/16"]),
    tags=tags,
)
subnet = network.Subnet(
    "snet-pe",
    resource_group_name=rg.name,
    virtual_network_name=vnet.name,
    address_prefix="10.30.1.0/24",
)

account = storage.StorageAccount(
    "st",
    resource_group_name=rg.name,
    sku=storage.SkuArgs(name="Standard_ZRS"),
    kind="StorageV2",
    allow_blob_public_access=False,
    allow_shared_key_access=False,
    minimum_tls_version="TLS1_2",
    public_network_access="Disabled",
    tags=tags,
)

workspace = ml.Workspace(
    "mlw",
    resource_group_name=rg.name,
    workspace_name="mlw-private-dev",
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    storage_account=account.id,
    public_network_access="Disabled",
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"),
    system_datastores_auth_mode="Identity",
    tags=tags,
)

endpoint = network.PrivateEndpoint(
    "pe-mlw",
    resource_group_name=rg.name,
    subnet=network.SubnetArgs(id=subnet.id),
    private_link_service_connections=[
        network.PrivateLinkServiceConnectionArgs(
            name="mlw", private_link_service_id=workspace.id, group_ids=["amlworkspace"]
        )
    ],
    tags=tags,
)

zone_configs = []
for zone_name in ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"]:
    zone = privatedns.PrivateZone(zone_name, resource_group_name=rg.name, private_zone_name=zone_name,
                                  location="global", tags=tags)
    privatedns.VirtualNetworkLink(f"{zone_name}-link", resource_group_name=rg.name, private_zone_name=zone.name,
                                  location="global", registration_enabled=False,
                                  virtual_network=privatedns.SubResourceArgs(id=vnet.id), tags=tags)
    zone_configs.append(network.PrivateDnsZoneConfigArgs(name=zone_name.replace(".", "-"), private_dns_zone_id=zone.id))

zone_group = network.PrivateDnsZoneGroup(
    "pe-mlw-dns",
    resource_group_name=rg.name,
    private_endpoint_name=endpoint.name,
    private_dns_zone_configs=zone_configs,
)

# What the endpoint registered, for the forwarders: one name per record set, with its address.
pulumi.export("workspaceAddresses", zone_group.private_dns_zone_configs.apply(
    lambda configs: {record.fqdn: record.ip_addresses[0] for config in configs for record in config.record_sets}))
pulumi.export("endpointAddress", endpoint.network_interfaces[0].ip_configurations[0].private_ip_address)
