"""data-uri-no-sas-token: data URIs (data versions, datastore locations, job inputs) carry no SAS
token or account key."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.credentials import credential_value_reason
from ..core.resources import assets as av
from ..core.resources import datastore as ds
from ..core.resources import jobs as jb
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import Setting, path_of, read

# Query parameters that carry a credential in a storage URL, whatever their length.
_URI_CREDENTIAL = re.compile(r"[?&;](?:sig|accountkey|sharedaccesskey|sharedaccesssignature)=[^&#;\s]+", re.IGNORECASE)


def _uri_credential_reason(value: str) -> str | None:
    reason = credential_value_reason(value)
    if reason is None and _URI_CREDENTIAL.search(value):
        reason = "its value carries a SAS signature or account key as a query parameter"
    return reason


def _judge_strings(entries: Iterator[tuple[str, Callable[[], Any]]]) -> Iterator[str]:
    """Judge (path, reader) pairs; an unknown value is raised after the known ones are reported."""
    pending: UnknownValueError | None = None
    for where, reader in entries:
        try:
            value = reader()
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        reason = _uri_credential_reason(value) if isinstance(value, str) else None
        if reason:
            yield (f"{where} carries a credential: {reason}. Reference the data through a datastore "
                   "(azureml://datastores/...) or an identity instead.")
    if pending is not None:
        raise pending


def _data_uri_entries(subject: Subject) -> Iterator[tuple[str, Callable[[], Any]]]:
    canonical = t.canonical(subject.type)
    if canonical in av.DATA_VERSIONS:
        yield from _setting_entry(subject, av.DATA_URI)
    elif canonical == av.DATASET:
        yield from _setting_entry(subject, av.DATASET_URL)
    elif canonical == t.JOB:
        inputs = read(subject.type, subject.props, jb.INPUTS)
        if inputs is not None and isinstance(inputs.raw, Mapping):
            for name in list(inputs.raw):
                yield f"{inputs.path}.{name}.uri", partial(p.get, inputs.raw, [name, "uri"])
    elif canonical in (t.DATASTORE, ds.V1):
        yield from _datastore_location_entries(subject)


def _setting_entry(subject: Subject, setting: Setting) -> Iterator[tuple[str, Callable[[], Any]]]:
    where = path_of(subject.type, subject.props, setting)
    if where is not None:
        yield where, partial(p.get, subject.props, where)


def _datastore_location_entries(subject: Subject) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every string of a datastore's body outside its credentials (datastore-no-inline-credentials
    judges those): endpoint, account and container names, the properties map."""
    base, body = shape.body(subject.type, subject.props)
    owned = {p.norm_key(key) for key in _credential_keys(subject)}
    for path, value in p.walk(body) if body is not None else ():
        if path and p.norm_key(str(path[0])) not in owned and isinstance(value, str):
            where = ".".join(part for part in (base, ".".join(str(part) for part in path)) if part)
            yield where, partial(_raise_if_unknown, value, [*base.split("."), *(str(part) for part in path)] if base
                                 else [str(part) for part in path])


def _credential_keys(subject: Subject) -> Iterator[str]:
    """The keys of the body that hold credentials: ``credentials`` (v2), the flat credential inputs (v1)."""
    yield "credentials"
    for credential in ds.FLAT_CREDENTIALS:
        where = path_of(subject.type, subject.props, credential.setting)
        if where:
            yield where


def _raise_if_unknown(value: str, path: list[str]) -> str:
    if p.is_unknown(value):
        raise UnknownValueError(value, path)
    return value


def _no_sas_in_data_uri(subject: Subject) -> Iterator[str]:
    yield from _judge_strings(_data_uri_entries(subject))


_SAS_URL = ("https://acct.blob.core.windows.net/data/train.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
            "&se=2030-01-01T00:00:00Z&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2BAbC%3D")

_BY_ID = "a classic datastore names its storage by resource id (storageContainerId, storageFileshareId), never by URI"

