"""Virtualenvs with other SDK versions, for programs written the way public programs are
(azure-native 2.x, the classic pulumi-azure 6.x, a program's own minimal venv, an old pulumi SDK),
and ``poetry``, the tool a ``toolchain: poetry`` program needs.

Each ``<name>.txt`` beside this file is a pinned requirements file. ``python(name)`` returns the
interpreter of a virtualenv built from it, building it on first use. Builds are cached in
``$POLICY_GATE_SDK_ENVS`` (default ``<repository>/.sdk-envs``), keyed by the file's content, so a
changed pin builds a new env; a lock makes concurrent test processes build each env once.
``scripts/sdk-envs`` builds them all ahead of time (CI does, from scratch).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SPECS = Path(__file__).resolve().parent
ROOT = SPECS.parent.parent
NAMES = tuple(sorted(p.stem for p in SPECS.glob("*.txt")))


def cache_dir() -> Path:
    return Path(os.environ.get("POLICY_GATE_SDK_ENVS") or ROOT / ".sdk-envs")


def location(name: str) -> Path:
    """Where the env for ``name`` lives (whether or not it is built yet)."""
    spec = SPECS / f"{name}.txt"
    if not spec.is_file():
        raise KeyError(f"no SDK env named {name!r} (known: {', '.join(NAMES)})")
    digest = hashlib.sha256(spec.read_bytes()).hexdigest()[:12]
    return cache_dir() / f"{name}-{digest}"


def python(name: str) -> Path:
    """The interpreter of the env ``name``, built first if needed."""
    target = location(name)
    marker = target / ".complete"
    if not marker.exists():
        with _lock(cache_dir() / f"{name}.lock"):
            if not marker.exists():
                _build(name, target)
                marker.write_text("ok\n", encoding="utf-8")
    return target / "bin" / "python"


def _build(name: str, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)  # a build interrupted earlier
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    subprocess.run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(SPECS / f"{name}.txt")], check=True)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
