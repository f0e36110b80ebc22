"""The project files the gate reads, each read once, here: a program's ``Pulumi.yaml`` and
``Pulumi.<stack>.yaml``, a pack's ``PulumiPolicy.yaml``, and the interpreter each of them
names (``runtime.options.virtualenv``, as the Python language host chooses it).

The program runner gets what it needs from here (project name, entry, config values) as
JSON; it reads no file of the project itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError
from .files import read_text


def read_yaml(path: Path, empty_ok: bool) -> dict[str, Any]:
    """A YAML mapping (an empty file is ``{}`` when ``empty_ok``); anything else is a one-line
    ``UsageError``."""
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {_first_line(exc)}") from None
    if data is None and empty_ok:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path} must be a YAML mapping")
    return data


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def _virtualenv_python(directory: Path, manifest: Mapping[str, Any]) -> str | None:
    """The interpreter of ``runtime.options.virtualenv`` (relative to ``directory``) when it exists."""
    runtime = manifest.get("runtime")
    options = runtime.get("options") if isinstance(runtime, Mapping) else None
    venv = options.get("virtualenv") if isinstance(options, Mapping) else None
    if isinstance(venv, str) and (directory / venv / "bin" / "python").exists():
        return str(directory / venv / "bin" / "python")
    return None


# -- a program -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    name: str
    directory: Path  # where Pulumi.yaml is: source paths are relative to it
    entry: Path  # the __main__.py (or the file `main` names)
    python: str  # the interpreter the program runs in
    declarations: dict[str, Any] = field(default_factory=dict)  # Pulumi.yaml `config:` block


def load_program(directory: Path) -> Program:
    if not directory.is_dir():
        raise UsageError(f"program directory {directory} does not exist")
    manifest_path = directory / "Pulumi.yaml"
    if not manifest_path.is_file():
        raise UsageError(f"{directory} is not a Pulumi project (no Pulumi.yaml)")
    manifest = read_yaml(manifest_path, empty_ok=False)
    name = manifest.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{manifest_path} has no project name")
    runtime = manifest.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise UsageError(f"project {name} has runtime {runtime_name!r}; only python can run")
    main = manifest.get("main")
    base = directory / main if isinstance(main, str) and main else directory
    entry = base / "__main__.py" if base.is_dir() else base
    if not entry.is_file():
        raise UsageError(f"program entry {entry} does not exist")
    config = manifest.get("config")
    return Program(name, directory, entry, _virtualenv_python(directory, manifest) or sys.executable,
                   config if isinstance(config, dict) else {})


def stack_config(program: Program, stack: str) -> tuple[dict[str, str], list[str]]:
    """Config as the language host passes it (``project:key`` -> string, JSON for objects), and
    a warning for each value that cannot be read offline."""
    raw: dict[str, Any] = {}
    for key, spec in program.declarations.items():  # project-level defaults
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            raw[key] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict) or "type" not in spec:
            raw[key] = spec
    stack_path = program.directory / f"Pulumi.{stack}.yaml"
    stack_file = read_yaml(stack_path, empty_ok=True) if stack_path.is_file() else {}
    stack_values = stack_file.get("config") or {}
    if not isinstance(stack_values, dict):
        raise UsageError(f"Pulumi.{stack}.yaml: `config` must be a mapping")
    raw.update(stack_values)
    config: dict[str, str] = {}
    warnings: list[str] = []
    for key, value in raw.items():
        full_key = str(key) if ":" in str(key) else f"{program.name}:{key}"
        if _has_secure(value):
            warnings.append(f"config {full_key} is encrypted and cannot be read offline; treated as unset")
        elif value is not None:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config, warnings


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


# -- a policy pack -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pack:
    directory: Path
    version: str  # PulumiPolicy.yaml `version` ("" when absent)
    virtualenv_python: str | None  # the pack's own virtualenv, when it exists

    def interpreter(self, override: str | None = None) -> str:
        """``override`` (--pack-python), else the pack's virtualenv, else this Python."""
        return override or self.virtualenv_python or sys.executable


def load_pack(directory: Path) -> Pack:
    manifest_path = directory / "PulumiPolicy.yaml"
    if not manifest_path.is_file():
        raise UsageError(f"{directory} is not a policy pack (no PulumiPolicy.yaml)")
    manifest = read_yaml(manifest_path, empty_ok=True)
    version = manifest.get("version")
    return Pack(directory, str(version) if version else "", _virtualenv_python(directory, manifest))
