"""Explicit asset versions: data versions (data-version-explicit) and every other asset version
(asset-version-explicit) name an explicit version and are not anonymous."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.checks import bool_setting
from ..core.providers import auto_named
from ..core.resources import assets as av
from ..core.rule import SDK_ADVISORY, ResourceCheck, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read


def explicit_version(subject: Subject) -> Iterator[str]:
    """``version`` names an explicit version: a non-empty string (or number) other than 'latest'.
    Absent is a violation: the SDK makes ``version`` optional and nothing then names the version. The
    provider's Check auto-names an absent version (``providers.auto_named``), which is absent too."""
    reading = read(subject.type, subject.props, av.VERSION)
    version = reading.raw if reading is not None else p.MISSING
    if not p.present(version):
        yield "version is not set; name an explicit version (not 'latest')."
    elif not t.is_classic(subject.type) and auto_named(version, subject.name):
        yield ("version is not set in the program: azure-native named it after the resource (its name and 8 random "
               "characters), a version nothing can pin; name an explicit version (not 'latest').")
    elif isinstance(version, bool) or not isinstance(version, (str, int, float)):
        yield f"version is {p.type_name(version)}, not a version; name an explicit version."
    elif isinstance(version, str) and not version.strip():
        yield "version is empty; name an explicit version (not 'latest')."
    elif isinstance(version, str) and version.strip().lower() == "latest":
        yield "version is 'latest'; name an explicit version."


not_anonymous: Final[ResourceCheck] = bool_setting(
    setting=av.IS_ANONYMOUS, expected=False, absent="pass",
    what="an asset version must not be anonymous (anonymous versions get generated names and cannot be pinned by name)",
)


def _data_uri(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, av.DATA_URI)
    if reading is None:
        return
    path, value = reading.path, reading.raw
    if not p.present(value):
        yield f"{path} is not set; point the data version at its storage location."
    elif not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not a storage location."
    elif not value.strip():
        yield f"{path} is empty; point the data version at its storage location."


def _index_columns(subject: Subject) -> Iterator[str]:
    if t.canonical(subject.type) != t.FEATURESTORE_ENTITY_VERSION:
        return
    reading = read(subject.type, subject.props, av.INDEX_COLUMNS)
    if reading is None:
        return
    path, columns = reading.path, reading.raw
    if not p.present(columns):
        yield f"{path} is not set; declare the entity's index columns."
        return
    listed = p.get_list({"v": columns}, "v")
    if listed is None:
        yield f"{path} is {p.type_name(columns)}, not a list of index columns."
        return
    if not listed:
        yield f"{path} is empty; declare the entity's index columns."
    for index, column in enumerate(p.elements(listed, path)):
        name = p.get(column, "columnName") if isinstance(column, Mapping) else p.MISSING
        if not isinstance(name, str) or not name.strip():
            yield f"{path}[{index}] names no column (columnName)."


_DATASTORE_URI: Final = "azureml://datastores/workspaceblobstore/paths/transactions/2024-06/"


def _data(version: Any = "1", **properties: Any) -> dict[str, Any]:
    """A data version as the SDK's UriFolderDataVersionArgs serialises it."""
    return {"resourceGroupName": "rg", "workspaceName": "ws", "name": "transactions", "version": version,
            "properties": {"dataType": "uri_folder", "dataUri": _DATASTORE_URI, "isAnonymous": False,
                           "isArchived": False, **properties}}


def _data_an2(version: Any = "1", **properties: Any) -> dict[str, Any]:
    """A data version as azure-native 2.x's UriFolderDataVersionArgs serialises it (body dataVersionBaseProperties)."""
    return {"resourceGroupName": "rg", "workspaceName": "ws", "name": "transactions", "version": version,
            "dataVersionBaseProperties": {"dataType": "uri_folder", "dataUri": _DATASTORE_URI, "isAnonymous": False,
                                          "isArchived": False, **properties}}


