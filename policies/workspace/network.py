"""Workspace network access: no public network access (workspace-public-network-disabled) and a
managed network that restricts outbound traffic (workspace-managed-network-isolation)."""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import ENABLED_DISABLED, bool_setting, config_list, enum_setting, fixed
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import read
from . import samples as wx

ISOLATION_MODES: Final = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")


_PUBLIC_WHAT = "the workspace must not accept traffic from public networks"


def _fix_public_access(subject: Subject) -> dict[str, Any] | None:
    changes: dict[str, Any] = {}
    public = read(subject.type, subject.props, ws.PUBLIC_NETWORK)
    if public is not None and not ws.public_access_off(subject.type, subject.props):
        changes[public.path] = public.own("Disabled")
    behind = read(subject.type, subject.props, ws.BEHIND_VNET)
    if behind is not None and not behind.absent and p.get_bool({"v": behind.raw}, "v") is not False:
        changes[behind.path] = False
    return p.with_changes(subject.props, changes) if changes else None


workspace_public_network_disabled = ResourceRule(
    name="workspace-public-network-disabled",
    title="Workspaces disable public network access",
    description="Azure ML workspaces of every kind must disable public network access; an absent setting counts as enabled.",
    details="Azure ML workspaces (every kind: Default, Hub, Project, FeatureStore) must disable public network "
    "access, and (azure-native) must not re-allow it behind a virtual network. An absent publicNetworkAccess (classic: "
    "publicNetworkAccessEnabled, which the classic provider defaults to true) counts as enabled, as in Azure Policy "
    "438c38d2, which judges every kind: a project inherits its hub's setting only when it is created, and the setting "
    "stays its own (Checkov CKV_AZURE_144 and CKV2_AZURE_49 check the same setting but let an absent value pass; this "
    "rule does not).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set publicNetworkAccess to 'Disabled' (classic provider: publicNetworkAccessEnabled = false) and, if "
    "present, allowPublicAccessWhenBehindVnet to false; reach the workspace through a private endpoint.",
    unknowns=unknown_advisory("publicNetworkAccess or allowPublicAccessWhenBehindVnet"),
    topics=("network",),
    frameworks=(fw.AZ_PUBLIC_NETWORK_DISABLED, fw.CKV2_AZURE_49, fw.CKV_AZURE_144, fw.MCSB_NS2),
    types=ws.TYPES,
    check=(
        enum_setting(setting=ws.PUBLIC_NETWORK, allowed=fixed("Disabled"), absent="violation", what=_PUBLIC_WHAT,
                     vocabulary=ENABLED_DISABLED),
        bool_setting(setting=ws.BEHIND_VNET, expected=False, absent="pass",
                     what="public access must not be re-allowed behind a virtual network"),
    ),
    fix=_fix_public_access,
    samples=(
        Sample("disabled", {"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}),
        Sample("snake_case, any case", {"public_network_access": "disabled"}),
        Sample("project, 2.x versioned module", {"kind": "Project", "publicNetworkAccess": "Disabled"}, type=wx.AN2_STABLE),
        Sample("2.x default module", wx.an2_default(publicNetworkAccess="Disabled"), provider=Provider.AN2),
        Sample("classic disabled", wx.classic(publicNetworkAccessEnabled=False), type=t.CLASSIC_WORKSPACE),
        Sample("classic snake_case string bool", wx.classic(public_network_access_enabled="false"), type=t.CLASSIC_WORKSPACE),
        Sample("absent", {"sku": {"name": "Basic"}}, ("publicNetworkAccess is not set (absent means Enabled",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("enabled", {"publicNetworkAccess": "Enabled"}, ("publicNetworkAccess is 'Enabled'",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("enabled and open behind vnet", {"publicNetworkAccess": "Enabled", "allowPublicAccessWhenBehindVnet": True},
               ("publicNetworkAccess is 'Enabled'", "allowPublicAccessWhenBehindVnet is true"),
               fixed={"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}),
        Sample("disabled but open behind vnet", {"public_network_access": "Disabled",
                                                 "allow_public_access_when_behind_vnet": "true"},
               ("allowPublicAccessWhenBehindVnet is true",), fixed={"allowPublicAccessWhenBehindVnet": False}),
        Sample("2.x default module, absent", wx.an2_default(), ("publicNetworkAccess is not set",), provider=Provider.AN2,
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("wrong type", {"publicNetworkAccess": 0.0}, ("publicNetworkAccess is a number",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("value not quoted", {"publicNetworkAccess": "Sometimes"}, ("a value outside the known set (not shown)",)),
        Sample("classic absent (provider default true)", wx.classic(skuName="Basic"), (
            "publicNetworkAccessEnabled is not set (absent means true: pulumi-azure 6.x Workspace docstring",),
            type=t.CLASSIC_WORKSPACE, fixed={"publicNetworkAccessEnabled": False}),
        Sample("classic enabled", wx.classic(publicNetworkAccessEnabled=True), ("publicNetworkAccessEnabled is true",),
               type=t.CLASSIC_WORKSPACE, fixed={"publicNetworkAccessEnabled": False}),
    ),
)


workspace_managed_network_isolation = ResourceRule(
    name="workspace-managed-network-isolation",
    title="Workspaces isolate their managed network",
    description="Azure ML workspaces must run a managed network in an allowed isolation mode (default: AllowOnlyApprovedOutbound).",
    details="Azure ML workspaces must run a managed network whose managedNetwork.isolationMode is in the allowed "
    "list (by default only AllowOnlyApprovedOutbound; the same path in the classic provider). An absent isolation mode "
    "means Disabled (no managed network) and is a violation; azure-native 2.x's default Workspace (API 2023-04-01) "
    "and module v20230401 have no managed network at all, so they are reported with that reason (2.x's v20241001 "
    "module has one). Judges Default, Hub and FeatureStore workspaces; a hub project that sets no mode passes, since "
    "it shares its hub's managed network and cannot have its own (the hub is judged; Azure Policy 6ddb1705 has no "
    "kind condition), while a mode a project does set is judged.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set managedNetwork.isolationMode to 'AllowOnlyApprovedOutbound' (both providers spell it "
    "managedNetwork.isolationMode; azure-native 2.x: use the machinelearningservices.v20241001 module or 3.x) and add "
    "outbound rules for the destinations the workspace needs, or add the mode to this policy's allowedModes config.",
    unknowns=unknown_advisory("isolation mode"),
    topics=("network",),
    frameworks=(fw.AZ_MANAGED_NETWORK_ISOLATION,),
    types=ws.TYPES,
    options=(
        strings("allowedModes", ["AllowOnlyApprovedOutbound"], "Managed network isolation modes a workspace may use."),
    ),
    check=ws.unless_inherited(enum_setting(
        setting=ws.ISOLATION_MODE, allowed=config_list("allowedModes"), absent="violation", vocabulary=ISOLATION_MODES,
        what="outbound traffic from the workspace's managed network must be restricted"), ws.ISOLATION_MODE),
    samples=(
        Sample("approved outbound only", {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}),
        Sample("2.x preview module, snake_case", {"managed_network": {"isolation_mode": "allowonlyapprovedoutbound"}},
               type="azure-native:machinelearningservices/v20250101preview:Workspace"),
        Sample("2.x stable module", {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}, type=wx.AN2_STABLE),
        Sample("classic", wx.classic(managedNetwork={"isolationMode": "AllowOnlyApprovedOutbound"}), type=t.CLASSIC_WORKSPACE),
        Sample("internet outbound allowed by config", {"managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
               config={"allowedModes": ["AllowInternetOutbound", "AllowOnlyApprovedOutbound"]}),
        Sample("project shares its hub's", {"kind": "Project", "hubResourceId": f"{wx.RG}/Microsoft.MachineLearningServices/"
                                                                                "workspaces/hub"}, type=wx.AN2_STABLE),
        Sample("absent", {"publicNetworkAccess": "Disabled"}, ("managedNetwork.isolationMode is not set (absent means Disabled",)),
        Sample("no isolation mode in block", {"managedNetwork": {"outboundRules": {}}},
               ("managedNetwork.isolationMode is not set",)),
        Sample("disabled", {"managedNetwork": {"isolationMode": "Disabled"}}, ("isolationMode is 'Disabled'",)),
        Sample("internet outbound", {"managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
               ("isolationMode is 'AllowInternetOutbound'",)),
        Sample("wrong type", {"managedNetwork": {"isolationMode": True}}, ("isolationMode is a boolean",)),
        Sample("project sets disabled", {"kind": "Project", "managedNetwork": {"isolationMode": "Disabled"}},
               ("isolationMode is 'Disabled'",)),
        Sample("2.x default module has none", wx.an2_default(publicNetworkAccess="Disabled"), (
            "azure-native 2.x's default Workspace (API 2023-04-01) has no managedNetwork.isolationMode: use azure-native "
            "3.x, or the 2.x module v20241001",), provider=Provider.AN2),
        Sample("2.x module v20230401 has none", {"publicNetworkAccess": "Disabled"},
               ("API version v20230401 has no managedNetwork.isolationMode",),
               type="azure-native:machinelearningservices/v20230401:Workspace"),
        Sample("classic absent", wx.classic(publicNetworkAccessEnabled=False), ("managedNetwork.isolationMode is not set",),
               type=t.CLASSIC_WORKSPACE),
        Sample("classic internet outbound", wx.classic(managed_network={"isolation_mode": "AllowInternetOutbound"}),
               ("isolationMode is 'AllowInternetOutbound'",), type=t.CLASSIC_WORKSPACE),
    ),
)
