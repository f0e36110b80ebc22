"""One deliberate mistake per governance rule. NEVER DEPLOY THIS PROGRAM.

Every resource whose Pulumi name is the name of a rule breaks that rule, and only that rule:
apart from its one mistake it is configured like the compliant reference stack. The other
resources are the compliant context the rules need (workspaces with private endpoints, the
compute jobs run on, the data version a featureset resolves to, ...). The one exception is
``no-secret-exports``: stack rules about exports report on the stack itself, named
``<project>-<stack>`` (``aml-antipatterns-dev``).

Run the gate with the example's config, which sets the allowed locations (until they are
configured, ml-allowed-locations lets every location pass):

    python -m policy_gate run examples/antipatterns --config examples/antipatterns/policy-config.json

tests/test_examples.py asserts that the (rule, resource) pairs of the violations are exactly
(rule, rule) for every rule, plus (no-secret-exports, aml-antipatterns-dev).
"""

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    containerregistry,
    keyvault,
    managedidentity,
    network,
    resources,
    storage,
)
from pulumi_azure_native import machinelearningservices as ml

LOCATION = "westeurope"
TAGS = {"owner": "ml-platform-team", "cost-center": "CC-4711"}
RESOURCE_GROUP = "rg-aml-antipatterns"
MLW = "mlw-antipatterns"  # the training and serving workspace
FS = "fs-antipatterns"  # the feature store
TRAIN_COMMAND = "python train.py --data ${{inputs.training_data}} --model ${{outputs.model}}"

client = authorization.get_client_config_output()

# ------------------------------------------------------------------------------
# Compliant context: network, identity, customer-managed key, private storage
# ------------------------------------------------------------------------------
rg = resources.ResourceGroup("rg", resource_group_name=RESOURCE_GROUP, location=LOCATION, tags=TAGS)

vnet = network.VirtualNetwork(
    "vnet",
    resource_group_name=rg.name,
    location=LOCATION,
    address_space=network.AddressSpaceArgs(address_prefixes=["10.30.0.0/16"]),
    tags=TAGS,
)
pe_subnet = network.Subnet(
    "snet-private-endpoints",
    resource_group_name=rg.name,
    virtual_network_name=vnet.name,
    subnet_name="snet-private-endpoints",
    address_prefix="10.30.1.0/24",
    default_outbound_access=False,
    private_endpoint_network_policies="Enabled",
)

identity = managedidentity.UserAssignedIdentity("id-aml", resource_group_name=rg.name, location=LOCATION, tags=TAGS)


def key_vault(logical: str, vault_name: str, **overrides: object) -> keyvault.Vault:
    properties: dict = dict(tenant_id=client.tenant_id, sku=keyvault.SkuArgs(family="A", name="standard"),
                            enable_rbac_authorization=True, enable_soft_delete=True, enable_purge_protection=True,
                            public_network_access="Disabled")
    properties.update(overrides)
    return keyvault.Vault(logical, vault_name=vault_name, resource_group_name=rg.name, location=LOCATION,
                          properties=keyvault.VaultPropertiesArgs(**properties), tags=TAGS)


vault = key_vault("kv", "kv-aml-antipatterns")
cmk = keyvault.Key(
    "aml-cmk",
    key_name="aml-cmk",
    vault_name=vault.name,
    resource_group_name=rg.name,
    properties=keyvault.KeyPropertiesArgs(kty="RSA", key_size=3072, key_ops=["wrapKey", "unwrapKey"]),
)


def storage_account(logical: str, account_name: str, **overrides: object) -> storage.StorageAccount:
    args: dict = dict(
        account_name=account_name,
        resource_group_name=rg.name,
        location=LOCATION,
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_ZRS"),
        allow_blob_public_access=False,
        allow_shared_key_access=False,
        minimum_tls_version="TLS1_2",
        public_network_access="Disabled",
        network_rule_set=storage.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices"),
        tags=TAGS,
    )
    args.update(overrides)
    return storage.StorageAccount(logical, **args)


