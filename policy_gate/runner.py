"""Child-process entry point: run a Pulumi Python program under the SDK's mock monitor.

    python -m policy_gate.runner PROGRAM_DIR --out-fd N [--stack NAME] [--preview]
                                 [--organization ORG]

The program runs as the Python language host runs it (working directory, ``sys.path[0]``,
``runpy`` as ``__main__``, inside ``run_in_stack``), but against ``CaptureMonitor`` instead of
the engine. Every registration is recorded as the engine would record it, and the capture
(one JSON document) is written to file descriptor N. Exit codes: 0 success, 2 bad program
directory or arguments, 3 the program failed, 4 an internal error of the gate's mocks.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import copy
import json
import logging
import os
import runpy
import sys
import traceback
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import pulumi
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import run_in_stack, set_config, set_mocks, settings
from pulumi.runtime.mocks import MockCallArgs, MockMonitor
from pulumi.runtime.proto import provider_pb2, resource_pb2

from policies.types import canonical

from .mocks import AzureMocks, CaptureResourceArgs, guid, is_secret, secret

EXIT_OK, EXIT_USAGE, EXIT_PROGRAM, EXIT_INTERNAL = 0, 2, 3, 4
STACK_TYPE = "pulumi:pulumi:Stack"
CAPTURE_VERSION = 1

_P = ParamSpec("_P")
_T = TypeVar("_T")


class UsageError(Exception):
    """Bad arguments or program directory (exit 2)."""


class MockError(Exception):
    """A failure inside the gate's own monitor or mocks (exit 4), not in the user's program."""


class ProgramFailed(Exception):
    """The user's program raised (exit 3); ``error`` is what it raised."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


# ---------------------------------------------------------------------------------------------
# The project


@dataclass(frozen=True)
class Project:
    name: str
    directory: Path  # where Pulumi.yaml is: source paths are relative to it
    entry: Path  # the __main__.py (or the file `main` names)
    config: dict[str, Any] = field(default_factory=dict)  # Pulumi.yaml `config:` block


def load_project(directory: Path) -> Project:
    if not directory.is_dir():
        raise UsageError(f"program directory {directory} does not exist")
    manifest = _read_yaml(directory / "Pulumi.yaml")
    if manifest is None:
        raise UsageError(f"{directory} is not a Pulumi project (no Pulumi.yaml)")
    name = manifest.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{directory / 'Pulumi.yaml'} has no project name")
    runtime = manifest.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(f"project {name} has runtime {runtime_name!r}; only python can run")
    main = manifest.get("main")
    base = directory / main if isinstance(main, str) and main else directory
    entry = base / "__main__.py" if base.is_dir() else base
    if not entry.is_file():
        raise UsageError(f"program entry {entry} does not exist")
    config = manifest.get("config")
    return Project(name, directory, entry, config if isinstance(config, dict) else {})


def _read_yaml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(f"cannot read {path}: {first}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path} must be a YAML mapping")
    return data


def load_config(project: Project, stack: str) -> dict[str, str]:
    """Config as the language host passes it: ``project:key`` -> string (JSON for objects)."""
    raw: dict[str, Any] = {}
    for key, spec in project.config.items():  # project-level defaults
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            raw[key] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict) or "type" not in spec:
            raw[key] = spec
    stack_file = _read_yaml(project.directory / f"Pulumi.{stack}.yaml") or {}
    stack_values = stack_file.get("config") or {}
    if not isinstance(stack_values, dict):
        raise UsageError(f"Pulumi.{stack}.yaml: `config` must be a mapping")
    raw.update(stack_values)
    config = {}
    for key, value in raw.items():
        full_key = str(key) if ":" in str(key) else f"{project.name}:{key}"
        if _has_secure(value):
            _warn(f"config {full_key} is encrypted and cannot be read offline; treated as unset")
        elif value is not None:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# The monitor


def _to_wire(struct: struct_pb2.Struct) -> dict[str, Any]:
    return cast("dict[str, Any]", json_format.MessageToDict(struct))


def _to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(values, struct_pb2.Struct())


