"""Who may do what on the estate: the role assignments a careful team adds beyond what the
workspace identity needs (dependencies.py), all of them data-plane roles (ml-no-privileged-roles,
ml-people-data-plane-roles, ml-identity-data-roles).

- The data scientists' Entra group gets AzureML Data Scientist on the training workspace and
  AzureML Compute Operator on it for their own compute (not Reader, which lists datastore
  credentials, nor Contributor).
- The workspace identity pulls images with AcrPull on the container registry.
- The online endpoint's system-assigned identity reads the curated data and pulls its image with
  Storage Blob Data Reader and AcrPull: no account-key role.

Scopes and principals are built from the resources' outputs, so the pack links each assignment
to the estate during ``pulumi preview`` too.
"""

from pulumi_azure_native import authorization

from dependencies import identity, registry, role_definition_id, storage_account
from serving import online_endpoint
from settings import config
from workspaces import training_workspace

# Built-in role definition ids (Azure's built-in roles list).
ROLE_AZUREML_DATA_SCIENTIST = "f6c7c914-8db3-469d-8ca1-694a8f32e121"
ROLE_AZUREML_COMPUTE_OPERATOR = "e503ece1-11d0-4e8e-8e2c-7a6c3bf38815"
ROLE_STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
ROLE_ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"

# The object id of the data scientists' Entra group (set it per stack; the default is a placeholder).
data_scientists_group = config.get("dataScientistsGroupObjectId") or "00000000-0000-0000-0000-0000000000d5"

endpoint_principal = online_endpoint.identity.apply(lambda i: i.principal_id if i else None)

access_assignments = [
    authorization.RoleAssignment(
        ra_name,
        scope=scope,
        principal_id=principal,
        principal_type=principal_type,
        role_definition_id=role_definition_id(role),
    )
    for ra_name, scope, principal, principal_type, role in [
        ("ra-ds-data-scientist", training_workspace.id, data_scientists_group, "Group", ROLE_AZUREML_DATA_SCIENTIST),
        ("ra-ds-compute-operator", training_workspace.id, data_scientists_group, "Group", ROLE_AZUREML_COMPUTE_OPERATOR),
        ("ra-acr-pull", registry.id, identity.principal_id, "ServicePrincipal", ROLE_ACR_PULL),
        ("ra-endpoint-blob-reader", storage_account.id, endpoint_principal, "ServicePrincipal", ROLE_STORAGE_BLOB_DATA_READER),
        ("ra-endpoint-acr-pull", registry.id, endpoint_principal, "ServicePrincipal", ROLE_ACR_PULL),
    ]
]