st = storage_account("st", "stamlantipatterns")

# ------------------------------------------------------------------------------
# Workspaces: one compliant configuration, changed in one place per antipattern
# ------------------------------------------------------------------------------


def workspace(logical: str, workspace_name: str, *, kind: str = "Default", private_endpoint: bool = True,
              **overrides: object) -> ml.Workspace:
    """A workspace configured like the reference stack's, with ``overrides`` applied (``None``
    leaves a setting out), reached through its own private endpoint unless told otherwise."""
    args: dict = dict(
        workspace_name=workspace_name,
        resource_group_name=rg.name,
        location=LOCATION,
        kind=kind,
        sku=ml.SkuArgs(name="Basic"),
        identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned,UserAssigned", user_assigned_identities=[identity.id]),
        primary_user_assigned_identity=identity.id,
        public_network_access="Disabled",
        allow_public_access_when_behind_vnet=False,
        managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowOnlyApprovedOutbound"),
        system_datastores_auth_mode="Identity",
        hbi_workspace=True,
        encryption=ml.EncryptionPropertyArgs(
            status="Enabled",
            identity=ml.IdentityForCmkArgs(user_assigned_identity=identity.id),
            key_vault_properties=ml.KeyVaultPropertiesArgs(key_vault_arm_id=vault.id, key_identifier=cmk.key_uri_with_version),
        ),
        storage_account=st.id,
        key_vault=vault.id,
        tags=TAGS,
    )
    args.update(overrides)
    ws = ml.Workspace(logical, **args)
    if private_endpoint:
        network.PrivateEndpoint(
            f"pe-{workspace_name}",
            resource_group_name=rg.name,
            location=LOCATION,
            subnet={"id": pe_subnet.id},
            private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
                name=f"{workspace_name}-amlworkspace", private_link_service_id=ws.id, group_ids=["amlworkspace"])],
            tags=TAGS,
        )
    return ws


mlw = workspace("mlw", MLW)
fs = workspace("fs", FS, kind="FeatureStore")

# An Enterprise-edition SKU copied from an old template.
workspace("workspace-allowed-sku", "mlw-ap-sku", sku=ml.SkuArgs(name="Enterprise"))
# The user-assigned identity is listed but never made the primary one.
workspace("workspace-managed-identity", "mlw-ap-identity", primary_user_assigned_identity=None)
# A private endpoint, and the public endpoint left open beside it.
workspace("workspace-public-network-disabled", "mlw-ap-public", public_network_access="Enabled")
# A managed network that still lets everything out to the internet.
workspace("workspace-managed-network-isolation", "mlw-ap-outbound",
          managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode="AllowInternetOutbound"))
# Public access disabled, but no private endpoint: nobody can reach it.
workspace("workspace-private-endpoint", "mlw-ap-unreachable", private_endpoint=False)
# System datastores reached with the storage account key.
workspace("workspace-system-datastores-identity", "mlw-ap-accesskey", system_datastores_auth_mode="AccessKey")
# Microsoft-managed keys only.
workspace("workspace-customer-managed-key", "mlw-ap-mmk", encryption=None)
# Tagged confidential, but not flagged high business impact.
workspace("workspace-hbi-for-confidential", "mlw-ap-confidential", hbi_workspace=False,
          tags={**TAGS, "data-classification": "confidential"})

# A high-business-impact workspace whose storage account is open to the internet: the
# violation is reported on the storage account.
public_storage = storage_account(
    "hbi-workspace-storage-private", "stamlapopen",
    public_network_access="Enabled",
    network_rule_set=storage.NetworkRuleSetArgs(default_action="Allow"),
)
workspace("mlw-hbi", "mlw-ap-hbi", storage_account=public_storage.id)

# ------------------------------------------------------------------------------
# Data access
# ------------------------------------------------------------------------------
ws_opts = pulumi.ResourceOptions(depends_on=[mlw])

