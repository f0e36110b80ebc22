"""Figure 5, peak memory, and the CPU time beside every wall time: what a measured process
costs, each on a fresh process. Pack processes are read from /proc (``VmHWM``, the peak
resident set so far; ``stat`` for CPU); a command (the gate, Checkov, a large program) runs under
a fresh wrapper process whose ``RUSAGE_CHILDREN`` gives the peak RSS of the largest process it
started and the CPU time of all of them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.harness import child_env

MIB = 1024.0

_MEASURE = r"""
import json, resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as stdout, open(err, "wb") as stderr:
    started = time.perf_counter()
    code = subprocess.call(cmd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rc": code, "maxrss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}))
"""


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (the process's peak resident set so far) from /proc, in MiB; None off Linux."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) / MIB if match else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (/proc/<pid>/stat), None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Measured:
    wall: float
    rc: int
    peak_rss_mib: float  # the largest single process (the command or any of its children)
    cpu: float  # user + system time of the command and all its children
    stdout: str
    stderr: str


def measure(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Measured:
    """Run ``command`` under a fresh wrapper process: its wall time and, through the wrapper's
    RUSAGE_CHILDREN, the peak RSS of the largest process it started."""
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        result = subprocess.run([sys.executable, "-c", _MEASURE, str(out), str(err), *command], cwd=cwd,
                                env=dict(env) if env is not None else child_env(), capture_output=True, text=True, check=True)
        data = json.loads(result.stdout.strip().splitlines()[-1])
        return Measured(data["wall"], data["rc"], data["maxrss_kib"] / MIB, data["cpu"],
                        out.read_text(encoding="utf-8", errors="replace"), err.read_text(encoding="utf-8", errors="replace"))


def check_ok(name: str, result: Measured, allowed: tuple[int, ...] = (0,)) -> None:
    if result.rc not in allowed:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"{name} exited {result.rc}: {tail}")
