"""Where a value that is unknown during preview comes from, and whether that source vouches for it.

Failing closed on every unknown blocks the first preview of every compliant stack (the id of an
identity declared in the same program is unknown until `pulumi up`); passing every unknown lets a
wrong reference through. Between the two: judge the unknown by where it comes from. The engine says
that only in AnalyzeStack, per resource: ``propertyDependencies`` (for each top-level *input* key,
the resources the input was built from), ``dependencies`` and ``parent`` (pulumi/pulumi
``pkg/resource/plugin/analyzer_plugin.go`` ``AnalyzeStack``). Analyze carries none of them
(``AnalyzeRequest``: type, properties, urn, name, options, provider).

So a rule declares, next to each setting that holds a reference to another resource, which resource
types that reference may be built from (``Sources``, in the rule's ``sources``):

- a stack rule judges an unknown reference directly (``judge`` on the items its input was built from);
- a resource rule meets the unknown in Analyze, where no source is visible: it *defers* it, recording
  it here (``DEFERRED``: resource URN -> rule -> ``Deferral``) instead of failing closed, and the stack
  rule unknown-value-sources judges each deferral in AnalyzeStack and reports a bad source on the
  resource that has it, naming the rule.

The record lives in the pack process from Analyze to AnalyzeStack: the engine makes a deployment's
Analyze calls, then its AnalyzeStack call, on the one analyzer process it started for the pack
(``step_generator.go``: Analyze per registered resource; ``AnalyzeResources`` once every step is
done). Each Analyze of a resource replaces what the rule recorded for it before, so a second
analysis of the same resource (the gate's re-runs after remediations) leaves no stale deferral.

What a source can and cannot say: property dependencies are kept per top-level input key, and they
name resources, never invokes (an invoke result carries the resources its arguments came from,
pulumi/pulumi ``sdk/python/lib/pulumi/runtime/invoke.py``) nor which output of a resource was used.
So an unknown passes only when *every* resource its top-level input was built from is of a declared
type: one built from a resource of another type fails, and so does one built from nothing the engine
records. An invoke result is either: the Python SDK returns an unknown result *without* dependencies
when an argument is unknown (``invoke.py`` ``_invoke``: ``if rpc.struct_contains_unknowns(inputs):
return (InvokeResult(None, is_secret=False, is_known=False), None)``), and one computed in an
``apply`` carries the apply's resources (a resource group, say: not an identity).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from . import types
from .props import norm_key
from .shape import Setting, path_of, resolve
from .stack import StackIndex, StackItem


@dataclass(frozen=True)
class Sources:
    """The resource types a reference held by ``setting`` may be built from (canonical tokens of
    every provider), and what such a reference is, for messages ("a user-assigned identity")."""

    setting: Setting
    types: tuple[str, ...]
    what: str

    def covers(self, type_token: str, props: Any, path: Sequence[str]) -> bool:
        """Whether an unknown at ``path`` lies at or below this setting in that resource."""
        try:
            where = path_of(type_token, props, self.setting)
        except UnknownValueError:  # the body key itself is unknown: not a reference
            return False
        declared = [norm_key(k) for k in where.split(".")] if where else []
        return bool(declared) and [norm_key(str(k)) for k in path[:len(declared)]] == declared


@dataclass(frozen=True)
class Deferral:
    """An unknown a resource rule met at a path whose sources it declares. ``fail_closed``: the rule
    fails closed, so it reported nothing and unknown-value-sources must judge the source."""

    rule: str
    path: str
    key: str  # the top-level input key the path is under (the granularity of property dependencies)
    sources: Sources
    fail_closed: bool


def deferral(rule: str, sources: Iterable[Sources], type_token: str, props: Any, exc: UnknownValueError,
             fail_closed: bool) -> Deferral | None:
    """The deferral for ``exc`` when one of ``sources`` covers its path, else None."""
    path = [str(k) for k in exc.props]
    found = next((s for s in sources if path and s.covers(type_token, props, path)), None)
    return Deferral(rule, ".".join(path), path[0], found, fail_closed) if found else None


class Deferrals:
    """The deferrals of the running deployment, by resource URN and rule (thread-safe: the SDK's
    gRPC server may run calls on several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_urn: dict[str, dict[str, tuple[Deferral, ...]]] = {}

    def record(self, urn: str, rule: str, deferrals: Sequence[Deferral]) -> None:
        """What ``rule`` deferred for ``urn`` in its latest Analyze (nothing: forget the earlier)."""
        with self._lock:
            if deferrals:
                self._by_urn.setdefault(urn, {})[rule] = tuple(deferrals)
            elif urn in self._by_urn:
                self._by_urn[urn].pop(rule, None)
                if not self._by_urn[urn]:
                    del self._by_urn[urn]

    def of(self, urn: str) -> list[Deferral]:
        with self._lock:
            return [d for deferred in self._by_urn.get(urn, {}).values() for d in deferred]

    def clear(self) -> None:
        with self._lock:
            self._by_urn.clear()


DEFERRED = Deferrals()


def describe(item: StackItem) -> str:
    """``azure-native:keyvault:Vault 'kv'``: a resource as messages name it (type and logical name)."""
    return f"{item.type} '{item.name}'"


def built_from(item: StackItem, key: str, index: StackIndex) -> list[StackItem]:
    """The stack's resources ``item``'s top-level input ``key`` was built from."""
    found = (index.by_urn.get(urn) for urn in item.built_from(key))
    return [other for other in found if other is not None]


def judge(sources: Sources, origins: Sequence[StackItem]) -> str | None:
    """Why ``origins`` (the resources an unknown reference was built from) do not vouch for it as
    ``sources.what``, or None when they do: every one is of a declared type."""
    if not origins:
        return ("no property dependency records a source (an invoke result whose arguments were unknown, or a value "
                "computed from no resource of this stack)")
    others = [o for o in origins if types.canonical(o.type) not in sources.types]
    if others:
        return f"built from {', '.join(describe(o) for o in others)}"
    return None


def unknown_reason(deferral_: Deferral, item: StackItem, index: StackIndex) -> str | None:
    """``judge`` for a deferral of ``item`` (None: the source vouches for the value)."""
    return judge(deferral_.sources, built_from(item, deferral_.key, index))


def unjudged(paths: Sequence[str], what: str, reason: str) -> str:
    """The finding for unknown ``paths`` whose source does not vouch for them (``judge``'s ``reason``)."""
    listed = " and ".join(paths) if len(paths) < 3 else ", ".join(paths[:-1]) + f" and {paths[-1]}"
    return f"{listed} {'is' if len(paths) == 1 else 'are'} unknown during preview and not shown to be {what}: {reason}"


def source_listing(token: str, sources: Iterable[Sources]) -> list[str]:
    """One catalogue line per declared source, as ``token`` spells the paths (azure-native, then
    classic), with the types it may be built from."""
    lines = []
    for source in sources:
        native = resolve(token, {}, source.setting.native) if source.setting.native else None
        paths = " / ".join(dict.fromkeys(p for p in (native, source.setting.classic) if p))
        lines.append(f"`{paths}`: {source.what} (built only from {', '.join(f'`{t}`' for t in source.types)})")
    return lines
