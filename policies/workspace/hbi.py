"""High-business-impact workspaces: a workspace tagged as holding confidential data sets the HBI
flag (workspace-hbi-for-confidential), and an HBI workspace's storage account is not publicly
reachable (hbi-workspace-storage-private, a stack rule)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.linking import Linker, linker_of
from ..core.messages import quote_known
from ..core.options import string, strings
from ..core.providers import Provider
from ..core.resources import common
from ..core.resources import workspace as ws
from ..core.rule import SDK_ADVISORY, ResourceRule, StackRule, Subject, unknown_advisory
from ..core.samples import Sample, SampleResource, StackSample, sample_stack
from ..core.shape import read
from ..core.stack import StackIndex, StackItem, UnknownItems, derived
from . import samples as wx

_RG: Final = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"


def _classification(subject: Subject) -> tuple[str, str] | None:
    """(tag key, tag value) when the workspace's classification tag names a confidential value."""
    wanted = str(subject.config["classificationTag"]).strip().lower()
    confidential = {v.strip().lower() for v in subject.config["confidentialValues"] if isinstance(v, str)}
    setting = common.tags(subject.type)
    reading = read(subject.type, subject.props, setting) if setting is not None else None
    tags = reading.raw if reading is not None and isinstance(reading.raw, Mapping) else None
    for key in list(tags or {}):
        if isinstance(key, str) and key.strip().lower() == wanted:
            value = p.get(tags, [key])  # a list path: tag keys may contain dots
            if isinstance(value, str) and value.strip().lower() in confidential:
                return key, value
    return None


def _hbi_for_confidential(subject: Subject) -> Iterator[str]:
    found = _classification(subject)
    if found is None:
        return
    key, value = found
    reading = read(subject.type, subject.props, ws.HBI)
    if reading is None:
        return
    flag = p.get_bool({"v": reading.raw}, "v")
    if flag is True:
        return
    state = "absent" if reading.absent else ("false" if flag is False else p.type_name(reading.raw))
    tag = quote_known(key, (subject.config["classificationTag"],))
    label = quote_known(value, subject.config["confidentialValues"])
    yield f"The workspace's tag {tag} is {label}, so {reading.path} must be true (it is {state})."


workspace_hbi_for_confidential = ResourceRule(
    name="workspace-hbi-for-confidential",
    title="Confidential workspaces are high business impact",
    description="Azure ML workspaces tagged as holding confidential data must set the high-business-impact flag.",
    details="Azure ML workspaces (every kind: the flag is each workspace's own) whose classification tag names "
    "confidential data must set hbiWorkspace (the same in azure-native 2.x and 3.x; classic: highBusinessImpact) to "
    "true, which reduces the diagnostic data Microsoft collects; an absent flag means false. The tag key and values "
    "come from config and are compared case-insensitively; untagged workspaces pass.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set hbiWorkspace to true (classic: highBusinessImpact = true). The flag can only be set when the "
    "workspace is created, so this replaces an existing workspace; if the data is not confidential, correct the tag.",
    unknowns=unknown_advisory("classification tag or HBI flag"),
    topics=("data-classification", "data-access"),
    types=ws.TYPES,
    options=(
        string("classificationTag", "data-classification", "Tag key holding the data classification (matched case-insensitively)."),
        strings("confidentialValues", ["confidential", "highly-confidential", "restricted"],
                "Classification values that require an HBI workspace (compared case-insensitively)."),
    ),
    check=_hbi_for_confidential,
    samples=(
        Sample("confidential and hbi", {"tags": {"data-classification": "Confidential"}, "hbiWorkspace": True}),
        Sample("key case differs, snake_case flag", {"tags": {"Data-Classification": "RESTRICTED"}, "hbi_workspace": "true"}),
        Sample("not confidential", {"tags": {"data-classification": "public"}}),
        Sample("untagged", {"hbiWorkspace": False}),
        Sample("other key spelling is another tag", {"tags": {"data_classification": "confidential"}}),
        Sample("classic", wx.classic(tags={"data-classification": "restricted"}, highBusinessImpact=True),
               type=t.CLASSIC_WORKSPACE),
        Sample("2.x default module", wx.an2_default(tags={"data-classification": "confidential"}, hbiWorkspace=True),
               provider=Provider.AN2),
        Sample("custom tag and values", {"tags": {"Sensitivity": "Secret"}, "hbiWorkspace": True},
               config={"classificationTag": "sensitivity", "confidentialValues": ["secret"]}),
        Sample("confidential without hbi", {"tags": {"data-classification": "confidential"}},
               ("tag 'data-classification' is 'confidential', so hbiWorkspace must be true (it is absent)",)),
        Sample("hbi false, 2.x versioned module", {"tags": {"data-classification": "Highly-Confidential"},
                                                   "hbiWorkspace": False}, ("(it is false)",), type=wx.AN2_STABLE),
        Sample("2.x default module fills false", wx.an2_default(tags={"data-classification": "restricted"}),
               ("hbiWorkspace must be true (it is false)",), provider=Provider.AN2),
        Sample("hbi wrong type", {"tags": {"data-classification": "restricted"}, "hbiWorkspace": 1.0},
               ("(it is a number)",)),
        Sample("classic without hbi", wx.classic(tags={"DATA-CLASSIFICATION": "confidential"}, highBusinessImpact=False),
               ("highBusinessImpact must be true",), type=t.CLASSIC_WORKSPACE),
        Sample("custom tag without hbi", {"tags": {"sensitivity": "secret"}}, ("tag 'sensitivity' is 'secret'",),
               config={"classificationTag": "Sensitivity", "confidentialValues": ["Secret"]}),
    ),
)


