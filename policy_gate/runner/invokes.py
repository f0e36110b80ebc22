"""Invoke results (``list_*``, ``get_*``): every property of the function's declared ``*Result``
type filled with a plausible value, so that programs indexing into a result run."""

from __future__ import annotations

import base64
from typing import Any

from . import sdk_types as t
from .shaping import MAX_DEPTH
from .values import GUID_OUTPUTS, SUBSCRIPTION, SUBSCRIPTION_ID, TENANT_ID, digest, guid, hex8

_GUID_SUFFIXES = ("clientid", "principalid", "tenantid", "objectid", "applicationid")


def sample_value(name: str, typ: Any, seed: str, depth: int = 0) -> Any:
    """A plausible value for a result property, from its wire name and declared type."""
    typ = t.normalise(typ)
    if typ is not None and t.is_union(typ):
        members = t.union_members(typ)
        typ = members[0] if members else None
    if typ is None:
        return None
    if t.is_output_type(typ):
        return sample_object(typ, seed, depth + 1) if depth < MAX_DEPTH else {}
    if t.is_list_type(typ):
        item = sample_value(name, t.list_element_type(typ), seed + "[0]", depth + 1)
        return [] if item is None else [item]
    if t.is_mapping_type(typ):
        return {}
    if t.is_enum(typ):
        return next(iter(typ)).value
    if typ is bool:
        return False
    if typ in (int, float):
        return 0.0
    return sample_string(name, seed) if typ is str else None


def sample_object(cls: type, seed: str, depth: int = 0) -> dict[str, Any]:
    """Every property of an output type filled by :func:`sample_value`."""
    result = {}
    for name, typ in t.output_type_fields(cls).items():
        value = sample_value(name, typ, f"{seed}.{name}", depth)
        if value is not None:
            result[name] = value
    return result


def sample_string(name: str, seed: str) -> str:
    """A string shaped by the property's name; a ``value`` takes its shape from its parent
    (``keys[0].value`` is a key, ``passwords[0].value`` a password)."""
    context = name
    if name == "value":
        parent = seed.rsplit(".", 2)[-2] if seed.count(".") >= 2 else ""
        context = parent.split("[")[0].removesuffix("s") or name
    lowered = context.lower()
    if lowered.endswith("subscriptionid"):
        return SUBSCRIPTION_ID
    if lowered.endswith("tenantid"):
        return TENANT_ID
    if context in GUID_OUTPUTS or lowered.endswith(_GUID_SUFFIXES):
        return guid(seed)
    if lowered.endswith("key"):
        return base64.b64encode(digest("key", seed)).decode()  # 64 bytes: 88 chars, "=="
    if lowered.endswith("password"):
        return base64.b64encode(digest("password", seed)[:24], b"xy").decode()
    short = f"{t.snake(name).replace('_', '-')}-{hex8(seed)}"
    if lowered.endswith("id"):
        return f"{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Resources/items/{short}"
    if lowered.endswith(("uri", "url", "endpoint")):
        return f"https://{short}.example.azure.com/"
    return short
