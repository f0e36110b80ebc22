"""Plausible, deterministic provider answers for programs run under the SDK's mock monitor.

Values here are in the engine's wire form (``MessageToDict`` of a protobuf Struct): secrets are
``{SIG_KEY: SECRET_SIG, "value": ...}`` envelopes, unknowns (preview only) are the ``UNKNOWN``
sentinel string, numbers are floats. The answers are shaped from the Python SDK's own type
information (the resource class registered for the type token, the ``*Result`` class of an
invoke) because the SDK resolves every output through those types and fails on a value of the
wrong shape.
"""

from __future__ import annotations

import base64
import enum
import functools
import hashlib
import importlib
import inspect
import json
import re
import sys
import typing
from collections import abc
from collections.abc import Callable
from typing import Any

from pulumi import _types
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

UNKNOWN = rpc.UNKNOWN
SIG_KEY = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig

STACK_REFERENCE = "pulumi:pulumi:StackReference"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
_SUBSCRIPTION = f"/subscriptions/{SUBSCRIPTION_ID}"
_TENANT_ID = "7e4a4c1d-0000-4000-8000-00000000a11e"  # fake, fixed: one tenant for all

_NAMESPACES = {
    "machinelearningservices": "Microsoft.MachineLearningServices",
    "storage": "Microsoft.Storage",
    "keyvault": "Microsoft.KeyVault",
    "insights": "Microsoft.Insights",
    "applicationinsights": "Microsoft.Insights",
    "network": "Microsoft.Network",
    "containerregistry": "Microsoft.ContainerRegistry",
    "managedidentity": "Microsoft.ManagedIdentity",
    "authorization": "Microsoft.Authorization",
    "resources": "Microsoft.Resources",
    "operationalinsights": "Microsoft.OperationalInsights",
    "monitor": "Microsoft.Insights",
    "privatedns": "Microsoft.Network",
}

_WS = "workspaces/{workspaceName}"
# ARM path below the provider namespace: "<type>/{<input naming it>}" pairs. The last placeholder
# is the input naming the resource itself. Types absent here get "<lowerCamelType>s/{<name>}".
_ARM_PATHS: dict[tuple[str, str], str] = {
    ("machinelearningservices", "Workspace"): _WS,
    ("machinelearningservices", "Registry"): "registries/{registryName}",
    ("machinelearningservices", "Compute"): _WS + "/computes/{computeName}",
    ("machinelearningservices", "Datastore"): _WS + "/datastores/{name}",
    ("machinelearningservices", "WorkspaceConnection"): _WS + "/connections/{connectionName}",
    ("machinelearningservices", "Job"): _WS + "/jobs/{id}",
    ("machinelearningservices", "Schedule"): _WS + "/schedules/{name}",
    ("machinelearningservices", "OnlineEndpoint"): _WS + "/onlineEndpoints/{endpointName}",
    ("machinelearningservices", "OnlineDeployment"): (
        _WS + "/onlineEndpoints/{endpointName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "BatchEndpoint"): _WS + "/batchEndpoints/{endpointName}",
    ("machinelearningservices", "BatchDeployment"): (
        _WS + "/batchEndpoints/{endpointName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "FeaturesetContainerEntity"): _WS + "/featuresets/{name}",
    ("machinelearningservices", "FeaturesetVersion"): (
        _WS + "/featuresets/{name}/versions/{version}"
    ),
    ("machinelearningservices", "FeaturestoreEntityContainerEntity"): (
        _WS + "/featurestoreEntities/{name}"
    ),
    ("machinelearningservices", "FeaturestoreEntityVersion"): (
        _WS + "/featurestoreEntities/{name}/versions/{version}"
    ),
    ("storage", "BlobContainer"): (
        "storageAccounts/{accountName}/blobServices/default/containers/{containerName}"
    ),
    ("network", "Subnet"): "virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    ("network", "PrivateDnsZoneGroup"): (
        "privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}"
    ),
    ("privatedns", "PrivateZone"): "privateDnsZones/{privateZoneName}",
    ("privatedns", "VirtualNetworkLink"): (
        "privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}"
    ),
    ("keyvault", "Key"): "vaults/{vaultName}/keys/{keyName}",
    ("keyvault", "Secret"): "vaults/{vaultName}/secrets/{secretName}",
}
for _kind, _segment in [
    ("Data", "data"),
    ("Code", "codes"),
    ("Environment", "environments"),
    ("Model", "models"),
    ("Component", "components"),
]:
    _ARM_PATHS[("machinelearningservices", f"{_kind}Container")] = f"{_WS}/{_segment}/{{name}}"
    _ARM_PATHS[("machinelearningservices", f"{_kind}Version")] = (
        f"{_WS}/{_segment}/{{name}}/versions/{{version}}"
    )

# Outputs that a real provider fills with a GUID whenever the object that holds them exists.
_GUID_OUTPUTS = frozenset({"principalId", "clientId", "objectId", "workspaceId", "applicationId"})
_MAX_DEPTH = 6


# ---------------------------------------------------------------------------------------------
# Deterministic values


def digest(*parts: str) -> bytes:
    """A stable hash of the parts (the mocks must give byte-identical answers across runs)."""
    return hashlib.sha512("\x1f".join(parts).encode()).digest()


def guid(*parts: str) -> str:
    """A deterministic, GUID-shaped string."""
    h = digest(*parts).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _hex8(*parts: str) -> str:
    return digest(*parts).hex()[:8]


# ---------------------------------------------------------------------------------------------
# Wire values


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    return value if is_secret(value) else {SIG_KEY: SECRET_SIG, "value": value}


def reveal(value: Any) -> Any:
    """The value inside a secret envelope (or the value itself)."""
    return value["value"] if is_secret(value) else value


def _is_opaque(value: Any) -> bool:
    """Unknowns, resource references, assets and archives: never reshaped."""
    return value == UNKNOWN or (isinstance(value, dict) and SIG_KEY in value)


def _plain_str(value: Any) -> str | None:
    value = reveal(value)
    return value if isinstance(value, str) and value and value != UNKNOWN else None


# ---------------------------------------------------------------------------------------------
# Type tokens and SDK classes


def split_token(token: str) -> tuple[str, str, str]:
    """``pkg:module/vYYYYMMDD:Name`` -> (pkg, module without API version, Name)."""
    parts = token.split(":")
    if len(parts) != 3:
        return token, "", ""
    pkg, mod, name = parts
    return pkg, mod.split("/")[0], name


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("s", "x", "sh", "ch")) else "s")


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
    fn = getattr(package, _snake(name), None)
    if fn is None:  # acronyms ("getSqlVMs") defeat _snake: match ignoring case and underscores
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