_STORAGE_FIX: Final = "pass the account's output instead of a string (storage_account=account.id)"


def _linked_storage(item: StackItem, key: str, linker: Linker) -> list[StackItem]:
    """The storage accounts ``item.<key>`` names, when declared in this stack (``linking``);
    raises ``Unlinked`` when that cannot be told during preview. Nothing when the item names none."""
    if not item.built_from(key) and not p.present(p.get_or_unknown(item.props, key)):
        return []
    return linker.find(item, ws.STORAGE_TYPES, key=key, what="storage account", fix=_STORAGE_FIX).require()


def _denied_by_rule_resources(index: StackIndex, linker: Linker) -> set[str]:
    """URNs of classic storage accounts closed by a separate AccountNetworkRules resource."""
    denied: set[str] = set()
    for rules in index.of_type(t.CLASSIC_STORAGE_NETWORK_RULES):
        try:
            action = read(rules.type, rules.props, ws.NETWORK_RULES_ACTION)
            if action is None or not isinstance(action.value, str) or action.value.strip().lower() != "deny":
                continue
            targets = _linked_storage(rules, shape.path_of(rules.type, rules.props, ws.NETWORK_RULES_ACCOUNT) or "", linker)
        except UnknownValueError:
            continue
        denied.update(s.urn for s in targets)
    return denied


def _storage_public(storage: StackItem, denied: set[str]) -> bool:
    if storage.urn in denied:
        return False
    public = read(storage.type, storage.props, ws.STORAGE_PUBLIC)
    if public is not None and isinstance(public.value, str) and public.value.strip().lower() == "disabled":
        return False  # the rule set is then moot (during preview it may be unknown)
    action = read(storage.type, storage.props, ws.STORAGE_DEFAULT_ACTION)
    return not (action is not None and isinstance(action.value, str) and action.value.strip().lower() == "deny")


def _hbi_storage_check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    linker = derived(items, linker_of)
    index = linker.index
    denied = _denied_by_rule_resources(index, linker)
    pending: list[tuple[str, UnknownValueError]] = []
    for workspace in index.of_type(*ws.TYPES):
        try:
            key = shape.path_of(workspace.type, workspace.props, ws.STORAGE_ACCOUNT) or ""
            # The storage first: with no public storage of the stack there is nothing to judge (the flag may be
            # unknown during preview, when azure-native's PreviewOutputs leave an absent one unknown).
            public = [s for s in _linked_storage(workspace, key, linker) if _storage_public(s, denied)]
            if not public or not ws.hbi(workspace.type, workspace.props):
                continue
        except UnknownValueError as exc:
            pending.append((workspace.urn, exc))
            continue
        for storage in public:
            yield (f"The storage account of high-business-impact workspace '{workspace.name}' accepts traffic from "
                   "public networks; set its publicNetworkAccess to Disabled or its network rule set's defaultAction "
                   "to Deny (absent counts as public)."), storage.urn
    if pending:
        raise UnknownItems(pending)


_SA_ID = f"{_RG}/Microsoft.Storage/storageAccounts/st"


def _hbi_ws(type_: str = t.WORKSPACE, **props: Any) -> SampleResource:
    if type_ == t.CLASSIC_WORKSPACE:
        return SampleResource(type_, "ws", wx.classic(highBusinessImpact=True, storageAccountId=_SA_ID, **props))
    return SampleResource(type_, "ws", {"hbiWorkspace": True, "storageAccount": _SA_ID, **props})


def _sa(type_: str = t.STORAGE_ACCOUNT, name: str = "st", **props: Any) -> SampleResource:
    if type_ == t.CLASSIC_STORAGE_ACCOUNT:
        return SampleResource(type_, name, {"id": _SA_ID, "accountKind": "StorageV2", "accountTier": "Standard",
                                            "accountReplicationType": "ZRS", **props})
    return SampleResource(type_, name, {"id": _SA_ID, "kind": "StorageV2", **props})