data_version_explicit = ResourceRule(
    name="data-version-explicit",
    title="Data versions are explicit",
    description="Data versions must name an explicit version (not 'latest') and a data URI, and must not be anonymous.",
    details="Data versions (in workspaces and registries; the body is properties in azure-native 3.x, "
    "dataVersionBaseProperties in 2.x) must name an explicit version (not empty, absent or 'latest'), a non-empty "
    "dataUri (a datastore path is fine: it is the version's location), and must not be anonymous (an absent "
    "isAnonymous is false, as in Azure).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Give the DataVersion an explicit version (e.g. '1' or a date), set properties.dataUri to the data's "
    "storage or datastore location, and leave properties.isAnonymous unset or false.",
    unknowns=f"A version or data URI unknown during preview: {SDK_ADVISORY}, after the parts that can be judged are "
    "reported.",
    topics=("data-versioning", "reproducibility"),
    types=av.DATA_VERSIONS,
    not_covered={av.DATASET: "a v1 MachineLearningDataset has no version of its own: the service numbers each "
                 "registration"},
    check=(explicit_version, _data_uri, not_anonymous),
    samples=(
        Sample("SDK shape", _data()),
        Sample("mltable on https, snake_case", {"name": "t", "version": "2024.06.01", "properties": {
            "data_type": "mltable", "data_uri": "https://acct.blob.core.windows.net/c/t/", "is_anonymous": False}}),
        Sample("registry data version, number version", {"registryName": "shared", "name": "t", "version": 3.0,
                                                         "properties": {"dataUri": _DATASTORE_URI}},
               type=t.REGISTRY_DATA_VERSION),
        Sample("2.x versioned module", _data_an2(), type="azure-native:machinelearningservices/v20240401:DataVersion"),
        Sample("2.x registry data version", {"registryName": "shared", "name": "t", "version": "2",
                                             "dataVersionBaseProperties": {"dataType": "uri_file", "dataUri": _DATASTORE_URI}},
               type=t.REGISTRY_DATA_VERSION),
        Sample("no version (the SDK leaves it out)", {"name": "t", "properties": {"dataUri": _DATASTORE_URI}},
               ("version is not set",)),
        Sample("no version in the program: the provider's Check auto-named it", _data("raw-events5f3a9c0e"),
               ("version is not set in the program: azure-native named it after the resource",), resource="raw-events"),
        Sample("a version of that shape for another resource is a version", _data("raw-events5f3a9c0e"),
               resource="other-events"),
        Sample("latest", _data("Latest"), ("version is 'latest'",)),
        Sample("empty version and uri", _data(" ", dataUri=""),
               ("version is empty", "properties.dataUri is empty")),
        Sample("no uri, anonymous", {"name": "t", "version": "1", "properties": {"isAnonymous": True}},
               ("properties.dataUri is not set", "properties.isAnonymous is true")),
        Sample("anonymous as a string", _data(isAnonymous="true"), ("properties.isAnonymous is true",)),
        Sample("wrong types", _data(True, dataUri=1.0, isAnonymous=0.0),
               ("version is a boolean", "properties.dataUri is a number", "properties.isAnonymous is a number")),
        Sample("2.x latest and anonymous", _data_an2("latest", isAnonymous=True),
               ("version is 'latest'", "dataVersionBaseProperties.isAnonymous is true")),
        Sample("2.x without a uri", {"name": "t", "version": "1", "dataVersionBaseProperties": {"dataType": "uri_folder"}},
               ("dataVersionBaseProperties.dataUri is not set",)),
    ),
)


def _asset(**properties: Any) -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "name": "train", "version": "3",
            "properties": {"isAnonymous": False, "isArchived": False, **properties}}


def _entity(columns: Any = p.MISSING, **extra: Any) -> dict[str, Any]:
    body = _asset(**extra)
    if columns is not p.MISSING:
        body["properties"]["indexColumns"] = columns
    return body