# ---------------------------------------------------------------------------------------------
# Shaping values to the SDK's output types

_DROP: Any = object()  # "this value cannot be of that type"


def _normalise(typ: Any) -> Any:
    if typ is None or typ is Any:
        return None
    typ = _types.unwrap_optional_type(typ)
    return None if typ is Any else typ


def _is_mapping_type(typ: Any) -> bool:
    return typ is dict or typing.get_origin(typ) in (dict, abc.Mapping, typing.Mapping)


def _is_list_type(typ: Any) -> bool:
    return typ is list or typing.get_origin(typ) in (list, abc.Sequence, typing.Sequence)


def _mapping_value_type(typ: Any) -> Any:
    args = typing.get_args(typ)
    return args[1] if len(args) == 2 and args[0] is str else None


def _list_element_type(typ: Any) -> Any:
    args = typing.get_args(typ)
    return args[0] if len(args) == 1 else None


def _is_enum(typ: Any) -> bool:
    return inspect.isclass(typ) and issubclass(typ, enum.Enum)


class Shaper:
    """Reshapes an echoed input to the declared output type, the way the SDK will read it.

    It mirrors ``pulumi.runtime.rpc.translate_output_properties``: a dict where a scalar or a
    list is declared, a list where a scalar or a map is declared, or a dict/list under a union
    the SDK cannot narrow all raise there. Such values are dropped, except a list of strings
    where a map is declared (``identity.userAssignedIdentities``: ids in, id -> identity out),
    which becomes that map. It also adds the GUID outputs a provider always returns in the
    objects it returns (``identity.principalId``), as unknowns unless ``known`` (in preview).
    """

    def __init__(self, seed: str, known: bool) -> None:
        self.seed = seed
        self.known = known

    def top_level(self, key: str, value: Any, typ: Any) -> Any:
        """A value for output ``key`` the SDK accepts; never absent, or the SDK would fall back
        to the raw input (and fail on it the same way)."""
        shaped = self.shape(value, typ, key, 0)
        for candidate in (shaped, self.placeholder(typ, key, 0)):
            if candidate is not _DROP and translates(candidate, typ):
                return candidate
        return shaped if shaped is not _DROP else value

    def shape(self, value: Any, typ: Any, path: str, depth: int) -> Any:
        if is_secret(value):
            inner = self.shape(value["value"], typ, path, depth)
            return _DROP if inner is _DROP else secret(inner)
        typ = _normalise(typ)
        if typ is None or _is_opaque(value) or depth > _MAX_DEPTH:
            return value
        if _types._is_union_type(typ):
            return self._shape_union(value, typ, path, depth)
        if isinstance(value, dict):
            return self._shape_dict(value, typ, path, depth)
        if isinstance(value, list):
            return self._shape_list(value, typ, path, depth)
        return _shape_scalar(value, typ)

    def _shape_union(self, value: Any, typ: Any, path: str, depth: int) -> Any:
        if isinstance(value, list):
            return _DROP  # the SDK cannot take a list element type from a union
        if not isinstance(value, dict):
            return value  # the SDK leaves scalars under a union alone
        if not _types.is_discriminated_union(typ):
            return _DROP
        member = _types.reduce_discriminated_union(typ, value, lambda _cls, name: name)
        # An ambiguous value stays untyped in the SDK, so it is echoed as it is.
        return value if member is None else self.shape(value, member, path, depth)

    def _shape_dict(self, value: dict[str, Any], typ: Any, path: str, depth: int) -> Any:
        if _types.is_output_type(typ):
            fields = _types.output_type_types(typ)
            shaped = self._shape_items(value, fields.get, path, depth)
            return self._add_guids(shaped, fields, path)
        if _is_mapping_type(typ):
            item_type = _mapping_value_type(typ)
            return self._shape_items(value, lambda _k: item_type, path, depth)
        return _DROP

    def _shape_items(
        self, value: dict[str, Any], type_of: Callable[[str], Any], path: str, depth: int
    ) -> dict[str, Any]:
        shaped = {}
        for key, item in value.items():
            result = self.shape(item, type_of(key), f"{path}.{key}", depth + 1)
            if result is not _DROP:
                shaped[key] = result
        return shaped

    def _shape_list(self, value: list[Any], typ: Any, path: str, depth: int) -> Any:
        if _is_list_type(typ):
            element_type = _list_element_type(typ)
            items = (self.shape(v, element_type, f"{path}[]", depth + 1) for v in value)
            return [item for item in items if item is not _DROP]
        if _is_mapping_type(typ) and all(isinstance(reveal(v), str) for v in value):
            return self._list_to_map(value, _mapping_value_type(typ), path, depth)
        return _DROP

    def _list_to_map(self, value: list[Any], item_type: Any, path: str, depth: int) -> Any:
        keys = [reveal(v) for v in value]
        if UNKNOWN in keys:
            return UNKNOWN
        shaped = {k: self.placeholder(item_type, f"{path}.{k}", depth + 1) for k in keys}
        shaped = {k: v for k, v in shaped.items() if v is not _DROP}
        return secret(shaped) if any(is_secret(v) for v in value) else shaped

    def _add_guids(self, shaped: dict[str, Any], fields: dict[str, Any], path: str) -> Any:
        for name, typ in fields.items():
            if name in shaped or _normalise(typ) is not str:
                continue
            if name in _GUID_OUTPUTS or name == "tenantId":
                value = _TENANT_ID if name == "tenantId" else guid(self.seed, path, name)
                shaped[name] = value if self.known else UNKNOWN
        return shaped

    def placeholder(self, typ: Any, path: str, depth: int) -> Any:
        """The emptiest value of a type (computed GUID outputs filled)."""
        typ = _normalise(typ)
        if typ is None:
            return {}
        if _types._is_union_type(typ):
            members = [m for m in typing.get_args(typ) if m is not type(None)]
            return self.placeholder(members[0], path, depth) if members else _DROP
        if _types.is_output_type(typ):
            return self._add_guids({}, _types.output_type_types(typ), path)
        if _is_mapping_type(typ):
            return {}
        if _is_list_type(typ):
            return []
        scalars: dict[Any, Any] = {str: "", bool: False, int: 0.0, float: 0.0}
        if typ in scalars:
            return scalars[typ]
        if _is_enum(typ):
            return next(iter(typ)).value
        return _DROP


