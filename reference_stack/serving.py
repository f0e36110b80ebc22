"""Serving: a private online endpoint that accepts Microsoft Entra ID tokens only, and one
deployment that serves a pinned catalogue model with no outbound internet access."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from assets import (
    SCORING_CODE_NAME,
    SERVE_ENV_NAME,
    code_versions,
    environment_versions,
    scoring_code_id,
    serve_env_id,
)
from network import rg
from settings import ENDPOINT_NAME, location, tags, training_workspace_name
from workspaces import in_training_workspace

# A catalogue model from Microsoft's curated `azureml` registry (the only registry the
# enforce preset admits for deployments), pinned to one version: merchant descriptions are
# encoded for the fraud features. Model card: Azure AI model catalogue, distilbert-base-cased.
SERVED_MODEL = "azureml://registries/azureml/models/distilbert-base-cased/versions/10"

# Entra ID tokens, not keys (online-endpoint-aad-auth); no public network access
# (online-endpoint-no-public-access).
online_endpoint = ml.OnlineEndpoint(
    "endpoint-txn",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    endpoint_name=ENDPOINT_NAME,
    location=location,
    kind="Managed",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    properties=ml.OnlineEndpointPropertiesArgs(
        auth_mode="AADToken",
        public_network_access="Disabled",
        description="Merchant-description encoder for the fraud features.",
    ),
    tags=tags,
    opts=in_training_workspace,
)

# A pinned model and environment (online-deployment-model-pinned), no public egress
# (online-deployment-no-public-egress), an approved instance type and 2 instances
# (online-deployment-allowed-instances). Traffic is shifted to a deployment by the release
# pipeline (blue/green), not here.
online_deployment = ml.OnlineDeployment(
    "deployment-txn-blue",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    endpoint_name=online_endpoint.name,
    deployment_name="blue",
    location=location,
    kind="Managed",
    sku=ml.SkuArgs(name="Default", capacity=2),
    properties=ml.ManagedOnlineDeploymentArgs(
        endpoint_compute_type="Managed",
        model=SERVED_MODEL,
        environment_id=serve_env_id,
        code_configuration=ml.CodeConfigurationArgs(
            code_id=scoring_code_id, scoring_script="score.py"
        ),
        instance_type="Standard_DS3_v2",
        egress_public_network_access="Disabled",
        app_insights_enabled=True,
        scale_settings=ml.DefaultScaleSettingsArgs(scale_type="Default"),
        request_settings=ml.OnlineRequestSettingsArgs(
            request_timeout="PT5S", max_concurrent_requests_per_instance=2
        ),
        description="distilbert-base-cased v10 from the azureml registry.",
    ),
    tags=tags,
    opts=pulumi.ResourceOptions(
        depends_on=[
            code_versions[SCORING_CODE_NAME],
            environment_versions[SERVE_ENV_NAME],
        ]
    ),
)
