"""Inputs returned as outputs, in the provider's output shape: reshaped to the declared output
types, the way the SDK will read them, without what no output type declares, and with the
output-only properties of every object the provider returns filled in.

The SDK resolves every output through the resource class's declared types, falling back to
the raw input for a key the mock did not return, and some properties have a different shape
as output than as input; an input echoed back unchanged can make the SDK itself fail. A
provider returns only its output properties (azure-native: ``ResponseBodyToSdkOutputs``, which
walks the response type's properties), so an input property that no output type declares (a
datastore's write-only ``credentials.secrets``) is not returned. And an object the provider
returns carries properties only the provider computes (``private_dns_zone_configs[].record_sets``):
programs index into them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.runtime import rpc

from ..wire import SIG_KEY, UNKNOWN, is_secret, reveal, secret
from . import sdk_types as t
from .samples import MAX_DEPTH, sample_value
from .values import GUID_OUTPUTS

_DROP: Any = object()  # "this value cannot be of that type"


def _is_opaque(value: Any) -> bool:
    """Unknowns, resource references, assets and archives: never reshaped."""
    return value == UNKNOWN or (isinstance(value, dict) and SIG_KEY in value)


class Shaper:
    """Reshapes an echoed input to the declared output type.

    It mirrors ``pulumi.runtime.rpc.translate_output_properties``: a dict where a scalar or a
    list is declared, a list where a scalar or a map is declared, or a dict/list under a union
    the SDK cannot narrow all raise there. Such values are dropped, except a list of strings
    where a map is declared (``identity.userAssignedIdentities``: ids in, id -> identity out),
    which becomes that map.

    A key of an object whose output type is declared but that declares no such property is
    dropped. Walking the input type alongside, it fills each returned object's output-only
    properties (those its input type lacks) with plausible values (``samples``), or unknowns
    unless ``known``. With ``preview_all`` (an azure-native preview) every output property an
    object lacks is unknown, as ``PreviewOutputs`` marks each response property the inputs do not
    give (pulumi-azure-native provider/pkg/convert/previewOutputs.go). Where the input type is
    not known, only the GUIDs a provider always returns (``principalId``) are filled.
    """

    def __init__(self, seed: str, known: bool, preview_all: bool = False) -> None:
        self.seed = seed
        self.known = known
        self.preview_all = preview_all

    def top_level(self, key: str, value: Any, typ: Any, input_typ: Any = None) -> Any:
        """A value for output ``key`` the SDK accepts; never absent, or the SDK would fall back
        to the raw input (and fail on it the same way)."""
        shaped = self.shape(value, typ, input_typ, key, 0)
        for candidate in (shaped, self.placeholder(typ, key, 0)):
            if candidate is not _DROP and translates(candidate, typ):
                return candidate
        return shaped if shaped is not _DROP else value

    def computed(self, name: str, typ: Any, path: str, depth: int) -> Any:
        """What the provider returns for output-only property ``name`` (None: nothing fits)."""
        return sample_value(name, typ, f"{self.seed}/{path}") if self.known else UNKNOWN

    def shape(self, value: Any, typ: Any, input_typ: Any, path: str, depth: int) -> Any:
        if is_secret(value):
            inner = self.shape(value["value"], typ, input_typ, path, depth)
            return _DROP if inner is _DROP else secret(inner)
        typ = t.normalise(typ)
        if typ is None or _is_opaque(value) or depth > MAX_DEPTH:
            return value
        if t.is_union(typ):
            return self._shape_union(value, typ, input_typ, path, depth)
        if isinstance(value, dict):
            return self._shape_dict(value, typ, input_typ, path, depth)
        if isinstance(value, list):
            return self._shape_list(value, typ, input_typ, path, depth)
        return _shape_scalar(value, typ)

    def _shape_union(self, value: Any, typ: Any, input_typ: Any, path: str, depth: int) -> Any:
        if isinstance(value, list):
            return _DROP  # the SDK cannot take a list element type from a union
        if not isinstance(value, dict):
            return value  # the SDK leaves scalars under a union alone
        narrows, member = t.union_member(typ, value)
        if not narrows:
            return _DROP
        # An ambiguous value stays untyped in the SDK, so it is echoed as it is.
        return value if member is None else self.shape(value, member, input_typ, path, depth)

    def _shape_dict(self, value: dict[str, Any], typ: Any, input_typ: Any, path: str, depth: int) -> Any:
        if t.is_output_type(typ):
            fields = t.output_type_fields(typ)
            inputs = t.input_fields(t.input_counterpart(input_typ, typ))
            input_of = inputs.get if inputs is not None else (lambda _k: None)
            declared = {k: v for k, v in value.items() if k in fields}  # the provider returns no other
            shaped = self._shape_items(declared, fields.get, input_of, path, depth)
            return self.fill(shaped, fields, inputs, path, depth)
        if t.is_mapping_type(typ):
            item_type, input_item = t.mapping_value_type(typ), _mapping_value(input_typ)
            return self._shape_items(value, lambda _k: item_type, lambda _k: input_item, path, depth)
        return _DROP

    def _shape_items(self, value: dict[str, Any], type_of: Callable[[str], Any], input_of: Callable[[str], Any],
                     path: str, depth: int) -> dict[str, Any]:
        shaped = {}
        for key, item in value.items():
            result = self.shape(item, type_of(key), input_of(key), f"{path}.{key}", depth + 1)
            if result is not _DROP:
                shaped[key] = result
        return shaped

    def _shape_list(self, value: list[Any], typ: Any, input_typ: Any, path: str, depth: int) -> Any:
        if t.is_list_type(typ):
            element_type = t.list_element_type(typ)
            input_element = t.input_type(t.list_element_type(input_typ)) if t.is_list_type(input_typ) else None
            items = (self.shape(v, element_type, input_element, f"{path}[{i}]", depth + 1) for i, v in enumerate(value))
            return [item for item in items if item is not _DROP]
        if t.is_mapping_type(typ) and all(isinstance(reveal(v), str) for v in value):
            return self._list_to_map(value, t.mapping_value_type(typ), path, depth)
        return _DROP

    def _list_to_map(self, value: list[Any], item_type: Any, path: str, depth: int) -> Any:
        """Ids in, id -> the object the provider returns for it out: all of it computed."""
        keys = [reveal(v) for v in value]
        if UNKNOWN in keys:
            return UNKNOWN
        item = t.normalise(item_type)
        if t.is_output_type(item):
            shaped = {k: self.fill({}, t.output_type_fields(item), {}, f"{path}.{k}", depth + 1) for k in keys}
        else:
            shaped = {k: self.placeholder(item_type, f"{path}.{k}", depth + 1) for k in keys}
            shaped = {k: v for k, v in shaped.items() if v is not _DROP}
        return secret(shaped) if any(is_secret(v) for v in value) else shaped

    def fill(self, shaped: dict[str, Any], fields: dict[str, Any], inputs: dict[str, Any] | None, path: str,
             depth: int) -> dict[str, Any]:
        """Add the output-only properties of an object: those ``inputs`` (its input type's
        fields) lacks; with ``inputs`` None, only the GUIDs providers always return."""
        for name, typ in fields.items():
            if name in shaped:
                continue
            if self.preview_all:
                shaped[name] = UNKNOWN
                continue
            if inputs is None and not (t.normalise(typ) is str and (name in GUID_OUTPUTS or name == "tenantId")):
                continue
            if inputs is not None and name in inputs:
                continue
            value = self.computed(name, typ, f"{path}.{name}", depth + 1)
            if value is not None:
                shaped[name] = value
        return shaped

    def placeholder(self, typ: Any, path: str, depth: int) -> Any:
        """The emptiest value of a type (computed GUID outputs filled)."""
        typ = t.normalise(typ)
        if typ is None:
            return {}
        if t.is_union(typ):
            members = t.union_members(typ)
            return self.placeholder(members[0], path, depth) if members else _DROP
        if t.is_output_type(typ):
            return self.fill({}, t.output_type_fields(typ), None, path, depth)
        if t.is_mapping_type(typ):
            return {}
        if t.is_list_type(typ):
            return []
        scalars: dict[Any, Any] = {str: "", bool: False, int: 0.0, float: 0.0}
        if typ in scalars:
            return scalars[typ]
        if t.is_enum(typ):
            return next(iter(typ)).value
        return _DROP


def _mapping_value(input_typ: Any) -> Any:
    return t.input_type(t.mapping_value_type(input_typ)) if t.is_mapping_type(input_typ) else None


def _shape_scalar(value: Any, typ: Any) -> Any:
    if t.is_enum(typ):
        try:
            typ(value)
        except ValueError:
            return _DROP
        return value
    if t.is_output_type(typ) or t.is_mapping_type(typ) or t.is_list_type(typ):
        return _DROP
    if typ is str:
        return value if isinstance(value, str) else _DROP
    if typ is bool:
        return value if isinstance(value, bool) else _DROP
    if typ in (int, float):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _DROP
    return value


def translates(value: Any, typ: Any) -> bool:
    """Whether the SDK's own output translation accepts ``value`` as a ``typ``."""
    if typ is None:
        return True
    try:
        rpc.translate_output_properties(value, lambda k: k, typ, True)
    except Exception:  # noqa: BLE001 any failure here is a failure in the user's program
        return False
    return True
