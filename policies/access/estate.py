"""What a role assignment reaches and who holds it, from what AnalyzeStack carries (``core.linking``).

The ML estate: every Azure ML resource (any provider), the resources a workspace depends on (its
storage account, key vault, container registry and Application Insights: ``storageAccount`` ... or the
classic ``*Id`` properties) and the resource groups that hold them. An assignment's ``scope`` is linked
to it the way the other stack rules link resources: by property dependency (the scope was built from
the resource's output, ``workspace.id``, which holds during preview too), else by ARM id (the scope or
one of its parents is an ML resource id, or the id a workspace names as a dependency; a resource group
scope holds an ML resource or dependency). Subscription and management group scopes are not judged.

ML identities: an ML resource's system-assigned identity (``identity.principalId``) and the
user-assigned identities its ``identity`` or ``primaryUserAssignedIdentity`` names. An assignment's
``principalId`` is linked to them by property dependency, else by value (the principal ids known after
``pulumi up``). A literal principal id that matches none is not one of them: the principal of an
identity declared in the stack does not exist before the identity is created.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.linking import ArmId, Linker, Unlinked, linker_of, parse_arm_id
from ..core.resources import access as ra
from ..core.resources import workspace as ws
from ..core.stack import StackIndex, StackItem, derived

_RESOURCE_GROUP: Final = re.compile(r"^/subscriptions/([^/]+)/resourcegroups/([^/]+)/?$", re.IGNORECASE)
_ML_NAMESPACE: Final = "microsoft.machinelearningservices"
# Scopes an identity reads data from (by ARM type, and by the provider module of a linked resource).
_STORAGE_IDS: Final = ("microsoft.storage/storageaccounts",)
_REGISTRY_IDS: Final = ("microsoft.containerregistry/registries", f"{_ML_NAMESPACE}/registries")
_STORAGE_MODULES: Final = ("storage",)
_REGISTRY_MODULES: Final = ("containerregistry", "containerservice/registry")
_DATA_NAMES: Final = {"storage": "the storage account its scope names", "registry": "the registry its scope names"}
_SCOPE_FIX: Final = "build the scope from the resource's output (scope=workspace.id) instead of a string"
_PRINCIPAL_FIX: Final = "build the principal from the identity's output (principal_id=identity.principal_id)"


@dataclass(frozen=True)
class Target:
    """What a scope reaches: ``kind`` is "ML resource", "workspace dependency", "resource group",
    "absent" or "" (outside the estate); ``data`` is "storage", "registry" or ""."""

    kind: str
    what: str = ""
    data: str = ""
    workspaces: frozenset[str] = frozenset()  # URNs of the workspaces it is a dependency of

    @property
    def in_estate(self) -> bool:
        return bool(self.kind)


@dataclass
class Estate:
    linker: Linker
    ml: set[str] = field(default_factory=set)  # URNs of ML resources
    dependency_of: dict[str, set[str]] = field(default_factory=dict)  # dependency URN -> workspace URNs
    dependency_ids: dict[str, set[str]] = field(default_factory=dict)  # str(ArmId) -> workspace URNs
    groups: set[tuple[str, str]] = field(default_factory=set)  # (subscription, resource group) of the estate
    group_urns: set[str] = field(default_factory=set)  # resource group resources the estate was built in
    identity_of: dict[str, set[str]] = field(default_factory=dict)  # identity URN -> ML resource URNs it serves
    principals: dict[str, set[str]] = field(default_factory=dict)  # known principal id -> ML resource URNs
    ids_unknown: bool = False  # an estate id is unknown yet (during preview)

    @property
    def index(self) -> StackIndex:
        return self.linker.index

    def __post_init__(self) -> None:
        for item in self.index.by_urn.values():
            if t.matches(item.type, t.ML_TYPES):
                self._add_ml(item)
        for workspace in self.index.of_type(*ws.TYPES):
            for setting in ra.WORKSPACE_DEPENDENCIES:
                self._add_dependency(workspace, setting)
        for identity in self.index.of_type(*ra.USER_IDENTITY_TYPES):
            served = self.identity_of.get(identity.urn, set())
            principal = _known(identity.props, ra.UAI_PRINCIPAL)
            if served and principal:
                self.principals.setdefault(principal.lower(), set()).update(served)

    def _add_ml(self, item: StackItem) -> None:
        self.ml.add(item.urn)
        self._add_place(item)
        self.identity_of.setdefault(item.urn, set()).add(item.urn)  # its system-assigned identity
        principal = _known(item.props, shape.path_of(item.type, item.props, ra.ML_PRINCIPAL) or "")
        if principal:
            self.principals.setdefault(principal.lower(), set()).add(item.urn)
        for key in ra.ML_IDENTITY_INPUTS:
            for urn in item.built_from(key):
                self.identity_of.setdefault(urn, set()).add(item.urn)
        named = [_known(item.props, shape.path_of(item.type, item.props, ws.PRIMARY_IDENTITY) or "")]
        named += _identity_ids(item.props, shape.path_of(item.type, item.props, ws.USER_IDENTITIES) or "")
        for value in named:
            arm = parse_arm_id(value)
            for identity in self.linker.with_id(arm) if arm else []:
                self.identity_of.setdefault(identity.urn, set()).add(item.urn)

    def _add_place(self, item: StackItem) -> None:
        arm = self.linker.arm_id(item)
        if arm is not None and arm.resource_group:
            self.groups.add((arm.subscription, arm.resource_group))
        elif self.linker.id_unknown(item):
            self.ids_unknown = True
        self.group_urns.update(item.built_from(ra.RESOURCE_GROUP_INPUT))

    def _add_dependency(self, workspace: StackItem, setting: shape.Setting) -> None:
        key = shape.path_of(workspace.type, workspace.props, setting)
        if not key:
            return
        for urn in workspace.built_from(key):
            self.dependency_of.setdefault(urn, set()).add(workspace.urn)
            other = self.index.by_urn.get(urn)
            if other is not None:
                self._add_place(other)
                own = self.linker.arm_id(other)
                if own is not None:
                    self.dependency_ids.setdefault(str(own), set()).add(workspace.urn)
        arm = parse_arm_id(_known(workspace.props, key))
        if arm is not None:
            self.dependency_ids.setdefault(str(arm), set()).add(workspace.urn)
            if arm.resource_group:
                self.groups.add((arm.subscription, arm.resource_group))

    def target(self, item: StackItem) -> Target:
        """What the assignment's scope reaches; raises ``Unlinked`` when that cannot be told yet."""
        key = shape.path_of(item.type, item.props, ra.SCOPE) or "scope"
        built = item.built_from(key)
        if built:
            return self._by_urns(built)
        value = p.get_or_unknown(item.props, key)
        if isinstance(value, UnknownValueError):
            raise Unlinked(f"the scope is unknown and built from no other resource of this stack; {_SCOPE_FIX}")
        if not isinstance(value, str) or not value.strip():
            return Target("absent", f"{key} absent")  # the path, not a value
        return self._by_id(value.strip())

    def _by_urns(self, urns: tuple[str, ...]) -> Target:
        found = Target("")
        for urn in urns:
            other = self.index.by_urn.get(urn)
            module = ra.module_of(other.type) if other is not None else ""
            data = "storage" if module.split("/")[0] in _STORAGE_MODULES else "registry" if (
                module in _REGISTRY_MODULES or (other is not None and other.canonical == f"{t.ML}:Registry")) else ""
            label = f"{other.type.rsplit(':', 1)[-1]} '{other.name}'" if other is not None else urn
            if urn in self.ml:
                return Target("ML resource", label, data)
            if urn in self.dependency_of:
                return Target("workspace dependency", label, data, frozenset(self.dependency_of[urn]))
            if urn in self.group_urns:
                return Target("resource group", label, data)
            found = Target("", label, data or found.data)
        return found

    def _by_id(self, value: str) -> Target:
        arm = parse_arm_id(value)
        if arm is None:
            group = _RESOURCE_GROUP.match(value)
            if group is None:
                return Target("")  # a subscription or management group: not judged here
            if (group.group(1).lower(), group.group(2).lower()) in self.groups or self._group_named(group.group(2)):
                return Target("resource group", "the resource group its scope names")
            if self.ids_unknown:
                raise Unlinked("the resource group scope cannot be matched to the ML estate yet "
                               f"(its ids are unknown); {_SCOPE_FIX.replace('workspace.id', 'resource_group.id')}")
            return Target("")
        # Messages describe the scope by what it is, never by the names it holds (they are the user's text).
        data = _data_kind(arm)
        what = _DATA_NAMES.get(data, "the resource its scope names")
        for ancestor in arm.ancestors():
            if ancestor.namespace == _ML_NAMESPACE:
                return Target("ML resource", "the Azure ML resource its scope names", data)
            workspaces = self.dependency_ids.get(str(ancestor))
            if workspaces:
                return Target("workspace dependency", what, data, frozenset(workspaces))
        if any(self.linker.id_unknown(self.index.by_urn[u]) for u in self.dependency_of if u in self.index.by_urn):
            raise Unlinked(f"whether the scope is a workspace dependency cannot be told yet (the ids of the "
                           f"dependencies are unknown); {_SCOPE_FIX.replace('workspace.id', 'account.id')}")
        return Target("", what, data)

    def _group_named(self, name: str) -> bool:
        for urn in self.group_urns:
            group = self.index.by_urn.get(urn)
            own = _known(group.props, "name") if group is not None else None
            if own is not None and own.lower() == name.lower():
                return True
        return False

    def identities(self, item: StackItem) -> set[str]:
        """The ML resources whose managed identity the assignment's principal is (empty: none);
        raises ``Unlinked`` when that cannot be told yet."""
        key = shape.path_of(item.type, item.props, ra.PRINCIPAL_ID) or "principalId"
        built = item.built_from(key)
        if built:
            return {ml for urn in built for ml in self.identity_of.get(urn, set())}
        value = p.get_or_unknown(item.props, key)
        if isinstance(value, UnknownValueError):
            raise Unlinked(f"the principalId is unknown and built from no other resource of this stack; {_PRINCIPAL_FIX}")
        return set(self.principals.get(value.strip().lower(), set())) if isinstance(value, str) else set()