asset_version_explicit = ResourceRule(
    name="asset-version-explicit",
    title="Asset versions are explicit",
    description="Code, environment, model, component and entity versions must name an explicit version and not be anonymous.",
    details="Code, environment, model, component and feature store entity versions (in workspaces and registries; "
    "the body is properties in azure-native 3.x, codeVersionProperties and the like in 2.x) must name an explicit "
    "version (not empty, absent or 'latest') and must not be anonymous (an absent isAnonymous is false, as in Azure); "
    "feature store entity versions must also declare their index columns.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Give the asset version an explicit version (e.g. '1'), leave properties.isAnonymous unset or false, "
    "and for feature store entities list properties.indexColumns with a columnName each.",
    unknowns=f"A version or property unknown during preview: {SDK_ADVISORY}, after the parts that can be judged are "
    "reported.",
    topics=("reproducibility",),
    types=av.OTHER_VERSIONS,
    check=(explicit_version, not_anonymous, _index_columns),
    samples=(
        Sample("code version", _asset(codeUri="https://acct.blob.core.windows.net/code/train/")),
        Sample("environment version", _asset(image="mcr.microsoft.com/azureml/curated:1"), type=t.ENVIRONMENT_VERSION),
        Sample("model version, snake_case", {"name": "m", "version": "7", "properties": {
            "model_uri": "azureml://jobs/j/outputs/model", "is_anonymous": False}}, type=t.MODEL_VERSION),
        Sample("component version, 2.x versioned module", {"name": "c", "version": "1", "componentVersionProperties": {
            "componentSpec": {"type": "command"}, "isAnonymous": False}},
            type="azure-native:machinelearningservices/v20240401:ComponentVersion"),
        Sample("2.x code version", {"workspaceName": "ws", "name": "src", "version": "3", "codeVersionProperties": {
            "codeUri": "https://acct.blob.core.windows.net/code/src/"}}, type=t.CODE_VERSION),
        Sample("2.x registry model version", {"registryName": "shared", "modelName": "m", "version": "4",
                                              "modelVersionProperties": {"modelUri": "azureml://jobs/j/outputs/model"}},
               type=t.REGISTRY_MODEL_VERSION),
        Sample("registry versions", {"registryName": "shared", "componentName": "c", "version": "1.0.0",
                                     "properties": {}}, type=t.REGISTRY_COMPONENT_VERSION),
        Sample("feature store entity", _entity([{"columnName": "customer_id", "dataType": "String"}]),
               type=t.FEATURESTORE_ENTITY_VERSION),
        Sample("feature store entity, snake_case", {"name": "customer", "version": "1", "properties": {
            "index_columns": [{"column_name": "id", "data_type": "Long"}]}}, type=t.FEATURESTORE_ENTITY_VERSION),
        Sample("no version", {"name": "train", "properties": {"codeUri": "https://a/b"}}, ("version is not set",)),
        Sample("auto-named model version", {"name": "m", "version": "fraud-model0a1b2c3d", "properties": {}},
               ("version is not set in the program",), type=t.MODEL_VERSION, resource="fraud-model"),
        Sample("latest, anonymous", {"name": "m", "version": "latest", "properties": {"isAnonymous": True}},
               ("version is 'latest'", "properties.isAnonymous is true"), type=t.REGISTRY_MODEL_VERSION),
        Sample("wrong types", _asset(isAnonymous="maybe") | {"version": ["1"]},
               ("version is a list", "properties.isAnonymous is a string, not a boolean"), type=t.ENVIRONMENT_VERSION),
        Sample("entity without index columns", _entity(), ("properties.indexColumns is not set",),
               type=t.FEATURESTORE_ENTITY_VERSION),
        Sample("entity with empty or nameless columns", _entity([{"dataType": "String"}, {"columnName": " "}, "id"]),
               ("properties.indexColumns[0] names no column", "properties.indexColumns[1] names no column",
                "properties.indexColumns[2] names no column"), type=t.FEATURESTORE_ENTITY_VERSION),
        Sample("entity columns empty list", _entity([]), ("properties.indexColumns is empty",),
               type=t.FEATURESTORE_ENTITY_VERSION),
        Sample("2.x entity without index columns", {"name": "customer", "version": "1",
                                                    "featurestoreEntityVersionProperties": {"isAnonymous": False}},
               ("featurestoreEntityVersionProperties.indexColumns is not set",),
               type="azure-native:machinelearningservices/v20240401:FeaturestoreEntityVersion"),
        Sample("2.x anonymous environment without version", {"name": "env", "environmentVersionProperties": {
            "image": "mcr.microsoft.com/azureml/curated:1", "isAnonymous": True}},
            ("version is not set", "environmentVersionProperties.isAnonymous is true"), type=t.ENVIRONMENT_VERSION),
        Sample("entity columns wrong type", _entity({"columnName": "id"}), ("properties.indexColumns is an object",),
               type=t.FEATURESTORE_ENTITY_VERSION),
    ),
)
