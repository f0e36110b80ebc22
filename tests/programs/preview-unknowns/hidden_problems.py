"""Three problems, each hidden during preview behind a value that is unknown until `pulumi up`.

Each workspace is the reference stack's hardened workspace (every other rule of the enforce
preset passes) with its own private endpoint; only its user-assigned identity differs.
"""

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import managedidentity

import workspaces
from dependencies import identity, vault
from network import private_endpoint, rg

# 1. A storage key of the training workspace, exported under a name that reads as nothing secret.
pulumi.export("training_storage", pulumi.Output.all(rg.name, workspaces.training_workspace.name).apply(
    lambda args: ml.list_workspace_keys(resource_group_name=args[0], workspace_name=args[1]).user_storage_key))


def workspace_with_identity(logical_name: str, name: str, listed: pulumi.Input[str],
                            primary: pulumi.Input[str]) -> ml.Workspace:
    """The reference stack's hardened workspace whose user-assigned identity is ``listed`` and whose
    primary identity is ``primary``."""
    shared = workspaces.workspace_identity_and_encryption

    def identity_and_encryption() -> dict:
        return {**shared(), "identity": ml.ManagedServiceIdentityArgs(
            type="SystemAssigned,UserAssigned", user_assigned_identities=[listed]),
            "primary_user_assigned_identity": primary}

    workspaces.workspace_identity_and_encryption = identity_and_encryption
    try:
        workspace = workspaces.hardened_workspace(logical_name, name, "Default", logical_name, {})
    finally:
        workspaces.workspace_identity_and_encryption = shared
    private_endpoint(f"pe-{logical_name}", workspace, "amlworkspace")
    return workspace


# 2. An identity of another team, found by an invoke: not an identity of this stack.
other_team = managedidentity.get_user_assigned_identity_output(resource_group_name=rg.name, resource_name="id-shared")
workspace_with_identity("mlw-invoke", "amlref-dev-invoke", other_team.id, other_team.id)

# 3. The key vault's id given as the primary identity (the stack's identity is listed).
workspace_with_identity("mlw-vault", "amlref-dev-vault", identity.id, vault.id)
