"""The training workspace's datastore and the versioned assets jobs and the deployment pin:
labels data, code, environments, components and a model, each with an explicit version and
not anonymous (data-version-explicit, asset-version-explicit). Also the ARM ids the jobs and
the deployment reference them by (job-pinned-assets, online-deployment-model-pinned)."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from dependencies import curated_container
from feature_store import FEATURESET_NAME, FEATURESET_VERSION
from network import rg
from settings import (
    DATASTORE_NAME,
    base_image,
    storage_account_name,
    tags,
    training_asset_id,
    training_workspace_name,
)
from workspaces import in_training_workspace, training_workspace

LABELS_NAME = "fraud-labels"
LABELS_VERSION = "1"
CODE_NAME = "fraud-src"
CODE_VERSION = "1"
SCORING_CODE_NAME = "fraud-scoring-src"
SCORING_CODE_VERSION = "1"
TRAIN_ENV_NAME = "fraud-train"
TRAIN_ENV_VERSION = "1"
SERVE_ENV_NAME = "fraud-serve"
SERVE_ENV_VERSION = "1"
PREP_COMPONENT_NAME = "prep-training-data"
PREP_COMPONENT_VERSION = "1"
TRAIN_COMPONENT_NAME = "train-fraud-model"
TRAIN_COMPONENT_VERSION = "1"
MODEL_NAME = "fraud-model"
MODEL_VERSION = "1"

# No credentials (datastore-no-inline-credentials): the service reads the container as the
# workspace's user-assigned identity, which holds Storage Blob Data Contributor on the account.
curated_datastore = ml.Datastore(
    "datastore-curated",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=DATASTORE_NAME,
    properties=ml.AzureBlobDatastoreArgs(
        datastore_type="AzureBlob",
        account_name=storage_account_name,
        container_name=DATASTORE_NAME,
        credentials=ml.NoneDatastoreCredentialsArgs(credentials_type="None"),
        service_data_access_auth_identity="WorkspaceUserAssignedIdentity",
        description="Curated training data (identity-based access).",
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[training_workspace, curated_container]),
)

labels_version = ml.DataVersion(
    "data-fraud-labels-v1",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=LABELS_NAME,
    version=LABELS_VERSION,
    properties=ml.UriFolderDataVersionArgs(
        data_type="uri_folder",
        data_uri=(
            f"azureml://datastores/{DATASTORE_NAME}/paths/{LABELS_NAME}/v{LABELS_VERSION}/"
        ),
        is_anonymous=False,
        is_archived=False,
        description="Confirmed fraud labels per transaction, one folder per version.",
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[curated_datastore]),
)

code_versions = {}
for code_name, code_version, what in [
    (CODE_NAME, CODE_VERSION, "Training and data preparation code"),
    (SCORING_CODE_NAME, SCORING_CODE_VERSION, "Scoring script for the online deployment"),
]:
    code_versions[code_name] = ml.CodeVersion(
        f"code-{code_name}-v{code_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=code_name,
        version=code_version,
        properties=ml.CodeVersionPropertiesArgs(
            # Uploaded by CI (as the workspace identity) before the stack is updated.
            code_uri=(
                f"https://{storage_account_name}.blob.core.windows.net/"
                f"{DATASTORE_NAME}/code/{code_name}/{code_version}/"
            ),
            description=f"{what}, release {code_version}.",
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(depends_on=[training_workspace, curated_container]),
    )

# Every package pinned to a version, like the base image.
TRAIN_CONDA = """\
name: fraud-train
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
      - mlflow==2.16.2
      - azureml-mlflow==1.57.0
      - scikit-learn==1.5.2
      - pandas==2.2.3
"""
SERVE_CONDA = """\
name: fraud-serve
channels: [conda-forge]
dependencies:
  - python=3.11
  - pip
  - pip:
      - azureml-inference-server-http==1.3.4
      - transformers==4.44.2
      - torch==2.4.1
