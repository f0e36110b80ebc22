"""The engine's wire form, as the gate needs it: one definition for the whole gate.

Property bags travel as ``MessageToDict`` of a protobuf Struct: secrets are envelopes
``{SIG_KEY: SECRET_SIG, "value": ...}``, values unknown during preview are typed sentinel
strings, numbers are floats. The constants are the engine's (pulumi/pulumi
``sdk/go/common/resource/plugin/rpc.go`` and ``sdk/python/lib/pulumi/runtime/rpc.py``;
pulumi-policy ``proxy.py`` lists the typed unknowns); ``tests/test_wire.py`` holds them equal
to the installed SDK's.

Standard library only: the program runner imports this module inside the program's own
interpreter, where nothing but ``pulumi`` may be assumed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Final

SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG: Final = "5cf8f73096256a8f31e491e813e4eb8e"  # a resource reference: {SIG_KEY, urn, id?, packageVersion?}
OUTPUT_SIG: Final = "d0e6a833031e9bbcd3f4e8bde6ca49a4"  # an output value: {SIG_KEY, value?, secret?, dependencies?}

UNKNOWN: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the string sentinel, which the Python SDK sends for every unknown
UNKNOWN_SENTINELS: Final = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    UNKNOWN,  # string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})

STACK_TYPE: Final = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE: Final = "pulumi:pulumi:StackReference"
PROVIDER_TYPE_PREFIX: Final = "pulumi:providers:"


# -- secrets ------------------------------------------------------------------------------------

def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG


def secret(value: Any) -> dict[str, Any]:
    return value if is_secret(value) else {SIG_KEY: SECRET_SIG, "value": value}


def reveal(value: Any) -> Any:
    """The value inside a secret envelope (or the value itself)."""
    return value["value"] if is_secret(value) else value


def known_string(value: Any) -> str | None:
    """A non-empty string value (revealed), or None for anything else, an unknown included."""
    value = reveal(value)
    return value if isinstance(value, str) and value and value not in UNKNOWN_SENTINELS else None


# -- marshalled without resource references ---------------------------------------------------------

def without_references(value: Any, skip_internal: bool = False) -> Any:
    """``value`` as the engine marshals it with ``KeepResources: false`` (for an analyzer, and
    for a provider that does not accept references, such as azure-native): references
    downgraded and, when ``skip_internal``, keys starting ``__`` dropped at every depth
    (``SkipInternalKeys``: Analyze and AnalyzeStack, not Remediate).

    pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go`` (the options of ``Analyze``,
    ``AnalyzeStack`` and ``Remediate``) and ``sdk/go/common/resource/plugin/rpc.go``
    (``MarshalPropertyValue``/``UnmarshalPropertyValue``, the resource reference case): a
    reference that carries an ``id`` is a custom resource and becomes that id, unknown (the
    string sentinel) when the id is empty or unknown (``properties.go``
    ``MakeCustomResourceReference``: an empty id is computed); one without is a component and
    becomes its URN. ``packageVersion`` goes with the reference."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == RESOURCE_SIG:
            return _downgraded_reference(value)
        return {k: without_references(v, skip_internal) for k, v in value.items()
                if not (skip_internal and k.startswith("__"))}
    if isinstance(value, list):
        return [without_references(v, skip_internal) for v in value]
    return value


def _downgraded_reference(ref: dict[str, Any]) -> Any:
    if "id" not in ref:
        return ref.get("urn", "")
    resource_id = reveal(ref["id"])
    if not isinstance(resource_id, str) or not resource_id or resource_id in UNKNOWN_SENTINELS:
        return UNKNOWN
    return resource_id


# -- URNs ----------------------------------------------------------------------------------------

def urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """The engine's URN: a child's type is qualified by its parent's type chain, except for
    children of the root stack (the SDK's MockMonitor.make_urn qualifies those too)."""
    parent_type = parent.split("::")[2] if parent.count("::") >= 3 else ""
    if parent_type and parent_type != STACK_TYPE:
        type_ = parent_type + "$" + type_
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def root_stack_urn(stack: str, project: str) -> str:
    return urn(stack, project, "", STACK_TYPE, f"{project}-{stack}")


def urn_name(urn_: str) -> str:
    """The resource name, the last part of ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    return urn_.rsplit("::", 1)[-1]


def urn_type(urn_: str) -> str:
    """The resource's own type (the last of its qualified type chain), or "" for a malformed URN."""
    parts = urn_.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


# -- type tokens ---------------------------------------------------------------------------------

_VERSIONED = re.compile(r"^(azure-native:[A-Za-z0-9]+)/(v\d{8}(?:preview|privatepreview)?|v\d{4}_\d{2}_\d{2}[a-z]*)(:.+)$")


@lru_cache(maxsize=1024)
def canonical_type(token: str) -> str:
    """The unversioned spelling of an azure-native type token
    (``azure-native:machinelearningservices/v20240401:Workspace`` ->
    ``azure-native:machinelearningservices:Workspace``); other tokens unchanged."""
    match = _VERSIONED.match(token)
    return f"{match.group(1)}{match.group(3)}" if match else token
