"""What a stack rule sees: every resource of the stack (outputs, not inputs), indexed once.

AnalyzeStack hands a policy every resource with its outputs, parent, dependencies and property
dependencies; the root ``pulumi:pulumi:Stack`` resource carries the stack exports. Stack rules
read it through ``StackIndex`` so they stay linear in the size of the stack.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from . import types
from .convert_once import request_memo
from .props import norm_key

_T = TypeVar("_T")


@dataclass(frozen=True)
class StackItem:
    """One resource of the stack, as a stack check sees it (outputs, not inputs). The
    dependencies are URNs; ``property_dependencies`` says which resources a property was
    built from, which links resources even when ids are unknown during preview."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    parent: str | None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def canonical(self) -> str:
        return types.canonical(self.type)

    def built_from(self, key: str) -> tuple[str, ...]:
        """URNs of the resources a property (key in any spelling) was built from: links resources
        even when the ids that would link them are unknown during preview."""
        wanted = norm_key(key)
        return tuple(urn for name, urns in self.property_dependencies.items() if norm_key(name) == wanted for urn in urns)


def stack_item(resource: PolicyResource) -> StackItem:
    """The ``StackItem`` of one resource of pulumi_policy's ``StackValidationArgs``."""
    parent = resource.parent.urn if resource.parent is not None else None
    return StackItem(resource.resource_type, resource.name, resource.urn, resource.props, parent,
                     tuple(d.urn for d in resource.dependencies),
                     {k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()})


class StackItems(list[StackItem]):
    """The items of one stack request, carrying the ``StackIndex`` built from them (``index_of``)
    and what is derived from it (``derived``), so the stack rules that read the same items share
    them. The index does not point back here, so nothing forms a reference cycle: all of it is freed
    with the list, at the end of the request, without waiting for the cyclic collector."""

    __slots__ = ("derived", "stack_index")

    def __init__(self, items: Iterable[StackItem] = ()):
        super().__init__(items)
        self.stack_index: StackIndex | None = None
        self.derived: dict[Callable[..., Any], Any] = {}


def items_of(resources: Sequence[PolicyResource]) -> StackItems:
    """The ``StackItem``s of a stack policy's resources. While the convert-once adapter serves an
    AnalyzeStack request they are built once, from the first stack policy's resources (every
    policy's resources are views of the same conversion), and shared by the pack's stack rules,
    which only read them (``StackItem`` is frozen, its props a ``Mapping``); on the SDK's own
    servicer, once per policy."""
    memo = request_memo()
    if memo is None:
        return StackItems(stack_item(r) for r in resources)
    shared: StackItems | None = memo.get(__name__)
    if shared is None:
        shared = memo[__name__] = StackItems(stack_item(r) for r in resources)
    return shared


def index_of(items: Sequence[StackItem]) -> StackIndex:
    """The index of ``items``: built once per ``StackItems`` list, else every time."""
    if not isinstance(items, StackItems):
        return StackIndex(items)
    if items.stack_index is None:
        items.stack_index = StackIndex(items)
    return items.stack_index


def derived(items: Sequence[StackItem], build: Callable[[Sequence[StackItem]], _T]) -> _T:
    """``build(items)`` (a ``Linker``, the access rules' estate), built once per ``StackItems``
    list, else every time: the stack rules sharing the items share it too, so it must not change
    after it is built."""
    if not isinstance(items, StackItems):
        return build(items)
    if build not in items.derived:
        items.derived[build] = build(items)
    result: _T = items.derived[build]
    return result


class StackIndex:
    """The stack's resources indexed once by canonical type and by URN, so stack rules stay
    linear in the size of the stack (no pairwise scans)."""

    def __init__(self, items: Sequence[StackItem]):
        self.by_urn: dict[str, StackItem] = {}
        self._by_type: dict[str, list[StackItem]] = {}
        for item in items:
            self.by_urn[item.urn] = item
            self._by_type.setdefault(item.canonical, []).append(item)

    def of_type(self, *canonical_types: str) -> list[StackItem]:
        if len(canonical_types) == 1:
            return self._by_type.get(canonical_types[0], [])
        return [item for t in canonical_types for item in self._by_type.get(t, [])]

    def linked(self, item: StackItem, key: str, *canonical_types: str) -> list[StackItem]:
        """The resources of ``canonical_types`` that ``item.<key>`` was built from (by property dependency)."""
        found = (self.by_urn.get(urn) for urn in item.built_from(key))
        return [other for other in found if other is not None and other.canonical in canonical_types]


class UnknownItems(UnknownValueError):
    """The unknown values a stack check met, each with the URN of the resource it belongs to, so a
    rule that fails closed reports each on its resource (the SDK reads the first one's message)."""

    def __init__(self, found: Sequence[tuple[str, UnknownValueError]]):
        super().__init__(found[0][1].unknown_type_sentinel, list(found[0][1].props))
        self.message = found[0][1].message  # the SDK's advisory text: the first one's (an Unlinked says why)
        self.found = tuple(found)


def judge_each(items: Iterable[StackItem], judge: Callable[[StackItem], str | None]) -> Iterator[tuple[str, str | None]]:
    """(message, URN) for each item ``judge`` finds a problem with. An item whose judgement meets a
    value unknown during preview is skipped, and the unknowns are raised together (``UnknownItems``)
    after every other item has been reported (the SDK then adds its advisory for the rest)."""
    pending: list[tuple[str, UnknownValueError]] = []
    for item in items:
        try:
            problem = judge(item)
        except UnknownValueError as exc:
            pending.append((item.urn, exc))
            continue
        if problem:
            yield problem, item.urn
    if pending:
        raise UnknownItems(pending)


def root_stack(items: Sequence[StackItem]) -> StackItem | None:
    """The root ``pulumi:pulumi:Stack`` resource (its properties are the stack exports)."""
    return next((i for i in items if i.type == types.STACK and not i.parent), None)
