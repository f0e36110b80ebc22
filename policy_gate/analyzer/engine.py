"""A minimal engine service for the pack process: the CLI passes the pack an engine
address, and SDKs may send log messages there. Messages are kept for the report."""

from __future__ import annotations

import threading
from concurrent import futures
from dataclasses import dataclass

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

_SEVERITY = {engine_pb2.DEBUG: "debug", engine_pb2.INFO: "info", engine_pb2.WARNING: "warning", engine_pb2.ERROR: "error"}


@dataclass(frozen=True)
class LogEntry:
    severity: str
    message: str
    urn: str


class _Engine(engine_pb2_grpc.EngineServicer):
    def __init__(self) -> None:
        self.logs: list[LogEntry] = []
        self._lock = threading.Lock()
        self._root = ""

    def Log(self, request, context):  # noqa: N802 - gRPC method name
        with self._lock:
            self.logs.append(LogEntry(_SEVERITY.get(request.severity, "info"), request.message, request.urn))
        return empty_pb2.Empty()

    def GetRootResource(self, request, context):  # noqa: N802
        return engine_pb2.GetRootResourceResponse(urn=self._root)

    def SetRootResource(self, request, context):  # noqa: N802
        self._root = request.urn
        return engine_pb2.SetRootResourceResponse()


class EngineServer:
    """Serves the engine on a loopback port between ``start`` and ``stop`` (or for the lifetime
    of a ``with`` block)."""

    def __init__(self) -> None:
        self._servicer = _Engine()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self._servicer, self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def logs(self) -> list[LogEntry]:
        return list(self._servicer.logs)

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop(None)

    def __enter__(self) -> EngineServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
