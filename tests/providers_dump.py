"""Print, as JSON, every Azure ML resource type a provider package declares: its input names and,
for each input holding an object, the object's field names (where a body keeps ``tags``).

Run with the interpreter of the env whose package is read (standard library and pulumi only):
``python providers_dump.py azure-native [MODULE...]`` or ``python providers_dump.py azure``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import typing
from typing import Any

import pulumi
from pulumi import _types as sdk_types

_TOKEN = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'([^']+)'")


def _struct(tp: Any) -> type | None:
    """The input struct class an annotation names (through Input/Optional/Union), if one."""
    stack = [tp]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and sdk_types.is_input_type(current):
            return current
        stack.extend(typing.get_args(current))
    return None


def resources(module: Any) -> dict[str, dict[str, list[str]]]:
    found: dict[str, dict[str, list[str]]] = {}
    for name in dir(module):
        cls = getattr(module, name)
        if not (inspect.isclass(cls) and issubclass(cls, pulumi.CustomResource)):
            continue
        match = _TOKEN.search(inspect.getsource(cls))
        if not match or not cls.__module__.startswith(module.__name__):
            continue
        args_module = sys.modules[cls.__module__]
        args = getattr(args_module, next(n for n in args_module.__all__ if n.endswith("Args")))
        fields: dict[str, list[str]] = {}
        for wire, tp in sdk_types.input_type_types(args).items():
            struct = _struct(tp)
            fields[wire] = sorted(sdk_types.input_type_types(struct)) if struct is not None else []
        found[match.group(1)] = fields
    return found


def main() -> None:
    package = sys.argv[1]
    if package == "azure":
        modules = ["pulumi_azure.machinelearning"]
    else:
        modules = ["pulumi_azure_native.machinelearningservices",
                   *(f"pulumi_azure_native.machinelearningservices.{m}" for m in sys.argv[2:])]
    found: dict[str, dict[str, list[str]]] = {}
    for name in modules:
        module = importlib.import_module(name)
        # Both packages load a module's names lazily: reading one of them loads them all.
        getattr(module, "_utilities", None)
        found.update(resources(module))
    print(json.dumps(found, sort_keys=True))


if __name__ == "__main__":
    main()
