"""One reading of a setting, whatever provider (and provider version) declared the resource.

A family declares each setting its rules read once, in its ``shape.py``: where azure-native keeps
it (relative to the resource's body, whose key 2.x renames: ``{body}.authMode`` is
``properties.authMode`` in 3.x and ``onlineEndpointProperties.authMode`` in 2.x), where 2.x keeps
it when more than the body key differs, where the classic provider keeps it and how its values map
onto azure-native's, what an absent value means in each provider (``Default``, with where that is
written: the API specification, Azure's documentation, a provider's docstring), and which API
versions have it at all (``Only``).

``read`` returns a ``Reading``: the path as this resource spells it (messages name it, so a 2.x
user reads ``onlineEndpointProperties.authMode`` and a classic user ``publicNetworkAccessEnabled``),
the value as written, the value in azure-native's terms (the default when absent) and, when the
resource's API version cannot hold the setting, why. Rules read settings only this way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from . import props as p
from . import types as t
from .providers import Layout, Provider, body_key, layout

__all__ = ["BODY", "Default", "Only", "Reading", "Setting", "body", "body_key", "path_of", "read", "resolve"]

BODY: Final = "{body}"  # a path's first segment: the resource's body key (2.x renames it)


@dataclass(frozen=True)
class Default:
    """The value an absent setting takes (in the provider's own terms), and where that is written."""

    value: Any
    source: str


@dataclass(frozen=True)
class Only:
    """A setting that only some azure-native API versions have: the 2.x versioned modules that
    have it (3.x always has it). ``fix`` says how a user of another version gets it."""

    modules: frozenset[str]
    fix: str
    in_default_module: bool = False  # whether 2.x's default module (API 2023-04-01) has it


@dataclass(frozen=True)
class Setting:
    """Where each provider keeps one setting, and what its absence means there."""

    native: str | None  # azure-native path ("{body}.x.y" or a top-level path); None: azure-native lacks it
    classic: str | None = None  # pulumi-azure 6.x path; None: the classic provider lacks it
    default: Default | None = None  # azure-native: the value Azure gives an absent setting
    classic_default: Default | None = None  # the classic provider's default for an absent value
    classic_values: Mapping[Any, Any] = field(default_factory=dict)  # classic value -> azure-native value
    an2: str | None = None  # the 2.x path, where 2.x differs beyond the body key
    only: Only | None = None  # API versions that have it (None: every one)


@dataclass(frozen=True)
class Reading:
    """A setting as one resource holds it."""

    path: str  # as this resource spells it
    raw: Any  # as written (``props.MISSING`` when absent)
    value: Any  # in azure-native's terms: ``raw`` mapped, or the default's value when absent (else MISSING)
    default: Default | None  # the default ``value`` came from, when the setting is absent
    provider: Provider
    lacking: str | None = None  # why this resource's API version cannot hold the setting, when it cannot
    values: Mapping[Any, Any] = field(default_factory=dict)  # the provider's value -> azure-native's

    @property
    def absent(self) -> bool:
        return not p.present(self.raw)

    def own(self, value: Any) -> Any:
        """A value in azure-native's terms as this resource's provider writes it (``Disabled`` is
        ``False`` for ``publicNetworkAccessEnabled``)."""
        return next((mine for mine, native in self.values.items() if native == value), value)

    def said(self, value: Any) -> str:
        """``own(value)`` for a message."""
        return _said(self.own(value))

    def note(self) -> str:
        """What a message adds about the absence: the default used, or why it cannot be set."""
        parts = []
        if self.default is not None:
            parts.append(f"absent means {_said(self.default.value)}: {self.default.source}")
        if self.lacking:
            parts.append(self.lacking)
        return f" ({'; '.join(parts)})" if parts else ""


def _said(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve(token: str, props: Any, path: str) -> str:
    """A ``{body}``-relative path as this resource spells it."""
    return _resolved(path, body_key(token, props))


def _resolved(path: str, key: str | None) -> str:
    if not path.startswith(BODY):
        return path
    rest = path[len(BODY):].lstrip(".")
    return ".".join(part for part in (key, rest) if part)


def body(token: str, props: Any) -> tuple[str, Mapping[str, Any] | None]:
    """(path, mapping) of the resource's body: the body object, or the whole bag when flat."""
    key = body_key(token, props)
    if key is None:
        return "", props if isinstance(props, Mapping) else None
    return key, p.get_map(props, key)


def path_of(token: str, props: Any, setting: Setting) -> str | None:
    """Where this resource keeps a setting (None when its provider has no such setting)."""
    return _path(layout(token, props), setting)


def _path(spelling: Layout, setting: Setting) -> str | None:
    if spelling.provider is Provider.CLASSIC:
        return setting.classic
    if setting.native is None:
        return None
    return _resolved(setting.an2 if setting.an2 and spelling.spelled_2x else setting.native, spelling.body)


def read(token: str, props: Any, setting: Setting) -> Reading | None:
    """The setting as this resource holds it; None when the resource's provider has no such setting.
    An unknown value raises ``UnknownValueError`` (as ``props.get`` does)."""
    spelling = layout(token, props)
    where = _path(spelling, setting)
    if where is None:
        return None
    raw = p.get(props, where)
    provider = spelling.provider
    classic = provider is Provider.CLASSIC
    default = setting.classic_default if classic else setting.default
    values = setting.classic_values if classic else {}
    if p.present(raw):
        return Reading(where, raw, _mapped(raw, values), None, provider, values=values)
    lacking = None if classic else _lacking(token, setting)
    value = _mapped(default.value, values) if default else p.MISSING
    return Reading(where, raw, value, default, provider, lacking, values)


def _mapped(raw: Any, values: Mapping[Any, Any]) -> Any:
    """A provider's value in azure-native's terms; a value of another type is left as it is (a
    number is no boolean, though 1.0 == True)."""
    key: Any = raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        key = raw.strip().lower() == "true"  # ARM templates and YAML write booleans as strings
    if not values or not isinstance(key, (bool, str)):
        return raw
    return values.get(key, raw)


def _lacking(token: str, setting: Setting) -> str | None:
    only = setting.only
    if only is None:
        return None
    name = (setting.an2 or setting.native or "").replace(BODY, "").lstrip(".")
    version = t.api_version(token)
    if version is None:
        if only.in_default_module:
            return None
        return f"azure-native 2.x's default {t.canonical(token).rsplit(':', 1)[-1]} (API 2023-04-01) has no {name}: {only.fix}"
    if version not in only.modules:
        return f"API version {version} has no {name}: {only.fix}"
    return None
