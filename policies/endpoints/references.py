"""The model and environment a deployment serves (online and batch): pinned versions, from an allowed
registry when the rule's allowedRegistries is set. A batch deployment names its model by an asset
reference object (referenceType Id with assetId; DataPath and OutputPath name storage, not a
registered model)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..core import props as p
from ..core.refs import AssetRef, parse_ref, pin_problem, registry_of
from ..core.resources import endpoints as ep
from ..core.rule import Subject
from ..core.shape import read

_REFERENCE_KINDS: Final = frozenset({"id", "datapath", "outputpath"})  # AssetReferenceBase's referenceType values
PIN_HINT: Final = "azureml:<name>:<version> or azureml://registries/<registry>/models/<name>/versions/<version>"


def model_problems(path: str, value: Any, config: Mapping[str, Any]) -> Iterator[str]:
    """What is wrong with a deployment's model reference ``value`` at ``path`` (a string, or a batch
    deployment's reference object)."""
    if not p.present(value):
        if config["requireModel"] is True:
            yield f"{path} is not set; deploy a registered model by a pinned version ({PIN_HINT})."
        return
    if isinstance(value, Mapping):
        kind_key, asset_key = p.first_key(value, "referenceType"), p.first_key(value, "assetId")
        kind = p.get(value, [kind_key]) if kind_key else p.MISSING
        if asset_key and (not p.present(kind) or (isinstance(kind, str) and p.norm_key(kind) == "id")):
            path, value = f"{path}.{asset_key}", p.get(value, [asset_key])
        else:
            said = f"'{kind}'" if isinstance(kind, str) and p.norm_key(kind) in _REFERENCE_KINDS else "not an Id reference"
            yield (f"{path} is {said}: a storage or job output path, not a registered model version; reference a model "
                   f"with referenceType Id and a pinned assetId ({PIN_HINT}).")
            return
    if not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not a model reference."
        return
    if problem := pin_problem(path, value, "models", f"pin it ({PIN_HINT})", "does not point to a model asset"):
        yield problem
        return
    allowed = [r for r in config["allowedRegistries"] if isinstance(r, str) and r.strip()]
    yield from registry_problems(path, parse_ref(value), allowed)


def registry_problems(path: str, ref: AssetRef, allowed: list[str]) -> Iterator[str]:
    if not allowed:
        return
    listing = ", ".join(allowed)
    registry = registry_of(ref)
    if registry is None:
        yield (f"{path} is not a registry model; allowedRegistries requires "
               f"azureml://registries/<registry>/models/<name>/versions/<version> (allowed: {listing}).")
    elif registry.lower() not in {a.strip().lower() for a in allowed}:
        yield f"{path} comes from a registry outside allowedRegistries (allowed: {listing})."


def environment(subject: Subject) -> Iterator[str]:
    """The deployment's environment, when it names one, is a pinned version."""
    reading = read(subject.type, subject.props, ep.ENVIRONMENT)
    if reading is None:
        return
    path, value = reading.path, reading.raw
    if not p.present(value):
        return  # optional: a deployment of an MLflow model needs no environment
    if not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not an environment reference."
        return
    if problem := pin_problem(path, value, "environments", "pin it (azureml:<name>:<version> or a versioned environment id)",
                              "does not point to an environment asset"):
        yield problem
