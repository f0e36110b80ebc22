"""How a rule is declared, and how a declaration becomes a pulumi_policy ``Policy``.

A rule is declared once with everything about it: metadata (severity, default level,
framework references, remediation steps), a config schema with defaults, the check itself
and its own compliant and non-compliant samples. The same declaration builds the policy
the pack serves, drives the sample tests and generates the catalogue, so they cannot drift.

The wrapper that turns a check into a policy is the one place that:
- filters by resource type (all spellings, see ``types.canonical``);
- merges config defaults under what the engine sent, and rejects a wrongly-typed config;
- reports each message the check yields, as it yields it, so what is known is reported
  even when a later read hits an unknown value (which then raises ``UnknownValueError``
  and the SDK adds its advisory "can't run policy during preview" diagnostic);
- guarantees no other exception escapes into the SDK (one would fail the user's whole
  preview): an internal error marks the policy not applicable for that resource, naming
  only the exception type, never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from . import types
from .props import norm_key


@dataclass(frozen=True)
class Framework:
    """A public control the rule corresponds to (Azure Policy definition, Checkov check, benchmark)."""

    source: str  # "Azure Policy", "Checkov", "MCSB"
    id: str
    title: str = ""

    @property
    def tag(self) -> str:
        return f"{self.source.lower().replace(' ', '-')}:{self.id}"


@dataclass(frozen=True)
class Option:
    """One config key: its JSON Schema (which must carry a ``default``)."""

    name: str
    schema: Mapping[str, Any]

    @property
    def default(self) -> Any:
        return self.schema["default"]


@dataclass(frozen=True)
class Sample:
    """A resource the rule must judge a given way: ``violations`` holds one expected substring
    per violation message (empty: compliant)."""

    name: str
    props: Mapping[str, Any]
    violations: tuple[str, ...] = ()
    type: str = ""  # defaults to the rule's first type
    config: Mapping[str, Any] = field(default_factory=dict)
    # For rules with a fix: the values the fix must set (dotted path -> value); the fixed
    # resource must then pass the rule.
    fixed: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StackSample:
    """A whole stack (root stack first by convention) the stack rule must judge a given way."""

    name: str
    resources: tuple[SampleResource, ...]
    violations: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SampleResource:
    type: str
    name: str
    props: Mapping[str, Any]
    parent: str = ""
    # Names of other sample resources this one depends on, per property ("" for plain dependencies).
    depends_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def urn(self, stack: str = "dev", project: str = "sample") -> str:
        return f"urn:pulumi:{stack}::{project}::{self.type}::{self.name}"


@dataclass(frozen=True)
class Subject:
    """What a resource check sees."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    config: Mapping[str, Any]

    @property
    def classic(self) -> bool:
        return types.is_classic(self.type)


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


ResourceCheck = Callable[[Subject], Iterable[str]]
# A safe fix: the whole new property bag (see ``props.plain_copy``/``props.set_path``), or None.
ResourceFix = Callable[[Subject], "dict[str, Any] | None"]
StackCheck = Callable[[Sequence[StackItem], Mapping[str, Any]], Iterable[tuple[str, str | None]]]

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "array": (list, tuple),
    "object": (dict, Mapping),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int, float),
    "number": (int, float),
}


FAIL_CLOSED = Option("failClosed", {
    "type": "boolean", "default": False,
    "description": "Report a value that is unknown during preview as a violation (fail closed) instead of the SDK's "
    "advisory 'can't run policy' diagnostic. Also switched on for every security rule by the stack config "
    "key azure-ml-governance:failClosed.",
})
FAIL_CLOSED_STACK_KEY = "azure-ml-governance:failClosed"


def _stack_fail_closed() -> bool:
    """The pack-wide switch: stack config reaches the pack as PULUMI_CONFIG in every mode."""
    from pulumi.runtime import get_config  # the SDK is loaded already; imported here to keep it optional

    return str(get_config(FAIL_CLOSED_STACK_KEY) or "").strip().lower() == "true"


def fail_closed_message(exc: UnknownValueError) -> str:
    path = ".".join(exc.props) or "a property"
    return f"{path} is unknown during preview and this rule fails closed (failClosed): it cannot be shown compliant yet."


@dataclass(frozen=True, kw_only=True)
class Rule:
    name: str
    description: str
    severity: Severity
    level: EnforcementLevel
    remediation: str
    unknowns: str  # what happens when a value is unknown during preview
    frameworks: tuple[Framework, ...] = ()
    options: tuple[Option, ...] = ()
    topics: tuple[str, ...] = ()
    security: bool = False  # security rules can fail closed on unknown values (FAIL_CLOSED)

    @property
    def config_options(self) -> tuple[Option, ...]:
        """The rule's own options, plus ``failClosed`` for security rules."""
        return (*self.options, FAIL_CLOSED) if self.security else self.options

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.config_options}

    def fails_closed(self, config: Mapping[str, Any]) -> bool:
        return self.security and (config.get("failClosed") is True or _stack_fail_closed())

    def config(self, given: Mapping[str, Any] | None) -> tuple[dict[str, Any], str | None]:
        """Defaults overlaid with ``given``; the second item names a wrongly-typed key."""
        merged = self.defaults()
        for key, value in (given or {}).items():
            merged[key] = value
        for option in self.config_options:
            expected = option.schema.get("type")
            value = merged.get(option.name)
            if isinstance(expected, str) and expected in _JSON_TYPES:
                ok = isinstance(value, _JSON_TYPES[expected]) and not (
                    expected in ("integer", "number") and isinstance(value, bool)
                )
                if not ok:
                    return merged, f"policy config '{option.name}' must be of type {expected}; the rule was not evaluated"
        return merged, None

    def schema(self) -> PolicyConfigSchema | None:
        if not self.config_options:
            return None
        return PolicyConfigSchema(properties={o.name: dict(o.schema) for o in self.config_options})

    def _metadata(self) -> dict[str, Any]:
        first = self.frameworks[0] if self.frameworks else None
        return {
            "description": self.description,
            "enforcement_level": self.level,
            "config_schema": self.schema(),
            "severity": self.severity,
            "framework": PolicyComplianceFramework(name=first.source, reference=first.id, specification=first.title or None)
            if first
            else None,
            "tags": ["azure-ml", *self.topics, *(f.tag for f in self.frameworks)],
            "remediation_steps": self.remediation,
        }

    def policy(self) -> Policy:
        raise NotImplementedError


