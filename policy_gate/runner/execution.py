"""Running the program as the Python language host runs it: in the entry's directory, with
that directory first on ``sys.path``, through ``runpy`` as ``__main__``, inside
``run_in_stack``, but against ``CaptureMonitor`` instead of the engine."""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import importlib.metadata
import itertools
import logging
import os
import runpy
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

import pulumi
from pulumi.runtime import run_in_stack, set_all_config, set_mocks, settings

from .. import redaction
from ..wire import canonical_type
from . import notices
from .exports import provenance as export_provenance
from .mocks import AzureMocks
from .monitor import CaptureMonitor, MockError
from .sources import install as locate_user_code
from .spec import RunSpec
from .transforms import Deferred

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ProgramFailed(Exception):
    """The user's program raised (runner exit 3); ``error`` is what it raised, ``secrets`` every
    secret value the run saw so far (``redaction``), which its report must not show."""

    def __init__(self, error: BaseException, secrets: frozenset[str] = frozenset()) -> None:
        super().__init__(str(error))
        self.error = error
        self.secrets = secrets


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs the SDK's ``run_in_executor`` work (every monitor call) at once on the loop thread.

    With the default thread pool, concurrent registrations reach the monitor in an order that
    varies from run to run; the capture has to be byte-identical. A registration whose
    transforms must run first (they are callbacks served on this loop) raises ``Deferred``: its
    work runs as a task on the loop, then the call is made again (``runner.transforms``).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(max_workers=1)
        self._loop = loop

    def submit(
        self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
    ) -> concurrent.futures.Future[_T]:
        future: concurrent.futures.Future[_T] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Deferred as deferred:
            self._loop.create_task(_resume(deferred, future, lambda: fn(*args, **kwargs)))
        except Exception as exc:  # noqa: BLE001 handed to the awaiting coroutine
            future.set_exception(exc)
        return future


async def _resume(deferred: Deferred, future: concurrent.futures.Future[_T], call: Callable[[], _T]) -> None:
    try:
        await deferred.work
        future.set_result(call())
    except Exception as exc:  # noqa: BLE001 handed to the awaiting coroutine
        future.set_exception(exc)


_ORDER = itertools.count()


def _creation_order_hash(resource: Any) -> int:
    """A resource's hash: a number taken the first time it is hashed, in the program's own
    (deterministic) order, instead of its memory address (which address-space randomisation
    changes from run to run). Equality stays identity."""
    state = resource.__dict__
    if "_policy_gate_hash" not in state:
        state["_policy_gate_hash"] = next(_ORDER)
    return int(state["_policy_gate_hash"])


def execute(spec: RunSpec) -> dict[str, Any]:
    """Run the program to completion and return the capture; the program's error propagates
    as ``ProgramFailed``, a failure of the mocks as ``MockError``."""
    # The SDK awaits dependencies' URNs in the iteration order of sets of resources
    # (pulumi/pulumi sdk/python/lib/pulumi/runtime/rpc.py ``_add_dependency``: a component's
    # ``_childResources``; ``Output`` resource sets), which decides the order registrations
    # reach the monitor. With address-based hashes that order changed from run to run.
    pulumi.Resource.__hash__ = _creation_order_hash  # type: ignore[method-assign,assignment]
    mocks = AzureMocks(spec.preview)
    monitor = CaptureMonitor(mocks, spec)
    _configure_sdk(mocks, monitor, spec)
    locate_user_code(monitor.export_sources, monitor.program_dir, monitor.export_values)
    # As the language host's executor does with PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS:
    # secret keys make Config.get_secret/require_secret values secret outputs.
    set_all_config(dict(spec.config), list(spec.secret_keys))
    entry = spec.entry_path
    os.chdir(entry.parent)
    sys.path.insert(0, str(entry.parent))
    sys.argv = [str(entry)]
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(_InlineExecutor(loop))
    # Failed runs leave tasks whose errors asyncio would print as tracebacks at exit.
    loop.set_exception_handler(lambda _loop, _context: None)

    def run_main() -> None:
        pulumi.runtime.register_stack_transformation(_drop_version_aliases)
        runpy.run_path(str(entry), run_name="__main__")

    try:
        loop.run_until_complete(run_in_stack(run_main))
    except MockError:
        raise
    except (Exception, SystemExit) as exc:
        raise ProgramFailed(exc, _secrets_seen(monitor, spec)) from exc
    capture = monitor.capture()
    # Every export's Output has resolved by now: what each one is (runner.exports) is read at once.
    secret_outputs = {r["urn"]: r["additionalSecretOutputs"] for r in capture["resources"]}
    capture["exportProvenance"] = loop.run_until_complete(
        export_provenance(monitor.export_values, monitor.root_urn, secret_outputs))
    capture["warnings"] = notices.collected()
    capture["programErrors"] = notices.program_errors()
    capture["runtime"] = {"python": sys.executable, "pulumi": _pulumi_version()}
    return capture


def _secrets_seen(monitor: CaptureMonitor, spec: RunSpec) -> frozenset[str]:
    found = redaction.config_secrets(spec.config, spec.secret_keys)
    redaction.collect(list(monitor.records.values()), found)
    return frozenset(found)


def _pulumi_version() -> str:
    try:
        return importlib.metadata.version("pulumi")
    except importlib.metadata.PackageNotFoundError:
        return ""


def _drop_version_aliases(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
    """Drop the aliases azure-native adds to every resource for its own versioned type tokens
    (about 40 each). The SDK turns every alias into a URN through several Outputs as the
    resource is constructed, which made a 10,000-resource program take minutes and gigabytes
    under mocks. They only map the same resource across API versions, never matter to a
    policy, and the user's own aliases are kept."""
    aliases = args.opts.aliases
    if not aliases:
        return None
    own = canonical_type(args.type_)
    kept = [a for a in aliases if not _is_version_alias(a, own)]
    if len(kept) == len(aliases):
        return None
    opts = copy.copy(args.opts)
    opts.aliases = kept
    return pulumi.ResourceTransformationResult(args.props, opts)


def _is_version_alias(alias: Any, own_type: str) -> bool:
    return (isinstance(alias, pulumi.Alias) and isinstance(alias.type_, str) and canonical_type(alias.type_) == own_type
            and all(getattr(alias, f) is ... for f in ("name", "parent", "stack", "project")))


class _NoRoot:
    """Stands in for the root resource while ``set_mocks`` runs (see _configure_sdk)."""


def _configure_sdk(mocks: AzureMocks, monitor: CaptureMonitor, spec: RunSpec) -> None:
    # set_mocks registers and at once finishes a root Stack of its own when there is none,
    # which would register the stack outputs before the program exports anything. Hide the
    # root while it runs; run_in_stack then creates the real one, as the language host does.
    settings.ROOT.set(cast(Any, _NoRoot()))
    set_mocks(
        mocks,
        project=spec.project,
        stack=spec.stack,
        preview=spec.preview,
        logger=_program_logger(),
        monitor=monitor,
        organization=spec.organization,
    )
    settings.ROOT.set(None)
    for name in [k for k in os.environ if k.startswith("PULUMI_CONFIG")]:
        del os.environ[name]  # config comes from the spec only


def _program_logger() -> logging.Logger:
    """The program's pulumi.log messages, shown like the CLI's diagnostics (debug hidden);
    warnings and errors are kept for the report too (``notices``)."""
    logger = logging.getLogger("policy_gate.program")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.handlers = [handler, notices.ProgramLogs()]
    return logger
