"""Policy pack config, read, merged and validated as the Pulumi CLI does for ``--policy-pack-config``.

pulumi/pulumi ``pkg/resource/analyzer/config.go``: the file is a JSON object from policy name
(or ``all``) to an enforcement level string or ``{"enforcementLevel": ..., <properties>}``
(``parsePolicyPackConfig``; an empty file is no config; an entry with neither a level nor
properties is dropped). ``ReconcilePolicyPackConfig``: each policy's schema defaults, then the
pack's initial config, then the file (``applyConfig``: a valid ``all`` level is set on every
policy first, then every entry of the file is applied, its properties merged over the
defaults). Every entry of the file goes to Configure, including names the pack does not have
and ``all`` itself; ``analyzer_plugin.go`` ``Configure`` then rejects an entry without a valid
level (``invalid enforcement level ""``). Each known policy's block is validated with JSON Schema
(``{type: object, properties, required}``, ``convertSchema``); keys outside the schema are
accepted. The parse errors are the CLI's own texts; the gate adds a warning where the CLI is
silent but a user would want to know (a name the pack does not have, a key no policy reads).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import jsonschema

from .apitype import check_values
from .errors import UsageError, clip
from .files import parse_json, read_text
from .results import LEVELS, PolicyMeta

ALL = "all"


MAX_FILE_BYTES = 32 * 1024 * 1024


def load_file(path: str | None) -> dict[str, Any]:
    if path is None:
        return {}
    text = read_text(path, "config file ", max_bytes=MAX_FILE_BYTES)
    if not text.strip():
        return {}  # "Gracefully allow empty content" (parsePolicyPackConfig)
    data = parse_json(text, f"config file {path}")
    check_values(data, f"config file {path}", unknowns=True)  # messages and requests walk it recursively
    if not isinstance(data, dict):
        raise UsageError(f"config file {path} must hold a JSON object from policy name to settings")
    return data


def _go(value: Any) -> str:
    """A JSON value as Go's ``%v`` prints it after ``json.Unmarshal`` into ``interface{}``."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(_go(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _quoted(text: str) -> str:
    return clip(json.dumps(text))


def parse(given: Mapping[str, Any], origin: str = "config") -> dict[str, tuple[str, dict[str, Any]]]:
    """Entry name -> (level or "", properties), with ``parsePolicyPackConfig``'s errors."""
    parsed: dict[str, tuple[str, dict[str, Any]]] = {}
    for name, value in given.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise UsageError(f"{origin}: parsing enforcement level for {_quoted(name)}: "
                                 f"{_quoted(value)} is not a valid enforcement level")
            level, props = value, {}
        elif isinstance(value, Mapping):
            props = dict(value)
            level = props.pop("enforcementLevel", "")
            if "enforcementLevel" in value and not isinstance(level, str):
                raise UsageError(f"{origin}: parsing enforcement level for {_quoted(name)}: "
                                 f"{clip(_go(level))} is not a valid enforcement level; must be a string")
            if "enforcementLevel" in value and level not in LEVELS:
                raise UsageError(f"{origin}: parsing enforcement level for {_quoted(name)}: "
                                 f"{_quoted(level)} is not a valid enforcement level")
        else:
            raise UsageError(f"{origin}: parsing {_quoted(name)}: {clip(_go(value))} is not a valid value; "
                             "must be a string or object")
        if level or props:  # "Don't bother including empty configs."
            parsed[name] = (level, props)
    return parsed


def _schema(meta: PolicyMeta) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if meta.config_schema:
        schema["properties"] = dict(meta.config_schema)
    if meta.required:
        schema["required"] = list(meta.required)
    return schema


def _apply(result: dict[str, tuple[str, dict[str, Any]]], config: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
    """``applyConfig``."""
    everyone = config.get(ALL, ("", {}))[0]
    if everyone in LEVELS:
        for name, (_, props) in list(result.items()):
            result[name] = (everyone, props)
    for name, (level, props) in config.items():
        current_level, current_props = result.get(name, ("", {}))
        result[name] = (level if level in LEVELS else current_level, {**current_props, **props})


def merge(policies: list[PolicyMeta], initial: Mapping[str, Mapping[str, Any]], given: Mapping[str, Any],
          origin: str = "config", warnings: list[str] | None = None) -> dict[str, tuple[str, dict[str, Any]]]:
    """Entry name -> (enforcement level, properties), for every policy of the pack and every
    entry of ``given``: what Configure receives. Raises ``UsageError`` where the CLI stops;
    appends to ``warnings`` what the CLI accepts silently but a user would want to know."""
    parsed = parse(given, origin)
    result: dict[str, tuple[str, dict[str, Any]]] = {
        meta.name: (meta.level, {k: s["default"] for k, s in meta.config_schema.items()
                                 if isinstance(s, Mapping) and "default" in s})
        for meta in policies}
    _apply(result, parse(initial, "the pack's initial config"))
    _apply(result, parsed)
    for meta in policies:
        _validate(meta, result[meta.name][1], origin)
    for name, (level, _) in result.items():
        if level not in LEVELS:  # analyzer_plugin.go Configure
            why = "sets no enforcementLevel" + ("" if name == ALL else ", and the pack has no policy of that name")
            raise UsageError(f"{origin}: invalid enforcement level {json.dumps(level)} (the entry '{name}' {why})")
    _warn(policies, parsed, origin, warnings if warnings is not None else [])
    return result


def _warn(policies: list[PolicyMeta], parsed: Mapping[str, tuple[str, dict[str, Any]]], origin: str,
          warnings: list[str]) -> None:
    """Where the CLI says nothing but a user would want to know."""
    by_name = {m.name: m for m in policies}
    for name, (_, props) in parsed.items():
        meta = by_name.get(name)
        if name == ALL:
            if props:
                warnings.append(f"{origin}: 'all' sets only the enforcement level of every policy; its other keys "
                                f"({clip(', '.join(sorted(props)))}) are passed on to the pack under the name 'all'")
        elif meta is None:
            warnings.append(f"{origin}: the pack has no policy named '{clip(name, 100)}' (known: "
                            f"{', '.join(sorted(by_name))}); the entry is passed on to the pack unused")
        else:
            for key in sorted(set(props) - set(meta.config_schema)):
                warnings.append(f"{origin}: policy '{name}' has no config key '{clip(key, 100)}'; it is passed on unused")


def _validate(meta: PolicyMeta, block: Mapping[str, Any], origin: str) -> None:
    validator = jsonschema.Draft7Validator(_schema(meta))
    error = next(iter(sorted(validator.iter_errors(dict(block)), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return
    where = ".".join(str(p) for p in error.absolute_path) or "(the policy's block)"
    # The instance is the user's own config value, never a resource property: safe to name.
    raise UsageError(f"{origin}: invalid config for policy '{meta.name}', key {clip(where, 100)}: {clip(error.message)}")