# A service principal instead of identity-based access (its secret is to be "added later"
# in the studio; an inline secret would also trip ml-no-inline-credentials).
ml.Datastore(
    "datastore-no-inline-credentials",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="partner_drop",
    properties=ml.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name="stpartnerdrop",
        container_name="drop",
        credentials=ml.ServicePrincipalDatastoreCredentialsArgs(
            credentials_type="ServicePrincipal",
            client_id="11111111-2222-3333-4444-555555555555",
            tenant_id=client.tenant_id,
            secrets=ml.ServicePrincipalDatastoreSecretsArgs(secrets_type="ServicePrincipal"),
        ),
        tags=TAGS,
    ),
    opts=ws_opts,
)

# An API-key connection (the key is pasted in the studio) instead of Entra ID.
ml.WorkspaceConnection(
    "workspace-connection-no-inline-credentials",
    resource_group_name=rg.name,
    workspace_name=MLW,
    connection_name="openai-key",
    properties=ml.ApiKeyAuthWorkspaceConnectionPropertiesArgs(
        auth_type="ApiKey",
        category="AzureOpenAI",
        target="https://oai-antipatterns.openai.azure.com/",
    ),
    opts=ws_opts,
)

# A data asset registered from a SAS URL. The signature is cut short here: a real one (44+
# characters) would also trip ml-no-inline-credentials, which reads every value.
ml.DataVersion(
    "data-uri-no-sas-token",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="chargebacks-export",
    version="1",
    properties=ml.UriFileDataVersionArgs(
        data_type="uri_file",
        data_uri="https://stpartnerdrop.blob.core.windows.net/drop/chargebacks.csv?sv=2022-11-02&sr=b&sp=r&sig=Zm9vYmFy%3D",
        tags=TAGS,
    ),
    opts=ws_opts,
)

