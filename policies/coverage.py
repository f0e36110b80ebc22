"""Which rules judge each Azure ML resource type of each provider, and why no rule judges the others.

Every ML type of azure-native 3.x, 2.x and the classic pulumi-azure 6.x (``core.providers``) is either
judged by a rule written for it (a family rule: not one of ``GENERIC``, which judge every type) or
listed in ``NOT_JUDGED`` with the reason; tests/test_coverage.py holds the two to that, and the
catalogue prints the table (``table``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from .core import types as t
from .core.providers import Provider, tokens
from .core.rule import ResourceRule, Rule, StackRule

# Rules for every ML type (tags, inline credentials, preview API versions) or every one with a
# location: they judge a type whatever it holds, so they do not make it governed.
GENERIC: Final = frozenset({"ml-required-tags", "ml-allowed-locations", "no-preview-api-versions", "ml-no-inline-credentials"})

_CONTAINER = ("a container only names an asset and holds its description and tags: what could be unpinned, public or "
              "leaked is in its versions, which are judged")
_RAI = ("content-filtering (Responsible AI) settings of Azure OpenAI deployments: which filters an organisation needs "
        "is its own choice, and no Azure Policy, Checkov or MCSB control states one")
_OPENAI = ("an Azure OpenAI model deployment behind a connection or endpoint: its model is a catalogue name and "
           "version, not an Azure ML asset, and its access is the connection's (workspace-connection-no-inline-credentials)")
_PREVIEW = ("azure-native 3.29 declares it with preview API versions only (2025-01-01-preview by default; "
            "CapacityReservationGroup 2024-01-01-preview): no-preview-api-versions flags it with flagPreviewDefaults; "
            "its settings are judged once the provider ships a stable version")
_RETIRED = "belongs to a retired or preview-only API generation (no create example in 2025-12-01)"
_V1_SERVICE = "a v1 web service of azure-native 2.x's module v20210401: another API, without the v2 endpoints' settings"
_ATTACHED = ("attaches another resource as compute, whose size, network and access are that resource's (attached "
             "azure-native computes are not judged either)")
_OUTBOUND = ("allows an outbound destination: which destinations are approved is the organisation's own list; the "
             "workspace's isolation mode is judged by workspace-managed-network-isolation")

NOT_JUDGED: Final[Mapping[str, str]] = {
    **{f"{t.ML}:{name}": _CONTAINER for name in (
        "CodeContainer", "ComponentContainer", "DataContainer", "EnvironmentContainer", "ModelContainer",
        "FeaturesetContainerEntity", "FeaturestoreEntityContainerEntity", "RegistryCodeContainer",
        "RegistryComponentContainer", "RegistryDataContainer", "RegistryEnvironmentContainer", "RegistryModelContainer")},
    **{f"{t.ML}:{name}": _RAI for name in (
        "ConnectionRaiBlocklist", "ConnectionRaiBlocklistItem", "ConnectionRaiPolicy", "RaiPolicy")},
    **{f"{t.ML}:{name}": _OPENAI for name in ("ConnectionDeployment", "EndpointDeployment")},
    **{f"{t.ML}:{name}": _PREVIEW for name in ("InferenceEndpoint", "InferenceGroup", "InferencePool",
                                               "CapacityReservationGroup")},
    **{f"{t.ML}:{name}": _RETIRED for name in ("EnvironmentSpecificationVersion", "LabelingJob", "LinkedService",
                                               "LinkedWorkspace")},
    **{f"{t.ML}:{name}": _V1_SERVICE for name in ("ACIService", "AKSService", "EndpointVariant")},
    f"{t.ML}:CapabilityHost": ("an agents' capability host: its one setting is the customer subnet its agents run in "
                               "(customerSubnet); the workspace's network is judged on the workspace"),
    f"{t.ML}:MarketplaceSubscription": "subscribes the workspace to a marketplace model offer: its body is the model id",
    f"{t.ML}:PrivateEndpointConnection": ("the workspace's side of a private endpoint connection (its approval state); "
                                          "the private endpoint itself is judged by workspace-private-endpoint"),
    f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster": _ATTACHED,
    f"{t.CLASSIC_ML}/synapseSpark:SynapseSpark": _ATTACHED,
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn": _OUTBOUND,
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleServiceTag:WorkspaceNetworkOutboundRuleServiceTag": _OUTBOUND,
}


def judging(rules: Sequence[Rule], token: str) -> list[str]:
    """The family rules (not ``GENERIC``) that name ``token`` among the types they judge."""
    return [r.name for r in rules if isinstance(r, (ResourceRule, StackRule)) and r.name not in GENERIC
            and any(not s.endswith("*") and t.canonical(s) == token for s in r.types)]


def table(rules: Sequence[Rule]) -> list[str]:
    """The coverage table, per provider: each ML type, the rules that judge it or the reason none does."""
    out = ["| Provider | Type | Judged by |", "|---|---|---|"]
    for provider in Provider:
        for token in sorted(tokens(provider)):
            names = judging(rules, token)
            verdict = ", ".join(f"[`{n}`](#{n})" for n in names) if names else f"not judged: {NOT_JUDGED.get(token, '?')}"
            out.append(f"| {provider.value} | `{token.rsplit(':', 1)[-1]}` | {verdict} |")
    return out
