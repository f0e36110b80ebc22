"""workspace-dependencies-private (stack rule): when a workspace disables public network access,
the storage account, key vault and container registry it names disable theirs too (the registry
on the Premium SKU, the only one with private link); otherwise the workspace's data, keys and
images stay reachable from the internet beside a private workspace."""

from __future__ import annotations

from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core.checks import ENABLED_DISABLED, enum_setting, fixed
from ..core.providers import Provider
from ..core.resources import dependencies as dx
from ..core.resources import workspace as ws
from ..core.rule import SDK_ADVISORY, ResourceCheck, StackRule
from ..core.samples import StackSample, sample_stack
from ..core.shape import Setting
from ..core.stack import StackItem
from . import samples as sx
from .linked import KEY_VAULT, REGISTRY, STORAGE, dependency_check

_AN3, _AN2, _CLASSIC = Provider.AN3, Provider.AN2, Provider.CLASSIC
_WHAT: Final = "the workspace disables public network access, so this must be disabled too"


def _private(workspace: StackItem) -> bool:
    return ws.public_access_off(workspace.type, workspace.props)


def _private_not_hbi(workspace: StackItem) -> bool:
    """hbi-workspace-storage-private judges the storage account of a high-business-impact workspace."""
    return _private(workspace) and not ws.hbi(workspace.type, workspace.props)


def _public(setting: Setting) -> ResourceCheck:
    return enum_setting(setting=setting, allowed=fixed("Disabled"), absent="violation", what=_WHAT,
                        vocabulary=ENABLED_DISABLED)


workspace_dependencies_private = StackRule(
    name="workspace-dependencies-private",
    title="A private workspace's storage, vault and registry are too",
    description="When a workspace disables public network access, its storage, key vault and registry must disable it too.",
    details="For an Azure ML workspace whose publicNetworkAccess is Disabled (classic publicNetworkAccessEnabled false), "
    "the storage account, key vault and container registry it names must set publicNetworkAccess to Disabled "
    "(key vault: properties.publicNetworkAccess, compared case-insensitively; classic publicNetworkAccessEnabled "
    "false; absent means enabled in every provider), and the registry must be Premium (sku.name; classic sku), the "
    "only SKU with private link. The storage account of a high-business-impact workspace is left to "
    "hbi-workspace-storage-private, which requires it private whatever the workspace's own access. A resource not "
    "declared in the stack cannot be judged and is not reported; workspaces open to the public are not judged.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set publicNetworkAccess to 'Disabled' on the workspace's storage account, container registry and key "
    "vault (properties.publicNetworkAccess 'disabled'; classic: publicNetworkAccessEnabled = false), move the "
    "registry to the Premium SKU, and reach them through private endpoints or the workspace's managed network.",
    unknowns=f"A workspace's access or a resource's setting unknown during preview skips that check and {SDK_ADVISORY} "
    "is added after the others are judged; a resource named by a literal id cannot be linked during preview (the "
    "advisory says to pass its output instead).",
    topics=("network",),
    frameworks=(fw.AZ_STORAGE_PUBLIC_NETWORK, fw.AZ_VAULT_PUBLIC_NETWORK, fw.AZ_REGISTRY_PUBLIC_NETWORK,
                fw.AZ_REGISTRY_PRIVATE_LINK_SKU, fw.CKV_AZURE_59, fw.CKV_AZURE_189, fw.CKV_AZURE_139, fw.MCSB_NS2),
    types=(*ws.TYPES, *dx.STORAGE_TYPES, *dx.KEY_VAULT_TYPES, *dx.REGISTRY_TYPES),
    check=dependency_check(
        (STORAGE, (_public(dx.STORAGE_PUBLIC),), _private_not_hbi),
        (KEY_VAULT, (_public(dx.VAULT_PUBLIC),), _private),
        (REGISTRY, (_public(dx.REGISTRY_PUBLIC), enum_setting(
            setting=dx.REGISTRY_SKU, allowed=fixed("Premium"), absent="violation",
            what="private link needs the Premium SKU", vocabulary=("Basic", "Standard", "Premium"))), _private),
    ),
    samples=(
        StackSample("all private", sample_stack(sx.workspace(), sx.storage(), sx.vault(), sx.registry())),
        StackSample("2.x", sample_stack(sx.workspace(_AN2), sx.storage(_AN2), sx.vault(_AN2), sx.registry(_AN2))),
        StackSample("classic", sample_stack(sx.workspace(_CLASSIC), sx.storage(_CLASSIC), sx.vault(_CLASSIC),
                                            sx.registry(_CLASSIC))),
        StackSample("public workspace, public dependencies", sample_stack(
            sx.workspace(public=True), sx.storage(publicNetworkAccess="Enabled"),
            sx.registry(publicNetworkAccess=None, sku={"name": "Basic"}))),
        StackSample("hbi storage is the hbi rule's", sample_stack(sx.workspace(hbi=True), sx.storage(publicNetworkAccess=None))),
        StackSample("workspace access unknown, naming nothing of the stack", sample_stack(
            sx.workspace(publicNetworkAccess=p.UNKNOWN_STRING))),
        StackSample("workspace access unknown during preview", sample_stack(
            sx.workspace(publicNetworkAccess=p.UNKNOWN_STRING), sx.registry(publicNetworkAccess="Enabled")),
            unknown="value at .publicNetworkAccess can't be known"),
        StackSample("vault lower case", sample_stack(sx.workspace(), sx.vault(properties={"publicNetworkAccess": "disabled"}))),
        StackSample("storage public", sample_stack(sx.workspace(), sx.storage(publicNetworkAccess="Enabled")),
                    ("storage account of workspace 'ws': publicNetworkAccess is 'Enabled'; the workspace disables",)),
        StackSample("registry by default, Standard", sample_stack(sx.workspace(), sx.registry(
            publicNetworkAccess=None, sku={"name": "Standard"})),
            ("publicNetworkAccess is not set (absent means Enabled", "sku.name is 'Standard'; private link needs")),
        StackSample("2.x vault by its default", sample_stack(sx.workspace(_AN2), sx.vault(
            _AN2, properties={"publicNetworkAccess": None})), ("properties.publicNetworkAccess is not set",)),
        StackSample("classic registry public", sample_stack(sx.workspace(_CLASSIC), sx.registry(
            _CLASSIC, publicNetworkAccessEnabled=True)), ("publicNetworkAccessEnabled is true",)),
        StackSample("classic storage by its defaults", sample_stack(sx.workspace(_CLASSIC), sx.storage(
            _CLASSIC, publicNetworkAccessEnabled=None)), ("publicNetworkAccessEnabled is not set (absent means true",)),
    ),
)
