# The project's original design note (seed 000), for pulumi-azure-native 2.x, as the note wrote it.
#
# Kept deliberately NON-COMPLIANT: it is the case the policy pack must catch (no network
# isolation, system identity only, a featureset with an empty dataVersionId and no
# specification or entities, and a storage key exported in plain text).
#
# Lines changed from the seed, because pulumi-azure-native 2.x (2.92.3) does not have what it
# names; everything else is as the seed wrote it:
#   (1) featureset_version_properties=FeaturesetVersionPropertiesArgs(data_version_id="")
#       -> featureset_version_properties=FeaturesetVersionArgs(properties={"dataVersionId": ""})
#       In 2.x the body class of FeaturesetVersion is FeaturesetVersionArgs (the resource's own
#       class is FeaturesetVersionInitArgs), and it has no data_version_id field: the seed's empty
#       placeholder goes into the version's free-form `properties` string map, under dataVersionId.
#   (2) list_workspace_keys(...).primary_key
#       -> list_workspace_keys(...).user_storage_key
#       The 2.x result (ListWorkspaceKeysResult) has no primary_key either; the key it returns for
#       the workspace's storage account is user_storage_key. A 2.x user exporting "the workspace
#       key" exports that one: still in plain text, as the seed did.
#   (3) The seed was a single line; it is laid out one statement per line.
# (The seed's identity=IdentityArgs(type="SystemAssigned") is kept: 2.x has an IdentityArgs with
# a `type`, and it serialises to the same {"type": "SystemAssigned"} the Workspace expects.)
import pulumi
from pulumi_azure_native import machinelearningservices, resources

# Create an Azure Resource Group
resource_group = resources.ResourceGroup('mlResourceGroup')

# Create an Azure Machine Learning Workspace
ml_workspace = machinelearningservices.Workspace(
    'mlWorkspace',
    resource_group_name=resource_group.name,
    location=resource_group.location,
    sku=machinelearningservices.SkuArgs(name="Basic"),
    identity=machinelearningservices.IdentityArgs(type="SystemAssigned"),
)

# Register a Featureset Version
featureset_version = machinelearningservices.FeaturesetVersion(
    'featuresetVersion',
    name="sampleFeatureset",
    version="1.0",
    workspace_name=ml_workspace.name,
    resource_group_name=resource_group.name,
    # changed (1)
    featureset_version_properties=machinelearningservices.FeaturesetVersionArgs(
        properties={"dataVersionId": ""}),
)

# Export the primary key of the created Machine Learning workspace
primary_key = pulumi.Output.all(resource_group.name, ml_workspace.name)\
    .apply(lambda args: machinelearningservices.list_workspace_keys(
        resource_group_name=args[0],
        workspace_name=args[1]
    ).user_storage_key)  # changed (2)

pulumi.export('resource_group', resource_group.name)
pulumi.export('ml_workspace', ml_workspace.name)
pulumi.export('workspace_primary_key', primary_key)
