"""Resource transforms, run as the engine runs them (pulumi/pulumi
``pkg/resource/deploy/source_eval.go``, ``resmon.RegisterResource`` and ``wrapTransformCallback``).

The SDK does not run ``ResourceOptions(transforms=...)`` or ``register_resource_transform``
itself: it registers each function with its callbacks service and sends the engine a
``Callback`` (target, token). The engine, before the resource becomes a goal, calls the
resource's own callbacks, then each ancestor's own (walking the parents it recorded), then the
stack's registered ones, in that order, each with a ``TransformRequest`` in wire form and
keeping whatever the ``TransformResponse`` carries. The SDK's mock monitor records callbacks
and runs none of them; this module runs them:

- Properties are sent as the engine marshals them: secrets and unknowns as output values
  (``UnmarshalProperties`` with ``UpgradeToOutputValues``), and, for a resource with transforms
  of its own, each top-level value with property dependencies as an output value carrying them
  (``upgradeOutputValues``: its body is not in the copy of the engine read, so the gate wraps
  the value whole). Options are the request's (``TransformResourceOptions``).
- Afterwards, for a resource with transforms of its own, dependencies are ``depends_on`` of the
  final options plus the output values' dependencies, and property dependencies are rebuilt from
  the output values in the final properties; otherwise only the output values' dependencies are
  added. Output values are then downgraded (``downgradeOutputValues``) to plain values, secrets
  and unknowns, and the options the engine reads from the final ``opts`` replace the request's.
- A callback is invoked through the SDK's callbacks service: its ``Invoke`` handler gets the
  engine's ``CallbackInvokeRequest`` bytes and answers the ``CallbackInvokeResponse`` the engine
  reads. The gate calls the handler on the program's event loop rather than through the
  service's socket, so registrations reach the monitor in the same order on every run.

Registration RPCs run inline on the event loop (``execution._InlineExecutor``), which must be
free while a callback runs: the monitor raises ``Deferred`` with the transform work, the
executor runs it as a task and then calls the monitor again with the transformed request.
"""

from __future__ import annotations

import re
from collections.abc import Coroutine
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import alias_pb2, resource_pb2

from ..wire import OUTPUT_SIG, SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_SENTINELS
from .faults import EngineError


class Deferred(Exception):
    """Raised by the monitor for a registration whose transforms have not run yet."""

    def __init__(self, work: Coroutine[Any, Any, None]) -> None:
        super().__init__("registration deferred until its transforms have run")
        self.work = work


class TransformFailed(EngineError):
    """A transform callback raised; the engine fails the registration (and the program)."""


class _Context:
    """The gRPC servicer context the callbacks handler aborts through."""

    def abort(self, code: Any, details: str) -> None:
        # "Invoke callback <token> error: <exception text>:", then the transform's traceback
        first = (details.strip().splitlines() or [str(code)])[0]
        raise TransformFailed("transform failed: " + re.sub(r"^Invoke callback \S+ error: ", "", first).rstrip(":"))


class Transforms:
    """The callbacks the program registered and the engine's record of who registered what."""

    def __init__(self) -> None:
        self._stack: list[Any] = []  # Callback messages, in registration order
        self._own: dict[str, list[Any]] = {}  # URN -> the resource's own callbacks
        self._parents: dict[str, str] = {}  # URN -> parent URN
        self._done: dict[int, Any] = {}  # id(request) -> request, once its transforms ran

    def register_stack(self, callback: Any) -> None:
        self._stack.append(callback)

    def registered(self, request: Any, urn: str) -> None:
        """The registration completed: remember its own callbacks and parent, as the engine does."""
        self._own[urn] = list(getattr(request, "transforms", []))
        self._parents[urn] = request.parent
        self._done.pop(id(request), None)

    def defer(self, request: Any) -> None:
        """Raise ``Deferred`` when the request has transforms that have not run yet."""
        if id(request) in self._done:
            return
        chain = list(getattr(request, "transforms", []))
        parent = request.parent
        while parent:
            chain += self._own.get(parent, [])
            parent = self._parents.get(parent, "")
        chain += self._stack
        if chain:
            raise Deferred(self._run(request, chain))

    async def _run(self, request: Any, chain: list[Any]) -> None:
        own = bool(request.transforms)
        by_key = {k: list(v.urns) for k, v in request.propertyDependencies.items()}
        props = _upgrade(json_format.MessageToDict(request.object))
        if not by_key and not request.remote:  # the engine's backfill for SDKs that send none
            by_key = {k: list(request.dependencies) for k in props}
        if own:
            props = {k: _with_dependencies(v, by_key.get(k, [])) for k, v in props.items()}
        options = _options(request)
        for callback in chain:
            message = resource_pb2.TransformRequest(
                type=request.type, name=request.name, custom=request.custom, parent=request.parent,
                properties=_struct(props), options=options)
            answer = resource_pb2.TransformResponse.FromString(await _invoke(callback, message.SerializeToString()))
            if answer.HasField("options"):
                options = answer.options
            if answer.HasField("properties"):
                props = json_format.MessageToDict(answer.properties)
        _apply(request, props, options, own, by_key)
        self._done[id(request)] = request