def make_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's URN: a child's type is qualified by its parent's type chain, except for
    children of the root stack (the SDK's MockMonitor.make_urn qualifies those too)."""
    parent_type = parent.split("::")[2] if parent.count("::") >= 3 else ""
    if parent_type and parent_type != STACK_TYPE:
        type_ = parent_type + "$" + type_
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


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
        except MockError:
            raise
        except Exception as exc:
            raise MockError(f"{method.__name__}: {type(exc).__name__}: {exc}") from exc

    wrapper.__name__ = method.__name__
    return wrapper


class CaptureMonitor(MockMonitor):
    """The SDK's mock monitor, recording each registration the way the engine stores it.

    Requests are read in wire form (the SDK has already serialised secrets and, in preview,
    unknowns), so nothing is deserialised into live SDK objects inside the monitor.
    """

    def __init__(self, mocks: AzureMocks, project: Project, stack: str) -> None:
        super().__init__(mocks)
        self.azure_mocks = mocks
        self.project = project
        self.stack = stack
        self.records: dict[str, dict[str, Any]] = {}  # by URN, in registration order
        self._default_providers: dict[tuple[str, str], str] = {}  # (package, version) -> ref
        self._program_dir = project.directory.resolve()

    def urn(self, parent: str, type_: str, name: str) -> str:
        return make_urn(self.stack, self.project.name, parent, type_, name)

    @_guarded
    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:  # noqa: N802
        urn = self.urn(request.parent, request.type, request.name)
        inputs = _to_wire(request.object)
        if request.type == STACK_TYPE:
            self.records[urn] = self._record(request, urn, "", "", inputs, {})
            return resource_pb2.RegisterResourceResponse(urn=urn)
        provider = self._provider_ref(request)
        resource_id, outputs = self._new_resource(request, urn, inputs, provider, request.importId)
        self.records[urn] = self._record(request, urn, resource_id, provider, inputs, outputs)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource_id, object=_to_struct(outputs)
        )

    @_guarded
    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:  # noqa: N802
        urn = self.urn(request.parent, request.type, request.name)
        inputs = _to_wire(request.properties)
        provider = self._provider_ref(request)
        resource_id, outputs = self._new_resource(request, urn, inputs, provider, request.id)
        self.records[urn] = self._record(request, urn, resource_id, provider, inputs, outputs)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, outputs)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=_to_struct(outputs))

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
            return resource_pb2.ResourceInvokeResponse(**{"return": _to_struct(ret)})
        result, failures = self.azure_mocks.call(
            MockCallArgs(token=request.tok, args=args, provider=request.provider)
        )
        checks = [provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures or []]
        return resource_pb2.ResourceInvokeResponse(
            failures=checks, **{"return": _to_struct(result)}
        )

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
        if request.provider or not custom or request.type.startswith("pulumi:providers:"):
            return str(request.provider) if custom or getattr(request, "remote", False) else ""
        package = request.type.split(":")[0]
        key = (package, request.version)
        if key not in self._default_providers:
            self._default_providers[key] = self._add_default_provider(package, request.version)
        return self._default_providers[key]

    def _add_default_provider(self, package: str, version: str) -> str:
        name = "default_" + version.replace(".", "_") if version else "default"
        urn = self.urn("", f"pulumi:providers:{package}", name)
        provider_id = guid("default-provider", urn)
        props = {"version": version} if version else {}
        self.records[urn] = {
            **_empty_record(urn, f"pulumi:providers:{package}", name),
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
            source=None if request.type == STACK_TYPE else self._source(request),
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
                make_urn(
                    spec.stack or self.stack,
                    spec.project or self.project.name,
                    parent,
                    spec.type or request.type,
                    spec.name or request.name,
                )
            )
        return list(dict.fromkeys(urns))

    def _source(self, request: Any) -> dict[str, Any] | None:
        """The program line that declared the resource: the SDK's source position, or else the
        innermost stack frame in the program directory (a helper library's line is less use)."""
        positions = [request.sourcePosition] if request.HasField("sourcePosition") else []
        positions += [f.pc for f in request.stackTrace.frames if f.HasField("pc")]
        for position in positions:
            relative = self._program_relative(position.uri)
            if relative is not None:
                return {"file": relative, "line": position.line}
        if positions:
            return {"file": _uri_path(positions[0].uri), "line": positions[0].line}
        return None

    def _program_relative(self, uri: str) -> str | None:
        path = Path(_uri_path(uri))
        try:
            relative = path.resolve().relative_to(self._program_dir)
        except (ValueError, OSError):
            return None
        return None if "site-packages" in relative.parts else relative.as_posix()

    def capture(self, organization: str, preview: bool) -> dict[str, Any]:
        records = list(self.records.values())
        records.sort(key=lambda r: r["type"] != STACK_TYPE or bool(r["parent"]))  # stable
        return {
            "version": CAPTURE_VERSION,
            "project": self.project.name,
            "stack": self.stack,
            "organization": organization,
            "dryRun": preview,
            "resources": records,
        }


def _custom_timeouts(request: resource_pb2.RegisterResourceRequest) -> dict[str, str] | None:
    if not request.HasField("customTimeouts"):
        return None
    timeouts = request.customTimeouts
    return {"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete}


def _uri_path(uri: str) -> str:
    parsed = urllib.parse.urlparse(uri)
    return urllib.request.url2pathname(parsed.path) if parsed.scheme == "file" else uri


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
    }