"""

# The base image comes from mcr.microsoft.com, pinned by digest (environment-image-pinned).
environment_versions = {}
for env_name, env_version, conda_file, what in [
    (TRAIN_ENV_NAME, TRAIN_ENV_VERSION, TRAIN_CONDA, "Training runtime"),
    (SERVE_ENV_NAME, SERVE_ENV_VERSION, SERVE_CONDA, "Inference runtime"),
]:
    environment_versions[env_name] = ml.EnvironmentVersion(
        f"env-{env_name}-v{env_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=env_name,
        version=env_version,
        properties=ml.EnvironmentVersionPropertiesArgs(
            image=base_image,
            conda_file=conda_file,
            os_type="Linux",
            # Never rebuilt behind our back: a new base image is a new environment version.
            auto_rebuild="Disabled",
            description=f"{what} on the pinned AzureML base image.",
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=in_training_workspace,
    )

code_id = training_asset_id("codes", CODE_NAME, CODE_VERSION)
scoring_code_id = training_asset_id("codes", SCORING_CODE_NAME, SCORING_CODE_VERSION)
train_env_id = training_asset_id("environments", TRAIN_ENV_NAME, TRAIN_ENV_VERSION)
serve_env_id = training_asset_id("environments", SERVE_ENV_NAME, SERVE_ENV_VERSION)
labels_id = training_asset_id("data", LABELS_NAME, LABELS_VERSION)
prep_component_id = training_asset_id("components", PREP_COMPONENT_NAME, PREP_COMPONENT_VERSION)
train_component_id = training_asset_id(
    "components", TRAIN_COMPONENT_NAME, TRAIN_COMPONENT_VERSION
)

# Command components on the pinned code and training environment; the pipeline runs them.
component_versions = {}
for comp_name, comp_version, spec in [
    (
        PREP_COMPONENT_NAME,
        PREP_COMPONENT_VERSION,
        {
            "$schema": "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
            "name": PREP_COMPONENT_NAME,
            "version": PREP_COMPONENT_VERSION,
            "type": "command",
            "display_name": "Join labels with materialised customer features",
            "code": code_id,
            "environment": train_env_id,
            "command": (
                "python prep.py --labels ${{inputs.labels}} "
                f"--featureset {FEATURESET_NAME}:{FEATURESET_VERSION} "
                "--out ${{outputs.training_data}}"
            ),
            "inputs": {"labels": {"type": "uri_folder"}},
            "outputs": {"training_data": {"type": "uri_folder"}},
        },
    ),
    (
        TRAIN_COMPONENT_NAME,
        TRAIN_COMPONENT_VERSION,
        {
            "$schema": "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
            "name": TRAIN_COMPONENT_NAME,
            "version": TRAIN_COMPONENT_VERSION,
            "type": "command",
            "display_name": "Train the fraud classifier",
            "code": code_id,
            "environment": train_env_id,
            "command": (
                "python train.py --data ${{inputs.training_data}} "
                "--learning-rate ${{inputs.learning_rate}} --model ${{outputs.model}}"
            ),
            "inputs": {
                "training_data": {"type": "uri_folder"},
                "learning_rate": {"type": "number", "default": 0.1},
            },
            "outputs": {"model": {"type": "mlflow_model"}},
        },
    ),
]:
    component_versions[comp_name] = ml.ComponentVersion(
        f"component-{comp_name}-v{comp_version}",
        resource_group_name=rg.name,
        workspace_name=training_workspace_name,
        name=comp_name,
        version=comp_version,
        properties=ml.ComponentVersionPropertiesArgs(
            component_spec=spec,
            description=spec["display_name"],
            is_anonymous=False,
            is_archived=False,
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(
            depends_on=[
                code_versions[CODE_NAME],
                environment_versions[TRAIN_ENV_NAME],
            ]
        ),
    )

model_version = ml.ModelVersion(
    "model-fraud-model-v1",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name=MODEL_NAME,
    version=MODEL_VERSION,
    properties=ml.ModelVersionPropertiesArgs(
        model_type="mlflow_model",
        model_uri=f"azureml://datastores/{DATASTORE_NAME}/paths/models/{MODEL_NAME}/{MODEL_VERSION}/",
        description="Fraud classifier trained on fraud-labels v1 (baseline).",
        stage="Development",
        is_anonymous=False,
        is_archived=False,
        tags=tags,
    ),
    opts=pulumi.ResourceOptions(depends_on=[curated_datastore]),
)
