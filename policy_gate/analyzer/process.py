"""The pack's process, started the way the Pulumi CLI starts it.

``python -u -m pulumi.policy <engine-address> <pack-dir>`` with the pack directory as working
directory, the pack's interpreter (``--pack-python``, else its ``PulumiPolicy.yaml``
virtualenv, else this Python) and the CLI's environment (``pack_environment``); the pack prints
its port on the first line of stdout. The gate's engine service (``engine.EngineServer``) lives
as long as the process. Public: the benchmark drives packs through this class too.
"""

from __future__ import annotations

import errno
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from pulumi.runtime.proto import analyzer_pb2_grpc

from .. import project
from ..capture import Capture
from ..errors import RunError, UsageError
from .engine import EngineServer, LogEntry

_MAX_MESSAGE = 400 * 1024 * 1024  # a 10,000-resource AnalyzeStack request is tens of MB


@dataclass(frozen=True)
class PackOptions:
    directory: Path
    python: str | None = None  # interpreter override; default: the pack's virtualenv, else this one
    start_timeout: float = 60.0  # seconds from start to the port line
    call_timeout: float = 120.0  # seconds per call made through ``PackProcess.call``


def pack_environment(capture: Capture, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The CLI's environment for a pack: ``base`` (default: this process's) without any
    ``PULUMI_*`` variable, plus the stack's project, stack, organization, dry-run flag and
    config (``PULUMI_CONFIG``, JSON of ``"project:key": value``). For a state file none of
    these: ``pulumi policy analyze`` loads its packs with no stack options
    (``pkg/cmd/pulumi/policy/policy_analyze.go``; ``constructEnv(nil)``)."""
    env = state_environment(base)
    if capture.kind == "state":
        return env
    env.update({
        "PULUMI_PROJECT": capture.project, "PULUMI_STACK": capture.stack, "PULUMI_ORGANIZATION": capture.organization,
        "PULUMI_DRY_RUN": "true" if capture.dry_run else "false", "PULUMI_CONFIG": json.dumps(capture.config),
    })
    return env


def state_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A pack's environment for a state file: ``base`` (default: this process's) without any
    ``PULUMI_*`` variable. It needs nothing from the file, so the pack can start while the file is read."""
    return {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("PULUMI_")}


def _environment_limit() -> int | None:
    """Linux's limit on one environment string (``MAX_ARG_STRLEN``, 32 pages: 128 KiB), or None."""
    return 32 * os.sysconf("SC_PAGE_SIZE") if sys.platform.startswith("linux") else None


def check_environment(env: Mapping[str, str]) -> None:
    """Raises ``UsageError`` when a variable of ``env`` cannot be passed to a process. The CLI
    passes a pack its stack config in ``PULUMI_CONFIG`` (pulumi/pulumi
    ``pkg/resource/plugin/analyzer_plugin.go`` ``constructEnv``: "Config is passed as an
    environment variable"), and pulumi_policy reads it only there (its ``ConfigureStack`` keeps
    only the tags), so a config over the limit fails under the CLI too ("argument list too long")."""
    limit = _environment_limit()
    if limit is None:
        return
    for name, value in env.items():
        size = len(f"{name}={value}".encode("utf-8", "surrogateescape")) + 1
        if size <= limit:
            continue
        what = f"the environment variable {name}"
        if name == "PULUMI_CONFIG":
            try:
                config = json.loads(value)
                largest = max(config, key=lambda key: len(json.dumps(config[key])))
                what = f"the stack's config ({largest} alone is {len(json.dumps(config[largest]))} bytes)"
            except (ValueError, TypeError):
                what = "the stack's config"
        raise UsageError(f"{what} does not fit the {name} environment variable the policy pack is started with: {size} "
                         f"bytes, over the system's limit of {limit} for one variable. The Pulumi CLI passes a pack its "
                         "stack config the same way and fails too (\"argument list too long\"); keep large values out of "
                         "the stack config")


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(proc.pid, signum)
    except ProcessLookupError:
        pass


