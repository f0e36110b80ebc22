"""Progress of a long run (the program's execution, the analysis of each resource) on stderr.

On a terminal the gate shows a live rich display that it erases when the run ends; redirected
output and CI logs (a ``CI`` variable, which GitHub Actions, GitLab, Buildkite and most others
set, even where they give the job a terminal) get nothing, unless asked: ``--progress`` there
prints a plain line per stage and, while resources are analysed, at most one count every few
seconds. ``--no-progress`` shows nothing anywhere. Standard output is never touched: the report
may be going there.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO


class Progress:
    """Shows nothing. The base of the others, and what redirected or CI runs get."""

    def stage(self, description: str, total: int | None = None) -> None:
        """A new stage: ``total`` steps (``advance``) or, without it, one of unknown length."""

    def advance(self, steps: int = 1) -> None:
        """``steps`` more steps of the current stage are done."""

    def close(self) -> None:
        """The end of the display (may be called more than once)."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TerminalProgress(Progress):
    """rich's live display on a terminal, transient: nothing of it stays once the run ends."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console  # imported only when a terminal shows it
        from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Display

        console = Console(file=stream, force_terminal=True, force_interactive=True)
        # stdout is not redirected into the display: the report may be going there.
        self._display = Display(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=console, transient=True, redirect_stdout=False)
        self._task: Any = None
        self._display.start()

    def stage(self, description: str, total: int | None = None) -> None:
        if self._task is not None:
            self._display.remove_task(self._task)
        self._task = self._display.add_task(description, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._display.advance(self._task, steps)

    def close(self) -> None:
        self._display.stop()


class LineProgress(Progress):
    """Plain lines for a log (``--progress`` where there is no terminal): one when a stage starts,
    one when it ends, and a count at most every ``every`` seconds in between."""

    def __init__(self, stream: TextIO, every: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream, self._every, self._clock = stream, every, clock
        self._description = ""
        self._total: int | None = None
        self._done = 0
        self._started = self._said = 0.0

    def _say(self, text: str) -> None:
        print(f"policy-gate: {text}", file=self._stream, flush=True)
        self._said = self._clock()

    def _end_stage(self) -> None:
        if self._description:
            count = f" ({self._done}/{self._total})" if self._total is not None else ""
            self._say(f"{self._description}: done in {self._clock() - self._started:.1f}s{count}")
            self._description = ""

    def stage(self, description: str, total: int | None = None) -> None:
        self._end_stage()
        self._description, self._total, self._done = description, total, 0
        self._started = self._clock()
        self._say(f"{description}..." if total is None else f"{description} (0/{total})...")

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        if self._total is not None and self._done < self._total and self._clock() - self._said >= self._every:
            self._say(f"{self._description}: {self._done}/{self._total}")

    def close(self) -> None:
        self._end_stage()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


def _in_ci(environ: Mapping[str, str]) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def choose(requested: bool | None, stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> Progress:
    """The display for a run: ``requested`` is ``--progress`` (True), ``--no-progress`` (False)
    or neither (None: a terminal that is not a CI job's gets the live display, nothing else gets
    any)."""
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    if requested is False:
        return Progress()
    terminal = _is_terminal(stream) and environ.get("TERM", "") != "dumb"
    if terminal and (requested or not _in_ci(environ)):
        return TerminalProgress(stream)
    return LineProgress(stream) if requested else Progress()
