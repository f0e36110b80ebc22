"""Build resources from property bags with a provider SDK's real classes: runs inside a Pulumi
program's own interpreter (an SDK env), so it imports only the standard library and ``pulumi``
(the provider package by name, at run time).

``build(token, name, bag)`` constructs the resource of ``token`` (azure-native 2.x or 3.x, versioned
modules included, or the bridged classic pulumi-azure) from a bag in wire spelling (camelCase,
as the engine carries it; snake_case keys are accepted too): every nested object through the
``*Args`` class the SDK declares for it (a union through the member whose discriminator constants
the bag matches), every key checked against the class. A key the SDK does not have raises
``UnknownProperty``, naming the path. An ``*Args`` class whose required argument the bag leaves out
on purpose (a sample about that absence) is passed as a dict of its Python names instead, which the
SDK serialises the same way; a required top-level string the bag leaves out gets a placeholder.
Secret envelopes become ``pulumi.Output.secret``.
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import re
import sys
import typing
from typing import Any

from pulumi import _types as sdk_types
from pulumi.output import Output

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_CONST = re.compile(r"pulumi\.set\(__self__, \"(\w+)\", '([^']*)'\)")
_MISSING_REQUIRED = re.compile(r"Missing required property '(\w+)'")
_SKIPPED = frozenset({"id", "urn"})  # engine-level outputs, not inputs


class UnknownProperty(Exception):
    """The bag names a property the SDK class does not have."""


def _norm(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def resource_class(token: str) -> type:
    package, module, name = token.split(":")
    if package == "azure-native":
        base, _, version = module.partition("/")
        path = f"pulumi_azure_native.{base}" + (f".{version}" if version else "")
    else:
        path = f"pulumi_{package.replace('-', '_')}." + module.split("/")[0].replace("/", ".")
    mod = importlib.import_module(path)
    return getattr(mod, name)


def _args_class(cls: type) -> type:
    """The resource's own ``*Args`` class: ``<Name>InitArgs`` in azure-native 2.x where the body
    type took ``<Name>Args`` (the first ``*Args`` name of the resource module's ``__all__``)."""
    module = sys.modules[cls.__module__]
    names = [n for n in getattr(module, "__all__", []) if n.endswith("Args")]
    return getattr(module, names[0])


def _members(tp: Any) -> list[Any]:
    """Input[T] / Optional / Union / Output flattened to the plain member types."""
    found: list[Any] = []

    def walk(t: Any) -> None:
        if t is type(None) or t is None:
            return
        origin = typing.get_origin(t)
        if origin is typing.Union:
            for arg in typing.get_args(t):
                walk(arg)
            return
        if origin in (collections.abc.Awaitable, typing.Awaitable):
            return
        if origin is Output or t is Output:
            args = typing.get_args(t)
            if args:
                walk(args[0])
            return
        if t not in found:
            found.append(t)

    walk(tp)
    return found


def _is_struct(t: Any) -> bool:
    return isinstance(t, type) and sdk_types.is_input_type(t)


def _fields(cls: type) -> tuple[dict[str, Any], dict[str, str]]:
    """(wire name -> type, wire name -> Python name) of an input type class."""
    types = sdk_types.input_type_types(cls)
    py_of = {wire: py for py, wire in sdk_types.input_type_py_to_pulumi_names(cls).items()}
    return types, py_of


def _consts(cls: type) -> dict[str, str]:
    """Discriminator constants the class's ``__init__`` sets (Python name -> value)."""
    try:
        source = inspect.getsource(vars(cls)["__init__"])
    except (OSError, TypeError, KeyError):
        return {}
    return dict(_CONST.findall(source))


def _wire_key(key: str, types: dict[str, Any], py_of: dict[str, str]) -> str | None:
    if key in types:
        return key
    wanted = _norm(key)
    return next((wire for wire in types if _norm(wire) == wanted or _norm(py_of.get(wire, "")) == wanted), None)


def _secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG and "value" in value


def _value(tp: Any, value: Any, path: str) -> Any:
    if _secret(value):
        return Output.secret(_value(tp, value["value"], path))
    members = _members(tp)
    structs = [m for m in members if _is_struct(m)]
    if isinstance(value, dict) and structs:
        return _construct(_choose(structs, value, path), value, path)
    for member in members:
        origin = typing.get_origin(member)
        args = typing.get_args(member)
        if origin in (collections.abc.Mapping, dict, typing.Mapping) and isinstance(value, dict) and len(args) > 1:
            return {k: _value(args[1], v, f"{path}.{k}") for k, v in value.items()}
        if origin in (collections.abc.Sequence, list, typing.Sequence) and isinstance(value, list) and args:
            return [_value(args[0], v, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _choose(structs: list[type], value: dict[str, Any], path: str) -> type:
    """The union member a bag is: its discriminator constants match, and it has every key."""
    if len(structs) == 1:
        return structs[0]
    fitting = []
    for cls in structs:
        types, py_of = _fields(cls)
        if any(_wire_key(k, types, py_of) is None for k in value):
            continue
        given = {_norm(k): v for k, v in value.items()}
        if all(_norm(str(given[_norm(py)])) == _norm(const) for py, const in _consts(cls).items() if _norm(py) in given):
            fitting.append(cls)
    if not fitting:
        names = ", ".join(c.__name__ for c in structs)
        raise UnknownProperty(f"{path}: no member of the union ({names}) has every key of {sorted(value)}")
    with_consts = [c for c in fitting if any(_norm(py) in {_norm(k) for k in value} for py in _consts(c))]
    return (with_consts or fitting)[0]


def _construct(cls: type, data: dict[str, Any], path: str) -> Any:
    types, py_of = _fields(cls)
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        wire = _wire_key(key, types, py_of)
        if wire is None:
            raise UnknownProperty(f"{path}.{key}: {cls.__name__} has no such property")
        kwargs[py_of[wire]] = _value(types[wire], value, f"{path}.{key}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        if "required" not in str(exc):
            raise
        return kwargs  # a required argument left out on purpose: the same serialisation, as a dict


def build(token: str, name: str, bag: dict[str, Any], outputs: bool = False) -> list[str]:
    """Build the resource; the top-level keys of ``bag`` left out as outputs (``outputs``: the bag
    is what a stack rule sees, so an output-only property such as ``name`` may be in it)."""
    cls = resource_class(token)
    types, py_of = _fields(_args_class(cls))
    output_names = {_norm(k) for k in sdk_types.resource_types(cls)} if outputs else set()
    kwargs: dict[str, Any] = {}
    skipped: list[str] = []
    for key, value in bag.items():
        if key in _SKIPPED:
            continue
        wire = _wire_key(key, types, py_of)
        if wire is None:
            if _norm(key) in output_names:
                skipped.append(key)
                continue
            raise UnknownProperty(f"{key}: {cls.__name__} has no such input")
        kwargs[py_of[wire]] = _value(types[wire], value, key)
    for _ in range(len(types) + 1):
        try:
            cls(name, **kwargs)
            return skipped
        except TypeError as exc:
            missing = _MISSING_REQUIRED.search(str(exc))
            if missing is None or missing.group(1) in kwargs:
                raise
            kwargs[missing.group(1)] = f"{missing.group(1).replace('_', '-')}-placeholder"
    raise AssertionError("unreachable")
