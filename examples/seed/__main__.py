# The project's original design note (seed 000), ported to pulumi-azure-native 3.x.
#
# Kept deliberately NON-COMPLIANT: it is the case the policy pack must catch (no network
# isolation, system identity only, a featureset with an empty dataVersionId and no
# specification or entities, and a storage key exported in plain text).
#
# Lines changed from the seed, and why (everything else is as the seed wrote it):
#   (1) identity=machinelearningservices.IdentityArgs(...)
#       -> machinelearningservices.ManagedServiceIdentityArgs(...)
#       In v3 the Workspace identity type is ManagedServiceIdentityArgs. (An
#       IdentityArgs class still exists in v3, but it belongs to LinkedService.)
#   (2) featureset_version_properties=FeaturesetVersionPropertiesArgs(
#           data_version_id="")
#       -> properties=FeaturesetVersionPropertiesArgs(properties={"dataVersionId": ""})
#       v3 has no featureset_version_properties argument (it is `properties`) and no
#       data_version_id field; the seed's empty placeholder goes into the version's
#       free-form `properties` string map, under the key dataVersionId.
#   (3) list_workspace_keys(...).primary_key
#       -> list_workspace_keys(...).user_storage_key
#       The v3 result (ListWorkspaceKeysResult) has no primary_key; user_storage_key
#       is the storage account key it returns. Still exported in plain text, as the
#       seed did.
#   (4) The seed was a single line; it is laid out one statement per line.
import pulumi
from pulumi_azure_native import resources, machinelearningservices

# Create an Azure Resource Group
resource_group = resources.ResourceGroup('mlResourceGroup')

# Create an Azure Machine Learning Workspace
ml_workspace = machinelearningservices.Workspace(
    'mlWorkspace',
    resource_group_name=resource_group.name,
    location=resource_group.location,
    sku=machinelearningservices.SkuArgs(name="Basic"),
    # changed (1)
    identity=machinelearningservices.ManagedServiceIdentityArgs(type="SystemAssigned"),
)

# Register a Featureset Version
featureset_version = machinelearningservices.FeaturesetVersion(
    'featuresetVersion',
    name="sampleFeatureset",
    version="1.0",
    workspace_name=ml_workspace.name,
    resource_group_name=resource_group.name,
    # changed (2)
    properties=machinelearningservices.FeaturesetVersionPropertiesArgs(
        properties={"dataVersionId": ""}),
)

# Export the primary key of the created Machine Learning workspace
primary_key = pulumi.Output.all(resource_group.name, ml_workspace.name)\
    .apply(lambda args: machinelearningservices.list_workspace_keys(
        resource_group_name=args[0],
        workspace_name=args[1]
    ).user_storage_key)  # changed (3)

pulumi.export('resource_group', resource_group.name)
pulumi.export('ml_workspace', ml_workspace.name)
pulumi.export('workspace_primary_key', primary_key)
