"""The repository a program lives in: the git work tree holding it (a ``.git`` directory, or a
``.git`` file in a linked work tree or submodule). Standard library only: the program runner
and the reports both use it."""

from __future__ import annotations

from pathlib import Path


def work_tree(path: Path) -> Path | None:
    """The git work tree holding ``path``, or None."""
    start = path.resolve()
    return next((d for d in (start, *start.parents) if (d / ".git").exists()), None)