class PackProcess:
    """A running pack: ``connect`` waits for its port and returns the gRPC stub (then also
    ``stub``); ``call`` makes one call with the gate's error handling; ``close`` (or leaving a
    ``with`` block) ends the process, its process group and the engine service, whatever
    happened (an exception, Ctrl-C, SIGTERM: the CLI raises them in the main thread).

    Reading ``PulumiPolicy.yaml`` can raise ``UsageError``; failing to start, to print a port
    or to answer raises ``RunError`` (one line, with the pack's last stderr line).
    """

    def __init__(self, options: PackOptions, env: Mapping[str, str]):
        self.options = options
        self._closed = False
        self.pack = project.load_pack(options.directory)
        self.python = self.pack.interpreter(options.python)
        check_environment(env)
        self._engine = EngineServer()
        self._engine.start()
        command = [self.python, "-u", "-m", "pulumi.policy", self._engine.address, str(options.directory)]
        self._started_at = time.perf_counter()
        try:
            # Its own process group, so that close() ends whatever the pack started too.
            self._proc = subprocess.Popen(command, cwd=options.directory, env=dict(env), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as exc:
            self._engine.stop()
            if exc.errno == errno.E2BIG:  # the limit on the whole environment and command line together
                raise UsageError(f"cannot start the policy pack: its environment is too large ({exc.strerror}); the "
                                 "stack's config reaches the pack in PULUMI_CONFIG, as under the Pulumi CLI") from None
            raise RunError(f"cannot start the policy pack with {self.python}: {exc.strerror or exc}") from None
        self._stderr: deque[str] = deque(maxlen=1000)  # the pack's own log output, kept for the report
        self._port_lines: queue.Queue[str | None] = queue.Queue()
        self._drains = [threading.Thread(target=self._drain, args=(self._proc.stdout, self._port_lines), daemon=True),
                        threading.Thread(target=self._drain, args=(self._proc.stderr, None), daemon=True)]
        self.channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        try:
            for thread in self._drains:
                thread.start()
        except BaseException:  # Ctrl-C before the caller's ``with`` began: nothing else would end the pack
            self.close()
            raise
        self.startup_seconds: float | None = None  # from Popen to the port line, once connected

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        """The gRPC stub ``connect`` made (for calls timed without ``call``'s handling)."""
        if self._stub is None:
            raise RuntimeError("PackProcess.connect() has not been called")
        return self._stub

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def version(self) -> str:
        """The pack's version as ``PulumiPolicy.yaml`` gives it ("" when it does not)."""
        return self.pack.version

    def __enter__(self) -> PackProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drain(self, stream: Any, lines: queue.Queue[str | None] | None) -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            if lines is not None:
                lines.put(text)
                lines = None  # only the first stdout line is the port; the rest is the pack's own output
            else:
                self._stderr.append(text)
        if lines is not None:
            lines.put(None)

    def log_lines(self) -> list[str]:
        """What the pack wrote besides its port (complete once the process is closed)."""
        return [line for line in self._stderr if line.strip()]

    def engine_logs(self) -> list[LogEntry]:
        """Log messages the pack sent to the engine service."""
        return self._engine.logs

    def last_error_line(self) -> str:
        for line in reversed(self._stderr):
            if line.strip():
                return line.strip()
        return ""

    def _failure(self, what: str) -> RunError:
        detail = self.last_error_line()
        return RunError(f"the policy pack {what}" + (f": {detail}" if detail else ""))

    def connect(self) -> analyzer_pb2_grpc.AnalyzerStub:
        """Wait for the port line (at most ``start_timeout``) and open the channel; once connected,
        return the same stub."""
        if self._stub is not None:
            return self._stub
        try:
            line = self._port_lines.get(timeout=self.options.start_timeout)
        except queue.Empty:
            raise RunError(f"the policy pack printed no port within {self.options.start_timeout:g}s") from None
        self.startup_seconds = time.perf_counter() - self._started_at
        if line is None:
            self._proc.wait(timeout=5)
            raise self._failure(f"exited with code {self._proc.returncode} before printing its port")
        try:
            port = int(line.strip())
        except ValueError:
            raise RunError("the policy pack printed something other than a port on its first line") from None
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)])
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        return self._stub

    def call(self, method: Any, request: Any, name: str, optional: bool = False) -> Any:
        """One call; a failure becomes a one-line ``RunError``. ``optional``: a call the pack may
        not implement (UNIMPLEMENTED then returns None)."""
        try:
            return method(request, timeout=self.options.call_timeout)
        except grpc.RpcError as exc:
            return self._failed(exc, name, optional)

    def submit(self, method: Any, request: Any) -> grpc.Future:
        """Start one call without waiting (``result`` waits): the gate keeps a few Analyze calls in
        flight, as the engine does while a program registers resources concurrently."""
        return method.future(request, timeout=self.options.call_timeout)

    def result(self, future: grpc.Future, name: str) -> Any:
        """The answer of a call ``submit`` started, with ``call``'s error handling."""
        try:
            return future.result()
        except grpc.RpcError as exc:
            return self._failed(exc, name, False)

    def _failed(self, exc: grpc.RpcError, name: str, optional: bool) -> Any:
        """None for an optional call the pack does not implement; otherwise raises a one-line ``RunError``."""
        code = exc.code() if hasattr(exc, "code") else None
        if optional and code == grpc.StatusCode.UNIMPLEMENTED:
            return None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.INTERNAL):
            try:  # a dying pack closes the socket a moment before it exits
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if self._proc.poll() is not None:
            raise self._failure(f"died during {name} (exit code {self._proc.returncode})") from None
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise RunError(f"the policy pack did not answer {name} within {self.options.call_timeout:g}s") from None
        details = (exc.details() if hasattr(exc, "details") else "") or ""
        first = details.strip().splitlines()[-1] if details.strip() else str(code)
        raise RunError(f"the policy pack failed in {name}: {first}") from None

    def close(self) -> None:
        if self._closed:  # the CLI's clean-up may close a pack the session has closed
            return
        self._closed = True
        if self.channel is not None:
            self.channel.close()
        if self._proc.poll() is None:
            _signal_group(self._proc, signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _signal_group(self._proc, signal.SIGKILL)
                self._proc.wait()
        for thread in self._drains:
            if thread.ident is not None:
                thread.join(timeout=5)  # everything the pack wrote is read before the report is made
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        self._engine.stop()