def _identity_ids(props: Any, path: str) -> list[str]:
    """The user-assigned identity ids an ML resource lists: a list of ids (inputs, the classic
    identityIds) or a map keyed by id (azure-native outputs). An unknown list names none yet (the
    property dependency still links it)."""
    try:
        keyed = p.get_map(props, path)
        if keyed is not None:
            return [k for k in list(keyed) if isinstance(k, str)]
        listed = p.get_list(props, path)
        return [v for v in p.elements(listed) if isinstance(v, str)] if listed is not None else []
    except UnknownValueError:
        return []


def _data_kind(arm: ArmId) -> str:
    for ancestor in arm.ancestors():
        if ancestor.type in _STORAGE_IDS:
            return "storage"
        if ancestor.type in _REGISTRY_IDS:
            return "registry"
    return ""


def _known(props: Any, path: str) -> str | None:
    if not path:
        return None
    value = p.get_or_unknown(props, path)
    return value.strip() if isinstance(value, str) and value.strip() else None


def all_hold(*conditions: Callable[[], bool]) -> bool:
    """Whether every condition holds. A condition that meets an unknown value (``UnknownValueError``)
    decides nothing while another is false: only when none is false is the first unknown raised."""
    pending: UnknownValueError | None = None
    for condition in conditions:
        try:
            if not condition():
                return False
        except UnknownValueError as exc:
            pending = pending or exc
    if pending is not None:
        raise pending
    return True


def any_holds(*conditions: Callable[[], bool]) -> bool:
    """Whether some condition holds. A condition that meets an unknown value decides nothing while
    another holds: only when none holds is the first unknown raised."""
    pending: UnknownValueError | None = None
    for condition in conditions:
        try:
            if condition():
                return True
        except UnknownValueError as exc:
            pending = pending or exc
    if pending is not None:
        raise pending
    return False


def estate_of(items: Sequence[StackItem]) -> Estate:
    """The estate of a stack's items (``stack.derived(items, estate_of)`` shares it), on their shared ``Linker``."""
    return Estate(derived(items, linker_of))
