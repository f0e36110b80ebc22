"""Convert each analyzer request once for every policy, instead of once per policy.

pulumi_policy's ``_PolicyAnalyzerServicer`` (``policy.py``, 1.18.0 to 1.21.0) converts a
request's properties (``json_format.MessageToDict``, ``deserialize_properties``, then
``unknown_checking_proxy``, which copies the tree again) and its provider's *inside* its loop
over policies: ``Analyze`` once per resource policy, ``AnalyzeStack`` every resource once per
stack policy. That conversion is most of what a pack of many policies costs per resource
(docs/performance.md). ``ConvertOnceServicer`` is that servicer with the conversion hoisted out
of the loop, and nothing else changed:

- Every policy still gets its own argument objects (args, options, provider, config copy, and in
  ``AnalyzeStack`` its own ``PolicyResource`` list with parents and dependencies linked; options
  and provider are built when first read, since most policies never read them), and its
  own view of the properties: ``LazyDictProxy``/``LazyListProxy``, subclasses of the SDK's
  ``_DictProxy``/``_ListProxy`` over the one shared conversion. A view wraps a child only when
  it is read (then caches it, so ``props["a"] is props["a"]`` as before), raises
  ``UnknownValueError`` on reading an unknown value with the same path, and on the first write (or
  ``props["__target"]``, the SDK's own escape hatch) materialises its own target exactly as the
  SDK's eager proxy would have built it, so a policy cannot disturb another's view. Assets and
  archives are copied per view (each policy had its own before).
- The conversion happens where the SDK's first conversion happened (at the first enabled policy
  that needs it), so a request that cannot be converted fails the same way, and not at all when
  no policy needs it. Violations, diagnostics, not-applicable entries, ``get_config()`` and the
  async and error paths are the SDK's own code, with the differences between SDK releases
  (stack tags since 1.19.0, severity since 1.20.0) detected once.
- A policy that declares the types it judges (``APPLIES_TO``, below) is skipped for other types,
  before its arguments are built: most policies of a pack judge a few types.
- The SDK configures the Pulumi runtime (config, project, stack, dry run) on every request; here
  again only when a variable it reads from the environment has changed.
- ``Remediate`` is inherited unchanged: the SDK already converts its request once, on purpose (one
  bag shared so that remediations compose).

``install()`` makes ``PolicyPack`` serve through this class when the installed pulumi-policy is one
of ``VERIFIED`` (the releases tests/test_convert_once.py and the differential test were run on);
on any other release it leaves the SDK alone and writes one line to stderr. Setting
``POLICY_PACK_STOCK_SDK=1`` keeps the SDK's own servicer (the benchmark's stock figures).

The module imports only the standard library and pulumi_policy (the no-op benchmark pack copies
it as is). Upstream, the same change is two edits to pulumi-policy: in ``policy.py`` convert once
before ``for policy in self.__policies`` (``Analyze``, ``AnalyzeStack``) and build each policy's
objects from that; in ``proxy.py`` make ``_DictProxy``/``_ListProxy`` the lazy copy-on-write views
below instead of copying the whole tree up front.
"""

from __future__ import annotations

import asyncio
import copy
import operator
import os
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from inspect import isawaitable, signature
from typing import Any, Final, TextIO

import pulumi
from google.protobuf import json_format
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, _append_prop, _DictProxy, _is_unknown, _ListProxy, _raise_if_unknown
from pulumi_policy.version import VERSION

# The pulumi-policy releases this adapter was verified against (identical responses to the SDK's
# own servicer on every test request). 1.18.1's policy.py is byte-identical to 1.18.0's, 1.21.0's to 1.20.0's.
VERIFIED: Final = frozenset({"1.18.0", "1.18.1", "1.19.0", "1.20.0", "1.21.0"})
STOCK_ENV: Final = "POLICY_PACK_STOCK_SDK"
SDK_SERVICER: Final = sdk._PolicyAnalyzerServicer  # the SDK's own class, kept before install() replaces it
_PRIVATE = "_PolicyAnalyzerServicer__"  # the SDK's private attributes, by their mangled names
_OWN_COPY = (pulumi.Asset, pulumi.Archive)  # mutable leaves: one copy per view
# A resource policy may carry ``applies_to(type_token) -> bool``, set only where its validate returns
# at once, reporting nothing, for the types it says no to (this pack's rules): Analyze then skips it
# for those types, as pulumi-policy's TypeScript ``validateResourceOfType`` skips other types.
APPLIES_TO: Final = "applies_to"
# What the SDK's _configure_runtime_settings reads (pulumi.runtime.get_config_env, Settings).
_RUNTIME_ENV: Final = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")
_MEMO: ContextVar[dict[str, Any] | None] = ContextVar("convert_once_request_memo", default=None)


