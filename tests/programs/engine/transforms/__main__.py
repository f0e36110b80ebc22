"""Org-wide auto-tagging with a stack transform (the most common use of transforms), plus a
per-resource transform that re-opens public network access on a workspace declared private.
The engine runs both before the resource is registered; Analyze sees the result. Only workspace
properties that azure-native 2.x and 3.x spell the same are used (tags, publicNetworkAccess), so
the program runs under either major version."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources

ORG_TAGS = {"owner": "platform-team", "cost-center": "CC-4711"}


def auto_tag(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
    """Every resource that takes tags gets the organisation's, without overriding its own."""
    if not args.type_.startswith("azure-native:") or not args.custom:
        return None
    props = dict(args.props)
    props["tags"] = {**ORG_TAGS, **(props.get("tags") or {})}
    return pulumi.ResourceTransformResult(props=props, opts=args.opts)


def open_to_the_internet(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult:
    props = dict(args.props)
    props["publicNetworkAccess"] = "Enabled"
    return pulumi.ResourceTransformResult(props=props, opts=args.opts)


pulumi.runtime.register_resource_transform(auto_tag)

rg = resources.ResourceGroup("rg", location="westeurope")


def workspace(name: str, **extra: object) -> ml.Workspace:
    return ml.Workspace(name, resource_group_name=rg.name, location="westeurope", sku=ml.SkuArgs(name="Basic"),
                        identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"), public_network_access="Disabled",
                        **extra)


private = workspace("private")
reopened = workspace("reopened", opts=pulumi.ResourceOptions(transforms=[open_to_the_internet]))
