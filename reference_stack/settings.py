"""Configuration, names and tags every section shares (this module declares no resource).

Every config key has a default equal to the dev stack, so the program also runs without
config (the offline gate runs it under mocks). Globally unique names are derived from
``prefix`` and the stack name here, once; a name two sections need lives here too, so a
reference can never drift from the resource it points at. Names only one section uses live
in that section.
"""

import re

import pulumi
from pulumi_azure_native import authorization

config = pulumi.Config()
location = config.get("location") or "westeurope"
owner = config.get("owner") or "ml-platform-team"
cost_center = config.get("costCenter") or "CC-4711"
prefix = config.get("prefix") or "amlref"
# The base image of every environment, pinned by digest: a tag can be moved, a digest
# cannot (environment-image-pinned with requireDigest, as in the enforce preset). Bump it
# deliberately, like any dependency:
#   docker buildx imagetools inspect mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:<tag>
base_image = config.get("baseImage") or (
    "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04"
    "@sha256:7481fbfbbc1c7d7ab0e9e4633180c809413bd77e108b605d6e4d3a60aa35bf67"
)
stack = pulumi.get_stack()

# The same tags go on every resource that takes tags (ml-required-tags asks for owner and
# cost-center on every ML resource; ML assets, jobs and schedules carry them in properties).
tags = {"owner": owner, "cost-center": cost_center, "stack": stack}


def _alnum(*parts: str, limit: int) -> str:
    """Lower-case alphanumeric name (storage accounts and registries need it)."""
    return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())[:limit]


def _dashed(*parts: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9-]", "", "-".join(parts).lower())[:limit].strip("-")


resource_group_name = f"rg-{prefix}-{stack}"
storage_account_name = _alnum(prefix, stack, "st", limit=24)
offline_store_account_name = _alnum(prefix, stack, "fsoffline", limit=24)
key_vault_name = _dashed(prefix, stack, "kv", limit=24)
registry_name = _alnum(prefix, stack, "acr", limit=50)
workspace_name = _dashed(prefix, stack, "fs", limit=33)
training_workspace_name = _dashed(prefix, stack, "mlw", limit=33)
model_registry_name = _dashed(prefix, stack, "models", limit=33)
INSTANCE_NAME = _dashed(prefix, stack, "ci", limit=24)  # unique per region
ENDPOINT_NAME = _dashed(prefix, stack, "txn", limit=32)  # unique per region

# azure-ai-ml names the feature store's offline store connection this way; so do we (the
# workspace names it in its settings, the feature store section declares it).
OFFLINE_STORE_CONNECTION = "OfflineStoreConnectionName"
# The blob container of curated training data and the training workspace's datastore on it.
DATASTORE_NAME = "curated"

client = authorization.get_client_config_output()
# The compute instance belongs to one data scientist (default: whoever deploys the stack).
instance_user_object_id = config.get("instanceUserObjectId") or client.object_id


def training_asset_id(kind: str, name: str, version: str | None = None) -> pulumi.Output[str]:
    """The ARM id of an asset (or a compute) of the training workspace, built from names.

    Jobs and deployments reference their assets by ARM id. Built from names rather than from
    the resources' ``id`` outputs, the ids are known at ``pulumi preview``, so the policy pack
    judges every reference before anything is deployed; ``depends_on`` keeps the order.
    """
    tail = f"{kind}/{name}" + (f"/versions/{version}" if version else "")
    return client.subscription_id.apply(
        lambda sub: (
            f"/subscriptions/{sub}/resourceGroups/{resource_group_name}/providers/"
            f"Microsoft.MachineLearningServices/workspaces/{training_workspace_name}/{tail}"
        )
    )
