"""The SDK's mock monitor, recording each registration the way the engine stores it.

Requests are read in wire form (the SDK has already serialised secrets and, in preview,
unknowns), so nothing is deserialised into live SDK objects inside the monitor. The capture
it returns is one JSON document: the stack's resources with their inputs, outputs, parent,
dependencies, property dependencies, provider, options and source line.

A registration goes the engine's way (pulumi/pulumi ``pkg/resource/deploy/source_eval.go``,
``step_generator.go``): its transforms run (``transforms``), a URN seen before fails the
program, the provider's Check fills its defaults (``check``; the recorded inputs are the
checked ones, what Remediate and Analyze get), then the remediations the analysis found
(``RunSpec.remediations``) are applied to what the mock provider deploys. A read
(``ReadResource``) is recorded as external: no transforms, no Check, no analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.mocks import MockCallArgs, MockMonitor
from pulumi.runtime.proto import provider_pb2, resource_pb2, resource_pb2_grpc

from .. import wire
from ..wire import PROVIDER_TYPE_PREFIX, STACK_TYPE, is_secret, secret, without_references
from .check import ProviderCheck, deployed_inputs
from .faults import EngineError
from .mocks import AzureMocks, CaptureResourceArgs, output_names
from .sources import resource_source
from .spec import RunSpec
from .transforms import Deferred, Transforms
from .values import guid

CAPTURE_VERSION = 1
# Invoke's response message: resource.proto's own in newer SDKs, provider.proto's in older ones (3.142, 3.100).
_INVOKE_RESPONSE: Any = getattr(resource_pb2, "ResourceInvokeResponse", None) or provider_pb2.InvokeResponse

_P = ParamSpec("_P")
_T = TypeVar("_T")


class MockError(Exception):
    """A failure inside the gate's own monitor or mocks (runner exit 4), not in the user's program."""


def _to_wire(struct: struct_pb2.Struct) -> dict[str, Any]:
    return cast("dict[str, Any]", json_format.MessageToDict(struct))


def _to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(values, struct_pb2.Struct())


def _sorted_bag(value: Any) -> Any:
    """Protobuf maps do not keep insertion order: sort keys so captures are byte-identical."""
    if isinstance(value, dict):
        return {k: _sorted_bag(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_bag(v) for v in value]
    return value


def _guarded(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Report a failure inside the monitor as the gate's, not as the program's."""

    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except (MockError, EngineError, Deferred):
            raise
        except Exception as exc:
            raise MockError(f"{method.__name__}: {type(exc).__name__}: {exc}") from exc

    wrapper.__name__ = method.__name__
    return wrapper