def _shape_scalar(value: Any, typ: Any) -> Any:
    if _is_enum(typ):
        try:
            typ(value)
        except ValueError:
            return _DROP
        return value
    if _types.is_output_type(typ) or _is_mapping_type(typ) or _is_list_type(typ):
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


# ---------------------------------------------------------------------------------------------
# ARM identity of a resource


def own_name_input(token: str, inputs: dict[str, Any]) -> str | None:
    """The input key that names the resource itself (``workspaceName``, ``accountName``, ...)."""
    _pkg, mod, name = split_token(token)
    template = _ARM_PATHS.get((mod, name))
    if template is not None:
        return re.findall(r"\{(\w+)\}", template)[-1]
    words = re.findall(r"[A-Z][a-z0-9]*", name) or [name]
    candidates = [_lower_camel("".join(words[i:])) + "Name" for i in range(len(words))]
    for key in [*candidates, "resourceName", "name"]:
        if key in inputs:
            return key
    return None


def autoname(logical_name: str, urn: str) -> str:
    """``<logical name><8 hex>``, as the azure-native provider autonames (deterministic here)."""
    return logical_name + _hex8("autoname", urn)


def arm_namespace(module: str) -> str:
    return _NAMESPACES.get(module, "Microsoft." + module[:1].upper() + module[1:])


