"""How a rule is declared, and how a declaration becomes a pulumi_policy ``Policy``.

A rule is declared once with everything about it: metadata (severity, default level,
framework references, remediation steps), a config schema with defaults, the check itself
and its own compliant and non-compliant samples. The same declaration builds the policy
the pack serves, drives the sample tests, generates the catalogue, the README table and the
``presets/enforce.json`` preset, so they cannot drift. Declarations live in the family packages
(``policies/<family>/``) and are listed once in ``policies.RULES``; README.md "Adding a rule" is
the whole checklist.

Shared defaults keep declarations short: ``unknowns`` defaults to ``unknown_advisory()`` (and
``SDK_ADVISORY`` names the SDK's diagnostic in other texts), frameworks are constants of
``frameworks``, options are built with the helpers of ``options``, and the common "value at a
path" checks come from ``checks``.

Our words and pulumi_policy's (``ResourceValidationPolicy`` / ``StackValidationPolicy``):

=====================  ==========================================================
declaration field      pulumi_policy word
=====================  ==========================================================
``name``               ``name``; also the rule's ``url``, its catalogue entry
                       (``links.rule_url``)
``title``              ``display_name`` (the name Pulumi Cloud shows)
``description``        ``description``: one sentence of at most
                       ``DESCRIPTION_LIMIT`` characters, since the CLI prints it
                       with every violation
``details``            none: the long explanation, in the catalogue
``check``              ``validate`` (wrapped: see below)
``fix``                ``remediate`` (runs at enforcement level ``remediate``)
``level``              ``enforcement_level`` (the default level; ``disabled``
                       makes an opt-in rule, which the presets keep off)
``severity``           ``severity``
``options``            ``config_schema`` (with ``failClosed`` added to security rules)
``remediation``        ``remediation_steps``
``frameworks``         ``tags`` (every one, a versioned one with its version) and
                       ``framework`` (``primary_framework``)
``topics``             ``tags``
``unknowns``           none: documents the rule's preview behaviour in the catalogue
``sources``            none: the resource types a reference the rule reads may be
                       built from, so an unknown one is judged by where it comes
                       from (``provenance``) instead of failing closed
``security``           none: security rules can fail closed (``failClosed``) and are
                       listed with it in ``presets/enforce.json``
``enforce``            none: what ``presets/enforce.json`` sets beyond that
``samples``            none: the rule's own cases, run by the tests
``not_covered``        none: types of a provider the rule does not judge, and why
=====================  ==========================================================

The wrapper that turns a check into a policy is the one place that:
- filters by resource type (all spellings, see ``types.canonical``);
- merges config defaults under what the engine sent, and rejects a wrongly-typed config;
- reports each message the check yields, as it yields it, so what is known is reported
  even when a later read hits an unknown value (which then raises ``UnknownValueError``
  and the SDK adds its advisory "can't run policy during preview" diagnostic);
- decides what an unknown value becomes: the SDK's advisory, or, when the rule fails closed
  (``failClosed``), a violation; an unknown reference whose sources the rule declares is
  judged by its source instead (``provenance``: a stack rule directly, a resource rule through
  unknown-value-sources, to which it defers it);
- guarantees no other exception escapes into the SDK (one would fail the user's whole
  preview): an internal error marks the policy not applicable for that resource, naming
  only the exception type, never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from . import links, types
from .convert_once import APPLIES_TO
from .frameworks import Framework
from .linking import Unlinked
from .options import FAIL_CLOSED, FAIL_CLOSED_STACK_KEY, Option, merge
from .props import each_unknown
from .provenance import DEFERRED, Deferral, Sources, deferral
from .samples import Sample, StackSample
from .stack import StackItem, UnknownItems, items_of


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


ResourceCheck = Callable[[Subject], Iterable[str]]
# A safe fix: the whole new property bag (see ``props.with_changes``), or None.
ResourceFix = Callable[[Subject], "dict[str, Any] | None"]
StackCheck = Callable[[Sequence[StackItem], Mapping[str, Any]], Iterable[tuple[str, str | None]]]

SDK_ADVISORY: Final = "the SDK's advisory 'can't run policy' diagnostic"
DESCRIPTION_LIMIT: Final = 120  # characters; the CLI prints the description with every violation


def unknown_advisory(what: str = "value", after: str = "") -> str:
    """The usual ``unknowns`` text: an unknown ``what`` gets the SDK's advisory, after ``after``
    (what is still reported first), or else it is judged at ``pulumi up``."""
    return f"An unknown {what} during preview: {SDK_ADVISORY}" + (f", after {after}." if after else "; judged at `pulumi up`.")


def _stack_fail_closed() -> bool:
    """The pack-wide switch: stack config reaches the pack as PULUMI_CONFIG in every mode."""
    from pulumi.runtime import get_config  # the SDK is loaded already; imported here to keep it optional

    return str(get_config(FAIL_CLOSED_STACK_KEY) or "").strip().lower() == "true"


def fail_closed(config: Mapping[str, Any]) -> bool:
    """Whether a rule with this (merged) config fails closed: its own failClosed or the pack-wide switch."""
    return config.get("failClosed") is True or _stack_fail_closed()


class AdvisoryUnknown(UnknownValueError):
    """An unknown value a rule leaves to the SDK's advisory even when it fails closed, because its
    config says so (no-secret-exports' failClosedWithoutSource)."""


def fail_closed_message(exc: UnknownValueError) -> str:
    if isinstance(exc, Unlinked):
        return (f"During preview {exc.message}; the link is unknown during preview and this rule fails closed "
                "(failClosed): it cannot be shown compliant yet.")
    path = ".".join(exc.props) or "a property"
    return f"{path} is unknown during preview and this rule fails closed (failClosed): it cannot be shown compliant yet."


def primary_framework(frameworks: Sequence[Framework]) -> Framework | None:
    """The policy's one ``framework``: the versioned benchmark when the rule cites one (a
    compliance framework proper, which Pulumi Cloud groups policies by), else the first."""
    return next((f for f in frameworks if f.version), frameworks[0] if frameworks else None)


@dataclass(frozen=True, kw_only=True)
class Rule:
    name: str
    title: str = ""  # the human title (display name); tests/test_samples.py requires one
    description: str  # one sentence (DESCRIPTION_LIMIT): what the rule requires
    details: str = ""  # the long explanation: paths per provider, what absence means, kinds judged
    severity: Severity
    level: EnforcementLevel
    remediation: str
    unknowns: str = unknown_advisory()  # what happens when a value is unknown during preview
    frameworks: tuple[Framework, ...] = ()
    options: tuple[Option, ...] = ()
    topics: tuple[str, ...] = ()
    security: bool = False  # security rules can fail closed on unknown values (FAIL_CLOSED)
    # Settings presets/enforce.json gives the rule besides "mandatory" (and failClosed when security).
    enforce: Mapping[str, Any] = field(default_factory=dict)
    # Types of a provider the rule governs but does not judge, each with the reason (keys are type
    # tokens or prefixes ending in '*'); the catalogue lists them, tests/test_coverage.py requires them.
    not_covered: Mapping[str, str] = field(default_factory=dict)
    # The references the rule reads that an unknown value may be judged by (provenance.Sources).
    sources: tuple[Sources, ...] = ()

    @property
    def config_options(self) -> tuple[Option, ...]:
        """The rule's own options, plus ``failClosed`` for security rules."""
        return (*self.options, FAIL_CLOSED) if self.security else self.options

    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.config_options}

    def fails_closed(self, config: Mapping[str, Any]) -> bool:
        return self.security and fail_closed(config)

    def config(self, given: Mapping[str, Any] | None) -> tuple[dict[str, Any], str | None]:
        """Defaults overlaid with ``given``; the second item names a wrongly-typed key."""
        return merge(self.config_options, given)

    @property
    def opt_in(self) -> bool:
        """Disabled by default: the presets keep it so, since their ``all`` would turn it on."""
        return self.level == EnforcementLevel.DISABLED

    def enforced(self) -> dict[str, Any]:
        """This rule's entry in presets/enforce.json (empty: the preset's ``all`` covers it)."""
        if self.opt_in:
            return {"enforcementLevel": EnforcementLevel.DISABLED.value}
        return {**({"failClosed": True} if self.security else {}), **self.enforce}

    def schema(self) -> PolicyConfigSchema | None:
        if not self.config_options:
            return None
        return PolicyConfigSchema(properties={o.name: dict(o.schema) for o in self.config_options})

    def _metadata(self) -> dict[str, Any]:
        primary = primary_framework(self.frameworks)
        return {
            "description": self.description,
            "display_name": self.title or None,
            "url": links.rule_url(self.name),
            "enforcement_level": self.level,
            "config_schema": self.schema(),
            "severity": self.severity,
            "framework": PolicyComplianceFramework(name=primary.source, version=primary.version or None, reference=primary.id,
                                                   specification=primary.title or None) if primary else None,
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
                 name: str = "", urn: str = "", report: Callable[[str], None] | None = None,
                 defer: Callable[[list[Deferral]], None] | None = None) -> list[str]:
        """The violation messages for one resource. Raises only ``UnknownValueError``
        (after reporting what was known) or the SDK's not-applicable signal via ``not_applicable``.

        Unknowns at paths the rule declares ``sources`` for go to ``defer`` (recorded for
        unknown-value-sources); failing closed, the rule then reports nothing about them, and
        fails closed only on the others. Not failing closed, any unknown is the SDK's advisory."""
        messages: list[str] = []
        emit = report or messages.append
        if not self.applies_to(type_token):
            return messages
        merged, problem = self.config(config)
        if problem:
            emit(problem)
            return messages
        subject = Subject(type_token, name, urn, props, merged)
        unknowns: list[UnknownValueError] = []
        for part in self.check if isinstance(self.check, tuple) else (self.check,):
            try:
                for message in part(subject):
                    emit(message)
            except UnknownValueError as exc:
                unknowns += each_unknown(exc)
        if not unknowns:
            return messages
        closed = self.fails_closed(merged)
        deferred = {id(exc): d for exc in unknowns
                    if (d := deferral(self.name, self.sources, type_token, props, exc, closed)) is not None}
        if deferred and defer is not None:
            defer(list(deferred.values()))
        others = [exc for exc in unknowns if id(exc) not in deferred]
        if not closed:
            raise unknowns[0]
        if others:
            emit(fail_closed_message(others[0]))
        return messages

    def policy(self) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            if not self.applies_to(args.resource_type):
                return  # the common case: most resources are of another type
            deferred: list[Deferral] = []
            try:
                self.evaluate(args.resource_type, args.props, args.get_config(), args.name, args.urn,
                              report=lambda message: report_violation(message, None), defer=deferred.extend)
            except (UnknownValueError, _NotApplicableError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may fail the user's preview
                args.not_applicable(_internal_error(exc))
            finally:
                if self.sources:  # for unknown-value-sources, in AnalyzeStack (provenance)
                    DEFERRED.record(args.urn, self.name, deferred)

        policy = ResourceValidationPolicy(name=self.name, validate=validate, remediate=self._remediate() if self.fix else None,
                                          **self._metadata())
        setattr(policy, APPLIES_TO, self.applies_to)  # validate returns at once for other types (convert_once skips it)
        return policy

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
    types: tuple[str, ...] = ()  # the resource types it judges (for the catalogue; a stack rule sees them all)

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
            if isinstance(exc, AdvisoryUnknown) or not self.fails_closed(merged):
                raise
            # One finding per resource that met an unknown (judge_each), on that resource.
            for urn, unknown in exc.found if isinstance(exc, UnknownItems) else ((None, exc),):
                emit(fail_closed_message(unknown), urn)
        return found

    def policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            items = items_of(args.resources)
            try:
                self.evaluate(items, args.get_config(), report=report_violation)
            except (UnknownValueError, _NotApplicableError):
                raise
            except Exception as exc:  # noqa: BLE001 - nothing may fail the user's preview
                args.not_applicable(_internal_error(exc))

        return StackValidationPolicy(name=self.name, validate=validate, **self._metadata())
