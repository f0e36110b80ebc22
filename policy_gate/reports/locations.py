"""Where a program declared a resource or exported a value, for reports that point at source
lines (SARIF, JUnit, Markdown), and the root those reports' paths are relative to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..capture import Capture, Resource
from ..runner.repository import work_tree

_QUOTED = re.compile(r"""['"`]([^'"`\s]+)['"`]""")


@dataclass(frozen=True)
class SourceLine:
    """An absolute file and a 1-based line (0: line unknown)."""

    path: Path
    line: int


def _source_line(source: object, capture: Capture) -> SourceLine | None:
    if not isinstance(source, dict) or not isinstance(source.get("file"), str) or not source["file"]:
        return None
    path = Path(source["file"])
    if not path.is_absolute():
        if not capture.source_dir:
            return None  # relative to a directory we do not know: better no location than a wrong one
        path = Path(capture.source_dir) / path
    line = source.get("line")
    return SourceLine(path, line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else 0)


def declared_at(resource: Resource | None, capture: Capture) -> SourceLine | None:
    """Where the program declared ``resource``, when the capture knows."""
    return _source_line(resource.source, capture) if resource is not None else None


def exported_at(message: str, capture: Capture) -> SourceLine | None:
    """The ``pulumi.export`` call of the stack output a finding on the stack names: the first
    quoted name in ``message`` whose top-level key is an export (``'db.password'`` names the
    export ``db``)."""
    for quoted in _QUOTED.findall(message):
        name = re.split(r"[.\[]", quoted, maxsplit=1)[0]
        if name in capture.export_sources:
            return _source_line(capture.export_sources[name], capture)
    return None


def finding_source(urn: str, message: str, resource: Resource | None, capture: Capture) -> SourceLine | None:
    """Where the program wrote what a finding on ``urn`` is about: the resource's declaration, or
    for a finding on the stack the ``pulumi.export`` its message names."""
    on_stack = resource.is_root_stack if resource is not None else urn == capture.root_urn
    return declared_at(resource, capture) or (exported_at(message, capture) if on_stack else None)


def project_file(capture: Capture) -> SourceLine | None:
    """The program's project file, line 1: where results without a source are anchored."""
    if not capture.source_dir:
        return None
    directory = Path(capture.source_dir)
    found = next((directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None)
    return SourceLine(found or directory / "Pulumi.yaml", 1)


def source_root(capture: Capture, given: str | None = None) -> Path:
    """The directory report paths are relative to: ``given`` (``--source-root``), else the git
    work tree holding the program (code scanning resolves paths against the repository), else
    the current directory."""
    if given:
        return Path(given).resolve()
    found = work_tree(Path(capture.source_dir)) if capture.source_dir else None
    return found or Path.cwd().resolve()


def relative_to(path: Path, base: Path) -> str | None:
    """``path`` as a POSIX path relative to ``base``, or None when it lies outside.
    Symlinks are resolved: code scanning cannot show a result in a symlinked file."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None
