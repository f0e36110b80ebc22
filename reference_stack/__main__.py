"""Reference Azure ML estate: the compliant case the policy pack is tested against.

Two Azure Machine Learning workspaces behind private endpoints, sharing locked-down
dependencies (no public network access, no shared keys, RBAC only), a user-assigned
identity, customer-managed-key encryption and resource logs to Log Analytics: a
``FeatureStore`` workspace with a pinned data version, an entity and a featureset
materialised daily to an ADLS Gen2 offline store, and a ``Default`` workspace for training
and serving. A private model registry completes the estate.

Written against pulumi-azure-native 3.x (Azure ML API 2025-12-01). Each section is a module
that declares its resources when it is imported, and imports the sections it builds on:

    settings.py       config, names, tags (no resources)
    network.py        resource group, virtual network, private DNS zones, private endpoints
    monitoring.py     Log Analytics, Application Insights, resource logs
    dependencies.py   storage, key vault and customer-managed key, container registry,
                      the user-assigned identity and its roles
    workspaces.py     the feature store and training workspaces, the model registry
    feature_store.py  offline store connection, data version, entity, featureset
    assets.py         the training workspace's datastore, data, code, environments,
                      components and model
    training.py       compute cluster and instance, jobs, pipeline, schedule
    serving.py        online endpoint and deployment
    access.py         who may do what: the data scientists' and the identities' data-plane roles

Only names and ids are exported, never keys or connection strings (no-secret-exports).
"""

import pulumi

import access  # noqa: F401 - declares the role assignments
import feature_store
import network
import serving
import settings
import training
import workspaces

pulumi.export("resource_group_name", network.rg.name)
pulumi.export("workspace_name", settings.workspace_name)
pulumi.export("workspace_id", workspaces.feature_store_workspace.id)
pulumi.export("data_version_reference", feature_store.data_version_ref)
pulumi.export("featureset_name", feature_store.FEATURESET_NAME)
pulumi.export("featureset_version", feature_store.FEATURESET_VERSION)
pulumi.export("training_workspace_name", settings.training_workspace_name)
pulumi.export("training_workspace_id", workspaces.training_workspace.id)
pulumi.export("model_registry_name", settings.model_registry_name)
pulumi.export("compute_cluster_name", training.CLUSTER_NAME)
pulumi.export("online_endpoint_name", settings.ENDPOINT_NAME)
pulumi.export("online_endpoint_id", serving.online_endpoint.id)