class CaptureMonitor(MockMonitor, resource_pb2_grpc.ResourceMonitorStub):
    """See the module docstring. A ``ResourceMonitorStub`` too (its ``__init__`` is not run):
    older SDKs (3.142 to 3.250 at least; 3.272 no longer checks) start their callbacks service,
    which transforms need, only for such a monitor (``settings._get_callbacks``)."""

    def __init__(self, mocks: AzureMocks, spec: RunSpec) -> None:
        MockMonitor.__init__(self, mocks)
        self.azure_mocks = mocks
        self.spec = spec
        self.records: dict[str, dict[str, Any]] = {}  # by URN, in registration order
        self._default_providers: dict[tuple[str, str], str] = {}  # (package, version) -> ref
        self.program_dir = spec.directory_path.resolve()
        self.export_sources: dict[str, dict[str, Any]] = {}  # export name -> its pulumi.export line
        self.export_values: dict[str, Any] = {}  # export name -> the value the program exported (runner.exports)
        self.transforms = Transforms()
        self._check = ProviderCheck(self.records)

    def urn(self, parent: str, type_: str, name: str) -> str:
        return wire.urn(self.spec.stack, self.spec.project, parent, type_, name)

    @_guarded
    def RegisterStackTransform(self, request: Any) -> empty_pb2.Empty:  # noqa: N802
        self.transforms.register_stack(request)
        return empty_pb2.Empty()

    @_guarded
    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:  # noqa: N802
        self.transforms.defer(request)
        urn = self._new_urn(request)
        inputs = _to_wire(request.object)
        if request.type == STACK_TYPE:
            self.records[urn] = self._record(request, urn, "", "", inputs, {})
            self.transforms.registered(request, urn)
            return resource_pb2.RegisterResourceResponse(urn=urn)
        provider = self._provider_ref(request)
        if request.custom:  # the provider gets ids, not references (azure-native accepts none)
            inputs = without_references(inputs)
        inputs = self._check(request, urn, inputs, self.records.get(provider.rsplit("::", 1)[0]))
        deployed = deployed_inputs(inputs, self.spec.remediations.get(urn))
        resource_id, outputs = self._new_resource(request, urn, deployed, provider, request.importId)
        self.records[urn] = self._record(request, urn, resource_id, provider, inputs, outputs)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        self.transforms.registered(request, urn)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource_id, object=_to_struct(outputs)
        )

    @_guarded
    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:  # noqa: N802
        urn = self._new_urn(request)
        inputs = _to_wire(request.properties)
        provider = self._provider_ref(request)
        resource_id, outputs = self._new_resource(request, urn, inputs, provider, request.id)
        self.records[urn] = {**self._record(request, urn, resource_id, provider, inputs, outputs), "external": True}
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_to_struct(outputs))

    def _new_urn(self, request: Any) -> str:
        """The request's URN, which no registration or read may have taken before
        (``step_generator.go`` ``generateURN``; the text is ``diag.GetDuplicateResourceURNError``)."""
        urn = self.urn(request.parent, request.type, request.name)
        if urn in self.records:
            raise EngineError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        return urn

    @_guarded
    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:  # noqa: N802
        # The stack's exports and a component's registered outputs replace its outputs.
        record = self.records.get(request.urn)
        if record is not None:
            record["outputs"] = _sorted_bag(_to_wire(request.outputs))
        return empty_pb2.Empty()

    @_guarded
    def Invoke(self, request: Any) -> resource_pb2.ResourceInvokeResponse:  # noqa: N802
        args = _to_wire(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            record = self.records.get(str(args.get("urn")))
            if record is None:
                raise MockError(f"unknown resource {args.get('urn')}")
            ret = {"urn": record["urn"], "id": record["id"], "state": record["outputs"]}
            return _INVOKE_RESPONSE(**{"return": _to_struct(ret)})
        result, failures = self.azure_mocks.call(
            MockCallArgs(token=request.tok, args=args, provider=request.provider)
        )
        checks = [provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures or []]
        return _INVOKE_RESPONSE(failures=checks, **{"return": _to_struct(result)})

    # -- helpers ------------------------------------------------------------------------------

    def _new_resource(
        self, request: Any, urn: str, inputs: dict[str, Any], provider: str, resource_id: str
    ) -> tuple[str, dict[str, Any]]:
        custom = getattr(request, "custom", True)  # ReadResource is always custom
        args = CaptureResourceArgs(
            urn,
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=provider,
            resource_id=resource_id,
            custom=custom,
        )
        new_id, state = self.azure_mocks.new_resource(args)
        return new_id or "", self._mark_secrets(request, inputs, state)

    @staticmethod
    def _mark_secrets(
        request: Any, inputs: dict[str, Any], outputs: dict[str, Any]
    ) -> dict[str, Any]:
        """An output is secret when its input was, or when additionalSecretOutputs names it."""
        keys = set(request.additionalSecretOutputs) | {k for k, v in inputs.items() if is_secret(v)}
        return {k: secret(v) if k in keys else v for k, v in outputs.items()}

    def _provider_ref(self, request: Any) -> str:
        """The request's provider, or the default provider the engine would create for it."""
        custom = getattr(request, "custom", True)
        if request.provider or not custom or request.type.startswith(PROVIDER_TYPE_PREFIX):
            return str(request.provider) if custom or getattr(request, "remote", False) else ""
        package = request.type.split(":")[0]
        key = (package, request.version)
        if key not in self._default_providers:
            self._default_providers[key] = self._add_default_provider(package, request.version)
        return self._default_providers[key]

    def _add_default_provider(self, package: str, version: str) -> str:
        name = "default_" + version.replace(".", "_") if version else "default"
        urn = self.urn("", PROVIDER_TYPE_PREFIX + package, name)
        provider_id = guid("default-provider", urn)
        # A default provider's inputs are the stack's config for its package (``source_eval.go``
        # ``newRegisterDefaultProviderEvent``: ``GetPackageConfig``), plus its version.
        props: dict[str, Any] = {k.split(":", 1)[1]: v for k, v in sorted(self.spec.config.items())
                                 if k.split(":", 1)[0] == package}
        if version:
            props["version"] = version
        self.records[urn] = {
            **_empty_record(urn, PROVIDER_TYPE_PREFIX + package, name),
            "id": provider_id,
            "inputs": dict(props),
            "outputs": dict(props),
        }
        return f"{urn}::{provider_id}"

    def _record(
        self,
        request: Any,
        urn: str,
        resource_id: str,
        provider: str,
        inputs: dict[str, Any],
        outputs: dict[str, Any],
    ) -> dict[str, Any]:
        registering = isinstance(request, resource_pb2.RegisterResourceRequest)
        record = _empty_record(urn, request.type, request.name)
        record.update(
            custom=bool(request.custom) if registering else True,
            id=resource_id,
            parent=request.parent,
            provider=provider,
            inputs=_sorted_bag(inputs),
            outputs=_sorted_bag(outputs),
            dependencies=sorted(set(request.dependencies)),
            additionalSecretOutputs=list(request.additionalSecretOutputs),
            source=None if request.type == STACK_TYPE else resource_source(request, self.program_dir),
            outputNames=output_names(request.type),
        )
        if registering:
            record.update(
                propertyDependencies={
                    k: sorted(set(v.urns)) for k, v in sorted(request.propertyDependencies.items())
                },
                protect=bool(request.protect),
                ignoreChanges=list(request.ignoreChanges),
                aliases=self._aliases(request),
                deleteBeforeReplace=(
                    request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
                ),
                customTimeouts=_custom_timeouts(request),
            )
        return record

    def _aliases(self, request: Any) -> list[str]:
        urns = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.WhichOneof("alias") == "urn":
                urns.append(alias.urn)
                continue
            spec = alias.spec
            parent_kind = spec.WhichOneof("parent")
            parent = (
                ""
                if parent_kind == "noParent"
                else spec.parentUrn
                if parent_kind == "parentUrn"
                else request.parent
            )
            urns.append(
                wire.urn(
                    spec.stack or self.spec.stack,
                    spec.project or self.spec.project,
                    parent,
                    spec.type or request.type,
                    spec.name or request.name,
                )
            )
        return list(dict.fromkeys(urns))

    @property
    def root_urn(self) -> str:
        """The root stack's URN (registered by ``run_in_stack``), else the one it would have."""
        return next((r["urn"] for r in self.records.values() if r["type"] == STACK_TYPE and not r["parent"]),
                    wire.root_stack_urn(self.spec.stack, self.spec.project))

    def capture(self) -> dict[str, Any]:
        records = list(self.records.values())
        records.sort(key=lambda r: r["type"] != STACK_TYPE or bool(r["parent"]))  # stable
        return {
            "version": CAPTURE_VERSION,
            "project": self.spec.project,
            "stack": self.spec.stack,
            "organization": self.spec.organization,
            "dryRun": self.spec.preview,
            "resources": records,
            "exportSources": dict(sorted(self.export_sources.items())),
        }


def _custom_timeouts(request: resource_pb2.RegisterResourceRequest) -> dict[str, str] | None:
    if not request.HasField("customTimeouts"):
        return None
    timeouts = request.customTimeouts
    return {"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete}


def _empty_record(urn: str, type_: str, name: str) -> dict[str, Any]:
    return {
        "urn": urn,
        "type": type_,
        "name": name,
        "custom": True,
        "id": "",
        "parent": "",
        "provider": "",
        "inputs": {},
        "outputs": {},
        "dependencies": [],
        "propertyDependencies": {},
        "protect": False,
        "ignoreChanges": [],
        "additionalSecretOutputs": [],
        "aliases": [],
        "deleteBeforeReplace": None,
        "customTimeouts": None,
        "source": None,
        "outputNames": None,  # the type's real output properties (see mocks.output_names)
        "external": False,
    }