data_uri_no_sas_token = ResourceRule(
    name="data-uri-no-sas-token",
    title="No credentials in data URIs",
    description="Data URIs of data versions, datasets, datastores and job inputs must not carry a SAS signature or account key.",
    details="Data URIs must not carry credentials: no SAS signature (sig=) or account key in a data version's "
    "dataUri (workspace and registry data versions; the body is properties in azure-native 3.x, "
    "dataVersionBaseProperties in 2.x), a v1 dataset's parameters.path.httpUrl, a datastore's endpoint or other "
    "location fields (v2 Datastore, v1 MachineLearningDatastore), or a job's inputs.<name>.uri (top-level inputs only; "
    "sweep trials and pipeline steps are the job rules' business). An absent URI passes.",
    severity=Severity.CRITICAL,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Remove the SAS token or key from the URI: register a datastore with identity-based access and "
    "reference the data as azureml://datastores/<name>/paths/<path> (or a pinned data asset), and revoke the leaked "
    "token or rotate the key.",
    unknowns=f"A URI that is unknown during preview (built from another resource's output): {SDK_ADVISORY}, after "
    "the known URIs are judged.",
    topics=("secrets", "data-access"),
    frameworks=(fw.MCSB_IM8,),
    types=(*av.DATA_VERSIONS, av.DATASET, t.DATASTORE, ds.V1, t.JOB),
    not_covered={ds.BLOB: _BY_ID, ds.DATALAKE_GEN2: _BY_ID, ds.FILESHARE: _BY_ID},
    check=_no_sas_in_data_uri,
    samples=(
        Sample("datastore path", {"name": "train", "version": "1", "workspaceName": "ws", "properties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/workspaceblobstore/paths/train/"}}),
        Sample("plain https, 2.x versioned module", {"dataVersionBaseProperties": {
            "data_type": "uri_file", "data_uri": "https://acct.blob.core.windows.net/data/t.csv"}},
            type="azure-native:machinelearningservices/v20240401:DataVersion"),
        Sample("2.x registry data version", {"registryName": "shared", "name": "t", "version": "1", "dataVersionBaseProperties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/workspaceblobstore/paths/t/"}}, type=t.REGISTRY_DATA_VERSION),
        Sample("v1 dataset from a datastore path", {"workspaceName": "ws", "datasetType": "file", "parameters": {
            "path": {"dataPath": {"datastoreName": "workspaceblobstore", "relativePath": "train/"}}},
            "registration": {"name": "train"}}, type=av.DATASET),
        Sample("datastore endpoint", {"properties": {"datastoreType": "AzureBlob", "accountName": "acct",
                                                     "endpoint": "core.windows.net", "credentials": {
                                                         "credentialsType": "Sas", "secrets": {"sasToken": _SAS_URL}}}},
               type=t.DATASTORE),
        Sample("job inputs", {"properties": {"jobType": "Command", "command": "python train.py", "inputs": {
            "training": {"jobInputType": "uri_folder", "uri": "azureml:train:1"},
            "lr": {"jobInputType": "literal", "value": "0.01"}}}}, type=t.JOB),
        Sample("job without inputs", {"properties": {"jobType": "Command", "command": "echo"}}, type=t.JOB),
        Sample("sas url", {"properties": {"dataType": "uri_file", "dataUri": _SAS_URL}},
               ("properties.dataUri carries a credential: its value contains a SAS token signature",)),
        Sample("registry data version with a sas url", {"registryName": "shared", "name": "t", "version": "1", "properties": {
            "dataType": "uri_file", "dataUri": _SAS_URL}}, ("properties.dataUri carries a credential",),
            type=t.REGISTRY_DATA_VERSION),
        Sample("short signature", {"properties": {"dataUri": "https://acct.blob.core.windows.net/d/t.csv?sp=r&sig=abc"}},
               ("SAS signature or account key as a query parameter",)),
        Sample("connection string", {"properties": {
            "dataUri": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bm90LWEtcmVhbC1rZXk="}},
            ("account key, shared access key or password",)),
        Sample("account key query", {"properties": {
            "dataUri": "https://acct.dfs.core.windows.net/fs/p?AccountKey=bm90LWEtcmVhbC1rZXk"}},
            ("account key, shared access key or password (connection string or URL)",)),
        Sample("job input with sas", {"properties": {"job_type": "Command", "inputs": {
            "training": {"job_input_type": "uri_folder", "uri": _SAS_URL},
            "ok": {"jobInputType": "uri_file", "uri": "azureml://datastores/b/paths/x.csv"}}}},
            ("properties.inputs.training.uri carries a credential",), type=t.JOB),
        Sample("datastore endpoint with sas", {"properties": {"datastoreType": "AzureBlob",
                                                              "endpoint": "core.windows.net?sig=abcdef",
                                                              "properties": {"source": _SAS_URL}}},
               ("properties.endpoint carries", "properties.properties.source carries"), type=t.DATASTORE),
        Sample("2.x sas url", {"name": "t", "version": "1", "dataVersionBaseProperties": {"dataType": "uri_file",
                                                                                      "dataUri": _SAS_URL}},
               ("dataVersionBaseProperties.dataUri carries a credential",)),
        Sample("2.x job input with sas", {"jobBaseProperties": {"jobType": "Command", "command": "python train.py",
                                                                "environmentId": "azureml:env:1", "inputs": {
                                                                    "training": {"jobInputType": "uri_file", "uri": _SAS_URL}}}},
               ("jobBaseProperties.inputs.training.uri carries a credential",), type=t.JOB),
        Sample("2.x datastore endpoint with sas", {"datastoreProperties": {"datastoreType": "AzureBlob", "accountName": "acct",
                                                                           "containerName": "c",
                                                                           "endpoint": "core.windows.net?sig=abcdef"}},
               ("datastoreProperties.endpoint carries",), type=t.DATASTORE),
        Sample("v1 dataset from a SAS url", {"workspaceName": "ws", "datasetType": "file", "parameters": {
            "path": {"httpUrl": _SAS_URL}}, "registration": {"name": "train"}},
            ("parameters.path.httpUrl carries a credential",), type=av.DATASET),
        Sample("v1 datastore endpoint with sas", {"workspaceName": "ws", "dataStoreType": "blob", "accountName": "acct",
                                                  "endpoint": "core.windows.net?sig=abcdef"},
               ("endpoint carries",), type=ds.V1),
    ),
)