hbi_workspace_storage_private = StackRule(
    name="hbi-workspace-storage-private",
    title="High-business-impact workspace storage is private",
    description="The storage account of a high-business-impact Azure ML workspace must not be publicly reachable.",
    details="The storage account of a high-business-impact Azure ML workspace (hbiWorkspace, classic "
    "highBusinessImpact; any kind; an absent flag means not HBI) must not be publicly reachable: publicNetworkAccess "
    "Disabled or the network rule set's defaultAction Deny (classic storage accounts: publicNetworkAccessEnabled false, "
    "networkRules.defaultAction or an AccountNetworkRules resource Deny; absent counts as public, as the classic "
    "provider's defaults are). A storage account not declared in the stack cannot be judged and is not reported.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's storage account set publicNetworkAccess to 'Disabled' (classic: "
    "publicNetworkAccessEnabled = false) or networkRuleSet.defaultAction to 'Deny' (classic: networkRules."
    "defaultAction, or an AccountNetworkRules resource), and reach it through private endpoints.",
    unknowns="A workspace whose HBI flag or storage account's network settings are unknown during preview is skipped "
    f"and {SDK_ADVISORY} is added after the others are judged. The storage account is linked by property dependency "
    "(storage_account=account.id) while ids are unknown; one named by a literal id cannot be linked during preview, "
    "and the advisory says to pass account.id instead (not a violation: `pulumi up` links it by id).",
    topics=("network", "data-access"),
    frameworks=(fw.CKV2_AZURE_50, fw.MCSB_NS2),
    types=ws.TYPES,
    check=_hbi_storage_check,
    samples=(
        StackSample("public access disabled", sample_stack(_hbi_ws(), _sa(publicNetworkAccess="Disabled"))),
        StackSample("default action deny, by property dependency", sample_stack(
            SampleResource(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": "st-id-from-output"},
                           depends_on={"storageAccount": ("st",)}),
            _sa(publicNetworkAccess="Enabled", networkRuleSet={"defaultAction": "Deny", "bypass": "AzureServices"}))),
        StackSample("not hbi", sample_stack(SampleResource(t.WORKSPACE, "ws", {"hbiWorkspace": False, "storageAccount": _SA_ID}),
                                      _sa())),
        StackSample("storage not in the stack", sample_stack(_hbi_ws())),
        StackSample("classic with network rules resource", sample_stack(
            _hbi_ws(t.CLASSIC_WORKSPACE), _sa(t.CLASSIC_STORAGE_ACCOUNT),
            SampleResource(t.CLASSIC_STORAGE_NETWORK_RULES, "rules", {"storageAccountId": _SA_ID, "defaultAction": "Deny"}))),
        StackSample("2.x versioned modules, snake_case", sample_stack(
            SampleResource(wx.AN2_STABLE, "ws", {"hbi_workspace": "true", "storage_account": _SA_ID.upper()}),
            _sa("azure-native:storage/v20230101:StorageAccount", public_network_access="disabled"))),
        StackSample("2.x default module", sample_stack(
            SampleResource(t.WORKSPACE, "ws", wx.an2_default(hbiWorkspace=True, storageAccount=_SA_ID), provider=Provider.AN2),
            _sa(publicNetworkAccess="Disabled"))),
        StackSample("public storage", sample_stack(_hbi_ws(), _sa()), ("high-business-impact workspace 'ws' accepts traffic",)),
        StackSample("storage named by a literal id during preview", sample_stack(
            _hbi_ws(), _sa(id=p.UNKNOWN_STRING, publicNetworkAccess="Disabled")), unknown="storage_account=account.id"),
        StackSample("explicitly allowed", sample_stack(_hbi_ws(), _sa(publicNetworkAccess="Enabled",
                                                                networkRuleSet={"defaultAction": "Allow"})),
                    ("accepts traffic from public networks",)),
        StackSample("classic public", sample_stack(_hbi_ws(t.CLASSIC_WORKSPACE), _sa(
            t.CLASSIC_STORAGE_ACCOUNT, publicNetworkAccessEnabled=True, networkRules={"defaultAction": "Allow"})),
            ("accepts traffic from public networks",)),
        StackSample("classic storage by its defaults", sample_stack(_hbi_ws(t.CLASSIC_WORKSPACE), _sa(t.CLASSIC_STORAGE_ACCOUNT)),
                    ("accepts traffic from public networks",)),
        StackSample("2.x default module, public storage", sample_stack(
            SampleResource(t.WORKSPACE, "ws", wx.an2_default(hbiWorkspace=True, storageAccount=_SA_ID), provider=Provider.AN2),
            _sa(publicNetworkAccess="Enabled")), ("accepts traffic from public networks",)),
    ),
)
