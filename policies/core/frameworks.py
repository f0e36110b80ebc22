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

# Pulumi's own compliance-policies repository.
PULUMI_NO_PREVIEW: Final = Framework("Pulumi compliance-policies", "azurenative-machinelearningservices-*-disallow-preview-resource",
                                     "Disallow the use of non-stable (Preview) Azure resources")