# ---------------------------------------------------------------------------------------------
# Running the program


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs the SDK's ``run_in_executor`` work (every monitor call) at once on the loop thread.

    With the default thread pool, concurrent registrations reach the monitor in an order that
    varies from run to run; the capture has to be byte-identical.
    """

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 handed to the awaiting coroutine
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class Options:
    stack: str
    preview: bool
    organization: str


def run_program(project: Project, config: dict[str, str], options: Options) -> dict[str, Any]:
    """Run the program to completion and return the capture; the program's error propagates."""
    mocks = AzureMocks(options.preview)
    monitor = CaptureMonitor(mocks, project, options.stack)
    _configure_sdk(mocks, monitor, project, options)
    for key, value in config.items():
        set_config(key, value)
    workdir = project.entry.parent
    os.chdir(workdir)
    sys.path.insert(0, str(workdir))
    sys.argv = [str(project.entry)]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(_InlineExecutor())
    # Failed runs leave tasks whose errors asyncio would print as tracebacks at exit.
    loop.set_exception_handler(lambda _loop, _context: None)
    program = str(project.entry)

    def run_main() -> None:
        pulumi.runtime.register_stack_transformation(_drop_version_aliases)
        runpy.run_path(program, run_name="__main__")

    try:
        loop.run_until_complete(run_in_stack(run_main))
    except MockError:
        raise
    except (Exception, SystemExit) as exc:
        raise ProgramFailed(exc) from exc
    return monitor.capture(options.organization, options.preview)


def _drop_version_aliases(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """Drop the aliases azure-native adds to every resource for its own versioned type tokens
    (about 40 each). The SDK turns every alias into a URN through several Outputs as the
    resource is constructed, which made a 10,000-resource program take minutes and gigabytes
    under mocks. They only map the same resource across API versions, never matter to a
    policy, and the user's own aliases are kept."""
    aliases = args.opts.aliases
    if not aliases:
        return None
    own = canonical(args.type_)
    kept = [a for a in aliases if not _is_version_alias(a, own)]
    if len(kept) == len(aliases):
        return None
    opts = copy.copy(args.opts)
    opts.aliases = kept
    return pulumi.ResourceTransformationResult(args.props, opts)


def _is_version_alias(alias: Any, own_type: str) -> bool:
    return (isinstance(alias, pulumi.Alias) and isinstance(alias.type_, str) and canonical(alias.type_) == own_type
            and all(getattr(alias, f) is ... for f in ("name", "parent", "stack", "project")))


class _NoRoot:
    """Stands in for the root resource while ``set_mocks`` runs (see _configure_sdk)."""


def _configure_sdk(
    mocks: AzureMocks, monitor: CaptureMonitor, project: Project, options: Options
) -> None:
    # set_mocks registers and at once finishes a root Stack of its own when there is none,
    # which would register the stack outputs before the program exports anything. Hide the
    # root while it runs; run_in_stack then creates the real one, as the language host does.
    settings.ROOT.set(cast(Any, _NoRoot()))
    set_mocks(
        mocks,
        project=project.name,
        stack=options.stack,
        preview=options.preview,
        logger=_program_logger(),
        monitor=monitor,
        organization=options.organization,
    )
    settings.ROOT.set(None)
    for name in [k for k in os.environ if k.startswith("PULUMI_CONFIG")]:
        del os.environ[name]  # config comes from the stack file only


def _program_logger() -> logging.Logger:
    """The program's pulumi.log messages, shown like the CLI's diagnostics (debug hidden)."""
    logger = logging.getLogger("policy_gate.program")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers = [handler]
    return logger


# ---------------------------------------------------------------------------------------------
# Entry point


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m policy_gate.runner",
        description="Run a Pulumi Python program under mocks and write its resources as JSON.",
    )
    parser.add_argument("program_dir", type=Path)
    parser.add_argument("--out-fd", type=int, required=True, help="file descriptor for the JSON")
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--preview", action="store_true", help="behave like `pulumi preview`")
    parser.add_argument("--organization", default="organization")
    return parser.parse_args(argv)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def _failure_line(exc: BaseException) -> str:
    if isinstance(exc, ModuleNotFoundError):
        return f"program failed: missing Python module {exc.name!r} ({_first_line(exc)})"
    return f"program failed: {_first_line(exc)}"


def _write_capture(fd: int, capture: dict[str, Any]) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(capture, out, ensure_ascii=False, separators=(",", ":"))


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    debug = os.environ.get("POLICY_GATE_DEBUG") == "1"
    try:
        os.fstat(args.out_fd)
        directory = args.program_dir.resolve()
        project = load_project(directory)
        config = load_config(project, args.stack)
    except OSError:
        print(f"error: --out-fd {args.out_fd} is not an open file descriptor", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    options = Options(args.stack, args.preview, args.organization)
    try:
        capture = run_program(project, config, options)
        capture["config"] = config  # the pack sees the stack's config too (PULUMI_CONFIG), as under the CLI
    except ProgramFailed as failure:
        if debug:
            traceback.print_exception(failure.error)
        print(_failure_line(failure.error), file=sys.stderr)
        return EXIT_PROGRAM
    except Exception as exc:  # noqa: BLE001 reported as the gate's own failure
        if debug:
            traceback.print_exception(exc)
        print(f"internal error in the policy gate's runner: {_first_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL
    _write_capture(args.out_fd, capture)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
