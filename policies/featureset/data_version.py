"""A featureset version is pinned to the data version it was built from
(featureset-data-version-pinned), and that reference resolves to a data version the stack
declares (featureset-data-version-resolves, a stack rule)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.linking import Linker, Unlinked, linker_of
from ..core.options import flag, string, strings
from ..core.refs import AssetRef, parse_ref, pin_problem, workspace_of
from ..core.resources import assets as av
from ..core.rule import SDK_ADVISORY, ResourceRule, StackRule, Subject
from ..core.samples import Sample, SampleResource, StackSample, ml_id, sample_stack
from ..core.stack import StackItem, derived, judge_each

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
        yield (f"The featureset version records no data version reference: {where} is absent. Azure has no such field; "
               f"this pack's convention is to record the data version it was built from in the version's free-form "
               f"properties map, under the key {subject.config['dataVersionKey']!r} (dataVersionKey), as "
               "azureml:<name>:<version> or data.id.")
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
    "from. Azure has no field for that: this pack's convention is a key of the version's free-form properties map "
    "(properties.properties in 3.x; key dataVersionKey, default dataVersionId), written in the program as "
    "properties={'dataVersionId': 'azureml:<name>:<version>'} (or data.id) inside the version's properties. The "
    "classic provider has no feature store resources.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Give the featureset version an explicit version (not 'latest'), set properties.specification.path, "
    "reference entities as azureml:<name>:<version>, and record the data version it was built from (this pack's "
    "convention; Azure has no such field) in the version's free-form properties map: "
    "properties=FeaturesetVersionPropertiesArgs(..., properties={'dataVersionId': data.id}), or "
    "azureml:<name>:<version>.",
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
        Sample("absent reference", _fs(p.MISSING), (
            "properties.properties.dataVersionId is absent. Azure has no such field; this pack's convention",)),
        Sample("reference wrong type", _fs(1.0), ("is a number",)),
        Sample("featureset latest", {**_fs(), "version": "latest"}, ("is 'latest'",)),
        Sample("unpinned entity", _fs(entities=["azureml:customer@latest", 3.0]), ("names a label", "is a number")),
    ),
)


_RESOLVE_FIX: Final = "record the data version's output instead of a string (dataVersionId=data.id)"


@dataclass
class _Stack:
    """The stack's data versions as (workspace, name, version) and its workspace names, lower-cased,
    from their ARM ids and name outputs (``linking``); ``open`` says whether some identity is
    unknown yet (during preview), so that a reference matching none of the known ones may still
    name one."""

    linker: Linker
    versions: set[tuple[str, str, str]] = field(default_factory=set)
    workspaces: set[str] = field(default_factory=set)
    open: bool = False


def _index(items: Sequence[StackItem]) -> _Stack:
    found = _Stack(derived(items, linker_of))
    for item in items:
        if item.canonical not in (t.DATA_VERSION, *t.WORKSPACE_TYPES):
            continue
        arm = found.linker.arm_id(item)
        if arm is None:
            found.open = found.open or found.linker.id_unknown(item)
            continue
        workspace = arm.named("workspaces")
        if workspace is None:
            continue
        found.workspaces.add(workspace)
        if item.canonical == t.DATA_VERSION and arm.named("data") and arm.named("versions"):
            found.versions.add((workspace, arm.named("data") or "", arm.named("versions") or ""))
    return found


def _resolves(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    stack = _index(items)
    allowed = tuple(x.lower() for x in config["allowedRemotePrefixes"] if isinstance(x, str) and x)

    def judge(item: StackItem) -> str | None:
        body = shape.body_key(item.type, item.props) or ""
        if any(stack.linker.index.by_urn.get(u, item).canonical == t.DATA_VERSION for u in item.built_from(body)):
            return None  # the reference was built from a DataVersion of this stack (data.id)
        value = p.get_str(item.props, _data_ref_path(item.type, item.props, config))
        ref = parse_ref(value) if value else None
        if ref is None or not ref.pinned:
            return None  # absent or unpinned: featureset-data-version-pinned reports it
        return _resolution_problem(item, ref, stack, allowed)

    return judge_each((i for i in items if i.canonical == t.FEATURESET_VERSION), judge)


def _resolution_problem(item: StackItem, ref: AssetRef, stack: _Stack, allowed: tuple[str, ...]) -> str | None:
    workspace: str | None
    if ref.scope == "remote":
        target = workspace_of(ref.prefix or "")
        if target is None or target.lower() not in stack.workspaces:
            prefix = (ref.prefix or "").lower()
            if any(prefix.startswith(a) for a in allowed):
                return None
            if target is not None and stack.open:
                raise Unlinked(f"the workspace its data version reference points into cannot be identified yet (the ids "
                               f"of the stack's workspaces are unknown); {_RESOLVE_FIX}, so the link is known in preview "
                               "too (`pulumi up` links it by id)")
            return ("The data version reference points into another workspace or registry whose prefix is not in "
                    "allowedRemotePrefixes.")
        workspace = target.lower()
    else:
        own = stack.linker.arm_id(item)
        workspace = own.named("workspaces") if own else None
    name, version = (ref.name or "").lower(), (ref.version or "").lower()
    found = any(v[1:] == (name, version) for v in stack.versions) if workspace is None else \
        (workspace, name, version) in stack.versions
    if found:
        return None
    if stack.open or (workspace is None and stack.linker.id_unknown(item)):
        raise Unlinked(f"the data version it names cannot be identified yet (the ids of the stack's data versions, or "
                       f"the featureset version's own, are unknown); {_RESOLVE_FIX}, so the link is known in preview "
                       "too (`pulumi up` links it by id)")
    return ("The pinned data version reference names a data asset and version that no DataVersion in this stack "
            "declares (in the featureset's workspace).")


def _data(workspace: str = "ws", version: str = "1", body: str = "properties", known: bool = True) -> SampleResource:
    """A data version's outputs: its id (workspace, name and version) and its version as its name."""
    arm = ml_id("workspaces", workspace, "data", "transactions", "versions", version) if known else p.UNKNOWN_STRING
    return SampleResource(t.DATA_VERSION, "data", {"id": arm, "name": version if known else p.UNKNOWN_STRING, body: {
        "dataType": "uri_folder", "dataUri": "azureml://datastores/b/paths/t/"}})


