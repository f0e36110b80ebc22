"""The project files the gate reads, each read once, here: a program's ``Pulumi.yaml``, a
pack's ``PulumiPolicy.yaml``. A program's interpreter is chosen by ``interpreter`` and its
stack config merged by ``stack_config``, both from what is read here.

The program runner gets what it needs from the gate (project name, entry, config values) as
JSON; it reads no file of the project itself.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .yamlfile import read_mapping


def _runtime_options(manifest: Mapping[str, Any]) -> dict[str, Any]:
    runtime = manifest.get("runtime")
    options = runtime.get("options") if isinstance(runtime, Mapping) else None
    return dict(options) if isinstance(options, Mapping) else {}


def _virtualenv_python(directory: Path, manifest: Mapping[str, Any]) -> str | None:
    """A pack's interpreter: ``runtime.options.virtualenv`` (relative to ``directory``) when it exists."""
    venv = _runtime_options(manifest).get("virtualenv")
    if isinstance(venv, str) and venv and (directory / venv / "bin" / "python").exists():
        return str(directory / venv / "bin" / "python")
    return None


# -- a program -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Program:
    name: str
    directory: Path  # where Pulumi.yaml is (the project root): source paths are relative to it
    entry: Path  # the __main__.py (or the file `main` names)
    runtime_options: dict[str, Any] = field(default_factory=dict)  # Pulumi.yaml `runtime.options`
    declarations: dict[str, Any] = field(default_factory=dict)  # Pulumi.yaml `config:` block
    stack_config_dir: Path | None = None  # `stackConfigDir`, where Pulumi.<stack>.yaml files are
    description: str | None = None  # Pulumi.yaml `description` (the pulumi:description stack tag)

    @property
    def program_dir(self) -> Path:
        """The directory the program runs in (``main``'s), poetry's project directory."""
        return self.entry.parent

    @property
    def stack_dir(self) -> Path:
        return self.stack_config_dir or self.directory


def runtime_name(manifest: Mapping[str, Any]) -> Any:
    """``runtime`` of a ``Pulumi.yaml``: a name, or an object with a ``name``."""
    runtime = manifest.get("runtime")
    return runtime.get("name") if isinstance(runtime, Mapping) else runtime


def load_program(directory: Path) -> Program:
    if not directory.is_dir():
        raise UsageError(f"program directory {directory} does not exist")
    manifest_path = directory / "Pulumi.yaml"
    if not manifest_path.is_file():
        raise UsageError(f"{directory} is not a Pulumi project (no Pulumi.yaml)")
    manifest = read_mapping(manifest_path, empty_ok=False)
    name = manifest.get("name")
    if not isinstance(name, str) or not name:
        raise UsageError(f"{manifest_path} has no project name")
    if runtime_name(manifest) != "python":
        raise UsageError(f"project {name} has runtime {runtime_name(manifest)!r}; only python can run")
    main = manifest.get("main")
    base = directory / main if isinstance(main, str) and main else directory
    entry = base / "__main__.py" if base.is_dir() else base
    if not entry.is_file():
        raise UsageError(f"program entry {entry} does not exist")
    config = manifest.get("config")
    # project.go RewriteConfigPathIntoStackConfigDir: a string `config` is the old stackConfigDir.
    stack_dir = manifest.get("stackConfigDir") or (config if isinstance(config, str) else None)
    if stack_dir is not None and not isinstance(stack_dir, str):
        raise UsageError(f"{manifest_path}: stackConfigDir must be a string")
    if config is not None and not isinstance(config, (dict, str)):
        raise UsageError(f"{manifest_path}: `config` must be a mapping")
    description = manifest.get("description")
    return Program(name, directory, entry, _runtime_options(manifest), config if isinstance(config, dict) else {},
                   directory / stack_dir if stack_dir else None, description if isinstance(description, str) else None)


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
    manifest = read_mapping(manifest_path, empty_ok=True)
    version = manifest.get("version")
    return Pack(directory, str(version) if version else "", _virtualenv_python(directory, manifest))
