"""Progress on stderr: rich's live display on a terminal, nothing in redirected output or CI logs
unless asked (then plain lines). Checked with streams that claim to be a terminal (the console's
own detection, forced) and, for the whole gate, with a real pseudo-terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from policy_gate.progress import LineProgress, Progress, TerminalProgress, choose

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("requested", "tty", "environ", "kind"), [
    (None, True, {}, TerminalProgress),
    (None, False, {}, Progress),  # redirected: nothing
    (None, True, {"CI": "true"}, Progress),  # a CI job's terminal: nothing
    (None, True, {"CI": "false"}, TerminalProgress),
    (None, True, {"TERM": "dumb"}, Progress),
    (True, False, {}, LineProgress),  # asked, without a terminal: lines for the log
    (True, False, {"CI": "true"}, LineProgress),
    (True, True, {"CI": "true"}, TerminalProgress),
    (False, True, {}, Progress),
])
def test_which_display(requested: bool | None, tty: bool, environ: dict[str, str], kind: type) -> None:
    stream = Terminal() if tty else io.StringIO()
    with choose(requested, stream, environ) as progress:
        assert type(progress) is kind
    if kind is Progress:
        assert stream.getvalue() == ""


def test_the_terminal_display_shows_each_stage_and_is_erased() -> None:
    stream = Terminal()
    progress = choose(None, stream, {})
    progress.stage("Running the program")
    progress.stage("Analysing resources", total=3)
    for _ in range(3):
        progress.advance()
    progress.close()
    written = stream.getvalue()
    assert "Analysing resources" in written and "3/3" in written
    # The cursor shown again, then the display's line erased: nothing of it stays on the terminal.
    assert written.endswith("\x1b[?25h\r\x1b[1A\x1b[2K")


def test_lines_for_a_log() -> None:
    stream, now = io.StringIO(), [0.0]
    progress = LineProgress(stream, every=5.0, clock=lambda: now[0])
    progress.stage("Running the program")
    now[0] = 2.0
    progress.stage("Analysing resources", total=48)
    for _ in range(48):
        now[0] += 0.25  # 12 seconds in all: a count after 5 s and after 10 s
        progress.advance()
    progress.close()
    assert stream.getvalue().splitlines() == [
        "policy-gate: Running the program...",
        "policy-gate: Running the program: done in 2.0s",
        "policy-gate: Analysing resources (0/48)...",
        "policy-gate: Analysing resources: 20/48",
        "policy-gate: Analysing resources: 40/48",
        "policy-gate: Analysing resources: done in 12.0s (48/48)",
    ]


def _gate_on_a_terminal(environ: dict[str, str], *args: str) -> tuple[int, str, str]:
    """The gate on the seed example with stderr on a pseudo-terminal and stdout on a pipe."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "policy_gate", "run", "examples/seed", "--format", "json", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=secondary, stdin=subprocess.DEVNULL,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TERM": "xterm", **environ})
    os.close(secondary)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=10)
    os.close(primary)
    return proc.returncode, out.decode(), b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.process
def test_a_terminal_gets_progress_and_the_report_stays_clean() -> None:
    code, out, terminal = _gate_on_a_terminal({})
    assert code == 1
    assert "Running the program" in terminal and "Analysing resources" in terminal and "Analysing the stack" in terminal
    assert json.loads(out)["summary"].startswith("FAIL")  # stdout holds the report alone


@pytest.mark.process
def test_a_ci_terminal_gets_none_unless_asked() -> None:
    code, out, terminal = _gate_on_a_terminal({"CI": "true"})
    assert code == 1 and terminal == "" and json.loads(out)["summary"].startswith("FAIL")
    code, _, terminal = _gate_on_a_terminal({"CI": "true"}, "--progress")
    assert code == 1 and "Analysing resources" in terminal


@pytest.mark.process
def test_redirected_output_gets_none_unless_asked() -> None:
    command = [sys.executable, "-m", "policy_gate", "run", "examples/seed", "--format", "json"]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    quiet = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert quiet.returncode == 1 and quiet.stderr == ""
    asked = subprocess.run([*command, "--progress"], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert asked.returncode == 1 and json.loads(asked.stdout) == json.loads(quiet.stdout)
    resources = json.loads(quiet.stdout)["resources"]
    assert [line.split(":")[1].strip() for line in asked.stderr.splitlines() if line.endswith("...")] == [
        "Running the program...", "Starting the policy pack...", f"Analysing resources (0/{resources})...", "Analysing the stack..."]
    assert "\x1b" not in asked.stderr
