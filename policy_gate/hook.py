"""``policy-gate pre-commit FILE...``: the pre-commit hook (``.pre-commit-hooks.yaml``) gates
each Pulumi Python program a commit touches.

pre-commit runs hooks in the repository's root and passes the staged files that match the
hook's ``files`` pattern (all of them in one call: the hook is ``require_serial``). Each file
belongs to the program of the nearest directory above it, up to the repository root, that holds
a ``Pulumi.yaml``; each such program is gated once, one after another, with the hook's ``args``
as options of ``policy-gate run``. Files in no project, and projects whose runtime is not
python, are skipped (a project of another runtime with a note). The hook's exit code is the
worst of its runs: an error (2, 3) over a failing violation (1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import EXIT_INTERRUPTED, EXIT_OK, GateError
from .project import runtime_name
from .yamlfile import read_mapping

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")


def _project_of(path: Path, top: Path) -> Path | None:
    """The nearest directory from ``path`` up to ``top`` holding a project file."""
    directory = path if path.is_dir() else path.parent
    for candidate in (directory, *directory.parents):
        if any((candidate / name).is_file() for name in PROJECT_FILES):
            return candidate
        if candidate == top:
            return None
    return None


def touched_programs(files: Iterable[str], top: Path) -> tuple[list[Path], list[str]]:
    """The Python programs ``files`` (relative to ``top``) belong to, in the order first met, and
    a note for each project skipped."""
    top = top.resolve()
    programs: list[Path] = []
    notes: list[str] = []
    seen: set[Path] = set()
    for name in files:
        project = _project_of((top / name).resolve(), top)
        if project is None or project in seen:
            continue
        seen.add(project)
        manifest_path = next(project / n for n in PROJECT_FILES if (project / n).is_file())
        try:
            runtime = runtime_name(read_mapping(manifest_path, empty_ok=True))
        except GateError as exc:
            notes.append(f"skipped {_shown(project, top)}: {exc.message}")
            continue
        if runtime != "python":
            notes.append(f"skipped {_shown(project, top)}: runtime {runtime!r}, the gate runs Python programs")
            continue
        programs.append(project)
    return programs, notes


def _shown(directory: Path, top: Path) -> str:
    try:
        return directory.relative_to(top).as_posix() or "."
    except ValueError:
        return str(directory)


def run(files: Iterable[str], gate: Callable[[Path], int], top: Path | None = None) -> int:
    """Gate each program ``files`` touch with ``gate`` (which prints its report and returns an
    exit code); the worst code, or at once the code of an interrupted run."""
    top = (top or Path.cwd()).resolve()
    programs, notes = touched_programs(files, top)
    for note in notes:
        print(f"policy-gate: {note}", file=sys.stderr)
    worst = EXIT_OK
    for program in programs:
        print(f"== {_shown(program, top)} ==", flush=True)
        code = gate(program)
        if code == EXIT_INTERRUPTED:
            return code
        worst = max(worst, code)
    return worst
