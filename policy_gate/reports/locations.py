"""Where a program declared a resource, for reports that point at source lines (SARIF, JUnit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..capture import Capture, Resource


@dataclass(frozen=True)
class SourceLine:
    """An absolute file and a 1-based line (0: line unknown)."""

    path: Path
    line: int


def declared_at(resource: Resource | None, capture: Capture) -> SourceLine | None:
    """Where the program declared ``resource``, when the capture knows."""
    source = resource.source if resource is not None else None
    if not source or not isinstance(source.get("file"), str) or not source["file"]:
        return None
    path = Path(source["file"])
    if not path.is_absolute():
        if not capture.source_dir:
            return None  # relative to a directory we do not know: better no location than a wrong one
        path = Path(capture.source_dir) / path
    line = source.get("line")
    return SourceLine(path, line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else 0)


def project_file(capture: Capture) -> SourceLine | None:
    """The program's project file, line 1: where results without a source are anchored."""
    if not capture.source_dir:
        return None
    directory = Path(capture.source_dir)
    found = next((directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None)
    return SourceLine(found or directory / "Pulumi.yaml", 1)


def relative_to(path: Path, base: Path) -> str | None:
    """``path`` as a POSIX path relative to ``base``, or None when it lies outside.
    Symlinks are resolved: code scanning cannot show a result in a symlinked file."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return None
