"""A featureset version is pinned to the data version it was built from
(featureset-data-version-pinned), and that reference resolves to a data version the stack
declares (featureset-data-version-resolves, a stack rule)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.options import flag, string, strings
from ..core.refs import AssetRef, parse_ref, pin_problem, workspace_of
from ..core.resources import assets as av
from ..core.resources import workspace as ws
from ..core.rule import SDK_ADVISORY, ResourceRule, StackRule, Subject
from ..core.samples import Sample, SampleResource, StackSample, sample_stack
from ..core.stack import StackItem, judge_each

_DATA_KEY = string("dataVersionKey", "dataVersionId",
                   "Key of the featureset version's properties map that records the data version it was built from.")
_PINNED_DATA = "azureml:transactions:1"
_PIN_IT = "pin it (azureml:<name>:<version>)"


def _data_ref_path(type_token: str, props: Any, config: Mapping[str, Any]) -> tuple[str, ...]:
    """The path of the data version reference in the version's free-form properties map."""
    where = shape.path_of(type_token, props, av.FREE_PROPERTIES) or ""
    return (*where.split("."), str(config["dataVersionKey"]))


def _explicit_version(subject: Subject) -> Iterator[str]:
    version = p.get(subject.props, shape.path_of(subject.type, subject.props, av.VERSION) or "version")
    if not isinstance(version, str) or not version.strip():
        yield f"The featureset version names no explicit version (version is {p.type_name(version)})."
    elif version.strip().lower() == "latest":
        yield "The featureset version is 'latest'; name an explicit version."


def _specification(subject: Subject) -> Iterator[str]:
    reading = shape.read(subject.type, subject.props, av.SPECIFICATION_PATH)
    if reading is not None and (not isinstance(reading.raw, str) or not reading.raw.strip()):
        yield f"{reading.path} is empty or absent; point it at the featureset specification."


def _entities(subject: Subject) -> Iterator[str]:
    reading = shape.read(subject.type, subject.props, av.ENTITIES)
    if reading is None:
        return
    where = reading.path
    entities = p.get_list({"v": reading.raw}, "v")
    if not entities:
        if subject.config["requireEntities"]:
            yield f"{where} names no entity; reference each entity by a pinned version (azureml:<name>:<version>)."
        return
    for index, entity in enumerate(p.elements(entities, where)):
        if not isinstance(entity, str):
            yield f"{where}[{index}] is {p.type_name(entity)}, not an entity reference."
            continue
        if problem := pin_problem(f"{where}[{index}]", entity, "featurestoreentities", _PIN_IT,
                                  "does not point to a feature store entity"):
            yield problem


def _data_reference(subject: Subject) -> Iterator[str]:
    path = _data_ref_path(subject.type, subject.props, subject.config)
    where = ".".join(path)
    value = p.get(subject.props, path)
    if not p.present(value):
        yield f"The featureset version records no data version reference ({where} is absent)."
        return
    if not isinstance(value, str):
        yield f"{where} is {p.type_name(value)}, not a data version reference."
        return
    if not value.strip():
        yield f"{where} is an empty placeholder; record the pinned data version the featureset was built from."
        return
    if problem := pin_problem(f"The data version reference in {where}", value, "data", _PIN_IT, "does not point to a data asset"):
        yield problem


_SPEC = {"specification": {"path": "azureml://datastores/workspaceblobstore/paths/featuresets/txn"},
         "entities": ["azureml:customer:1"]}


