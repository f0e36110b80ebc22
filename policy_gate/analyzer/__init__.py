"""Drive a policy pack the way the Pulumi CLI does: its process, its calls, its answers.

Public API (the gate's CLI and the benchmark use it; tests too):

- ``analyze(capture, PackOptions(dir), user_config)``: the whole analysis, an ``Outcome``.
- ``PackProcess(options, env)``: a pack started as the CLI starts it, with the gate's engine
  service; ``connect()`` -> stub, ``call(...)``, ``close()`` (or ``with``), ``pid``,
  ``startup_seconds``, ``log_lines()``, ``engine_logs()``. ``pack_environment(capture)`` is
  the CLI's environment for it (``state_environment()`` for a state file, known before it is read).
- ``prepare(pack, capture)`` (the calls before Configure) and ``configure(pack, info, config)``.
- Request builders: ``analyze_request``, ``stack_request``, ``stack_resource``,
  ``configure_request``, ``policy_config``; response readers: ``policy_metas``,
  ``initial_config``, ``Collector``.
- ``go_duration_seconds``: custom timeouts as the engine reads them.

Modules: ``process`` (the process), ``engine`` (the engine service), ``session`` (the call
order), ``requests``, ``responses``, ``durations``.
"""

from .durations import go_duration_seconds
from .engine import EngineServer, LogEntry
from .process import PackOptions, PackProcess, pack_environment, state_environment
from .requests import analyze_request, configure_request, policy_config, stack_request, stack_resource
from .responses import Collector, initial_config, policy_metas
from .session import analyze, configure, prepare

__all__ = [
    "Collector", "EngineServer", "LogEntry", "PackOptions", "PackProcess", "analyze", "analyze_request", "configure",
    "configure_request", "go_duration_seconds", "initial_config", "pack_environment", "policy_config", "policy_metas",
    "prepare", "stack_request", "stack_resource", "state_environment",
]
