"""What the engine's requests carried, read back through the probe pack
(``tests/fixtures/probe_pack``): the gate run as a user runs it, the real pack process and protocol."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests import sdk_envs

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "tests" / "fixtures" / "probe_pack"


@dataclass
class Seen:
    code: int
    stderr: str
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {props, protect, additionalSecretOutputs}
    stack: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {props, dependencies, propertyDependencies}
    context: dict[str, Any] = field(default_factory=dict)  # {tags, env}
    violations: list[dict[str, Any]] = field(default_factory=list)  # the others
    urns: dict[str, str] = field(default_factory=dict)  # name -> URN, of every resource the probe saw


def write_program(directory: Path, body: str, env: str | None = None, description: str = "",
                  stack_config: str = "") -> Path:
    """A program in ``directory`` with its stack file (``stack_config``, by default no config);
    ``env`` names an SDK env (``tests/sdk_envs``) it runs in."""
    directory.mkdir(parents=True, exist_ok=True)
    runtime = "runtime: python\n"
    if env is not None:
        (directory / "venv").symlink_to(sdk_envs.python(env).parent.parent)
        runtime = "runtime:\n  name: python\n  options:\n    virtualenv: venv\n"
    (directory / "Pulumi.yaml").write_text(f"name: probed\n{runtime}" + (f"description: {description}\n" if description else ""))
    (directory / "__main__.py").write_text(body)
    (directory / "Pulumi.dev.yaml").write_text(stack_config or "config: {}\n")
    return directory


def probe(path: Path, *extra: str, config: dict[str, Any] | None = None) -> Seen:
    args = [sys.executable, "-m", "policy_gate", "run", str(path), "--pack", str(PROBE), "--format", "json", *extra]
    if config is not None:
        config_file = (path if path.is_dir() else path.parent) / "probe-config.json"
        config_file.write_text(json.dumps(config))
        args += ["--config", str(config_file)]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    seen = Seen(result.returncode, result.stderr)
    if not result.stdout:
        return seen
    for violation in json.loads(result.stdout)["violations"]:
        name, message = violation["urn"].rsplit("::", 1)[-1], violation["message"]
        kind, _, body = message.partition(" ")
        if violation["policy"] == "probe-inputs" and kind == "inputs":
            seen.inputs[name] = json.loads(body)
            seen.urns[name] = violation["urn"]
        elif violation["policy"] == "probe-stack" and kind == "stack":
            seen.stack[name] = json.loads(body)
            seen.urns[name] = violation["urn"]
        elif violation["policy"] == "probe-stack" and kind == "context":
            seen.context = json.loads(body)
        else:
            seen.violations.append(violation)
    return seen