def request_memo() -> dict[str, Any] | None:
    """A dict that lives as long as the AnalyzeStack request being served (None outside one, and
    on the SDK's own servicer): where the pack keeps what its stack policies may share because
    they only read it (``policies.core.stack.items_of``). Not part of the upstream change."""
    return _MEMO.get()


class _LazyView:
    """What both lazy views share: the shared converted node, the path to it, the children
    wrapped so far, and the view's own target once it has one."""

    __slots__ = ("_acc", "_children", "_own", "_shared")

    def _setup(self, shared: Any, props_acc: list[str]) -> None:
        self._shared: Any = shared
        self._acc: list[str] = props_acc
        self._children: dict[Any, Any] = {}
        self._own: Any = None

    def _adopt(self, key: Any, value: Any) -> Any:
        """This view's wrapper of a container (or copy of an asset) at ``key``, made once."""
        child = self._children.get(key)
        if child is None:
            if isinstance(value, dict):
                child = LazyDictProxy(value, _append_prop(self._acc, key))
            elif isinstance(value, list):
                child = LazyListProxy(value, _append_prop(self._acc, key))
            else:
                child = copy.deepcopy(value)
            self._children[key] = child
        return child

    def _peek(self, key: Any) -> Any:
        """What the SDK's eager proxy stores at ``key``: a wrapper, or the raw value (unknowns too)."""
        value = self._shared[key]
        return self._adopt(key, value) if isinstance(value, (dict, list, *_OWN_COPY)) else value

    def _target(self) -> Any:
        """This view's own target, built on first need as the SDK's eager proxy builds it."""
        if self._own is None:
            shared = self._shared
            self._own = {k: self._peek(k) for k in shared} if isinstance(shared, dict) else [self._peek(i) for i in range(len(shared))]
        return self._own

    def __len__(self) -> int:
        return len(self._own if self._own is not None else self._shared)


class LazyDictProxy(_LazyView, _DictProxy):
    """The SDK's ``_DictProxy`` over a shared node, wrapping children on first read (see above)."""

    def __init__(self, shared: dict[str, Any], props_acc: list[str]) -> None:
        self._setup(shared, props_acc)  # in place of the SDK's eager target

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return self._target()
        if self._own is not None:
            return _raise_if_unknown(key, self._own[key], self._acc)
        child = self._children.get(key)
        if child is not None:
            return child
        value = self._shared[key]
        if isinstance(value, (dict, list, *_OWN_COPY)):
            return self._adopt(key, value)
        if _is_unknown(value):
            raise UnknownValueError(value, _append_prop(self._acc, key))
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._target()[key] = value

    def __iter__(self) -> Iterator[Any]:
        return iter(self._own if self._own is not None else self._shared)


class LazyListProxy(_LazyView, _ListProxy):
    """The SDK's ``_ListProxy`` over a shared list, wrapping elements on first read (see above)."""

    def __init__(self, shared: list[Any], props_acc: list[str]) -> None:
        self._setup(shared, props_acc)

    def __getitem__(self, key: Any) -> Any:
        if key == "__target":
            return self._target()
        if self._own is not None:
            return _raise_if_unknown(key, self._own[key], self._acc)
        value = self._shared[key]  # the SDK's errors for a bad index or key
        if isinstance(key, slice):  # the SDK returns a plain list of its stored values
            return [self._peek(i) for i in range(*key.indices(len(self._shared)))]
        if isinstance(value, (dict, list, *_OWN_COPY)):
            index = operator.index(key)  # children are keyed and named by their position, as the SDK names them
            return self._adopt(index + len(self._shared) if index < 0 else index, value)
        if _is_unknown(value):
            raise UnknownValueError(value, _append_prop(self._acc, key))
        return value