# ------------------------------------------------------------------------------
# Assets: the compliant ones jobs use, and unpinnable ones
# ------------------------------------------------------------------------------
labels = ml.DataVersion(
    "data-fraud-labels-v1",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="fraud-labels",
    version="1",
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder", data_uri="azureml://datastores/workspaceblobstore/paths/fraud-labels/v1/", tags=TAGS),
    opts=ws_opts,
)
# "Always the latest data": nothing can pin it.
ml.DataVersion(
    "data-version-explicit",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="chargebacks",
    version="latest",
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder", data_uri="azureml://datastores/workspaceblobstore/paths/chargebacks/", tags=TAGS),
    opts=ws_opts,
)
code = ml.CodeVersion(
    "code-train-src-v1",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="train-src",
    version="1",
    properties=ml.CodeVersionPropertiesArgs(
        code_uri="https://stamlantipatterns.blob.core.windows.net/code/train-src/1/", tags=TAGS),
    opts=ws_opts,
)
environment = ml.EnvironmentVersion(
    "env-sklearn-train-v1",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="sklearn-train",
    version="1",
    properties=ml.EnvironmentVersionPropertiesArgs(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1", os_type="Linux", tags=TAGS),
    opts=ws_opts,
)
# A Docker Hub image: outside the approved registries.
ml.EnvironmentVersion(
    "environment-image-pinned",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="python-slim",
    version="1",
    properties=ml.EnvironmentVersionPropertiesArgs(image="python:3.11-slim", os_type="Linux", tags=TAGS),
    opts=ws_opts,
)
# Registered as an anonymous version: it gets a generated name nothing can pin.
ml.ModelVersion(
    "asset-version-explicit",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="fraud-model",
    version="3",
    properties=ml.ModelVersionPropertiesArgs(
        model_type="mlflow_model",
        model_uri="azureml://datastores/workspaceblobstore/paths/models/fraud-model/3/",
        is_anonymous=True,
        tags=TAGS,
    ),
    opts=ws_opts,
)
# No owner, no cost center.
ml.ModelContainer(
    "ml-required-tags",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="fraud-model",
    properties=ml.ModelContainerPropertiesArgs(description="Fraud classifier."),
    opts=ws_opts,
)


class PreviewDataContainer(pulumi.CustomResource):
    """A DataContainer declared with a preview API version's type token, as pulumi-azure-native
    v2's versioned modules (``machinelearningservices.v20230401preview``) declared it."""

    def __init__(self, resource_name: str, props: dict, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("azure-native:machinelearningservices/v20230401preview:DataContainer", resource_name, props, opts)


PreviewDataContainer(
    "no-preview-api-versions",
    {
        "resourceGroupName": rg.name,
        "workspaceName": MLW,
        "name": "raw-events",
        "properties": {"dataType": "uri_folder", "description": "Raw click events.", "tags": TAGS},
    },
    opts=ws_opts,
)

# ------------------------------------------------------------------------------
# Compute: one compliant configuration, changed in one place per antipattern
# ------------------------------------------------------------------------------


def cluster(logical: str, compute_name: str, *, workspace_name: str = MLW, disable_local_auth: bool = True,
            **overrides: object) -> ml.Compute:
    settings: dict = dict(
        vm_size="Standard_DS3_v2",
        enable_node_public_ip=False,
        remote_login_port_public_access="Disabled",
        scale_settings=ml.ScaleSettingsArgs(min_node_count=0, max_node_count=4, node_idle_time_before_scale_down="PT15M"),
    )
    settings.update(overrides)
    return ml.Compute(
        logical,
        resource_group_name=rg.name,
        workspace_name=workspace_name,
        compute_name=compute_name,
        location=LOCATION,
        properties=ml.AmlComputeArgs(compute_type="AmlCompute", disable_local_auth=disable_local_auth,
                                     properties=ml.AmlComputePropertiesArgs(**settings)),
        tags=TAGS,
        opts=ws_opts,
    )


def instance(logical: str, compute_name: str, **overrides: object) -> ml.Compute:
    settings: dict = dict(
        vm_size="Standard_DS3_v2",
        enable_node_public_ip=False,
        idle_time_before_shutdown="PT30M",
        ssh_settings=ml.ComputeInstanceSshSettingsArgs(ssh_public_access="Disabled"),
    )
    settings.update(overrides)
    return ml.Compute(
        logical,
        resource_group_name=rg.name,
        workspace_name=MLW,
        compute_name=compute_name,
        location=LOCATION,
        properties=ml.ComputeInstanceArgs(compute_type="ComputeInstance", disable_local_auth=True,
                                          properties=ml.ComputeInstancePropertiesArgs(**settings)),
        tags=TAGS,
        opts=ws_opts,
    )


cpu_cluster = cluster("compute-cpu-cluster", "cpu-cluster")

# An A100 cluster nobody approved.
cluster("compute-allowed-vm-sizes", "gpu-a100", vm_size="Standard_NC24ads_A100_v4")
# Two warm nodes, around the clock.
cluster("compute-cluster-scale", "cpu-warm",
        scale_settings=ml.ScaleSettingsArgs(min_node_count=2, max_node_count=4, node_idle_time_before_scale_down="PT15M"))
# Local accounts left enabled.
cluster("compute-local-auth-disabled", "cpu-localauth", disable_local_auth=False)
# Nodes with public IP addresses.
cluster("compute-no-public-ip", "cpu-publicip", enable_node_public_ip=True)
# Attached to a workspace managed elsewhere, without a subnet: its network isolation
# cannot be confirmed.
cluster("compute-in-virtual-network", "cpu-legacy", workspace_name="mlw-legacy")
# Never shuts down when idle.
instance("compute-instance-idle-shutdown", "ci-ap-idle", idle_time_before_shutdown=None)
# SSH open to the internet.
instance("compute-ssh-not-public", "ci-ap-ssh", ssh_settings=ml.ComputeInstanceSshSettingsArgs(
    ssh_public_access="Enabled",
    admin_public_key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBexampleExampleExampleExampleExample00 ds@example",
))

# ------------------------------------------------------------------------------
# Jobs: one compliant command job, changed in one place per antipattern
# ------------------------------------------------------------------------------
labels_input = ml.UriFolderJobInputArgs(job_input_type="uri_folder", uri=labels.id, mode="ReadOnlyMount")


def command_job(logical: str, job_id: str, **overrides: object) -> ml.Job:
    props: dict = dict(
        job_type="Command",
        experiment_name="antipatterns",
        command=TRAIN_COMMAND,
        code_id=code.id,
        environment_id=environment.id,
        compute_id=cpu_cluster.id,
        identity=ml.ManagedIdentityArgs(identity_type="Managed"),
        inputs={"training_data": labels_input},
        limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="PT2H"),
        tags=TAGS,
    )
    props.update(overrides)
    return ml.Job(logical, resource_group_name=rg.name, workspace_name=MLW, id=job_id,
                  properties=ml.CommandJobArgs(**props))


# Whatever environment carries the label 'latest' when the job starts.
command_job("job-pinned-assets", "ap-unpinned-env", environment_id="azureml:sklearn-train@latest")
# Runs with the AMLToken identity instead of a managed identity.
command_job("job-identity", "ap-amltoken", identity=ml.AmlTokenArgs(identity_type="AMLToken"))
# A GPU cluster created by hand in the studio, outside this stack.
command_job("job-allowed-compute", "ap-undeclared-compute", compute_id="azureml:gpu-cluster")
# A Hugging Face token in an environment variable.
command_job("ml-no-inline-credentials", "ap-inline-token", environment_variables={"HF_TOKEN": "hf_not-a-real-token"})

# A sweep of 500 trials: five times what the rule allows.
ml.Job(
    "job-limits",
    resource_group_name=rg.name,
    workspace_name=MLW,
    id="ap-huge-sweep",
    properties=ml.SweepJobArgs(
        job_type="Sweep",
        experiment_name="antipatterns",
        compute_id=cpu_cluster.id,
        identity=ml.ManagedIdentityArgs(identity_type="Managed"),
        inputs={"training_data": labels_input},
        objective=ml.ObjectiveArgs(goal="Maximize", primary_metric="auc"),
        sampling_algorithm=ml.RandomSamplingAlgorithmArgs(sampling_algorithm_type="Random"),
        search_space={"learning_rate": ["uniform", [0.01, 0.3]]},
        trial=ml.TrialComponentArgs(
            command="python train.py --data ${{inputs.training_data}} --learning-rate ${{search_space.learning_rate}}",
            code_id=code.id,
            environment_id=environment.id,
        ),
        limits=ml.SweepJobLimitsArgs(job_limits_type="Sweep", max_total_trials=500, max_concurrent_trials=4, timeout="PT6H"),
        tags=TAGS,
    ),
)

# ------------------------------------------------------------------------------
# Serving: one compliant endpoint and deployment, changed in one place per antipattern
# ------------------------------------------------------------------------------
SERVED_MODEL = "azureml://registries/azureml/models/distilbert-base-cased/versions/10"


def endpoint(logical: str, endpoint_name: str, **overrides: object) -> ml.OnlineEndpoint:
    props: dict = dict(auth_mode="AADToken", public_network_access="Disabled")
    props.update(overrides)
    return ml.OnlineEndpoint(
        logical,
        resource_group_name=rg.name,
        workspace_name=MLW,
        endpoint_name=endpoint_name,
        location=LOCATION,
        identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
        properties=ml.OnlineEndpointPropertiesArgs(**props),
        tags=TAGS,
        opts=ws_opts,
    )


scoring = endpoint("endpoint-scoring", "ap-scoring")
# Callers authenticate with a static key.
endpoint("online-endpoint-aad-auth", "ap-keyauth", auth_mode="Key")
# Reachable from the internet.
endpoint("online-endpoint-no-public-access", "ap-public", public_network_access="Enabled")


def deployment(logical: str, deployment_name: str, **overrides: object) -> ml.OnlineDeployment:
    props: dict = dict(
        endpoint_compute_type="Managed",
        model=SERVED_MODEL,
        instance_type="Standard_DS3_v2",
        egress_public_network_access="Disabled",
    )
    props.update(overrides)
    return ml.OnlineDeployment(
        logical,
        resource_group_name=rg.name,
        workspace_name=MLW,
        endpoint_name=scoring.name,
        deployment_name=deployment_name,
        location=LOCATION,
        sku=ml.SkuArgs(name="Default", capacity=1),
        properties=ml.ManagedOnlineDeploymentArgs(**props),
        tags=TAGS,
    )


# Whatever version carries the label 'latest' at deployment time.
deployment("online-deployment-model-pinned", "latest-model",
           model="azureml://registries/azureml/models/distilbert-base-cased/labels/latest")
# The deployment may call out to the internet.
deployment("online-deployment-no-public-egress", "open-egress", egress_public_network_access="Enabled")
# A GPU instance type nobody approved.
deployment("online-deployment-allowed-instances", "gpu", instance_type="Standard_NC24ads_A100_v4")

# Batch scoring: one compliant endpoint, the others changed in one place.
batch_scoring = ml.BatchEndpoint(
    "endpoint-batch-scoring",
    resource_group_name=rg.name,
    workspace_name=MLW,
    endpoint_name="ap-batch",
    location=LOCATION,
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    properties=ml.BatchEndpointPropertiesArgs(auth_mode="AADToken"),
    tags=TAGS,
    opts=ws_opts,
)
# Callers authenticate with a key (the REST API's own example uses AML tokens).
ml.BatchEndpoint(
    "batch-endpoint-aad-auth",
    resource_group_name=rg.name,
    workspace_name=MLW,
    endpoint_name="ap-batch-key",
    location=LOCATION,
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    properties=ml.BatchEndpointPropertiesArgs(auth_mode="Key"),
    tags=TAGS,
    opts=ws_opts,
)
# Scores with whatever model version carries the label 'latest'.
ml.BatchDeployment(
    "batch-deployment-model-pinned",
    resource_group_name=rg.name,
    workspace_name=MLW,
    endpoint_name=batch_scoring.name,
    deployment_name="latest-model",
    location=LOCATION,
    properties=ml.BatchDeploymentPropertiesArgs(
        compute=cpu_cluster.id,
        model=ml.IdAssetReferenceArgs(reference_type="Id", asset_id="azureml:fraud-model@latest"),
        environment_id=environment.id,
        code_configuration=ml.CodeConfigurationArgs(code_id=code.id, scoring_script="score.py"),
    ),
    tags=TAGS,
)
# A model as a service called with a key.
ml.ServerlessEndpoint(
    "serverless-endpoint-aad-auth",
    resource_group_name=rg.name,
    workspace_name=MLW,
    name="ap-llama-key",
    location=LOCATION,
    properties=ml.ServerlessEndpointPropertiesArgs(
        auth_mode="Key",
        model_settings=ml.ModelSettingsArgs(model_id="azureml://registries/azureml-meta/models/Llama-2-7b-chat/versions/24"),
        content_safety=ml.ContentSafetyArgs(content_safety_status="Enabled"),
    ),
    sku=ml.SkuArgs(name="Consumption"),
    tags=TAGS,
    opts=ws_opts,
)

# A shared model registry left reachable from the internet.
ml.Registry(
    "registry-public-network-disabled",
    registry_name="mlr-antipatterns-open",
    resource_group_name=rg.name,
    location=LOCATION,
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Enabled",
    region_details=[ml.RegistryRegionArmDetailsArgs(location=LOCATION)],
    tags=TAGS,
)
# A model registry in a region outside the allowed list (see policy-config.json).
ml.Registry(
    "ml-allowed-locations",
    registry_name="mlr-antipatterns-us",
    resource_group_name=rg.name,
    location="eastus",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    public_network_access="Disabled",
    region_details=[ml.RegistryRegionArmDetailsArgs(location="eastus")],
    tags=TAGS,
)

# ------------------------------------------------------------------------------
# Feature store: a pinned data version and entity, and featuresets built on them
# ------------------------------------------------------------------------------
fs_opts = pulumi.ResourceOptions(depends_on=[fs])

ml.DataVersion(
    "data-transactions-v1",
    resource_group_name=rg.name,
    workspace_name=FS,
    name="transactions",
    version="1",
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder", data_uri="azureml://datastores/workspaceblobstore/paths/transactions/v1/", tags=TAGS),
    opts=fs_opts,
)
entity = ml.FeaturestoreEntityContainerEntity(
    "entity-customer",
    resource_group_name=rg.name,
    workspace_name=FS,
    name="customer",
    properties=ml.FeaturestoreEntityContainerPropertiesArgs(tags=TAGS),
    opts=fs_opts,
)
ml.FeaturestoreEntityVersion(
    "entity-customer-v1",
    resource_group_name=rg.name,
    workspace_name=FS,
    name="customer",
    version="1",
    properties=ml.FeaturestoreEntityVersionPropertiesArgs(
        index_columns=[ml.IndexColumnArgs(column_name="customer_id", data_type="String")], tags=TAGS),
    opts=pulumi.ResourceOptions(depends_on=[entity]),
)
featureset = ml.FeaturesetContainerEntity(
    "featureset-customer-transactions",
    resource_group_name=rg.name,
    workspace_name=FS,
    name="customer_transactions",
    properties=ml.FeaturesetContainerPropertiesArgs(tags=TAGS),
    opts=fs_opts,
)


def featureset_version(logical: str, version: str, data_version: str, **overrides: object) -> ml.FeaturesetVersion:
    props: dict = dict(
        specification=ml.FeaturesetSpecificationArgs(
            path=f"azureml://datastores/workspaceblobstore/paths/featuresets/customer_transactions/v{version}/spec/"),
        entities=["azureml:customer:1"],
        properties={"dataVersionId": data_version},
        tags=TAGS,
    )
    props.update(overrides)
    return ml.FeaturesetVersion(
        logical,
        resource_group_name=rg.name,
        workspace_name=FS,
        name="customer_transactions",
        version=version,
        properties=ml.FeaturesetVersionPropertiesArgs(**props),
        opts=pulumi.ResourceOptions(depends_on=[featureset]),
    )


# Built from "the latest" transactions: which ones, nobody can say afterwards.
featureset_version("featureset-data-version-pinned", "1", "azureml:transactions:latest")
# Pinned to transactions v2, which this stack never registers.
featureset_version("featureset-data-version-resolves", "2", "azureml:transactions:2")
# Materialised on a 64-core Spark size outside the approved list.
featureset_version(
    "featureset-materialization-limits", "3", "azureml:transactions:1",
    materialization_settings=ml.MaterializationSettingsArgs(
        store_type="Offline",
        resource=ml.MaterializationComputeResourceArgs(instance_type="standard_e64s_v3"),
    ),
)

# ------------------------------------------------------------------------------
# BEGIN dependent resources (issue 15 section 2): one workspace names a storage account, key
# vault, container registry and Application Insights component with one mistake each; another,
# private, names a registry open to the internet.
# ------------------------------------------------------------------------------
# Shared keys left on (an identity-only workspace needs them off).
dep_storage = storage_account("workspace-storage-hardened", "stamlapdeps", allow_shared_key_access=True)
# No purge protection: a deleted key could be purged at once.
dep_vault = key_vault("workspace-key-vault-protected", "kv-aml-ap-deps", enable_purge_protection=False)


def registry(logical: str, registry_name: str, **overrides: object) -> containerregistry.Registry:
    args: dict = dict(registry_name=registry_name, resource_group_name=rg.name, location=LOCATION,
                      sku=containerregistry.SkuArgs(name="Premium"), admin_user_enabled=False, anonymous_pull_enabled=False,
                      public_network_access="Disabled", tags=TAGS)
    args.update(overrides)
    return containerregistry.Registry(logical, **args)


# Anonymous pull enabled: anyone can pull its images. (Not the admin user, which registry-admin-user-fix,
# once turned on in policy-config.json, reports on every registry.)
dep_registry = registry("workspace-registry-hardened", "acramlapdeps", anonymous_pull_enabled=True)
# Instrumentation keys still accepted.
dep_insights = applicationinsights.Component(
    "workspace-app-insights-entra-only", resource_group_name=rg.name, location=LOCATION, kind="web",
    application_type="web", disable_local_auth=False, tags=TAGS)
workspace("mlw-deps", "mlw-ap-deps", storage_account=dep_storage.id, key_vault=dep_vault.id,
          container_registry=dep_registry.id, application_insights=dep_insights.id)
# A private workspace whose registry takes traffic from the internet.
open_registry = registry("workspace-dependencies-private", "acramlapopen", public_network_access="Enabled")
workspace("mlw-deps-open", "mlw-ap-deps-open", container_registry=open_registry.id)
# The opt-in fixes (disabled by default; policy-config.json turns them on at advisory) judge every
# storage account and registry of the stack, named by a workspace or not.
# Anonymous public blob access left allowed.
storage_account("storage-account-fixes", "stamlapfixes", allow_blob_public_access=True)
# The admin user (a shared password) enabled.
registry("registry-admin-user-fix", "acramlapadmin", admin_user_enabled=True)
# END dependent resources

# ------------------------------------------------------------------------------
# Exports: the storage account key, handed to a downstream stack (no-secret-exports,
# reported on the stack itself: aml-antipatterns-dev)
# ------------------------------------------------------------------------------
keys = storage.list_storage_account_keys_output(resource_group_name=rg.name, account_name=st.name)
pulumi.export("workspace_name", MLW)
pulumi.export("storage_primary_key", keys.keys[0].value)

# ------------------------------------------------------------------------------
# Access control: role assignments on the estate (ml-no-privileged-roles,
# ml-people-data-plane-roles, ml-identity-data-roles)
# ------------------------------------------------------------------------------
CI_PRINCIPAL = "00000000-0000-0000-0000-0000000000c1"  # the deployment pipeline's service principal
DATA_SCIENTISTS = "00000000-0000-0000-0000-0000000000d5"  # the data scientists' Entra group


def role_definition_id(role_guid: str) -> pulumi.Output[str]:
    return client.subscription_id.apply(
        lambda sub: f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}")


# The pipeline's service principal made Owner of the workspace, "to make deployments work".
authorization.RoleAssignment("ml-no-privileged-roles", scope=mlw.id, principal_id=CI_PRINCIPAL,
                             principal_type="ServicePrincipal",
                             role_definition_id=role_definition_id("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"))
# The data scientists made Readers of the workspace instead of AzureML Data Scientists: Reader lists
# datastore credentials.
authorization.RoleAssignment("ml-people-data-plane-roles", scope=mlw.id, principal_id=DATA_SCIENTISTS,
                             principal_type="Group",
                             role_definition_id=role_definition_id("acdd72a7-3385-48ef-bd42-f606fba81ae7"))
# The workspace identity given Storage Account Contributor, which reaches the data through the account keys.
authorization.RoleAssignment("ml-identity-data-roles", scope=st.id, principal_id=identity.principal_id,
                             principal_type="ServicePrincipal",
                             role_definition_id=role_definition_id("17d1049b-9a84-46fb-8f53-869881c3d3ab"))
