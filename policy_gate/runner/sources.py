"""Where the user's code is: the innermost stack frame outside installed packages, the Python
installation and the gate. That frame is the line a reviewer wants for a resource (the call
that declared it, in whichever module of the repository; the caller of an installed
component library), for a stack export (its ``pulumi.export`` call) and for a failure (the
program's line that raised).

Paths in the capture are relative to the program directory (``../lib/net.py`` for a library
module of the repository beside it); the reports make them relative to the repository.
"""

from __future__ import annotations

import functools
import os
import sysconfig
import traceback
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pulumi import Resource
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import stack as pulumi_stack
from pulumi.runtime.proto import source_pb2

from .repository import work_tree

_GATE = Path(__file__).resolve().parent.parent  # the policy_gate package
_INSTALLED = frozenset({"site-packages", "dist-packages"})


@functools.cache
def _excluded_dirs() -> tuple[Path, ...]:
    """The Python installation's library directories and the gate's own package."""
    paths = sysconfig.get_paths()
    dirs = {Path(paths[k]).resolve() for k in ("stdlib", "platstdlib", "purelib", "platlib") if paths.get(k)}
    return (*sorted(dirs), _GATE)


@functools.cache
def is_user_file(filename: str) -> bool:
    """Whether a frame's file is the user's code (not ``<frozen runpy>``, an installed package,
    the standard library or the gate)."""
    if not filename or filename.startswith("<"):
        return False
    path = Path(filename)
    if not path.is_absolute() or _INSTALLED & set(path.parts):
        return False
    return not any(_within(_resolved(filename), d) for d in _excluded_dirs())


def innermost(frames: Iterable[tuple[str, int | None]], repository: Path | None = None) -> tuple[str, int] | None:
    """The first user frame of ``frames`` (innermost first) as (absolute file, line): the first
    in ``repository`` when there is one (a library checked out elsewhere is not what a review
    of this repository can show), else the first anywhere."""
    first = None
    for filename, line in frames:
        if not line or not is_user_file(filename):
            continue
        path = _resolved(filename)
        if repository is None or _within(path, repository):
            return str(path), line
        first = first or (str(path), line)
    return first


@functools.cache
def _resolved(filename: str) -> Path:
    return Path(filename).resolve()


@functools.cache
def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def relative(path: str, base: Path) -> str:
    """``path`` relative to ``base``, POSIX style (``..`` where it lies beside it)."""
    return Path(os.path.relpath(path, base)).as_posix()


def _uri_path(uri: str) -> str:
    parsed = urllib.parse.urlparse(uri)
    return urllib.request.url2pathname(parsed.path) if parsed.scheme == "file" else uri


def _has(request: Any, field: str) -> bool:
    """Whether the request carries ``field`` (older SDKs' protocol lacks some fields)."""
    return field in request.DESCRIPTOR.fields_by_name and request.HasField(field)


def resource_source(request: Any, program_dir: Path) -> dict[str, Any] | None:
    """Where the program declared a resource: its source position (see ``install``), else the
    innermost user frame of the stack trace newer SDKs send."""
    positions = [request.sourcePosition] if _has(request, "sourcePosition") else []
    if _has(request, "stackTrace"):
        positions += [f.pc for f in request.stackTrace.frames if f.HasField("pc")]
    found = innermost(((_uri_path(p.uri), p.line) for p in positions), work_tree(program_dir))
    return {"file": relative(found[0], program_dir), "line": found[1]} if found else None


def _live_user_frame(repository: Path | None) -> tuple[str, int] | None:
    """The innermost user frame of the running stack."""
    return innermost(((f.f_code.co_filename, line) for f, line in traceback.walk_stack(None)), repository)


def _constructor_caller(repository: Path | None) -> tuple[str, int] | None:
    """The innermost user frame outside the constructors of the resource being constructed: a
    component's own ``__init__`` is its implementation; the line that instantiates it declares
    it (as the SDK's stack-trace position does: pulumi/pulumi sdk/python/lib/pulumi/runtime/
    resource.py ``_get_stack_trace``)."""
    frames = list(traceback.walk_stack(None))
    owner = next((f.f_locals["self"] for f, _ in frames if f.f_code.co_name == "__init__"
                  and isinstance(f.f_locals.get("self"), Resource)), None)
    inside = [i for i, (f, _) in enumerate(frames) if owner is not None
              and (f.f_locals.get("self") is owner or f.f_locals.get("__self__") is owner)]
    outside = frames[inside[-1] + 1:] if inside else frames
    return innermost(((f.f_code.co_filename, line) for f, line in outside), repository)


def install(export_sources: dict[str, dict[str, Any]], program_dir: Path,
            export_values: dict[str, Any] | None = None) -> None:
    """Locate what the program does in the user's code, on every SDK version:

    - a resource's source position is its innermost user frame (older SDKs, 3.142 among them,
      report a fixed number of frames up, which for generated classes is their own
      ``__init__`` in site-packages, and send no stack trace);
    - each ``pulumi.export`` call's innermost user frame is recorded in ``export_sources`` by
      export name (``pulumi.export`` and ``from pulumi import export`` both end in
      ``Stack.output``), and the exported value in ``export_values`` (what it is: ``exports``).

    Frames in the program's git work tree come first (``innermost``)."""
    repository = work_tree(program_dir)
    original_position = getattr(pulumi_resource, "_get_source_position", None)
    if original_position is not None:
        def position(*args: Any, **kwargs: Any) -> Any:
            found = _constructor_caller(repository)
            if found is None:
                return original_position(*args, **kwargs)
            return source_pb2.SourcePosition(uri=Path(found[0]).as_uri(), line=found[1])

        pulumi_resource._get_source_position = position
    original_output = pulumi_stack.Stack.output

    def output(self: Any, name: str, value: Any) -> None:
        found = _live_user_frame(repository)
        if found is not None:
            export_sources[name] = {"file": relative(found[0], program_dir), "line": found[1]}
        if export_values is not None:
            export_values[name] = value
        original_output(self, name, value)

    pulumi_stack.Stack.output = output  # type: ignore[method-assign]


def failure_location(error: BaseException, base: str) -> str | None:
    """``file:line`` of the program's line that raised ``error`` (a syntax error's own line),
    relative to ``base`` when it lies below it. Any user frame counts: the innermost one is
    where the program went wrong, in its repository or not."""
    frames = [(f.filename, f.lineno) for f in reversed(traceback.extract_tb(error.__traceback__))]
    if isinstance(error, SyntaxError) and error.filename:
        frames.insert(0, (error.filename, error.lineno))
    found = innermost(frames)
    if found is None:
        return None
    path = Path(found[0])
    try:
        shown = path.relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return f"{shown}:{found[1]}"


__all__ = ["failure_location", "innermost", "install", "is_user_file", "resource_source"]
