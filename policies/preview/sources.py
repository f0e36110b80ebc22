"""unknown-value-sources (stack rule): a reference that is unknown during preview, which a resource
rule failing closed deferred to AnalyzeStack, must be built only from resources of the type the rule
declares for it (``policies.core.provenance``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.provenance import DEFERRED, Deferral, unjudged, unknown_reason
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import StackRule, fail_closed
from ..core.samples import SampleResource, StackSample, sample_stack
from ..core.stack import StackIndex, StackItem, index_of

KEY_VAULT = "azure-native:keyvault:Vault"  # a resource of another type, in the samples


def _problems(item: StackItem, deferrals: Sequence[Deferral], index: StackIndex) -> Iterator[str]:
    """One message per rule: its deferred paths whose sources do not vouch for them."""
    by_rule: dict[str, dict[tuple[str, str], list[str]]] = {}
    for deferral in deferrals:
        reason = unknown_reason(deferral, item, index)
        if reason is not None:
            by_rule.setdefault(deferral.rule, {}).setdefault((deferral.sources.what, reason), []).append(deferral.path)
    for rule, groups in by_rule.items():
        yield f"{rule}: {'; '.join(unjudged(paths, what, reason) for (what, reason), paths in groups.items())} (failClosed)."


def _unknown_value_sources(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    every = fail_closed(config)  # also the deferrals of rules that do not fail closed themselves
    index = index_of(items)
    for item in items:
        deferrals = [d for d in DEFERRED.of(item.urn) if d.fail_closed or every]
        for message in _problems(item, deferrals, index) if deferrals else ():
            yield message, item.urn


_IDENTITY = SampleResource(t.USER_ASSIGNED_IDENTITY, "id", {"resourceName": "id-ml"})
_VAULT = SampleResource(KEY_VAULT, "kv", {"vaultName": "kv-ml"})
_USER_ASSIGNED = {"identity": {"type": "UserAssigned", "userAssignedIdentities": [p.UNKNOWN_STRING]},
                  "primaryUserAssignedIdentity": p.UNKNOWN_STRING}


_CLASSIC_IDENTITY = SampleResource(t.CLASSIC_USER_ASSIGNED_IDENTITY, "id", {"name": "id-ml", "resourceGroupName": "rg",
                                                                          "location": "westeurope"})
_ARM = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
_CLASSIC_WORKSPACE = {  # with the classic provider's required inputs
    "resourceGroupName": "rg", "applicationInsightsId": f"{_ARM}/Microsoft.Insights/components/ai",
    "keyVaultId": f"{_ARM}/Microsoft.KeyVault/vaults/kv", "storageAccountId": f"{_ARM}/Microsoft.Storage/storageAccounts/st",
    "identity": {"type": "UserAssigned", "identityIds": [p.UNKNOWN_STRING]}, "primaryUserAssignedIdentity": p.UNKNOWN_STRING}
# What azure-native 2.x's default Workspace fills for any input.
_AN2_DEFAULTS = {"allowPublicAccessWhenBehindVnet": False, "hbiWorkspace": False, "v1LegacyMode": False}


def _workspace(**depends_on: tuple[str, ...]) -> SampleResource:
    return SampleResource(t.WORKSPACE, "ws", _USER_ASSIGNED, depends_on=depends_on)


unknown_value_sources = StackRule(
    name="unknown-value-sources",
    title="Unknown references come from the expected resources",
    description="A reference unknown during preview must be built only from resources of the type its rule expects.",
    details="Judges, in AnalyzeStack, the unknown values resource rules defer to it during preview: a rule that fails "
    "closed does not fail on an unknown reference whose sources it declares (its catalogue entry lists them), since "
    "Analyze shows no source; this rule then reads the resource's property dependencies (per top-level input) and "
    "reports, on that resource and naming the rule, a reference built from a resource of another type or from nothing "
    "the engine records (an invoke result whose arguments were unknown carries no dependency; one computed in an apply "
    "carries the apply's resources). At `pulumi up` the values are known and the rules judge them themselves. "
    "A finding has this rule's enforcement level, not the deferring rule's; with this rule disabled, a deferred "
    "reference is judged only at `pulumi up`.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Build the reference from the resource the rule expects (e.g. primaryUserAssignedIdentity=identity.id "
    "for a UserAssignedIdentity declared in the stack), not from an invoke result or another resource's output.",
    unknowns="Judges only which resources a value was built from (types and property dependencies), which are known "
    "during preview; it needs the Analyze calls of the same deployment, which the engine makes first. A rule that does "
    "not fail closed leaves its deferrals to the SDK's advisory unless this rule's own failClosed is set.",
    topics=("preview", "identity"),
    check=_unknown_value_sources,
    types=ws.TYPES,  # those of the rules that defer to it (workspace-managed-identity)
    samples=(
        StackSample("identity ids built from the stack's identity",
                    sample_stack(_IDENTITY, _workspace(primaryUserAssignedIdentity=("id",), identity=("id",))),
                    config={"failClosed": True}),
        StackSample("not failing closed: left to the rule's advisory",
                    sample_stack(_VAULT, _workspace(primaryUserAssignedIdentity=("kv",), identity=("kv",)))),
        StackSample("primary identity built from a key vault",
                    sample_stack(_IDENTITY, _VAULT, _workspace(primaryUserAssignedIdentity=("kv",), identity=("id",))),
                    ("workspace-managed-identity: primaryUserAssignedIdentity is unknown during preview and not shown to "
                     f"be a user-assigned identity of this stack: built from {KEY_VAULT} 'kv' (failClosed).",),
                    config={"failClosed": True}),
        StackSample("classic: identity ids built from the stack's identity", sample_stack(_CLASSIC_IDENTITY, SampleResource(
            t.CLASSIC_WORKSPACE, "ws", _CLASSIC_WORKSPACE, depends_on={"primaryUserAssignedIdentity": ("id",),
                                                                       "identity": ("id",)})), config={"failClosed": True}),
        StackSample("azure-native 2.x: primary identity built from a key vault", sample_stack(_IDENTITY, _VAULT, SampleResource(
            t.WORKSPACE, "ws", {**_AN2_DEFAULTS, **_USER_ASSIGNED}, provider=Provider.AN2,
            depends_on={"primaryUserAssignedIdentity": ("kv",), "identity": ("id",)})),
            (f"primaryUserAssignedIdentity is unknown during preview and not shown to be a user-assigned identity of this "
             f"stack: built from {KEY_VAULT} 'kv'",), config={"failClosed": True}),
        StackSample("identity ids built from nothing the engine records", sample_stack(_workspace()),
                    ("workspace-managed-identity: primaryUserAssignedIdentity and identity.userAssignedIdentities.0 are "
                     "unknown during preview and not shown to be a user-assigned identity of this stack: no property "
                     "dependency records a source",), config={"failClosed": True}),
    ),
)
