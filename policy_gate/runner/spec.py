"""What the gate hands the program runner: one JSON document on the runner's stdin.

The gate reads the project files (``policy_gate.project``) and sends what the runner needs,
so the runner reads no project file and config of any size never meets the limits of a
command line or an environment variable. Both sides use this one definition.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SPEC_VERSION = 1


@dataclass(frozen=True)
class RunSpec:
    project: str  # the project name
    directory: str  # where Pulumi.yaml is: source positions are made relative to it
    entry: str  # the program's entry file; the program runs in its directory
    stack: str
    preview: bool = False
    organization: str = "organization"
    config: dict[str, str] = field(default_factory=dict)  # "project:key" -> value, as the language host passes it
    secret_keys: list[str] = field(default_factory=list)  # the config keys that are secret (PULUMI_CONFIG_SECRET_KEYS)
    # URN -> {"set": {key: value}, "remove": [key]}: what remediations changed in the resource's
    # checked inputs; the monitor deploys the changed inputs (analyzer.session re-runs the program)
    remediations: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def directory_path(self) -> Path:
        return Path(self.directory)

    @property
    def entry_path(self) -> Path:
        return Path(self.entry)

    def to_json(self) -> str:
        return json.dumps({"version": SPEC_VERSION, **asdict(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> RunSpec:
        """Raises ``ValueError`` on anything but a spec of this version."""
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.pop("version", None) != SPEC_VERSION:
            raise ValueError(f"not a version {SPEC_VERSION} run spec")
        config = data.get("config", {})
        if not isinstance(config, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in config.items()):
            raise ValueError("config must map strings to strings")
        secret_keys = data.get("secret_keys", [])
        if not isinstance(secret_keys, list) or not all(isinstance(k, str) for k in secret_keys):
            raise ValueError("secret_keys must be a list of strings")
        remediations = data.get("remediations", {})
        if not isinstance(remediations, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("set", {}), dict) and isinstance(v.get("remove", []), list)
                for v in remediations.values()):
            raise ValueError("remediations must map URNs to {set, remove}")
        try:
            spec = cls(**data)
        except TypeError as exc:
            raise ValueError(str(exc)) from None
        if not all(isinstance(getattr(spec, name), str) for name in ("project", "directory", "entry", "stack", "organization")):
            raise ValueError("project, directory, entry, stack and organization must be strings")
        return spec