class _Converted:
    """One resource of a request (``AnalyzeRequest`` or ``AnalyzerResource``), converted once,
    in the order the SDK converts it; each policy's objects are made from it."""

    __slots__ = ("message", "props", "provider", "servicer")

    def __init__(self, servicer: ConvertOnceServicer, message: Any) -> None:
        self.servicer = servicer
        self.message = message
        self.props = deserialize_properties(json_format.MessageToDict(message.properties))
        self.provider = None  # converted as the SDK's _get_provider_resource converts it
        if message.HasField("provider"):
            self.provider = deserialize_properties(json_format.MessageToDict(message.provider.properties))

    def view(self) -> LazyDictProxy:
        return LazyDictProxy(self.props, [])

    def options(self) -> sdk.PolicyResourceOptions:
        return self.servicer._get_resource_options(self.message)

    def provider_resource(self) -> sdk.PolicyProviderResource | None:
        if self.provider is None:
            return None
        prov = self.message.provider
        return sdk.PolicyProviderResource(prov.type, LazyDictProxy(self.provider, []), prov.urn, prov.name)

    def policy_resource(self) -> sdk.PolicyResource:
        m = self.message
        return _LazyResource(self, m.type, self.view(), m.urn, m.name, None, None, None, [], {})


_UNBUILT: Final = object()


class _LazyFields:
    """``opts`` and ``provider`` built from the conversion when first read, one per object as the
    SDK builds them up front (most policies never read them); assignable as before."""

    _source: _Converted
    _opts: Any
    _provider: Any

    def _defer(self, source: _Converted) -> None:
        self._source, self._opts, self._provider = source, _UNBUILT, _UNBUILT

    @property
    def opts(self) -> sdk.PolicyResourceOptions:
        if self._opts is _UNBUILT:
            self._opts = self._source.options()
        return self._opts

    @opts.setter
    def opts(self, value: sdk.PolicyResourceOptions) -> None:
        self._opts = value

    @property
    def provider(self) -> sdk.PolicyProviderResource | None:
        if self._provider is _UNBUILT:
            self._provider = self._source.provider_resource()
        return self._provider

    @provider.setter
    def provider(self, value: sdk.PolicyProviderResource | None) -> None:
        self._provider = value


class _LazyResource(_LazyFields, sdk.PolicyResource):
    """The SDK's ``PolicyResource`` of one policy, its ``opts`` and ``provider`` built when read."""

    def __init__(self, source: _Converted, *args: Any) -> None:
        super().__init__(*args)
        self._defer(source)


class _LazyArgs(_LazyFields, sdk.ResourceValidationArgs):
    """The SDK's ``ResourceValidationArgs`` of one policy, its ``opts`` and ``provider`` built when read."""

    def __init__(self, source: _Converted, *args: Any) -> None:
        super().__init__(*args)
        self._defer(source)


class _ConvertedStack:
    """An ``AnalyzeStackRequest`` converted once, with its links resolved once to positions the
    way the SDK resolves URNs (the last resource of a URN wins, unknown URNs are dropped)."""

    def __init__(self, servicer: ConvertOnceServicer, request: Any) -> None:
        self.resources = [_Converted(servicer, r) for r in request.resources]
        position = {r.urn: i for i, r in enumerate(request.resources)}
        self.links = [(position.get(r.parent),
                       [position[d] for d in r.dependencies if d in position],
                       [(k, [position[d] for d in v.urns if d in position]) for k, v in r.propertyDependencies.items()])
                      for r in request.resources]

    def policy_resources(self) -> list[sdk.PolicyResource]:
        """A fresh list for one policy, as the SDK builds one per policy."""
        resources = [c.policy_resource() for c in self.resources]
        for resource, (parent, dependencies, property_dependencies) in zip(resources, self.links):
            if parent is not None:
                resource.parent = resources[parent]
            resource.dependencies.extend(resources[i] for i in dependencies)
            for key, positions in property_dependencies:
                resource.property_dependencies[key] = [resources[i] for i in positions]
        return resources


