"""Where azure-native keeps online, batch and serverless endpoint and deployment settings (3.x
``properties``, 2.x ``onlineEndpointProperties`` / ``onlineDeploymentProperties``,
``batchEndpointProperties`` / ``batchDeploymentProperties``, ``serverlessEndpointProperties``, 2.x
v20220201preview ``<x>Details``; the same names inside). The classic provider has no endpoint
resource; its ``InferenceCluster`` attaches an AKS cluster for v1 web services.
"""

from __future__ import annotations

from typing import Final

from .. import types as t
from ..shape import Default, Setting

ENDPOINTS: Final = (t.ONLINE_ENDPOINT,)
DEPLOYMENTS: Final = (t.ONLINE_DEPLOYMENT,)
AUTH_MODE: Final = Setting("{body}.authMode")  # required by the API, no default
PUBLIC_NETWORK: Final = Setting("{body}.publicNetworkAccess", default=Default(
    "Enabled", "the Azure ML REST API default (OnlineEndpointPropertiesArgs fills it too)"))
MODEL: Final = Setting("{body}.model")
ENVIRONMENT: Final = Setting("{body}.environmentId")
EGRESS: Final = Setting("{body}.egressPublicNetworkAccess", default=Default(
    "Enabled", "the Azure ML REST API default (the deployment Args classes fill it too)"))
COMPUTE_KIND: Final = Setting("{body}.endpointComputeType")  # Managed or Kubernetes
INSTANCE_TYPE: Final = Setting("{body}.instanceType")
CAPACITY: Final = Setting("sku.capacity", default=Default(1, "Azure runs one instance"))
MAX_INSTANCES: Final = Setting("{body}.scaleSettings.maxInstances",
                               default=Default(1, "Azure's TargetUtilization default"))

# azure-native 2.x's v1 web services (module v20210401 only): another API, without the v2 endpoints'
# authMode, publicNetworkAccess, model or egress settings.
_V1: Final = "a v1 web service of azure-native 2.x's module v20210401: another API, without these settings"
V1_SERVICES: Final = {f"{t.ML}:ACIService": _V1, f"{t.ML}:AKSService": _V1}
V1_VARIANTS: Final = {f"{t.ML}:EndpointVariant": _V1}

# Batch endpoints and deployments (azure-native 3.x and 2.x). A batch endpoint has authMode (EndpointAuthMode:
# AMLToken, Key, AADToken) and no publicNetworkAccess in either version: it follows its workspace's network.
BATCH_ENDPOINTS: Final = (f"{t.ML}:BatchEndpoint",)
BATCH_DEPLOYMENTS: Final = (f"{t.ML}:BatchDeployment",)
# A batch deployment's model is an asset reference object (referenceType Id with assetId, DataPath with
# datastoreId and path, OutputPath with jobId and path); 3.x's pipeline component deployments name a component.
BATCH_COMPONENT: Final = Setting("{body}.deploymentConfiguration.componentId.assetId")
# Serverless endpoints (models as a service): authMode Key, AAD or KeyAndAAD (3.x; 2.x Key or AAD).
SERVERLESS_ENDPOINTS: Final = (f"{t.ML}:ServerlessEndpoint",)
