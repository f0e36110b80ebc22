"""Plausible, deterministic provider answers for programs run under the SDK's mock monitor.

Inputs and answers are in the engine's wire form (``policy_gate.wire``): secrets are envelopes,
unknowns (preview only) the ``UNKNOWN`` sentinel, numbers floats. Everything is driven by the
type information of the provider SDK the program imported (``sdk_types``), for any provider.

A new resource's outputs are what its provider returns, in the provider's output shape:

- The output properties its SDK class declares, and nothing else: an input that is no output
  (``workspaceName``, ``resourceGroupName``, a datastore's ``credentials.secrets``) is not
  returned, at the top or inside the objects the provider returns. azure-native builds outputs
  from the API response with the SDK's output shape (pulumi-azure-native
  ``provider/pkg/provider/provider.go`` ``Create``: ``ResponseBodyToSdkOutputs`` over the
  resource's response properties; ``provider/pkg/convert/responseBodyToSdkOutputs.go`` keeps only those),
  and a Terraform-bridged provider's state is its schema's attributes, which its SDK declares as
  outputs. Inputs that are also outputs come back as given (reshaped to the declared output
  types, ``shaping``), except what the response says itself: azure-native returns the resource's
  ARM ``id`` (an output of every response, though no SDK declares it: the provider's recorded
  states hold it, ``provider/pkg/provider/testdata/recorded/TestProviderUpgrade/*/stack.json``),
  its ARM ``name`` (the last segment of its id: a data version's ``name`` output is its version,
  whatever its ``name`` input) and ``type``; a bridged provider's ``id`` (its state's).
- Every output-only property, at the top and inside the objects it returns, filled with a
  plausible value of its declared type (``samples``) or a value the ARM conventions give (API
  version, Key Vault key URI). Its id is an ARM id (``arm``): from the ARM paths of
  azure-native, or in the shape of a bridged provider's documented import example
  (pulumi-azure, azuread).
- In preview a new resource gets an empty id. azure-native returns ``PreviewOutputs``
  (``provider/pkg/convert/previewOutputs.go``): each response property the inputs give, and
  every other one unknown (its ``id`` and ``name`` too, unless an input of that name exists);
  a bridged provider leaves its computed attributes unknown. A read reports its state in both.
- An output the SDK class declares secret (``additional_secret_outputs``) is a secret: the
  monitor wraps what the request names (``monitor.CaptureMonitor``).
- An invoke gets a sample of its declared result type, for a function in any module.

``output_names`` lists the output properties a type has (recorded in the capture as
``outputNames``), for tests that write a stack export in the provider's shape.
"""

from __future__ import annotations

import json
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from ..wire import PROVIDER_TYPE_PREFIX, STACK_REFERENCE_TYPE, UNKNOWN, known_string, reveal
from . import notices
from .arm import arm_id, arm_type, autoname, bridged_id, own_name_input
from .samples import sample_object
from .sdk_types import (
    api_version,
    args_class,
    function_result_class,
    import_id_example,
    input_fields,
    is_bridged,
    output_only,
    output_types,
    resource_class,
    split_token,
)
from .shaping import Shaper
from .values import TENANT_ID, guid


class CaptureResourceArgs(MockResourceArgs):
    """MockResourceArgs plus the URN, which seeds every generated value."""

    def __init__(self, urn: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urn = urn


def output_names(token: str) -> list[str] | None:
    """The output properties a resource of this type really has (the SDK's declared outputs and
    the ``id`` every azure-native response and bridged state holds); None when the SDK class is
    not known."""
    cls = resource_class(token)
    if cls is None:
        return None
    return sorted({*output_types(cls), "id"})


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
        known = bool(args.resource_id) or not self.preview
        cls = resource_class(args.typ)
        name = self._own_name(args, urn)
        resource_id = (args.resource_id or self._id(cls, args, name, urn)) if known else ""
        if cls is None:
            return resource_id, dict(args.inputs)
        native = args.typ.startswith("azure-native:")
        outputs = self._returned_inputs(cls, args.inputs, urn, known, native)
        absent = set(output_types(cls)) - set(outputs)
        if known or not native:
            absent &= output_only(cls) or set()  # an optional input left out stays out (Azure's default is unknown here)
        for key in sorted(absent):
            value = self._computed(cls, key, args, name, urn) if known else UNKNOWN
            if value is not None:
                outputs[key] = value
        if native and known:
            outputs.update(id=resource_id, name=name)  # the response's own, whatever the inputs said
            if "type" in outputs:
                outputs["type"] = arm_type(args.typ)
        elif native:
            outputs["id"] = UNKNOWN  # PreviewOutputs: a response property no input gives
        else:
            # Every resource of a bridged provider has an "id" property, in its state too
            # (pulumi-terraform-bridge docs/resource-ids.md).
            outputs["id"] = resource_id or UNKNOWN
            if "name" in output_types(cls) and "name" not in args.inputs:
                outputs["name"] = name  # the provider's autoname, known in preview too
        return resource_id, outputs

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
    def _returned_inputs(resource_cls: type, inputs: dict[str, Any], urn: str, known: bool,
                         native: bool) -> dict[str, Any]:
        """The inputs that are outputs too, reshaped to the declared output types; in an
        azure-native preview every output property an object's input lacks is unknown."""
        types = output_types(resource_cls)
        args = args_class(resource_cls)
        input_types = (input_fields(args) if args is not None else None) or {}
        shaper = Shaper(urn, known=known, preview_all=native and not known)
        return {key: shaper.top_level(key, value, types[key], input_types.get(key))
                for key, value in inputs.items() if key in types}

    @staticmethod
    def _own_name(args: MockResourceArgs, urn: str) -> str:
        if args.resource_id:
            return args.resource_id.rstrip("/").rsplit("/", 1)[-1]
        key = "name" if is_bridged(args.typ) else own_name_input(args.typ, args.inputs)
        return (known_string(args.inputs.get(key)) if key else None) or autoname(args.name, urn)

    @staticmethod
    def _id(resource_cls: type | None, args: MockResourceArgs, name: str, urn: str) -> str:
        if args.typ.startswith("azure-native:"):
            return arm_id(args.typ, args.inputs, name)
        example = import_id_example(resource_cls, args.typ) if resource_cls is not None else None
        type_name = split_token(args.typ)[2] or args.typ
        return bridged_id(example, args.inputs, name, urn) or f"{type_name}-{args.name}-id"

    @staticmethod
    def _computed(resource_cls: type, key: str, args: MockResourceArgs, name: str, urn: str) -> Any:
        """An output-only property: from the ARM conventions where they say, else a sample of
        its declared type."""
        if key in ("keyUri", "keyUriWithVersion"):
            # Key Vault keys: a workspace's customer-managed key is usually wired from these.
            vault = known_string(args.inputs.get("vaultName")) or "vault"
            base = f"https://{vault}.vault.azure.net/keys/{name}"
            return base if key == "keyUri" else f"{base}/{guid(urn, 'version').replace('-', '')}"
        if key == "name":
            return name
        if key == "type" and args.typ.startswith("azure-native:"):
            return arm_type(args.typ)
        if key == "azureApiVersion":
            return api_version(resource_cls)
        if key == "tenantId":
            return TENANT_ID
        return Shaper(urn, known=True).computed(key, output_types(resource_cls)[key], key, 0)