async def _invoke(callback: Any, payload: bytes) -> bytes:
    # Imported here: SDKs without transforms (3.100) have neither module.
    from pulumi.runtime._callbacks import _CallbackServicer
    from pulumi.runtime.proto import callback_pb2

    servicer = next((s for s in _CallbackServicer._servicers if s._target == callback.target), None)
    if servicer is None:
        raise TransformFailed(f"no callbacks service at {callback.target}")
    try:
        response = await servicer.Invoke(callback_pb2.CallbackInvokeRequest(token=callback.token, request=payload),
                                         _Context())
    except TransformFailed:
        raise
    except Exception as exc:  # older SDKs let the transform's exception through
        raise TransformFailed(f"transform failed: {type(exc).__name__}: {exc}") from exc
    return bytes(response.response)


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(values, struct_pb2.Struct())


def _options(request: Any) -> Any:
    """``TransformResourceOptions`` as the engine builds it from the request."""
    aliases = [alias_pb2.Alias(urn=urn) for urn in request.aliasURNs] + list(request.aliases)
    options = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies), protect=request.protect, ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges), version=request.version, aliases=aliases,
        provider=request.provider or request.providers.get(request.type.split(":")[0], ""),
        providers=dict(request.providers), plugin_download_url=request.pluginDownloadURL,
        retain_on_delete=request.retainOnDelete, deleted_with=request.deletedWith,
        additional_secret_outputs=list(request.additionalSecretOutputs), plugin_checksums=dict(request.pluginChecksums))
    if request.HasField("customTimeouts"):
        options.custom_timeouts.CopyFrom(request.customTimeouts)
    if request.deleteBeforeReplaceDefined or request.deleteBeforeReplace:
        options.delete_before_replace = request.deleteBeforeReplace
    return options


def _apply(request: Any, props: dict[str, Any], options: Any, own: bool, by_key: dict[str, list[str]]) -> None:
    """Write the transformed properties and options back into the request, as the engine builds
    the goal from them."""
    if own:
        deps = {k: _output_dependencies(v) for k, v in props.items()}
        dependencies = set(options.depends_on).union(*deps.values())
    else:
        deps = {k: set(by_key.get(k, [])) | _output_dependencies(v) for k, v in props.items()}
        dependencies = set(request.dependencies)
    request.object.CopyFrom(_struct(_downgrade(props)))
    del request.dependencies[:]
    request.dependencies.extend(sorted(dependencies))
    request.propertyDependencies.clear()
    for key, urns in deps.items():
        if urns:
            request.propertyDependencies[key].urns.extend(sorted(urns))
    request.protect = options.protect
    _replace(request.ignoreChanges, options.ignore_changes)
    _replace(request.replaceOnChanges, options.replace_on_changes)
    _replace(request.additionalSecretOutputs, options.additional_secret_outputs)
    del request.aliasURNs[:]
    del request.aliases[:]
    request.aliases.extend(options.aliases)
    request.version, request.provider = options.version, options.provider
    request.providers.clear()
    request.providers.update(dict(options.providers))
    request.pluginDownloadURL, request.deletedWith = options.plugin_download_url, options.deleted_with
    request.retainOnDelete = options.retain_on_delete
    if options.HasField("custom_timeouts"):
        request.customTimeouts.CopyFrom(options.custom_timeouts)
    else:
        request.ClearField("customTimeouts")
    request.deleteBeforeReplaceDefined = options.HasField("delete_before_replace")
    request.deleteBeforeReplace = options.delete_before_replace


def _replace(field: Any, values: Any) -> None:
    del field[:]
    field.extend(values)


# -- output values ------------------------------------------------------------------------------

def _is_output(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == OUTPUT_SIG


def _upgrade(value: Any) -> Any:
    """Secrets and unknowns as output values (``rpc.go``, ``UpgradeToOutputValues``)."""
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return {SIG_KEY: OUTPUT_SIG}
    if isinstance(value, list):
        return [_upgrade(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get(SIG_KEY) == SECRET_SIG:
        return {SIG_KEY: OUTPUT_SIG, "secret": True, "value": _upgrade(value.get("value"))}
    if SIG_KEY in value:
        return value  # a resource reference, asset or archive travels as it is
    return {k: _upgrade(v) for k, v in value.items()}


def _with_dependencies(value: Any, urns: list[str]) -> Any:
    """A top-level value with property dependencies as an output value carrying them."""
    if not urns:
        return value
    if _is_output(value):
        return {**value, "dependencies": sorted(set(value.get("dependencies", [])) | set(urns))}
    return {SIG_KEY: OUTPUT_SIG, "value": value, "dependencies": sorted(set(urns))}


def _output_dependencies(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= _output_dependencies(item)
    elif isinstance(value, dict):
        if _is_output(value):
            found |= {str(d) for d in value.get("dependencies", [])}
        for item in value.values():
            found |= _output_dependencies(item)
    return found


def _downgrade(value: Any) -> Any:
    """Output values as plain values, secrets and unknowns (``downgradeOutputValues``)."""
    if isinstance(value, list):
        return [_downgrade(v) for v in value]
    if not isinstance(value, dict):
        return value
    if _is_output(value):
        inner = _downgrade(value["value"]) if "value" in value else UNKNOWN
        return {SIG_KEY: SECRET_SIG, "value": inner} if value.get("secret") else inner
    return {k: _downgrade(v) for k, v in value.items()}
