"""The public controls rules cite, each built once with one title (DESIGN.md section 5).

A rule lists the controls it corresponds to in ``frameworks``; each becomes a tag of the policy
(``Framework.tag``), and one of them its ``framework`` (``PolicyComplianceFramework``: see
``rule.primary_framework``). Titles are the controls' own: Azure Policy built-in display names,
Checkov check names, Microsoft cloud security benchmark control names. Only the benchmark is
versioned: its controls are those of MCSB v1 (the service baselines' "Microsoft Cloud Security
Benchmark version 1.0"; v2 is a preview), so ``MCSB_VERSION`` is published with each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Framework:
    """A public control the rule corresponds to (Azure Policy definition, Checkov check, benchmark)."""

    source: str  # "Azure Policy", "Checkov", "MCSB", "Pulumi compliance-policies"
    id: str
    title: str = ""
    version: str = ""  # the framework's version, for a versioned benchmark

    @property
    def slug(self) -> str:
        """The source as a tag prefix, with its version: ``azure-policy``, ``mcsb-v1``."""
        base = self.source.lower().replace(" ", "-")
        return f"{base}-{self.version}" if self.version else base

    @property
    def tag(self) -> str:
        return f"{self.slug}:{self.id}"


def _azure(definition_id: str, title: str) -> Framework:
    return Framework("Azure Policy", definition_id, title)


def _checkov(check_id: str, title: str) -> Framework:
    return Framework("Checkov", check_id, title)


MCSB_VERSION: Final = "v1"


def _mcsb(control: str, title: str) -> Framework:
    return Framework("MCSB", control, title, MCSB_VERSION)


# Azure Policy built-in definitions (Machine Learning, and two general ones).
AZ_USER_ASSIGNED_IDENTITY: Final = _azure(
    "5f0c7d88-c7de-45b8-ac49-db49e72eaa78", "Azure Machine Learning workspaces should use user-assigned managed identity")
AZ_PUBLIC_NETWORK_DISABLED: Final = _azure(
    "438c38d2-3772-465a-a9cc-7a6666a275ce", "Azure Machine Learning workspaces should disable public network access")
AZ_MANAGED_NETWORK_ISOLATION: Final = _azure(
    "6ddb1705-c8cf-450e-aa4b-19ad6703c440",
    "Azure Machine Learning and Ai Studio should use Allow Only Approved Outbound Managed Vnet mode")
AZ_PRIVATE_LINK: Final = _azure(
    "45e05259-1eb5-4f70-9574-baf73e9d219b", "Azure Machine Learning workspaces should use private link")
AZ_CUSTOMER_MANAGED_KEY: Final = _azure(
    "ba769a63-b8cc-4b2d-abf6-ac33c7204be8",
    "Azure Machine Learning workspaces should be encrypted with a customer-managed key")
AZ_ALLOWED_LOCATIONS: Final = _azure("e56962a6-4747-49cd-b67b-bf8b01975c4c", "Allowed locations")
AZ_ALLOWED_REGISTRIES: Final = _azure(
    "5853517a-63de-11ea-bc55-0242ac130003",
    "[Preview]: Configure allowed registries for specified Azure Machine Learning computes")
AZ_INSTANCE_IDLE_SHUTDOWN: Final = _azure(
    "679ddf89-ab8f-48a5-9029-e76054077449", "Azure Machine Learning Compute Instance should have idle shutdown.")
AZ_COMPUTE_LOCAL_AUTH: Final = _azure(
    "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f",
    "Azure Machine Learning Computes should have local authentication methods disabled")
AZ_COMPUTE_IN_VNET: Final = _azure(
    "7804b5c7-01dc-4723-969b-ae300cc07ff1", "Azure Machine Learning Computes should be in a virtual network")
AZ_REGISTRY_MODELS_ONLY: Final = _azure(
    "19539b54-c61e-4196-9a38-67598701be90",
    "[Preview]: Azure Machine Learning Model Registry Deployments are restricted except for the allowed Registry")
AZ_REQUIRE_TAG: Final = _azure("871b6d14-10aa-478d-b590-94f262ecfa99", "Require a tag on resources")

# Checkov checks.
CKV2_AZURE_49: Final = _checkov(
    "CKV2_AZURE_49", "Ensure that Azure Machine learning workspace is not configured with overly permissive network access")
CKV_AZURE_144: Final = _checkov("CKV_AZURE_144", "Ensure that Public Access is disabled for Machine Learning Workspace")
CKV_AZURE_243: Final = _checkov("CKV_AZURE_243", "Ensure Azure Machine learning workspace is configured with private endpoint")
CKV2_AZURE_50: Final = _checkov(
    "CKV2_AZURE_50",
    "Ensure Azure Storage Account storing Machine Learning workspace high business impact data is not publicly accessible")
CKV_AZURE_150: Final = _checkov("CKV_AZURE_150", "Ensure Machine Learning Compute Cluster Minimum Nodes Set To 0")
CKV_AZURE_142: Final = _checkov("CKV_AZURE_142", "Ensure Machine Learning Compute Cluster Local Authentication is disabled")

# Microsoft cloud security benchmark v1 controls (titles as the v1 pages give them).
MCSB_NS1: Final = _mcsb("NS-1", "Establish network segmentation boundaries")
MCSB_NS2: Final = _mcsb("NS-2", "Secure cloud native services with network controls")
MCSB_IM1: Final = _mcsb("IM-1", "Use centralized identity and authentication system")
MCSB_IM3: Final = _mcsb("IM-3", "Manage application identities securely and automatically")
MCSB_IM8: Final = _mcsb("IM-8", "Restrict the exposure of credential and secrets")
MCSB_PA1: Final = _mcsb("PA-1", "Separate and limit highly privileged/administrative users")
MCSB_PA7: Final = _mcsb("PA-7", "Follow just enough administration (least privilege) principle")
MCSB_DP2: Final = _mcsb("DP-2", "Monitor anomalies and threats targeting sensitive data")
MCSB_DP5: Final = _mcsb("DP-5", "Use customer-managed key option in data at rest encryption when required")

# The resources a workspace stands on (policies/dependencies): Azure Policy, Checkov and MCSB v1.
AZ_STORAGE_SHARED_KEY: Final = _azure("8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54", "Storage accounts should prevent shared key access")
AZ_STORAGE_BLOB_PUBLIC: Final = _azure("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751", "Storage account public access should be disallowed")
AZ_STORAGE_TLS: Final = _azure("fe83a0eb-a853-422d-aac2-1bffd182c5d0",
                               "Storage accounts should have the specified minimum TLS version")
# Modify: what storage-account-fixes does at remediate (StorageAccountDisablePublicBlobAccess_Modify.json).
AZ_STORAGE_BLOB_PUBLIC_MODIFY: Final = _azure("13502221-8df0-4414-9937-de9c5c4e396b",
                                              "Configure your Storage account public access to be disallowed")
AZ_STORAGE_HTTPS: Final = _azure("404c3081-a854-4457-ae30-26a93ef643f9", "Secure transfer to storage accounts should be enabled")
AZ_STORAGE_PUBLIC_NETWORK: Final = _azure("b2982f36-99f2-4db5-8eff-283140c09693",
                                          "Storage accounts should disable public network access")
AZ_VAULT_PURGE_PROTECTION: Final = _azure("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",
                                          "Key vaults should have deletion protection enabled")
AZ_VAULT_SOFT_DELETE: Final = _azure("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d", "Key vaults should have soft delete enabled")
AZ_VAULT_RBAC: Final = _azure("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", "Azure Key Vault should use RBAC permission model")
AZ_VAULT_PUBLIC_NETWORK: Final = _azure("405c5871-3e91-4644-8a63-58e19d68ff5b",
                                        "Azure Key Vault should disable public network access")
AZ_REGISTRY_ADMIN: Final = _azure("dc921057-6b28-4fbe-9b83-f7bec05db6c2",
                                  "Container registries should have local admin account disabled.")
# Modify: what registry-admin-user-fix does at remediate (ACR_AdminAccountDisabled_Modify.json).
AZ_REGISTRY_ADMIN_MODIFY: Final = _azure("79fdfe03-ffcb-4e55-b4d0-b925b8241759",
                                         "Configure container registries to disable local admin account.")
AZ_REGISTRY_ANONYMOUS_PULL: Final = _azure("9f2dea28-e834-476c-99c5-3507b4728395",
                                           "Container registries should have anonymous authentication disabled.")
AZ_REGISTRY_PUBLIC_NETWORK: Final = _azure("0fdf0491-d080-4575-b627-ad0e843cba0f",
                                           "Public network access should be disabled for Container registries")
AZ_REGISTRY_PRIVATE_LINK_SKU: Final = _azure("bd560fc0-3c69-498a-ae9f-aa8eb7de0e13",
                                             "Container registries should have SKUs that support Private Links")
AZ_APP_INSIGHTS_LOCAL_AUTH: Final = _azure(
    "199d5677-e4d9-4264-9465-efe1839c06bd",
    "Application Insights components should block non-Azure Active Directory based ingestion.")
CKV2_AZURE_40: Final = _checkov("CKV2_AZURE_40", "Ensure storage account is not configured with Shared Key authorization")
CKV_AZURE_190: Final = _checkov("CKV_AZURE_190", "Ensure that Storage blobs restrict public access")
CKV_AZURE_44: Final = _checkov("CKV_AZURE_44", "Ensure Storage Account is using the latest version of TLS encryption")
CKV_AZURE_3: Final = _checkov("CKV_AZURE_3", "Ensure that 'Secure transfer required' is set to 'Enabled'")
CKV_AZURE_59: Final = _checkov("CKV_AZURE_59", "Ensure that Storage accounts disallow public access")
CKV_AZURE_110: Final = _checkov("CKV_AZURE_110", "Ensure that key vault enables purge protection")
CKV_AZURE_111: Final = _checkov("CKV_AZURE_111", "Ensure that key vault enables soft delete")
CKV_AZURE_242: Final = _checkov("CKV_AZURE_242", "Ensure RBAC for Azure Key Vault is enabled")
CKV_AZURE_189: Final = _checkov("CKV_AZURE_189", "Ensure that Azure Key Vault disables public network access")
CKV_AZURE_137: Final = _checkov("CKV_AZURE_137", "Ensure ACR admin account is disabled")
CKV_AZURE_138: Final = _checkov("CKV_AZURE_138", "Ensures that ACR disables anonymous pulling of images")
CKV_AZURE_139: Final = _checkov("CKV_AZURE_139", "Ensure ACR set to disable public networking")
MCSB_DP3: Final = _mcsb("DP-3", "Encrypt sensitive data in transit")
MCSB_DP8: Final = _mcsb("DP-8", "Ensure security of key and certificate repository")

# Pulumi's own compliance-policies repository.
PULUMI_NO_PREVIEW: Final = Framework("Pulumi compliance-policies", "azurenative-machinelearningservices-*-disallow-preview-resource",
                                     "Disallow the use of non-stable (Preview) Azure resources")
