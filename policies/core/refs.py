"""Azure ML asset references and whether they are pinned (DESIGN.md section 4).

Pinned forms name one immutable version:
  ``azureml:<name>:<version>``
  ``[azureml:]/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/
      workspaces/<ws>/<type>/<name>/versions/<v>`` (or ``registries/<reg>/...``)
  ``azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/<type>/<name>/versions/<v>``
  ``azureml://locations/<loc>/workspaces/<id>/<type>/<name>/versions/<v>``
  ``azureml://registries/<reg>/<type>/<name>/versions/<v>``
Not pinned: a ``latest`` version, ``@<label>`` or ``/labels/<label>``, a container without
``/versions/``, an empty string, and raw storage or datastore paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

ASSET_TYPES: Final = frozenset(
    {"data", "codes", "environments", "models", "components", "featuresets", "featurestoreentities"}
)
_STORAGE_SCHEMES: Final = ("https://", "http://", "abfss://", "abfs://", "wasbs://", "wasb://", "adl://", "gs://", "s3://")
_SHORT = re.compile(r"^azureml:(?P<name>[^:@/\s]+)(?::(?P<version>[^:@/\s]*)|@(?P<label>[^:@/\s]*))?$", re.IGNORECASE)
# The asset part shared by ARM ids and azureml:// URIs: <type>/<name>[/versions/<v> | /labels/<l>]
_ASSET_TAIL = re.compile(
    r"/(?P<type>[A-Za-z]+)/(?P<name>[^/\s]+)(?:/versions/(?P<version>[^/\s]*)|/labels/(?P<label>[^/\s]*))?/?$"
)
_ARM_WORKSPACE = re.compile(
    r"^/subscriptions/[^/]+/resourcegroups/[^/]+/providers/microsoft\.machinelearningservices/"
    r"(?:workspaces|registries)/[^/]+$",
    re.IGNORECASE,
)
_URI_WORKSPACE = re.compile(
    r"^azureml://(?:subscriptions/[^/]+/resourcegroups/[^/]+/(?:providers/microsoft\.machinelearningservices/)?"
    r"workspaces/[^/]+|locations/[^/]+/workspaces/[^/]+|registries/[^/]+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AssetRef:
    """A parsed reference. ``scope`` is ``local`` (the resource's own workspace), ``remote``
    (an absolute id into a workspace or registry, with ``prefix`` the part before the asset
    type), ``path`` (storage or datastore location) or ``invalid``."""

    scope: str
    asset_type: str | None = None
    name: str | None = None
    version: str | None = None
    prefix: str | None = None
    problem: str | None = None

    @property
    def pinned(self) -> bool:
        return self.problem is None


def _version_problem(version: str | None, label: str | None) -> str | None:
    if label is not None:
        return "names a label (@label or /labels/...) instead of a version"
    if version is None:
        return "names no version"
    if not version.strip():
        return "has an empty version"
    if version.strip().lower() == "latest":
        return "names the version 'latest'"
    return None


@lru_cache(maxsize=4096)
def parse_ref(value: str) -> AssetRef:
    text = value.strip()
    if not text:
        return AssetRef("invalid", problem="is empty")
    lowered = text.lower()
    if lowered.startswith("azureml://datastores/") or lowered.startswith(_STORAGE_SCHEMES):
        return AssetRef("path", problem="is a storage or datastore path, not a versioned asset")
    short = _SHORT.match(text)
    if short and not lowered.startswith("azureml://"):
        return AssetRef(
            "local",
            name=short.group("name"),
            version=short.group("version"),
            problem=_version_problem(short.group("version"), short.group("label")),
        )
    body = text[len("azureml:"):] if lowered.startswith("azureml:/") and not lowered.startswith("azureml://") else text
    tail = _ASSET_TAIL.search(body)
    if tail is None or tail.group("type").lower() not in ASSET_TYPES:
        return AssetRef("invalid", problem="is not a recognised Azure ML asset reference")
    prefix = body[: tail.start()]
    if not (_ARM_WORKSPACE.match(prefix) or _URI_WORKSPACE.match(prefix)):
        return AssetRef("invalid", problem="is not a recognised Azure ML asset reference")
    return AssetRef(
        "remote",
        asset_type=tail.group("type").lower(),
        name=tail.group("name"),
        version=tail.group("version"),
        prefix=prefix,
        problem=_version_problem(tail.group("version"), tail.group("label")),
    )


def workspace_of(prefix: str) -> str | None:
    """The workspace name in a remote reference's prefix (ARM or azureml:// form), if any."""
    match = re.search(r"/workspaces/([^/]+)$", prefix, re.IGNORECASE)
    return match.group(1) if match else None


_WORKSPACE_SEGMENT = re.compile(r"/workspaces/([^/]+)", re.IGNORECASE)
_REGISTRY_PREFIX = re.compile(r"/registries/([^/]+)$", re.IGNORECASE)


def workspace_in(arm_id: str | None) -> str | None:
    """The workspace name (lower-cased) in an ARM id or azureml:// URI of something inside a
    workspace (``.../workspaces/<ws>/computes/<c>``), if any."""
    match = _WORKSPACE_SEGMENT.search(arm_id or "")
    return match.group(1).lower() if match else None


def registry_of(ref: AssetRef) -> str | None:
    """The registry a remote reference points into (``azureml://registries/<r>/...`` or an ARM
    ``.../registries/<r>/...`` id), else None."""
    match = _REGISTRY_PREFIX.search(ref.prefix or "") if ref.scope == "remote" else None
    return match.group(1) if match else None


def pin_problem(where: str, value: str, asset_type: str, fix: str, elsewhere: str = "") -> str | None:
    """What is wrong with ``value`` as a pinned reference to one version of ``asset_type``
    (``"<where> names a label ...; <fix>."``), or None when it is one. ``elsewhere`` words a pinned
    reference to another asset type (default ``"points to <its type>, not <asset_type>"``)."""
    ref = parse_ref(value)
    if not ref.pinned:
        return f"{where} {ref.problem}; {fix}."
    if ref.asset_type not in (None, asset_type):
        return f"{where} {elsewhere or f'points to {ref.asset_type}, not {asset_type}'}."
    return None
