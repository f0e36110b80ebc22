"""The Azure ML governance policy pack: the registry of every rule.

``__main__.py`` builds the ``PolicyPack`` from ``build_policies()``; tests, the catalogue
and the gate read ``RULES``. Nothing here imports pulumi_azure_native: rules match type
strings, so the pack starts fast.
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import assets, compute, encryption, endpoints, exports, featureset, hygiene, jobs, network, workspace
from .rule import ResourceRule, Rule, StackRule

PACK_NAME = "azure-ml-governance"
PACK_DESCRIPTION = (
    "Governance for Azure Machine Learning on Pulumi: workspace SKU and identity, pinned featureset and "
    "data versions, and no credentials in stack exports."
)

RULES: tuple[Rule, ...] = (
    *workspace.RULES, *network.RULES, *encryption.RULES, *featureset.RULES, *assets.RULES, *jobs.RULES,
    *compute.RULES, *endpoints.RULES, *hygiene.RULES, *exports.RULES,
)


def build_policies() -> list[Policy]:
    return [rule.policy() for rule in RULES]


def rule_named(name: str) -> Rule:
    return next(r for r in RULES if r.name == name)


__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "RULES", "ResourceRule", "Rule", "StackRule", "build_policies", "rule_named"]