def _fs(data_ref: Any = _PINNED_DATA, **extra: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {**_SPEC, **extra}
    if data_ref is not p.MISSING:
        properties["properties"] = {"dataVersionId": data_ref}
    return {"name": "txn", "version": "1", "workspaceName": "ws", "properties": properties}


def _fs_an2(data_ref: Any = _PINNED_DATA) -> dict[str, Any]:
    """A featureset version as azure-native 2.x spells it (its body under featuresetVersionProperties)."""
    return {"name": "txn", "version": "1", "workspaceName": "ws",
            "featuresetVersionProperties": {**_SPEC, "properties": {"dataVersionId": data_ref}}}


featureset_data_version_pinned = ResourceRule(
    name="featureset-data-version-pinned",
    title="Featuresets record their pinned data version",
    description="Featureset versions must be explicit, declare pinned entities and record the pinned data version they were built from.",
    details="Featureset versions (body properties in azure-native 3.x, featuresetVersionProperties in 2.x) must be "
    "explicit, declare their specification and pinned entities, and record the pinned data version they were built "
    "from in their properties map (key dataVersionKey, default dataVersionId). The classic provider has no feature "
    "store resources.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Give the featureset version an explicit version (not 'latest'), set properties.specification.path, "
    "reference entities as azureml:<name>:<version>, and record the data version it was built from in "
    "properties.properties.dataVersionId as azureml:<name>:<version> or a versioned asset id.",
    unknowns="A reference that is unknown during preview (built from another resource's computed output): "
    f"{SDK_ADVISORY}, after the problems that can be judged are reported.",
    topics=("data-versioning",),
    types=(t.FEATURESET_VERSION,),
    options=(
        _DATA_KEY,
        flag("requireEntities", True, "Require at least one entity reference."),
    ),
    check=(_explicit_version, _specification, _entities, _data_reference),
    samples=(
        Sample("pinned short form", _fs()),
        Sample("2.x pinned", _fs_an2()),
        Sample("pinned ARM id", _fs("/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
                                    "workspaces/ws/data/transactions/versions/3")),
        Sample("pinned registry uri", _fs("azureml://registries/shared/data/transactions/versions/2")),
        Sample("custom key, snake_case", {"name": "txn", "version": "2", "properties": {
            **_SPEC, "properties": {"source_data": _PINNED_DATA}}}, config={"dataVersionKey": "sourceData"}),
        Sample("entities optional", _fs(entities=[]), config={"requireEntities": False}),
        Sample("seed placeholder", {"name": "sampleFeatureset", "version": "1.0", "properties": {"properties": {"dataVersionId": ""}}},
               ("specification.path is empty or absent", "names no entity", "empty placeholder")),
        Sample("2.x: the seed as its note wrote it", {"name": "sampleFeatureset", "version": "1.0", "workspaceName": "ws",
                                                      "featuresetVersionProperties": {"properties": {"dataVersionId": ""}}},
               ("featuresetVersionProperties.specification.path is empty or absent",
                "featuresetVersionProperties.entities names no entity",
                "featuresetVersionProperties.properties.dataVersionId is an empty placeholder")),
        Sample("2.x latest", _fs_an2("azureml:transactions:latest"), ("names the version 'latest'",),
               type="azure-native:machinelearningservices/v20240401:FeaturesetVersion"),
        Sample("latest version", _fs("azureml:transactions:latest"), ("names the version 'latest'",)),
        Sample("label", _fs("azureml:transactions@production"), ("names a label",)),
        Sample("no version", _fs("azureml:transactions"), ("names no version",)),
        Sample("container id", _fs("azureml://registries/shared/data/transactions"), ("names no version",)),
        Sample("datastore path", _fs("azureml://datastores/blob/paths/txn/"), ("storage or datastore path",)),
        Sample("not a data asset", _fs("azureml://registries/shared/models/m/versions/1"), ("does not point to a data asset",)),
        Sample("absent reference", _fs(p.MISSING), ("records no data version reference",)),
        Sample("reference wrong type", _fs(1.0), ("is a number",)),
        Sample("featureset latest", {**_fs(), "version": "latest"}, ("is 'latest'",)),
        Sample("unpinned entity", _fs(entities=["azureml:customer@latest", 3.0]), ("names a label", "is a number")),
    ),
)


def _data_versions(items: Sequence[StackItem]) -> tuple[set[tuple[str, str, str]], set[str]]:
    """Index the stack's data versions as (workspace, name, version), lower-cased, and its
    workspace names. An item whose identity is unknown is left out (``UnknownValueError``
    is not raised here: an unresolved reference is then reported as unknown, not missing)."""
    versions: set[tuple[str, str, str]] = set()
    workspaces: set[str] = set()
    for item in items:
        try:
            if item.canonical in t.WORKSPACE_TYPES:
                name = _text(item, ws.NAME) or p.get_str(item.props, "name")
                if name:
                    workspaces.add(name.lower())
            elif item.canonical == t.DATA_VERSION:
                key = _asset_key(item)
                if key:
                    versions.add(key)
                    workspaces.add(key[0])
        except UnknownValueError:
            continue
    return versions, workspaces


def _asset_key(item: StackItem) -> tuple[str, str, str] | None:
    """(workspace, name, version) of an asset version: from its ARM id when the id is known
    (a real provider reports the version, not the container, as ``name``), else from its inputs."""
    arm_id = p.get_str(item.props, "id")
    ref = parse_ref(arm_id) if arm_id else None
    if ref and ref.scope == "remote" and ref.pinned and ref.prefix:
        workspace = workspace_of(ref.prefix)
        if workspace and ref.name and ref.version:
            return workspace.lower(), ref.name.lower(), ref.version.lower()
    workspace, name, version = (_text(item, setting) for setting in (av.WORKSPACE_NAME, av.NAME, av.VERSION))
    if workspace and name and version:
        return workspace.lower(), name.lower(), version.lower()
    return None


def _resolves(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    versions, workspaces = _data_versions(items)
    allowed = tuple(x.lower() for x in config["allowedRemotePrefixes"] if isinstance(x, str) and x)

    def judge(item: StackItem) -> str | None:
        value = p.get_str(item.props, _data_ref_path(item.type, item.props, config))
        ref = parse_ref(value) if value else None
        if ref is None or not ref.pinned:
            return None  # absent or unpinned: featureset-data-version-pinned reports it
        return _resolution_problem(item, ref, versions, workspaces, allowed)

    return judge_each((i for i in items if i.canonical == t.FEATURESET_VERSION), judge)


def _resolution_problem(item: StackItem, ref: AssetRef, versions: set[tuple[str, str, str]],
                        workspaces: set[str], allowed: tuple[str, ...]) -> str | None:
    workspace: str | None
    if ref.scope == "remote":
        target = workspace_of(ref.prefix or "")
        if target is None or target.lower() not in workspaces:
            prefix = (ref.prefix or "").lower()
            if any(prefix.startswith(a) for a in allowed):
                return None
            return ("The data version reference points into another workspace or registry whose prefix is not in "
                    "allowedRemotePrefixes.")
        workspace = target.lower()
    else:
        workspace = _own_workspace(item)
    name, version = (ref.name or "").lower(), (ref.version or "").lower()
    if workspace is None:
        found = any(v[1:] == (name, version) for v in versions)
    else:
        found = (workspace, name, version) in versions
    if found:
        return None
    return ("The pinned data version reference names a data asset and version that no DataVersion in this stack "
            "declares (in the featureset's workspace).")


def _text(item: StackItem, setting: shape.Setting) -> str | None:
    reading = shape.read(item.type, item.props, setting)
    return reading.raw if reading is not None and isinstance(reading.raw, str) else None


def _own_workspace(item: StackItem) -> str | None:
    name = _text(item, av.WORKSPACE_NAME)
    if name:
        return name.lower()
    arm_id = p.get_str(item.props, "id")
    ref = parse_ref(arm_id) if arm_id else None
    target = workspace_of(ref.prefix) if ref and ref.prefix else None
    return target.lower() if target else None


_DATA = SampleResource(t.DATA_VERSION, "data", {"workspaceName": "ws", "name": "transactions", "version": "1",
                                                "properties": {"dataUri": "azureml://datastores/b/paths/t/"}})
_DATA_BY_ID = SampleResource(t.DATA_VERSION, "data", {
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/data/transactions/versions/1",
    "name": "1",  # a real provider reports the version as the resource name
})
_OTHER_WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/central"


def _fs_item(ref: Any, name: str = "featureset") -> SampleResource:
    return SampleResource(t.FEATURESET_VERSION, name, _fs(ref))


_DATA_AN2 = SampleResource(t.DATA_VERSION, "data", {"workspaceName": "ws", "name": "transactions", "version": "1",
                                                    "dataVersionBaseProperties": {
                                                        "dataType": "uri_folder", "dataUri": "azureml://datastores/b/paths/t/"}})


featureset_data_version_resolves = StackRule(
    name="featureset-data-version-resolves",
    title="Featureset data versions resolve",
    description="A featureset's pinned data version must be declared in the stack or come from an allowed workspace or registry.",
    details="A featureset version's pinned data version reference must resolve to a data version declared "
    "in the same stack (in either azure-native version's spelling), or point into an allowed workspace or registry.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Declare the DataVersion the featureset was built from in the same stack (same workspace, name and "
    "version), fix the reference, or add the remote workspace or registry prefix to allowedRemotePrefixes.",
    unknowns=f"Featureset versions whose reference or workspace is unknown during preview are skipped and {SDK_ADVISORY} "
    "is added; the others are judged.",
    topics=("data-versioning",),
    options=(
        _DATA_KEY,
        strings("allowedRemotePrefixes", [], "Prefixes of absolute asset ids (another workspace or a registry) a reference "
                "may point into, e.g. azureml://registries/shared (compared case-insensitively)."),
    ),
    types=(t.FEATURESET_VERSION, t.DATA_VERSION),
    not_covered={t.REGISTRY_DATA_VERSION: "a reference into a registry (azureml://registries/...) is judged by "
                 "allowedRemotePrefixes, not by the registry's versions",
                 av.DATASET: "a v1 dataset is not a data version a featureset can pin"},
    check=_resolves,
    samples=(
        StackSample("declared in stack", sample_stack(_DATA, _fs_item(_PINNED_DATA))),
        StackSample("2.x, declared in stack", sample_stack(_DATA_AN2, SampleResource(t.FEATURESET_VERSION, "featureset",
                                                                                    _fs_an2()))),
        StackSample("declared, found by ARM id", sample_stack(_DATA_BY_ID, _fs_item(_PINNED_DATA))),
        StackSample("ARM reference into this stack's workspace", sample_stack(_DATA, _fs_item(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/WS/data/transactions/versions/1"))),
        StackSample("allowed registry", sample_stack(_fs_item("azureml://registries/shared/data/t/versions/1")),
                    config={"allowedRemotePrefixes": ["azureml://registries/shared"]}),
        StackSample("unpinned left to the other rule", sample_stack(_fs_item(""), _fs_item("azureml:x@latest", "f2"))),
        StackSample("missing version", sample_stack(_DATA, _fs_item("azureml:transactions:2")),
                    ("no DataVersion in this stack declares",)),
        StackSample("2.x, missing version", sample_stack(_DATA_AN2, SampleResource(
            t.FEATURESET_VERSION, "featureset", _fs_an2("azureml:transactions:2"))), ("no DataVersion in this stack declares",)),
        StackSample("other workspace", sample_stack(SampleResource(t.DATA_VERSION, "data", {
            "workspaceName": "other", "name": "transactions", "version": "1"}), _fs_item(_PINNED_DATA)),
            ("no DataVersion in this stack declares",)),
        StackSample("remote not allowed", sample_stack(_fs_item(f"{_OTHER_WS}/data/t/versions/1")),
                    ("prefix is not in allowedRemotePrefixes",)),
        StackSample("registry not allowed", sample_stack(_fs_item("azureml://registries/shared/data/t/versions/1")),
                    ("prefix is not in allowedRemotePrefixes",), config={"allowedRemotePrefixes": ["azureml://registries/other"]}),
    ),
)