def _internal_error(exc: Exception) -> str:
    # Only the type: an exception's message may quote a property value.
    return f"internal error in the rule ({type(exc).__name__}); not judged"


@dataclass(frozen=True, kw_only=True)
class ResourceRule(Rule):
    types: tuple[str, ...]  # canonical tokens, or prefixes ending in '*' (types.ALL_ML)
    # One check, or independent parts: a part that meets an unknown value does not stop the
    # others, and the first unknown is raised after every part has reported.
    check: ResourceCheck | tuple[ResourceCheck, ...]
    samples: tuple[Sample, ...] = ()
    fix: ResourceFix | None = None

    def applies_to(self, type_token: str) -> bool:
        return types.matches(type_token, self.types)

    def evaluate(self, type_token: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None,
                 name: str = "", urn: str = "", report: Callable[[str], None] | None = None) -> list[str]:
        """The violation messages for one resource. Raises only ``UnknownValueError``
        (after reporting what was known) or the SDK's not-applicable signal via ``not_applicable``."""
        messages: list[str] = []
        emit = report or messages.append
        if not self.applies_to(type_token):
            return messages
        merged, problem = self.config(config)
        if problem:
            emit(problem)
            return messages
        subject = Subject(type_token, name, urn, props, merged)
        pending: UnknownValueError | None = None
        for part in self.check if isinstance(self.check, tuple) else (self.check,):
            try:
                for message in part(subject):
                    emit(message)
            except UnknownValueError as exc:
                pending = pending or exc
        if pending is not None:
            if not self.fails_closed(merged):
                raise pending
            emit(fail_closed_message(pending))
        return messages

    def policy(self) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if not self.applies_to(args.resource_type):
                return  # the common case: most resources are of another type
            try:
                self.evaluate(args.resource_type, args.props, args.get_config(), args.name, args.urn,
                              report=lambda message: report_violation(message, None))
            except (UnknownValueError, _NotApplicableError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may fail the user's preview
                args.not_applicable(_internal_error(exc))

        return ResourceValidationPolicy(name=self.name, validate=validate, remediate=self._remediate() if self.fix else None,
                                        **self._metadata())

    def remediated(self, type_token: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None,
                   name: str = "", urn: str = "") -> dict[str, Any] | None:
        """The fixed property bag, or None when the rule has no fix or nothing needs fixing."""
        if self.fix is None or not self.applies_to(type_token):
            return None
        merged, problem = self.config(config)
        if problem:
            return None
        return self.fix(Subject(type_token, name, urn, props, merged))

    def _remediate(self) -> Callable[[ResourceValidationArgs], Any]:
        def remediate(args: ResourceValidationArgs) -> dict[str, Any] | None:
            try:
                return self.remediated(args.resource_type, args.props, args.get_config(), args.name, args.urn)
            except (UnknownValueError, _NotApplicableError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may fail the user's preview
                args.not_applicable(_internal_error(exc))
                return None

        return remediate


@dataclass(frozen=True, kw_only=True)
class StackRule(Rule):
    check: StackCheck
    samples: tuple[StackSample, ...] = ()

    def evaluate(self, items: Sequence[StackItem], config: Mapping[str, Any] | None = None,
                 report: Callable[[str, str | None], None] | None = None) -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        emit = report or (lambda message, urn: found.append((message, urn)))
        merged, problem = self.config(config)
        if problem:
            emit(problem, None)
            return found
        try:
            for message, urn in self.check(items, merged):
                emit(message, urn)
        except UnknownValueError as exc:
            if not self.fails_closed(merged):
                raise
            emit(fail_closed_message(exc), None)
        return found

    def policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            items = [_stack_item(r) for r in args.resources]
            try:
                self.evaluate(items, args.get_config(), report=report_violation)
            except (UnknownValueError, _NotApplicableError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may fail the user's preview
                args.not_applicable(_internal_error(exc))

        return StackValidationPolicy(name=self.name, validate=validate, **self._metadata())


def _stack_item(resource: PolicyResource) -> StackItem:
    parent = resource.parent.urn if resource.parent is not None else None
    return StackItem(resource.resource_type, resource.name, resource.urn, resource.props, parent,
                     tuple(d.urn for d in resource.dependencies),
                     {k: tuple(d.urn for d in v) for k, v in resource.property_dependencies.items()})


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


def root_stack(items: Sequence[StackItem]) -> StackItem | None:
    """The root ``pulumi:pulumi:Stack`` resource (its properties are the stack exports)."""
    return next((i for i in items if i.type == types.STACK and not i.parent), None)
