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

from pulumi import Output, _types
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


def _python_package(pkg: str) -> str:
    """The top-level Python package of a Pulumi package: taken from any of its registered
    resource modules (every generated SDK registers them all when it is imported)."""
    for key, modules in rpc._RESOURCE_MODULES.items():
        info = getattr(modules[0], "mod_info", None) if modules else None
        if key.startswith(pkg + ":") and isinstance(info, dict):
            return str(info["fqn"]).split(".")[0]
    return "pulumi_" + pkg.replace("-", "_")


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


def is_bridged(token: str) -> bool:
    """A Terraform-bridged provider's token (``azure:storage/account:Account``, ``azuread:index/
    group:Group``): the module part names the resource again. azure-native's are ``pkg:module:Name``
    or ``pkg:module/vYYYYMMDD:Name``."""
    parts = token.split(":")
    return len(parts) == 3 and parts[1].partition("/")[2] == lower_camel(parts[2])


def _function(token: str) -> Any | None:
    """The Python function of an invoke token. Functions are not registered with the SDK, so
    the module is derived from the token: ``azure-native:<mod>[/<version>]:<fn>`` is in
    ``pulumi_azure_native.<mod>[.<version>]``; a bridged ``<pkg>:<mod>/<fn>:<fn>`` is in
    ``pulumi_<pkg>.<mod>``, where the module ``index`` is the package's top level."""
    parts = token.split(":")
    if len(parts) != 3 or not parts[2]:
        return None
    pkg, module_path, name = parts
    module, _, sub = module_path.partition("/")
    candidates = [f"{module}.{sub}"] if sub and sub != lower_camel(name) else []
    package = _python_package(pkg)
    for candidate in [*candidates, module]:
        python_name = package if candidate in ("index", "") else f"{package}.{candidate}"
        found = _import_module(python_name)
        if found is None:
            continue
        fn = getattr(found, snake(name), None)
        if fn is None:  # acronyms ("getSqlVMs") defeat snake(): match ignoring case and underscores
            wanted = name.lower()
            fn = next((getattr(found, a) for a in dir(found) if a.replace("_", "") == wanted), None)
        if callable(fn):
            return fn
    return None


@functools.cache
def function_result_class(token: str) -> type | None:
    """The ``*Result`` output type an invoke's Python function declares: ``<Fn>Result`` in the
    function's own module, else the output type its return annotation derives from."""
    fn = _function(token)
    if fn is None:
        return None
    name = token.split(":")[2]
    home = sys.modules.get(getattr(fn, "__module__", ""))
    result = getattr(home, name[:1].upper() + name[1:] + "Result", None)
    if isinstance(result, type) and _types.is_output_type(result):
        return result
    try:
        returned = typing.get_type_hints(fn).get("return")
    except Exception:  # noqa: BLE001 unresolvable annotations: no result type
        return None
    bases = returned.__mro__ if isinstance(returned, type) else ()
    return next((b for b in bases if _types.is_output_type(b)), None)


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
    return dict(_resource_output_types(cls)) if cls is not None else {}


@functools.cache
def _resource_output_types(cls: type) -> dict[str, Any]:
    try:
        return dict(_types.resource_types(cls))
    except Exception:  # noqa: BLE001 unresolvable annotations: behave as untyped
        return {}


@functools.cache
def args_class(resource_cls: type) -> type | None:
    """The input type a resource class's constructor takes (``XArgs``; azure-native 2.x names it
    ``XInitArgs`` where ``XArgs`` is the body): the one its ``__init__`` passes to
    ``get_resource_args_opts``. (The bridged ``_XState`` class is an input type too, but holds
    the outputs: it is never the constructor's.)"""
    init = resource_cls.__dict__.get("__init__")
    module = sys.modules.get(resource_cls.__module__)
    for name in getattr(getattr(init, "__code__", None), "co_names", ()):
        candidate = getattr(module, name, None)
        if isinstance(candidate, type) and _types.is_input_type(candidate):
            return candidate
    return None


def input_type(typ: Any) -> Any:
    """What values of an input annotation are: ``Optional``, ``Input[...]`` (its ``Awaitable``
    and ``Output`` alternatives) and the ``XArgsDict`` typed-dict alternatives removed; a union
    of what remains when several input types are allowed (discriminated unions). None for Any."""
    if typ is None or typ is Any or isinstance(typ, typing.ForwardRef):
        return None
    origin = typing.get_origin(typ)
    if origin is Output or origin in (abc.Awaitable, typing.Awaitable):
        args = typing.get_args(typ)
        return input_type(args[0]) if args else None
    if not is_union(typ):
        return typ
    members: list[Any] = []
    for arg in typing.get_args(typ):
        plumbing = arg is type(None) or arg is Output or typing.get_origin(arg) in (Output, abc.Awaitable, typing.Awaitable)
        typed_dict = isinstance(arg, type) and issubclass(arg, dict) and arg is not dict
        member = None if plumbing or typed_dict else input_type(arg)
        if member is not None and member not in members:
            members.append(member)
    if not members:
        return None
    return members[0] if len(members) == 1 else typing.Union[tuple(members)]  # noqa: UP007 built at run time


@functools.cache
def input_fields(typ: Any) -> dict[str, Any] | None:
    """Wire name -> input type of an input type's properties; None for anything else."""
    if not (isinstance(typ, type) and _types.is_input_type(typ)):
        return None
    try:
        return {k: input_type(v) for k, v in _types.input_type_types(typ).items()}
    except Exception:  # noqa: BLE001 unresolvable annotations: unknown
        return None


def input_counterpart(input_typ: Any, output_cls: type) -> Any:
    """The input type that ``output_cls`` is the output form of, when ``input_typ`` (the input
    annotation at the same place) allows several: the generated SDKs name them ``XArgs`` for an
    output ``XResponse`` (azure-native) or ``X`` (bridged providers)."""
    if not is_union(input_typ):
        return input_typ
    stem = output_cls.__name__.removesuffix("Response")
    return next((m for m in typing.get_args(input_typ)
                 if getattr(m, "__name__", "") in (stem + "Args", stem + "InitArgs")), None)


def output_only(resource_cls: type) -> frozenset[str] | None:
    """The output properties of a resource that are no inputs: what only the provider computes.
    None when the constructor's input type is not known."""
    args = args_class(resource_cls)
    fields = input_fields(args) if args is not None else None
    return None if fields is None else frozenset(output_types(resource_cls)) - frozenset(fields)


_IMPORT_EXAMPLE = r"pulumi import {token} \S+ (\S+)"


@functools.cache
def import_id_example(cls: type, token: str) -> str | None:
    """The resource id of the ``pulumi import`` example in the class's documentation: the id
    shape the provider gives (bridged providers document every resource's)."""
    try:
        source = inspect.getsource(sys.modules[cls.__module__])
    except (OSError, TypeError, KeyError):
        return None
    match = re.search(_IMPORT_EXAMPLE.format(token=re.escape(token)), source)
    return match.group(1).strip("\"'") if match else None


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


def union_member(typ: Any, value: dict[str, Any]) -> tuple[bool, Any]:
    """(whether the SDK can narrow a dict under union ``typ`` at all, the member it picks for
    ``value`` or None when ambiguous). SDKs before discriminated-union support (e.g. 3.142)
    narrow nothing: a dict under any union fails their output translation."""
    is_discriminated = getattr(_types, "is_discriminated_union", None)
    reduce = getattr(_types, "reduce_discriminated_union", None)
    if is_discriminated is None or reduce is None or not is_discriminated(typ):
        return False, None
    return True, reduce(typ, value, lambda _cls, name: name)
