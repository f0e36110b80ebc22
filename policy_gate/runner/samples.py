"""Plausible values of declared types, for what only a provider computes: invoke results and the
output-only properties of a resource (nested ones included).

A value is chosen from the property's declared type and shaped by its wire name, following
Azure's conventions (GUIDs for principal, client and tenant ids, ARM ids for ``...Id``, base64
keys for ``...Key``, ``Succeeded`` for a provisioning state). A list gets one element, so that
programs indexing the first one (``record_sets[0]``, ``keys[0].value``) run; a map stays empty
(its keys cannot be guessed). An object nested in itself is left out (a network interface
lists network interfaces), and objects go ``SAMPLE_DEPTH`` levels deep (enough for
``network_interfaces[0].ip_configurations[0].private_ip_address``; a full sample of a network
interface would be tens of kilobytes). Every value is a hash of ``seed``: the same in every run.
"""

from __future__ import annotations

import base64
from typing import Any

from . import sdk_types as t
from .values import GUID_OUTPUTS, SUBSCRIPTION, SUBSCRIPTION_ID, TENANT_ID, digest, guid, hex8

MAX_DEPTH = 6  # how deep echoed inputs are reshaped
SAMPLE_DEPTH = 1  # objects within a sampled object

# Lists of other resources' links to this one (Azure Private Link): a new resource has none, and a
# sample would claim a private endpoint nobody declared.
_BACK_REFERENCES = frozenset({"privateEndpointConnections", "registryPrivateEndpointConnections"})
_GUID_SUFFIXES = ("clientid", "principalid", "tenantid", "objectid", "applicationid")
_TIMESTAMP = "2024-01-01T00:00:00Z"


def sample_value(name: str, typ: Any, seed: str, depth: int = 0, within: frozenset[type] = frozenset()) -> Any:
    """A plausible value for property ``name`` of type ``typ`` (inside objects of the types
    ``within``); None when nothing fits."""
    typ = t.normalise(typ)
    if typ is not None and t.is_union(typ):
        members = t.union_members(typ)
        typ = members[0] if members else None
    if typ is None:
        return None
    if t.is_output_type(typ):
        if typ in within or depth > SAMPLE_DEPTH:
            return None
        return sample_object(typ, seed, depth + 1, within)
    if t.is_list_type(typ):
        if name in _BACK_REFERENCES:
            return []
        item = sample_value(name, t.list_element_type(typ), seed + "[0]", depth, within)
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


def sample_object(cls: type, seed: str, depth: int = 0, within: frozenset[type] = frozenset()) -> dict[str, Any]:
    """Every property of an output type filled by :func:`sample_value`."""
    result = {}
    for name, typ in t.output_type_fields(cls).items():
        value = sample_value(name, typ, f"{seed}.{name}", depth, within | {cls})
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
    short = f"{t.snake(name).replace('_', '-')}-{hex8(seed)}"
    if lowered.endswith("subscriptionid"):
        return SUBSCRIPTION_ID
    if lowered.endswith("tenantid"):
        return TENANT_ID
    if context in GUID_OUTPUTS or lowered.endswith(_GUID_SUFFIXES):
        return guid(seed)
    if lowered == "provisioningstate":
        return "Succeeded"
    if lowered.endswith("location"):
        return "westeurope"
    if lowered.endswith("connectionstring"):
        return (f"DefaultEndpointsProtocol=https;AccountName={hex8(seed)};"
                f"AccountKey={_key(seed)};EndpointSuffix=core.windows.net")
    if lowered.endswith("key"):
        return _key(seed)
    if lowered.endswith("password"):
        return base64.b64encode(digest("password", seed)[:24], b"xy").decode()
    if lowered.endswith(("ipaddress", "ipaddresses")):
        octets = digest("ip", seed)
        return f"10.{octets[0]}.{octets[1]}.{octets[2] % 250 + 4}"
    if lowered.endswith(("fqdn", "host", "hostname", "domainname")):
        return f"{short}.example.azure.com"
    if lowered.endswith(("time", "timestamp")) or lowered.endswith(("createdat", "modifiedat", "createdon", "updatedon")):
        return _TIMESTAMP
    if lowered.endswith("id"):
        return f"{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Resources/items/{short}"
    if lowered.endswith(("uri", "url", "endpoint")):
        return f"https://{short}.example.azure.com/"
    return short


def _key(seed: str) -> str:
    """The shape of an Azure storage account key: 64 bytes in base64, 88 characters."""
    return base64.b64encode(digest("key", seed)).decode()
