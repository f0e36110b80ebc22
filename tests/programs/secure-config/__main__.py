"""A training datastore: account-key access when the stack holds the key (a secret), identity-based
access otherwise."""

import json

import pulumi
from pulumi_azure_native import machinelearningservices as ml

config = pulumi.Config()
account_key = config.get_secret("storageAccountKey")
uses_account_key = bool(config.get("storageAccountKey"))

if uses_account_key:
    credentials = ml.AccountKeyDatastoreCredentialsArgs(
        credentials_type="AccountKey",
        secrets=ml.AccountKeyDatastoreSecretsArgs(secrets_type="AccountKey", key=account_key),
    )
else:
    credentials = ml.NoneDatastoreCredentialsArgs(credentials_type="None")

datastore = ml.Datastore(
    "training",
    resource_group_name="ml-rg",
    workspace_name="ml-workspace",
    name="training",
    properties=ml.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name="mltrainingdata",
        container_name="training",
        credentials=credentials,
        tags={"owner": "ml-platform", "cost-center": "ml-42"},
    ),
)

principal = json.loads(config.get("servicePrincipal") or "{}")
pulumi.export("datastore_access", "account key" if uses_account_key else "identity")
pulumi.export("principal_fields", sorted(principal))
# What the program sees as secret config (the language host's PULUMI_CONFIG_SECRET_KEYS).
pulumi.export("secret_config", [name for name in ("storageAccountKey", "servicePrincipal")
                                if pulumi.runtime.is_config_secret(f"aml-datastores:{name}")])
