"""The hostile corpus (``tests/hostile/``, described in its README): what an adversarial user
would feed the gate, each case run through the whole gate as a user runs it.

Per case: the exit code; stderr holds only ``warning:`` lines and, for a failure, one ``error:``
line, never a traceback; what the report must say (``stdout``) and what nothing may show
(``absent``: secrets); no process left behind (every process the gate starts inherits a marker
in its environment, looked for in ``/proc``); no temporary file (a private, empty ``TMPDIR``);
the gate's own peak memory (``max_rss_mib``) or wall time (``max_seconds``) where that is the
point; a signal sent once a process named in ``signal.when`` runs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from policy_gate.errors import LINE_LIMIT

pytestmark = pytest.mark.process  # every case runs the gate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile"
MARK = "POLICY_GATE_HOSTILE_MARK"
# The gate's entry point, measuring its own peak memory (the program and the pack are other processes).
# VmHWM is this process image's own high-water mark: getrusage's ru_maxrss keeps the parent's across
# fork and exec (Linux copies it at execve), so under a large pytest process it would measure pytest.
_MEASURED = """\
import sys
from policy_gate.cli import main
try:
    code = main(sys.argv[2:])
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(sys.argv[1], "w") as out:
        out.write(peak)
sys.exit(code)
"""


def _loop(case: Path) -> None:
    (case / "loop").symlink_to("loop")


def _unreadable(name: str) -> Callable[[Path], None]:
    """``name`` (relative to the case) made a file whose every read fails (EIO), even for root."""
    def make(case: Path) -> None:
        target = case / name
        target.unlink(missing_ok=True)
        target.symlink_to("/proc/self/mem")

    return make


def _big_config(case: Path) -> None:
    (case / "program" / "Pulumi.dev.yaml").write_text("config:\n  hostile:blob: " + "x" * 140_000 + "\n")


def _huge_file(case: Path) -> None:
    with (case / "huge.json").open("wb") as out:  # sparse: 33 MiB that take no disk
        out.truncate(33 * 1024 * 1024)


MAKERS: dict[str, Callable[[Path], None]] = {
    "symlink-loop": _loop,
    "unreadable-project": _unreadable("program/Pulumi.yaml"),
    "unreadable-pack": _unreadable("pack/PulumiPolicy.yaml"),
    "big-config": _big_config,
    "huge-file": _huge_file,
}


def _cases() -> Iterator[Any]:
    for directory in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        spec = json.loads((directory / "case.json").read_text(encoding="utf-8"))
        for run in spec if isinstance(spec, list) else [spec]:
            name = directory.name + (f"/{run['name']}" if "name" in run else "")
            yield pytest.param(directory, run, id=name)


def _marked(marker: str, named: str = "") -> list[str]:
    """Command lines of live processes whose environment holds ``marker`` (and whose command
    line contains ``named``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if f"{MARK}={marker}".encode() in environ.split(b"\0") and named in cmdline and state != "Z":
            found.append(cmdline)
    return found


def _signal_when(proc: subprocess.Popen[str], marker: str, when: dict[str, str]) -> None:
    deadline = time.monotonic() + 120
    while not _marked(marker, when["when"]):
        assert proc.poll() is None, "the gate exited before the process to wait for started"
        assert time.monotonic() < deadline, f"no process {when['when']!r} started"
        time.sleep(0.1)
    proc.send_signal(getattr(signal, when["name"]))


def _environment(spec: dict[str, Any], marker: str, scratch: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.update({"TMPDIR": str(scratch), MARK: marker, **spec.get("env", {})})
    return env


@pytest.mark.parametrize(("directory", "spec"), list(_cases()))
def test_hostile_input(tmp_path: Path, directory: Path, spec: dict[str, Any]) -> None:
    case = tmp_path / "case"
    shutil.copytree(directory, case, symlinks=True)
    for maker in spec.get("make", []):
        MAKERS[maker](case)
    scratch, rss_file, marker = tmp_path / "scratch", tmp_path / "maxrss", uuid.uuid4().hex
    scratch.mkdir()
    args = [arg.replace("{case}", str(case)) for arg in spec["args"]]
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _MEASURED, str(rss_file), "run", *args], cwd=ROOT,
                            env=_environment(spec, marker, scratch), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        if "signal" in spec:
            _signal_when(proc, marker, spec["signal"])
        stdout, stderr = proc.communicate(timeout=spec.get("timeout", 300))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    elapsed = time.monotonic() - started

    assert proc.returncode == spec["exit"], (proc.returncode, stderr[-2000:])
    _check_stderr(stderr, spec)
    for fragment in spec.get("stdout", []):
        assert fragment in stdout, (fragment, stdout[-3000:])
    for secret in spec.get("absent", []):
        assert secret not in stdout and secret not in stderr, f"{secret!r} was printed"
    deadline = time.monotonic() + 10
    while _marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked(marker) == [], "the gate left processes behind"
    assert list(scratch.iterdir()) == [], "the gate left temporary files behind"
    if "max_rss_mib" in spec:
        assert int(rss_file.read_text()) / 1024 < spec["max_rss_mib"], f"the gate peaked at {rss_file.read_text()} KiB"
    if "max_seconds" in spec:
        assert elapsed < spec["max_seconds"], f"the gate took {elapsed:.1f}s"


def _check_stderr(stderr: str, spec: dict[str, Any]) -> None:
    assert "Traceback" not in stderr, stderr[-2000:]
    lines = stderr.splitlines()
    assert all(line.startswith(("warning: ", "error: ")) for line in lines), stderr[-2000:]
    errors = [line for line in lines if line.startswith("error: ")]
    if "error" in spec:
        assert len(errors) == 1 and lines[-1] == errors[0], stderr[-2000:]
        assert spec["error"] in errors[0], (spec["error"], errors[0])
        assert len(errors[0]) <= len("error: ") + LINE_LIMIT + 40, f"an error line of {len(errors[0])} characters"
    else:
        assert errors == [], stderr[-2000:]
    for fragment in spec.get("warnings", []):
        assert any(fragment in line for line in lines if line.startswith("warning: ")), (fragment, stderr[-2000:])