_OTHER_WS = ml_id("workspaces", "central")


def _fs_item(ref: Any, name: str = "featureset", body: str = "properties", known: bool = True,
             depends_on: Mapping[str, tuple[str, ...]] | None = None) -> SampleResource:
    """A featureset version's outputs: its id below its workspace's, and its body."""
    bag = _fs(ref) if body == "properties" else _fs_an2(ref)
    arm = ml_id("workspaces", "ws", "featuresets", "txn", "versions", "1") if known else p.UNKNOWN_STRING
    return SampleResource(t.FEATURESET_VERSION, name, {"id": arm, "name": "1" if known else p.UNKNOWN_STRING, body: bag[body]},
                          depends_on=dict(depends_on or {}))


featureset_data_version_resolves = StackRule(
    name="featureset-data-version-resolves",
    title="Featureset data versions resolve",
    description="A featureset's pinned data version must be declared in the stack or come from an allowed workspace or registry.",
    details="A featureset version's pinned data version reference must resolve to a data version declared "
    "in the same stack (in either azure-native version's spelling), or point into an allowed workspace or registry. "
    "Data versions are identified by their ARM ids (workspace, data name, version: a data version's name output is "
    "its version), a local reference (azureml:<name>:<version>) by the featureset version's own workspace, read from "
    "its id; a reference built from a data version's output (data.id) links to it by property dependency.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Declare the DataVersion the featureset was built from in the same stack (same workspace, name and "
    "version), fix the reference, or add the remote workspace or registry prefix to allowedRemotePrefixes.",
    unknowns="During preview the ids that identify data versions and workspaces are unknown: a reference built from a "
    "data version's output (data.id) is linked by property dependency; a literal reference cannot be resolved yet, so "
    f"that featureset version is skipped with {SDK_ADVISORY}, whose message says to record data.id instead (not a "
    "violation: `pulumi up` resolves it by id); the others are judged.",
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
        StackSample("declared in stack", sample_stack(_data(), _fs_item(_PINNED_DATA))),
        StackSample("2.x, declared in stack", sample_stack(_data(body="dataVersionBaseProperties"),
                                                          _fs_item(_PINNED_DATA, body="featuresetVersionProperties"))),
        StackSample("ARM reference into this stack's workspace", sample_stack(_data(), _fs_item(
            ml_id("workspaces", "WS", "data", "transactions", "versions", "1")))),
        StackSample("built from the data version's id, during preview", sample_stack(
            _data(known=False), _fs_item(p.UNKNOWN_STRING, known=False, depends_on={"properties": ("data",)}))),
        StackSample("allowed registry", sample_stack(_fs_item("azureml://registries/shared/data/t/versions/1")),
                    config={"allowedRemotePrefixes": ["azureml://registries/shared"]}),
        StackSample("unpinned left to the other rule", sample_stack(_fs_item(""), _fs_item("azureml:x@latest", "f2"))),
        StackSample("missing version", sample_stack(_data(), _fs_item("azureml:transactions:2")),
                    ("no DataVersion in this stack declares",)),
        StackSample("2.x, missing version", sample_stack(_data(body="dataVersionBaseProperties"), _fs_item(
            "azureml:transactions:2", body="featuresetVersionProperties")), ("no DataVersion in this stack declares",)),
        StackSample("other workspace", sample_stack(_data("other"), _fs_item(_PINNED_DATA)),
                    ("no DataVersion in this stack declares",)),
        StackSample("literal reference during preview", sample_stack(_data(known=False), _fs_item(_PINNED_DATA, known=False)),
                    unknown="dataVersionId=data.id"),
        StackSample("remote not allowed", sample_stack(_fs_item(f"{_OTHER_WS}/data/t/versions/1")),
                    ("prefix is not in allowedRemotePrefixes",)),
        StackSample("registry not allowed", sample_stack(_fs_item("azureml://registries/shared/data/t/versions/1")),
                    ("prefix is not in allowedRemotePrefixes",), config={"allowedRemotePrefixes": ["azureml://registries/other"]}),
    ),
)
