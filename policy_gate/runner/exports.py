"""What each stack export is, which the engine does not record: the root stack's outputs arrive
through ``RegisterResourceOutputs``, which carries only the values (pulumi/pulumi
``sdk/python/lib/pulumi/runtime/resource.py`` ``register_resource_outputs``; ``source_eval.go``
keeps nothing else), so in AnalyzeStack the root stack has no property dependencies.

The program's own capture can tell more: the runner sees each export's Python value. An export
that *is* one of a resource's own output attributes (the very ``Output`` object the SDK set on the
resource, ``rpc.py`` ``transfer_properties``: ``res.__dict__[name] = Output(...)``; ``id`` and ``urn``
likewise) whose attribute is a name or an id (``id``, ``urn``, a name ending in ``name`` or ``id``:
``name``, ``resource_group_name``, ``workspace_id``), that is not secret (neither the ``Output``
nor, by ``additionalSecretOutputs``, the registration), is that resource's name or id; so is the
resource exported whole (analyzers get its id). Anything else (another output attribute, an
``apply``, ``Output.all``, an invoke result, a secret, a nested structure, a plain value) may hold
anything: a provider need not mark an output that carries a key secret, and in a preview nothing
marks it yet. The analysis hands this to the pack as the root stack's ``propertyDependencies`` in
AnalyzeStack (``analyzer.requests``), one entry per export:

- ``[<resource URN>]``: the export is that resource's own non-secret name or id;
- ``[<root stack URN>, <URNs of the resources it comes from>...]``: anything else (the root stack
  first says so; a resource's name or id never lists it).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pulumi


async def provenance(values: Mapping[str, Any], root_urn: str,
                     secret_outputs: Mapping[str, Collection[str]]) -> dict[str, list[str]]:
    """Each export's entry (see the module docstring), by export name; ``secret_outputs``: by resource
    URN, the outputs its registration made secret (``additionalSecretOutputs``, wire names)."""
    return {name: await _entry(value, root_urn, secret_outputs) for name, value in sorted(values.items())}


async def _entry(value: Any, root_urn: str, secret_outputs: Mapping[str, Collection[str]]) -> list[str]:
    try:
        if isinstance(value, pulumi.CustomResource):  # exported whole: analyzers get its id
            return [await _urn(value)]
        if isinstance(value, pulumi.Output) and not await value.is_secret():
            for resource in await value.resources():
                attribute = next((k for k, v in vars(resource).items() if v is value), None)
                if attribute is None or not _name_or_id(attribute):
                    continue
                urn = await _urn(resource)
                # Marked secret by the registration: the engine makes it secret even where the SDK,
                # in a preview, resolves it as a plain unknown.
                if _spelling(attribute) not in {_spelling(s) for s in secret_outputs.get(urn, ())}:
                    return [urn]
        resources = await pulumi.Output.from_input(value).resources()
        return [root_urn, *sorted({await _urn(r) for r in resources})]
    except Exception:  # noqa: BLE001 - what cannot be told apart counts as computed (fails closed)
        return [root_urn]


def _name_or_id(attribute: str) -> bool:
    """``id``, ``urn``, ``name``, ``resource_group_name``, ``workspace_id``, ``principalId``..."""
    spelled = _spelling(attribute)
    return spelled == "urn" or spelled.endswith(("name", "id"))


def _spelling(name: str) -> str:
    """``primary_access_key`` and ``primaryAccessKey`` alike (Python attribute and wire names)."""
    return name.replace("_", "").lower()


async def _urn(resource: pulumi.Resource) -> str:
    return str(await resource.urn.future())
