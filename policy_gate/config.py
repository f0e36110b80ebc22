"""Policy pack config, merged and validated as the Pulumi CLI does for ``--policy-pack-config``.

The file is a JSON object from policy name (or ``all``) to an enforcement level string or
``{"enforcementLevel": ..., <properties>}``. Merge order: each policy's schema defaults, then
the pack's initial config, then the file; a policy's own entry wins over ``all``. Each
policy's block is validated with JSON Schema (``{type: object, properties, required}`` plus
the ``enforcementLevel`` enum), exactly the schema the CLI builds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

import jsonschema

from .errors import UsageError
from .files import read_text
from .results import LEVELS, PolicyMeta


def load_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = read_text(path, "config file ")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"config file {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise UsageError(f"config file {path} must hold a JSON object from policy name to settings")
    return data


def _normalise(name: str, value: Any, origin: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {"enforcementLevel": value}
    if isinstance(value, Mapping):
        return dict(value)
    raise UsageError(f"{origin}: the entry for '{name}' must be an enforcement level or an object")


def _schema(meta: PolicyMeta) -> dict[str, Any]:
    properties = dict(meta.config_schema)
    properties["enforcementLevel"] = {"type": "string", "enum": list(LEVELS)}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if meta.required:
        schema["required"] = list(meta.required)
    return schema


def merge(policies: list[PolicyMeta], initial: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any],
          origin: str = "config") -> dict[str, tuple[str, dict[str, Any]]]:
    """Per policy: (enforcement level, properties). Raises ``UsageError`` on anything invalid."""
    by_name = {m.name: m for m in policies}
    entries = {name: _normalise(name, value, origin) for name, value in given.items()}
    unknown = sorted(set(entries) - set(by_name) - {"all"})
    if unknown:
        raise UsageError(f"{origin}: no policy named '{unknown[0]}' in this pack (known: {', '.join(sorted(by_name))})")
    everyone = entries.pop("all", {})
    if set(everyone) - {"enforcementLevel"}:
        raise UsageError(f"{origin}: 'all' may only set enforcementLevel")
    merged: dict[str, tuple[str, dict[str, Any]]] = {}
    for meta in policies:
        block: dict[str, Any] = {k: s["default"] for k, s in meta.config_schema.items() if isinstance(s, Mapping) and "default" in s}
        block.update(initial.get(meta.name, {}))
        if "enforcementLevel" in everyone:
            block["enforcementLevel"] = everyone["enforcementLevel"]
        block.update(entries.get(meta.name, {}))
        _validate(meta, block, origin)
        for key in sorted(set(entries.get(meta.name, {})) - set(meta.config_schema) - {"enforcementLevel"}):
            # The CLI accepts keys outside the schema; say so rather than drop them silently.
            print(f"warning: {origin}: policy '{meta.name}' has no config key '{key}'; it is passed on unused",
                  file=sys.stderr)
        level = block.pop("enforcementLevel", None) or meta.level
        merged[meta.name] = (level, block)
    return merged


def _validate(meta: PolicyMeta, block: Mapping[str, Any], origin: str) -> None:
    validator = jsonschema.Draft7Validator(_schema(meta))
    error = next(iter(sorted(validator.iter_errors(block), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return
    where = ".".join(str(p) for p in error.absolute_path) or "(the policy's block)"
    # The instance is the user's own config value, never a resource property: safe to name.
    raise UsageError(f"{origin}: invalid config for policy '{meta.name}', key {where}: {error.message}")