def _arm_segments(token: str, inputs: dict[str, Any], own_name: str) -> list[tuple[str, str]]:
    """[(type segment, name)] below the provider namespace."""
    _pkg, mod, name = split_token(token)
    parts = (_ARM_PATHS.get((mod, name)) or _plural(_lower_camel(name)) + "/{}").split("/")
    segments = []
    for i in range(0, len(parts) - 1, 2):
        type_segment, placeholder = parts[i], parts[i + 1]
        if i + 2 >= len(parts):
            value = own_name
        elif placeholder.startswith("{"):
            key = placeholder.strip("{}")
            value = _plain_str(inputs.get(key)) or key
        else:
            value = placeholder  # a literal segment such as blobServices/default
        segments.append((type_segment, value))
    return segments


def arm_id(token: str, inputs: dict[str, Any], own_name: str) -> str:
    _pkg, mod, name = split_token(token)
    rg = _plain_str(inputs.get("resourceGroupName"))
    if (mod, name) == ("resources", "ResourceGroup"):
        return f"{_SUBSCRIPTION}/resourceGroups/{own_name}"
    # Extension resources (role assignments, diagnostic settings) live below their scope.
    scope = _plain_str(inputs.get("scope")) or _plain_str(inputs.get("resourceUri"))
    if scope is not None:
        prefix = scope.rstrip("/")
    elif rg is not None:
        prefix = f"{_SUBSCRIPTION}/resourceGroups/{rg}"
    else:
        prefix = _SUBSCRIPTION
    path = "/".join(f"{t}/{n}" for t, n in _arm_segments(token, inputs, own_name))
    return f"{prefix}/providers/{arm_namespace(mod)}/{path}"


def arm_type(token: str) -> str:
    _pkg, mod, name = split_token(token)
    if (mod, name) == ("resources", "ResourceGroup"):
        return "Microsoft.Resources/resourceGroups"
    segments = _arm_segments(token, {}, "x")
    return arm_namespace(mod) + "/" + "/".join(t for t, _n in segments)


# ---------------------------------------------------------------------------------------------
# Invoke results


def sample_value(name: str, typ: Any, seed: str, depth: int = 0) -> Any:
    """A plausible value for a result property, from its wire name and declared type."""
    typ = _normalise(typ)
    if typ is not None and _types._is_union_type(typ):
        members = [m for m in typing.get_args(typ) if m is not type(None)]
        typ = members[0] if members else None
    if typ is None:
        return None
    if _types.is_output_type(typ):
        return sample_object(typ, seed, depth + 1) if depth < _MAX_DEPTH else {}
    if _is_list_type(typ):
        item = sample_value(name, _list_element_type(typ), seed + "[0]", depth + 1)
        return [] if item is None else [item]
    if _is_mapping_type(typ):
        return {}
    if _is_enum(typ):
        return next(iter(typ)).value
    if typ is bool:
        return False
    if typ in (int, float):
        return 0.0
    return sample_string(name, seed) if typ is str else None


def sample_object(cls: type, seed: str, depth: int = 0) -> dict[str, Any]:
    """Every property of an output type filled by :func:`sample_value`."""
    result = {}
    for name, typ in _types.output_type_types(cls).items():
        value = sample_value(name, typ, f"{seed}.{name}", depth)
        if value is not None:
            result[name] = value
    return result


_GUID_SUFFIXES = ("clientid", "principalid", "tenantid", "objectid", "applicationid")


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
        return _TENANT_ID
    if context in _GUID_OUTPUTS or lowered.endswith(_GUID_SUFFIXES):
        return guid(seed)
    if lowered.endswith("key"):
        return base64.b64encode(digest("key", seed)).decode()  # 64 bytes: 88 chars, "=="
    if lowered.endswith("password"):
        return base64.b64encode(digest("password", seed)[:24], b"xy").decode()
    short = f"{_snake(name).replace('_', '-')}-{_hex8(seed)}"
    if lowered.endswith("id"):
        return f"{_SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Resources/items/{short}"
    if lowered.endswith(("uri", "url", "endpoint")):
        return f"https://{short}.example.azure.com/"
    return short


