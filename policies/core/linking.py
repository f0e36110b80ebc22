"""How a stack rule finds the resource another one names, from what AnalyzeStack carries.

AnalyzeStack gives each resource its outputs, its Pulumi parent, its dependencies and its property
dependencies (keyed by input name, also for inputs that are no outputs). The outputs are the
provider's: azure-native returns the API response in the SDK's output shape, with the resource's
ARM ``id`` and ``name`` (pulumi-azure-native ``provider/pkg/provider/provider.go`` ``Create``),
never an input that only names a parent (``workspaceName``, ``resourceGroupName``); the classic
provider's state holds every attribute. So one resource is linked to another, in this order:

1. by property dependency: the naming input was built from the other resource
   (``workspace_name=workspace.name``, ``hub_resource_id=hub.id``), which holds in preview too;
2. by ARM id: a naming value that is an ARM id (a literal, or an output such as a private endpoint
   connection's ``privateLinkServiceId``), or the resource's own ``id`` below its parent's (a
   compute's ``.../workspaces/<ws>/computes/<c>``), parsed into (subscription, resource group,
   provider type, name path) and compared with the ids of the stack's resources;
3. by name: a plain name compared with the ``name`` output of the stack's resources;
4. by its Pulumi parent, when that is a resource of a wanted type;
5. by dependency: the resource depends on exactly one resource of a wanted type (``depends_on``).

Ids and ARM names are known after ``pulumi up`` (and in a stack export), not during ``pulumi
preview``, where azure-native marks them unknown (``provider/pkg/convert/previewOutputs.go``).
When no link is made and a value that would decide is unknown, the link itself is unknown:
``Link.unknown`` is an ``Unlinked`` error, an ``UnknownValueError`` (the SDK's advisory "can't run
policy during preview") whose message says why and how to make the link known (pass the other
resource's output, ``workspace.name``, instead of a string). A link that every known value rules
out is no link: the other resource is not in this stack. Each stack rule's "During preview" line
says what it does with a link it cannot make yet (whether it is a violation under ``failClosed``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from . import props as p
from .stack import StackIndex, StackItem, index_of

_ARM: Final = re.compile(r"^/subscriptions/([^/]+)(?:/resourcegroups/([^/]+))?/providers/([^/]+)((?:/[^/]+/[^/]+)+)/?$",
                         re.IGNORECASE)


@dataclass(frozen=True)
class ArmId:
    """An ARM resource id, lower-cased (ARM compares ids case-insensitively):
    ``/subscriptions/<s>/resourceGroups/<rg>/providers/<namespace>/<t1>/<n1>/<t2>/<n2>...``."""

    subscription: str
    resource_group: str | None
    namespace: str
    path: tuple[tuple[str, str], ...]  # (type segment, name) pairs: (("workspaces", "ws"), ("computes", "c"))

    @property
    def type(self) -> str:
        """The resource type, ``microsoft.machinelearningservices/workspaces/computes``."""
        return "/".join((self.namespace, *(t for t, _ in self.path)))

    @property
    def name(self) -> str:
        return self.path[-1][1]

    def named(self, segment: str) -> str | None:
        """The name after the type segment ``segment`` (``workspaces``), if the id has one."""
        return next((n for t, n in self.path if t == segment.lower()), None)

    def ancestors(self) -> list[ArmId]:
        """This id and each parent resource's, longest first."""
        return [ArmId(self.subscription, self.resource_group, self.namespace, self.path[:depth])
                for depth in range(len(self.path), 0, -1)]

    def up_to(self, segment: str) -> ArmId | None:
        """The ancestor whose last type segment is ``segment`` (a compute's workspace)."""
        return next((a for a in self.ancestors() if a.path[-1][0] == segment.lower()), None)

    def __str__(self) -> str:
        group = f"/resourcegroups/{self.resource_group}" if self.resource_group else ""
        return f"/subscriptions/{self.subscription}{group}/providers/{self.namespace}" + "".join(f"/{t}/{n}" for t, n in self.path)


