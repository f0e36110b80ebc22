"""A child process in its own session (the program runner), read without ever waiting on what
it leaves behind.

- Its stdin gets ``input`` and is closed; its stdout and stderr are read as they come: handed to
  ``stream`` (``--verbose``) and kept only as a bounded tail, so a program that prints 100 MB
  costs the gate nothing; a third pipe (``--out-fd``) carries its result, read whole.
- When the child exits, what it wrote is read and reading stops: a background process the
  program started keeps the pipes open, and the gate does not wait for it.
- Its process group (the session it leads: the runner, the program, anything the program started
  that did not leave the group) is killed when the child exits, on a timeout, and on every other
  way out (an exception, Ctrl-C, SIGTERM): the exit is detected without reaping the child
  (``waitid(WNOWAIT)``), so its group id cannot be taken by an unrelated process before the kill.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TAIL_BYTES = 64 * 1024  # of each of stdout and stderr
_CHUNK = 1 << 16
_DRAIN_SECONDS = 2.0  # reading on after the child exited, for a writer that escaped the session


@dataclass(frozen=True)
class Finished:
    returncode: int
    result: bytes  # what the child wrote to its result pipe
    stdout_tail: bytes
    stderr_tail: bytes


class TimedOut(Exception):
    """The child ran past its timeout (its session was killed)."""


def run(command_for: Callable[[int], list[str]], env: Mapping[str, str], stdin: bytes, timeout: float,
        stream: Callable[[str, bytes], None] | None = None) -> Finished:
    """Run ``command_for(result_fd)``; raises ``OSError`` when it cannot start, ``TimedOut``."""
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(command_for(write_fd), pass_fds=(write_fd,), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=dict(env), start_new_session=True)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    try:
        return _collect(proc, read_fd, stdin, timeout, stream)
    finally:
        _end_session(proc)
        os.close(read_fd)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass


def _collect(proc: subprocess.Popen[bytes], result_fd: int, stdin: bytes, timeout: float,
             stream: Callable[[str, bytes], None] | None) -> Finished:
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    names = {proc.stdout.fileno(): "stdout", proc.stderr.fileno(): "stderr", result_fd: "result"}
    tails = {"stdout": deque[bytes](), "stderr": deque[bytes]()}
    sizes = {"stdout": 0, "stderr": 0}
    result: list[bytes] = []
    deadline = time.monotonic() + timeout
    drain_until: float | None = None
    with selectors.DefaultSelector() as selector:
        for fd in names:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            now = time.monotonic()
            if drain_until is None and _exited(proc):
                _end_session(proc, reap=False)  # what the program left running goes now
                drain_until = now + _DRAIN_SECONDS
            if drain_until is None and now >= deadline:
                raise TimedOut
            if drain_until is not None and now >= drain_until:
                break
            events = selector.select(timeout=0.05)
            if drain_until is not None and not events:
                break  # the child is gone and nothing more is waiting
            for key, _ in events:
                name = names[int(key.fd)]
                try:
                    data = os.read(int(key.fd), _CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(key.fd)
                elif name == "result":
                    result.append(data)
                else:
                    _keep_tail(tails[name], sizes, name, data)
                    if stream is not None:
                        stream(name, data)
    try:  # every pipe closed: the child is exiting, or closed them and runs on until the deadline
        proc.wait(timeout=max(deadline - time.monotonic(), 0) if drain_until is None else None)
    except subprocess.TimeoutExpired:
        raise TimedOut from None
    return Finished(proc.returncode, b"".join(result), b"".join(tails["stdout"]), b"".join(tails["stderr"]))


def _feed(pipe: object, data: bytes) -> None:
    try:
        pipe.write(data)  # type: ignore[attr-defined]
        pipe.close()  # type: ignore[attr-defined]
    except OSError:  # the child exited without reading: its exit code says why
        pass


def _keep_tail(tail: deque[bytes], sizes: dict[str, int], name: str, data: bytes) -> None:
    tail.append(data)
    sizes[name] += len(data)
    while sizes[name] - len(tail[0]) >= TAIL_BYTES:
        sizes[name] -= len(tail.popleft())


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the child has exited, leaving it unreaped (its process and session ids stay taken)."""
    if proc.returncode is not None:
        return True
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _end_session(proc: subprocess.Popen[bytes], reap: bool = True) -> None:
    """Kill the child's process group (``start_new_session`` made the child its leader: the
    group's id is its pid) while the child is not yet reaped; then reap it."""
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if reap:
        proc.wait()