# ---------------------------------------------------------------------------------------------
# The mocks


class CaptureResourceArgs(MockResourceArgs):
    """MockResourceArgs plus the URN, which seeds every generated value."""

    def __init__(self, urn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urn = urn


class AzureMocks(Mocks):
    """Answers shaped from the SDK's type information; see the module docstring.

    Inputs and answers are wire-form dicts. In preview a new resource gets its inputs back
    and an empty id, so every computed output is unknown, as in ``pulumi preview``.
    """

    def __init__(self, preview: bool) -> None:
        self.preview = preview

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        urn = getattr(args, "urn", "") or f"{args.typ}::{args.name}"
        if args.typ.startswith("pulumi:providers:"):
            return ("" if self.preview else guid("provider", urn)), dict(args.inputs)
        if args.typ == STACK_REFERENCE:
            return self._stack_reference(args)
        if not args.custom:
            return "", dict(args.inputs)
        # A read or an import reports the real state, even in preview.
        computed = bool(args.resource_id) or not self.preview
        cls = resource_class(args.typ)
        outputs = self._echo_inputs(cls, args.inputs, urn, computed)
        if not computed:
            return "", outputs
        if not args.typ.startswith("azure-native:"):
            type_name = split_token(args.typ)[2] or args.typ
            return args.resource_id or f"{type_name}-{args.name}-id", outputs
        name = self._own_name(args, urn)
        if cls is not None:
            self._add_computed(cls, args.typ, outputs, name, urn, args.inputs)
        return args.resource_id or arm_id(args.typ, args.inputs, name), outputs

    @staticmethod
    def _stack_reference(args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Another stack's outputs cannot be read offline: it exports nothing."""
        name = str(reveal(args.inputs.get("name", args.name)))
        print(
            f"warning: stack reference {name}: its outputs are not available offline; "
            "every output reads as unset",
            file=sys.stderr,
        )
        return name, {**args.inputs, "outputs": {}, "secretOutputNames": []}

    def call(self, args: MockCallArgs) -> tuple[dict, list[tuple[str, str]] | None]:
        cls = function_result_class(args.token)
        if cls is None:
            return {}, None
        seed = args.token + json.dumps(args.args, sort_keys=True, default=str)
        return sample_object(cls, seed), None

    @staticmethod
    def _echo_inputs(
        resource_cls: type | None, inputs: dict[str, Any], urn: str, computed: bool
    ) -> dict[str, Any]:
        types = output_types(resource_cls)
        shaper = Shaper(urn, known=computed)
        return {
            key: shaper.top_level(key, value, types.get(key)) if key in types else value
            for key, value in inputs.items()
        }

    @staticmethod
    def _own_name(args: MockResourceArgs, urn: str) -> str:
        if args.resource_id:
            return args.resource_id.rstrip("/").rsplit("/", 1)[-1]
        key = own_name_input(args.typ, args.inputs)
        return (_plain_str(args.inputs.get(key)) if key else None) or autoname(args.name, urn)

    @staticmethod
    def _add_computed(
        resource_cls: type, token: str, outputs: dict[str, Any], name: str, urn: str, inputs: dict[str, Any]
    ) -> None:
        """Fill the string outputs a real provider always returns and the inputs do not hold."""
        for key, typ in output_types(resource_cls).items():
            if key not in outputs and _normalise(typ) is str:
                value = _computed_string(key, resource_cls, token, name, urn, inputs)
                if value is not None:
                    outputs[key] = value


def _computed_string(key: str, resource_cls: type, token: str, name: str, urn: str,
                     inputs: dict[str, Any]) -> str | None:
    if key in ("keyUri", "keyUriWithVersion"):
        # Key Vault keys: a workspace's customer-managed key is usually wired from these.
        vault = _plain_str(inputs.get("vaultName")) or "vault"
        base = f"https://{vault}.vault.azure.net/keys/{name}"
        return base if key == "keyUri" else f"{base}/{guid(urn, 'version').replace('-', '')}"
    if key == "name":
        return name
    if key == "type":
        return arm_type(token)
    if key == "azureApiVersion":
        return api_version(resource_cls)
    if key == "tenantId":
        return _TENANT_ID
    return guid(urn, key) if key in _GUID_OUTPUTS else None