def parse_arm_id(value: Any) -> ArmId | None:
    """The ARM id ``value`` holds (an ``azureml:`` prefix allowed), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    text = text[len("azureml:"):] if text.lower().startswith("azureml:/") and not text.lower().startswith("azureml://") else text
    match = _ARM.match(text)
    if match is None:
        return None
    parts = match.group(4).strip("/").split("/")
    path = tuple((parts[i].lower(), parts[i + 1].lower()) for i in range(0, len(parts), 2))
    group = match.group(2).lower() if match.group(2) else None
    return ArmId(match.group(1).lower(), group, match.group(3).lower(), path)


class Unlinked(UnknownValueError):
    """A link the values known now cannot make (during preview): raised like an unknown value,
    so the SDK adds its advisory "can't run policy during preview" with this message."""

    def __init__(self, message: str) -> None:
        super().__init__(p.UNKNOWN_STRING, [])
        self.message = message


@dataclass
class Link:
    """The resources a link leads to (empty: none in this stack), how it was made, and, when it
    could not be made yet, the ``Unlinked`` error that says why."""

    items: list[StackItem] = field(default_factory=list)
    how: str = ""  # "property dependency", "ARM id", "name", "parent", "dependency"
    unknown: Unlinked | None = None

    def require(self) -> list[StackItem]:
        """The linked resources; raises ``unknown`` when the link cannot be made yet."""
        if self.unknown is not None:
            raise self.unknown
        return self.items


class Linker:
    """The stack's resources indexed once by ARM id and by name (lower-cased), and which of them
    have an id or name that is unknown yet."""

    def __init__(self, index: StackIndex):
        self.index = index
        self._by_id: dict[str, list[StackItem]] = {}
        self._by_name: dict[str, list[StackItem]] = {}
        self._unknown: dict[str, set[str]] = {"ARM id": set(), "name": set()}  # URNs whose id / name is unknown
        for item in index.by_urn.values():
            arm, unknown_id = _known(item, "id")
            name, unknown_name = _known(item, "name")
            if unknown_id:
                self._unknown["ARM id"].add(item.urn)
            if unknown_name:
                self._unknown["name"].add(item.urn)
            parsed = parse_arm_id(arm)
            if parsed is not None:
                self._by_id.setdefault(str(parsed), []).append(item)
            if name:
                self._by_name.setdefault(name.lower(), []).append(item)

    def arm_id(self, item: StackItem) -> ArmId | None:
        """The resource's own ARM id, when its outputs hold a known one."""
        return parse_arm_id(_known(item, "id")[0])

    def with_id(self, arm: ArmId) -> list[StackItem]:
        """The stack's resources whose known id is ``arm``."""
        return list(self._by_id.get(str(arm), []))

    def id_unknown(self, item: StackItem) -> bool:
        """Whether the resource's id is unknown yet (during preview)."""
        return item.urn in self._unknown["ARM id"]

    def find(self, item: StackItem, types: Sequence[str], *, key: str = "", value: Any = p.MISSING,
             child_of: str = "", what: str = "resource", fix: str = "") -> Link:
        """The resources of canonical ``types`` that ``item`` names (see the module docstring):
        by the property dependencies of input ``key``; by ``value`` (or, when not given, the
        output ``key``), an ARM id or a name; by the item's own id below a ``child_of`` segment;
        by Pulumi parent; by a single dependency. ``what`` names the target and ``fix`` the way
        to make the link known, in the ``Unlinked`` message."""
        wanted = tuple(types)
        candidates = [c for t in wanted for c in self.index.of_type(t)]
        if key and (linked := self.index.linked(item, key, *wanted)):
            return Link(linked, "property dependency")
        undecided: list[str] = []
        decided = False
        naming = "the value naming it"
        if value is p.MISSING and key:
            value, naming = p.get_or_unknown(item.props, key), f"its {key}"
        if isinstance(value, UnknownValueError):
            undecided.append(f"{naming} is unknown")
        elif isinstance(value, str) and value.strip():
            found, how = self._by_value(value.strip(), wanted)
            if found:
                return Link(found, how)
            if self._open(candidates, how):
                undecided.append(f"the {how} of the {what}s in this stack {'is' if len(candidates) == 1 else 'are'} unknown")
            else:
                decided = True
        if child_of and not decided:
            own_unknown = item.urn in self._unknown["ARM id"]
            parent = self.arm_id(item)
            above = parent.up_to(child_of) if parent else None
            if above is not None:
                found = [c for c in self._by_id.get(str(above), []) if c.canonical in wanted]
                if found:
                    return Link(found, "ARM id")
                if self._open(candidates, "ARM id"):
                    undecided.append(f"the ids of the {what}s in this stack are unknown")
                else:
                    decided = True
            elif own_unknown:
                undecided.append("its own id is unknown")
        if decided:
            return Link()
        by_parent = self.index.by_urn.get(item.parent or "")
        if by_parent is not None and by_parent.canonical in wanted:
            return Link([by_parent], "parent")
        deps = [c for c in candidates if c.urn in item.dependencies]
        if len(deps) == 1:
            return Link(deps, "dependency")
        if undecided and candidates:
            reason = "; ".join(dict.fromkeys(undecided))
            return Link(unknown=Unlinked(f"the {what} it names cannot be identified yet ({reason}); "
                                         f"{fix or 'pass the other resource output instead of a string'}, so the "
                                         "link is known in preview too (`pulumi up` links it by id)"))
        return Link()

    def _by_value(self, value: str, wanted: tuple[str, ...]) -> tuple[list[StackItem], str]:
        """(resources of ``wanted`` types the value names, "ARM id" or "name")."""
        arm = parse_arm_id(value)
        if arm is not None:
            for ancestor in arm.ancestors():
                found = [c for c in self._by_id.get(str(ancestor), []) if c.canonical in wanted]
                if found:
                    return found, "ARM id"
            return [], "ARM id"
        if "/" in value:
            return [], "name"
        return [c for c in self._by_name.get(value.lower(), []) if c.canonical in wanted], "name"

    def _open(self, candidates: Sequence[StackItem], how: str) -> bool:
        """Whether a candidate's id (or name) is unknown yet, so a value matching none of the
        known ones may still name it."""
        return any(c.urn in self._unknown[how] for c in candidates)


def linker_of(items: Sequence[StackItem]) -> Linker:
    """The ``Linker`` of a stack's items (``stack.derived(items, linker_of)`` shares it)."""
    return Linker(index_of(items))


def _known(item: StackItem, key: str) -> tuple[str | None, bool]:
    """(the known string output ``key`` of an item, whether it is unknown)."""
    value = p.get_or_unknown(item.props, key)
    if isinstance(value, UnknownValueError):
        return None, True
    return (value.strip() if isinstance(value, str) and value.strip() else None), False