class ConvertOnceServicer(sdk._PolicyAnalyzerServicer):
    """pulumi_policy's analyzer servicer, converting each request once for all its policies."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._with_severity = "severity" in signature(self._create_report_violation).parameters  # 1.20.0+
        self._with_stack_tags = hasattr(self, _PRIVATE + "stack_tags")  # 1.19.0+
        self._runtime_key: tuple[str | None, ...] | None = None

    def _configure_runtime_settings(self) -> None:
        """The SDK's, run again only when a variable it reads changed: it re-parses ``PULUMI_CONFIG``
        and re-inspects ``pulumi.runtime.Settings`` on every request, with the same outcome each time."""
        key = tuple(os.environ.get(name) for name in _RUNTIME_ENV)
        if key != self._runtime_key:
            super()._configure_runtime_settings()
            self._runtime_key = key

    def _sdk(self, name: str) -> Any:
        return getattr(self, _PRIVATE + name)

    def _report(self, response: Any, policy: Any, level: sdk.EnforcementLevel) -> Callable[..., None]:
        extra = (policy.severity,) if self._with_severity else ()
        return self._create_report_violation(response, policy.name, policy.description, level, *extra)

    def _tags(self) -> tuple[Any, ...]:
        return (self._sdk("stack_tags"),) if self._with_stack_tags else ()

    def _enabled(self, kind: type) -> Iterator[tuple[Any, sdk.EnforcementLevel]]:
        """The policies of ``kind`` that are not disabled, with their levels, in the SDK's order."""
        for policy in self._sdk("policies"):
            level = self._get_enforcement_level(policy)
            if level != sdk.EnforcementLevel.DISABLED and isinstance(policy, kind):
                yield policy, level

    def Analyze(self, request: Any, _context: Any) -> Any:  # noqa: N802 - the gRPC method
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        converted: _Converted | None = None
        for policy, level in self._enabled(sdk.ResourceValidationPolicy):
            if not policy.has_validation():
                response.not_applicable.append(sdk.proto.PolicyNotApplicable(
                    policy_name=policy.name, reason="Policy does not implement validate"))
                continue
            applies_to = getattr(policy, APPLIES_TO, None)
            if applies_to is not None and not applies_to(request.type):
                continue  # its validate would return at once: nothing built, nothing called
            if level == sdk.EnforcementLevel.REMEDIATE:
                level = sdk.EnforcementLevel.MANDATORY  # as the SDK: a remaining violation is mandatory
            report_violation = self._report(response, policy, level)
            if converted is None:
                converted = _Converted(self, request)
            args = _LazyArgs(converted, request.type, converted.view(), request.urn, request.name, None, None,
                             self._get_policy_config(policy.name), *self._tags())
            self._run(policy, args, report_violation, response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:  # noqa: N802 - the gRPC method
        self._configure_runtime_settings()
        response = sdk.proto.AnalyzeResponse()
        stack: _ConvertedStack | None = None
        token = _MEMO.set({})
        try:
            for policy, level in self._enabled(sdk.StackValidationPolicy):
                if level == sdk.EnforcementLevel.REMEDIATE:
                    level = sdk.EnforcementLevel.MANDATORY  # as the SDK: stack policies cannot remediate
                report_violation = self._report(response, policy, level)
                if stack is None:
                    stack = _ConvertedStack(self, request)
                args = sdk.StackValidationArgs(stack.policy_resources(), self._get_policy_config(policy.name), *self._tags())
                self._run(policy, args, report_violation, response)
        finally:
            _MEMO.reset(token)
        return response

    def _run(self, policy: Any, args: Any, report_violation: Callable[..., None], response: Any) -> None:
        """One policy's validation and its outcome, as in the SDK's loops."""
        try:
            result = policy.validate(args, report_violation)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                task: asyncio.Task[Any] = asyncio.Task(result, loop=loop)  # type: ignore[arg-type]
                loop.run_until_complete(task)
                loop.close()
        except UnknownValueError as e:
            name, version = self._sdk("policy_pack_name"), self._sdk("policy_pack_version")
            response.diagnostics.append(sdk.proto.AnalyzeDiagnostic(
                policyName=policy.name,
                policyPackName=name,
                policyPackVersion=version,
                message=f"can't run policy '{policy.name}' from policy pack '{name}@v{version}' during preview: {e.message}",
                urn="",
                description=policy.description,
                enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
            ))
        except sdk._NotApplicableError as e:
            response.not_applicable.append(sdk.proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or ""))


def install(log: TextIO | None = None) -> bool:
    """Make ``PolicyPack`` serve through ``ConvertOnceServicer``; True when it will. On a
    pulumi-policy release not in ``VERIFIED`` the SDK is left alone and one line says so."""
    if os.environ.get(STOCK_ENV) == "1":
        return False
    if VERSION not in VERIFIED:
        print(f"pulumi-policy {VERSION} is not a release the convert-once adapter was verified with "
              f"({', '.join(sorted(VERIFIED))}): the SDK's own servicer runs (each policy converts each request)",
              file=log or sys.stderr, flush=True)
        return False
    sdk._PolicyAnalyzerServicer = ConvertOnceServicer  # type: ignore[misc]
    return True
