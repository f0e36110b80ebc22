"""Where one run's reports go: ``--report FORMAT=PATH``, repeatable (``-`` is stdout), and
``--format``/``--output``, which name one more (without any of them: text on stdout). Every
report comes from the same outcome; the one-line summary is printed on stdout once, unless a
report goes there (it carries the summary itself)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from . import FORMATS

STDOUT = "-"


@dataclass(frozen=True)
class Target:
    format: str
    path: str  # a file, or STDOUT


def parse(reports: Iterable[str], fmt: str | None = None, output: str | None = None) -> list[Target]:
    """The targets of ``--report`` values plus ``--format``/``--output`` (when given, or when no
    ``--report`` is); a spec that is not FORMAT=PATH, two reports on stdout or two in one file
    are usage errors."""
    targets = []
    for spec in reports:
        name, sep, path = spec.partition("=")
        if not sep or not path:
            raise UsageError(f"--report {spec!r}: expected FORMAT=PATH (PATH '-' for stdout)")
        if name not in FORMATS:
            raise UsageError(f"--report {spec!r}: unknown format {name!r} (choose from {', '.join(FORMATS)})")
        targets.append(Target(name, path))
    if fmt is not None or output is not None or not targets:
        targets.append(Target(fmt or "text", output or STDOUT))
    seen: set[str] = set()
    for target in targets:
        key = target.path if target.path == STDOUT else str(Path(target.path).absolute())
        if key in seen:
            raise UsageError("only one report can go to stdout" if target.path == STDOUT
                             else f"{target.path} is named for two reports")
        seen.add(key)
    return targets


def write(targets: list[Target], render: Callable[[str], str], summary_line: str) -> None:
    """Render each format once, write the files, then stdout: the report that goes there, else
    the summary line."""
    texts = {fmt: render(fmt) for fmt in dict.fromkeys(t.format for t in targets)}
    for target in targets:
        if target.path != STDOUT:
            try:
                Path(target.path).write_text(texts[target.format], encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot write {target.path}: {exc.strerror or exc}") from None
    on_stdout = next((t for t in targets if t.path == STDOUT), None)
    if on_stdout is not None:
        sys.stdout.write(texts[on_stdout.format])
    else:
        print(summary_line)
