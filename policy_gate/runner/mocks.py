"""Plausible, deterministic provider answers for programs run under the SDK's mock monitor.

Inputs and answers are in the engine's wire form (``policy_gate.wire``): secrets are envelopes,
unknowns (preview only) the ``UNKNOWN`` sentinel, numbers floats. A new resource gets its
inputs back reshaped to the SDK's declared output types (``shaping``), an ARM id (``arm``) and
the string outputs a real provider always computes; an invoke gets a sample of its declared
result type (``invokes``). In preview a new resource gets an empty id and no computed outputs,
so they are unknown, as in ``pulumi preview``.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from ..wire import PROVIDER_TYPE_PREFIX, STACK_REFERENCE_TYPE, known_string, reveal
from . import notices
from .arm import arm_id, arm_type, autoname, own_name_input
from .invokes import sample_object
from .sdk_types import api_version, function_result_class, normalise, output_types, resource_class, split_token
from .shaping import Shaper
from .values import GUID_OUTPUTS, TENANT_ID, guid


class CaptureResourceArgs(MockResourceArgs):
    """MockResourceArgs plus the URN, which seeds every generated value."""

    def __init__(self, urn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urn = urn


class AzureMocks(Mocks):
    """Answers shaped from the SDK's type information; see the module docstring."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict]:
        urn = getattr(args, "urn", "") or f"{args.typ}::{args.name}"
        if args.typ.startswith(PROVIDER_TYPE_PREFIX):
            return ("" if self.preview else guid("provider", urn)), dict(args.inputs)
        if args.typ == STACK_REFERENCE_TYPE:
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
        notices.warn(f"stack reference {name}: its outputs are not available offline; every output reads as unset")
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
        return (known_string(args.inputs.get(key)) if key else None) or autoname(args.name, urn)

    @staticmethod
    def _add_computed(
        resource_cls: type, token: str, outputs: dict[str, Any], name: str, urn: str, inputs: dict[str, Any]
    ) -> None:
        """Fill the string outputs a real provider always returns and the inputs do not hold."""
        for key, typ in output_types(resource_cls).items():
            if key not in outputs and normalise(typ) is str:
                value = _computed_string(key, resource_cls, token, name, urn, inputs)
                if value is not None:
                    outputs[key] = value


def _computed_string(key: str, resource_cls: type, token: str, name: str, urn: str,
                     inputs: dict[str, Any]) -> str | None:
    if key in ("keyUri", "keyUriWithVersion"):
        # Key Vault keys: a workspace's customer-managed key is usually wired from these.
        vault = known_string(inputs.get("vaultName")) or "vault"
        base = f"https://{vault}.vault.azure.net/keys/{name}"
        return base if key == "keyUri" else f"{base}/{guid(urn, 'version').replace('-', '')}"
    if key == "name":
        return name
    if key == "type":
        return arm_type(token)
    if key == "azureApiVersion":
        return api_version(resource_cls)
    if key == "tenantId":
        return TENANT_ID
    return guid(urn, key) if key in GUID_OUTPUTS else None
