"""The Python SDK's own type information for a type token: the resource class a generated
provider SDK registered for it, the ``*Result`` class of an invoke, the declared output types,
and helpers to read Python type annotations the way ``pulumi._types`` does.

The mocks answer from this information because the SDK resolves every output through those
types and fails on a value of the wrong shape.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import re
import sys
import typing
from collections import abc
from typing import Any

from pulumi import _types
from pulumi.runtime import rpc

# -- type tokens and names -----------------------------------------------------------------------

def split_token(token: str) -> tuple[str, str, str]:
    """``pkg:module/vYYYYMMDD:Name`` -> (pkg, module without API version, Name)."""
    parts = token.split(":")
    if len(parts) != 3:
        return token, "", ""
    pkg, mod, name = parts
    return pkg, mod.split("/")[0], name


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "sh", "ch")) else "s")


# -- SDK classes ---------------------------------------------------------------------------------

def _registered_module_info(pkg: str, mod: str) -> dict[str, Any] | None:
    """The generated SDK's module record (``fqn`` and ``classes``) registered for pkg:mod."""
    module = rpc.get_resource_module(pkg, mod, "")
    info = getattr(module, "mod_info", None)
    return info if isinstance(info, dict) else None


def _python_module_name(pkg: str, mod: str) -> str | None:
    info = _registered_module_info(pkg, mod)
    if info is not None:
        return str(info["fqn"])
    # A module without resources is not registered: derive it from a sibling's package name.
    for key, modules in rpc._RESOURCE_MODULES.items():
        sibling = getattr(modules[0], "mod_info", None) if modules else None
        if key.startswith(pkg + ":") and isinstance(sibling, dict):
            return str(sibling["fqn"]).split(".")[0] + "." + mod.replace("/", ".")
    return None


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class registered for a resource type token (versioned tokens map to unversioned)."""
    pkg, mod, name = split_token(token)
    versioned = token.split(":")[1] if name else ""
    for module_name in dict.fromkeys([versioned, mod]):
        info = _registered_module_info(pkg, module_name) if module_name else None
        if info is None:
            continue
        class_name = info["classes"].get(f"{pkg}:{module_name}:{name}")
        if class_name is not None:
            return _import_attr(str(info["fqn"]), class_name)
    return None


@functools.cache
def function_result_class(token: str) -> type | None:
    """The ``*Result`` output type an invoke's Python function declares."""
    pkg, mod, name = split_token(token)
    module_name = _python_module_name(pkg, mod)
    if module_name is None or not name:
        return None
    package = _import_module(module_name)
    if package is None:
        return None
    fn = getattr(package, snake(name), None)
    if fn is None:  # acronyms ("getSqlVMs") defeat snake(): match ignoring case and underscores
        wanted = name.lower()
        fn = next((getattr(package, a) for a in dir(package) if a.replace("_", "") == wanted), None)
    home = sys.modules.get(getattr(fn, "__module__", "")) if fn is not None else None
    result = getattr(home, name[:1].upper() + name[1:] + "Result", None)
    return result if isinstance(result, type) and _types.is_output_type(result) else None


def _import_module(name: str) -> Any | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _import_attr(module_name: str, attr: str) -> type | None:
    module = _import_module(module_name)
    value = getattr(module, attr, None) if module is not None else None
    return value if isinstance(value, type) else None


def output_types(cls: type | None) -> dict[str, Any]:
    """Wire name -> declared output type for a resource class (empty when unknown)."""
    if cls is None:
        return {}
    try:
        return dict(_types.resource_types(cls))
    except Exception:  # noqa: BLE001 unresolvable annotations: behave as untyped
        return {}


_API_VERSION = re.compile(r"Uses Azure REST API version ([0-9][0-9A-Za-z-]+)")


@functools.cache
def api_version(cls: type) -> str | None:
    """The Azure API version the generated class documents ("Uses Azure REST API version X")."""
    try:
        source = inspect.getsource(sys.modules[cls.__module__])
    except (OSError, TypeError, KeyError):
        return None
    match = _API_VERSION.search(source)
    return match.group(1) if match else None


# -- reading annotations -------------------------------------------------------------------------

def normalise(typ: Any) -> Any:
    """The type without Optional; None for Any or no type."""
    if typ is None or typ is Any:
        return None
    typ = _types.unwrap_optional_type(typ)
    return None if typ is Any else typ


def is_union(typ: Any) -> bool:
    return bool(_types._is_union_type(typ))


def union_members(typ: Any) -> list[Any]:
    return [m for m in typing.get_args(typ) if m is not type(None)]


def is_output_type(typ: Any) -> bool:
    return bool(_types.is_output_type(typ))


def output_type_fields(typ: Any) -> dict[str, Any]:
    """Wire name -> declared type for the properties of an output type."""
    return _types.output_type_types(typ)


def is_mapping_type(typ: Any) -> bool:
    return typ is dict or typing.get_origin(typ) in (dict, abc.Mapping, typing.Mapping)


def is_list_type(typ: Any) -> bool:
    return typ is list or typing.get_origin(typ) in (list, abc.Sequence, typing.Sequence)


def mapping_value_type(typ: Any) -> Any:
    args = typing.get_args(typ)
    return args[1] if len(args) == 2 and args[0] is str else None


def list_element_type(typ: Any) -> Any:
    args = typing.get_args(typ)
    return args[0] if len(args) == 1 else None


def is_enum(typ: Any) -> bool:
    return inspect.isclass(typ) and issubclass(typ, enum.Enum)
