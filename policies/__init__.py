"""The Azure ML governance policy pack: the registry of every rule.

``__main__.py`` builds the ``PolicyPack`` from ``pack.arguments()`` (these policies and the pack's
metadata); tests, the catalogue and the presets read ``RULES``. Its order is the order of the catalogue, the README table and the reports:
add a new rule where it reads best, and leave the others in their order. Nothing here imports
pulumi_azure_native: rules match type strings, so the pack starts fast.

Layout: ``core/`` (how a rule is declared, property reading, type tokens, frameworks, ...) and one
package per resource family on top of it, each importing only from ``core``.
"""

from __future__ import annotations

from pulumi_policy import Policy

from .access import identities as access_identities
from .access import people as access_people
from .access import privileged as access_privileged
from .assets import versions as assets
from .compute import access as compute_access
from .compute import usage as compute_usage
from .compute import virtual_network as compute_vnet
from .core.rule import ResourceRule, Rule, StackRule
from .dependencies import fixes as dependency_fixes
from .dependencies import hardening as dependency_hardening
from .dependencies import private as dependency_network
from .endpoints import batch, online_deployment, online_endpoint, serverless
from .featureset import data_version as featureset_data
from .featureset import materialization
from .hygiene import locations, preview_api, tags
from .jobs import allowed_compute, environment_image, identity, limits, pinned_assets
from .preview import sources
from .registry import network as registry_network
from .secrets import connection, data_uri, datastore, exports, inline
from .workspace import encryption, hbi, network, private_endpoint, sku
from .workspace import identity as workspace_identity

PACK_NAME = "azure-ml-governance"
PACK_DESCRIPTION = (
    "Governance for Azure Machine Learning on Pulumi: network isolation, identity, access control (role "
    "assignments), encryption, no inline credentials, pinned data and model versions, and compute and job limits."
)

RULES: tuple[Rule, ...] = (
    sku.workspace_allowed_sku,
    workspace_identity.workspace_managed_identity,
    network.workspace_public_network_disabled,
    network.workspace_managed_network_isolation,
    private_endpoint.workspace_private_endpoint,
    workspace_identity.workspace_system_datastores_identity,
    datastore.datastore_no_inline_credentials,
    connection.workspace_connection_no_inline_credentials,
    data_uri.data_uri_no_sas_token,
    hbi.hbi_workspace_storage_private,
    dependency_network.workspace_dependencies_private,
    dependency_hardening.workspace_storage_hardened,
    dependency_hardening.workspace_key_vault_protected,
    dependency_hardening.workspace_registry_hardened,
    dependency_hardening.workspace_app_insights_entra_only,
    dependency_fixes.storage_account_fixes,
    dependency_fixes.registry_admin_user_fix,
    encryption.workspace_customer_managed_key,
    hbi.workspace_hbi_for_confidential,
    locations.ml_allowed_locations,
    featureset_data.featureset_data_version_pinned,
    featureset_data.featureset_data_version_resolves,
    assets.data_version_explicit,
    assets.asset_version_explicit,
    pinned_assets.job_pinned_assets,
    environment_image.environment_image_pinned,
    identity.job_identity,
    allowed_compute.job_allowed_compute,
    limits.job_limits,
    compute_usage.compute_allowed_vm_sizes,
    compute_usage.compute_cluster_scale,
    compute_usage.compute_instance_idle_shutdown,
    compute_access.compute_local_auth_disabled,
    compute_access.compute_no_public_ip,
    compute_access.compute_ssh_not_public,
    compute_vnet.compute_in_virtual_network,
    online_endpoint.online_endpoint_aad_auth,
    online_endpoint.online_endpoint_no_public_access,
    online_deployment.online_deployment_model_pinned,
    online_deployment.online_deployment_no_public_egress,
    online_deployment.online_deployment_allowed_instances,
    batch.batch_endpoint_aad_auth,
    batch.batch_deployment_model_pinned,
    serverless.serverless_endpoint_aad_auth,
    registry_network.registry_public_network_disabled,
    materialization.featureset_materialization_limits,
    access_privileged.ml_no_privileged_roles,
    access_people.ml_people_data_plane_roles,
    access_identities.ml_identity_data_roles,
    tags.ml_required_tags,
    preview_api.no_preview_api_versions,
    inline.ml_no_inline_credentials,
    exports.no_secret_exports,
    sources.unknown_value_sources,
)


def build_policies() -> list[Policy]:
    return [rule.policy() for rule in RULES]


def rule_named(name: str) -> Rule:
    return next(r for r in RULES if r.name == name)


__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "RULES", "ResourceRule", "Rule", "StackRule", "build_policies", "rule_named"]
