"""featureset-materialization-limits: featureset materialisation runs on an approved Spark instance type."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known, quote_size
from ..core.options import strings
from ..core.resources import assets as av
from ..core.rule import ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read

_STORE_TYPES = ("None", "Online", "Offline", "OnlineAndOffline")


def _materialization(subject: Subject) -> Iterator[str]:
    settings = read(subject.type, subject.props, av.MATERIALIZATION)
    if settings is None or settings.absent:
        return  # not materialised
    if not isinstance(settings.raw, Mapping):
        yield f"{settings.path} is {p.type_name(settings.raw)}, not materialisation settings."
        return
    allowed = [a for a in subject.config["allowedInstanceTypes"] if isinstance(a, str)]
    listing = ", ".join(allowed) or "none"
    instance = read(subject.type, subject.props, av.SPARK_INSTANCE_TYPE)
    if instance is None:
        return
    path = instance.path
    if instance.absent:
        store = read(subject.type, subject.props, av.STORE_TYPE)
        if store is not None and isinstance(store.value, str) and store.value.strip().lower() != "none":
            yield (f"{store.path} is {quote_known(store.value, _STORE_TYPES)} (materialisation on) but {path} is not set; "
                   f"choose an allowed instance type (allowed: {listing}).")
    elif not isinstance(instance.raw, str):
        yield f"{path} is {p.type_name(instance.raw)}; allowed: {listing}."
    elif instance.raw.strip().lower() not in {a.lower() for a in allowed}:
        yield (f"{path} is {quote_size(instance.raw, allowed)}; materialisation must use an allowed instance type "
               f"(allowed: {listing}).")


def _fs_version(**settings: Any) -> dict[str, Any]:
    return {"name": "txn", "version": "1", "workspaceName": "fs", "properties": {
        "specification": {"path": "azureml://datastores/workspaceblobstore/paths/featuresets/txn"},
        "materializationSettings": settings}}


featureset_materialization_limits = ResourceRule(
    name="featureset-materialization-limits",
    title="Featureset materialisation uses approved instances",
    description="Featureset materialisation, when switched on, must run on an approved Spark instance type.",
    details="Featureset materialisation must run on an approved Spark instance type "
    "(materializationSettings.resource.instanceType, in the body: properties in azure-native 3.x, "
    "featuresetVersionProperties in 2.x); absent materialisation settings are fine (nothing is materialised), but "
    "materialisation switched on (storeType other than None) without an instance type is a violation. "
    "sparkConfiguration is free-form and not judged.",
    severity=Severity.LOW,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.materializationSettings.resource.instanceType to one of this policy's "
    "allowedInstanceTypes, or add the type to that list.",
    topics=("resource-usage",),
    types=(t.FEATURESET_VERSION,),
    options=(
        strings("allowedInstanceTypes", ["standard_e4s_v3", "standard_e8s_v3"],
                "Serverless Spark instance types materialisation may use (compared case-insensitively)."),
    ),
    check=_materialization,
    samples=(
        Sample("not materialised", {"name": "txn", "version": "1", "properties": {"entities": ["azureml:customer:1"]}}),
        Sample("allowed type", _fs_version(storeType="Offline", resource={"instanceType": "standard_e8s_v3"},
                                           sparkConfiguration={"spark.driver.cores": "4"})),
        Sample("snake_case, case differs", {"properties": {"materialization_settings": {
            "store_type": "Online", "resource": {"instance_type": "Standard_E4s_v3"}}}}),
        Sample("store off, no resource (Args default)", _fs_version(storeType="None")),
        Sample("2.x allowed type", {"name": "txn", "version": "1", "featuresetVersionProperties": {
            "materializationSettings": {"storeType": "Offline", "resource": {"instanceType": "standard_e4s_v3"}}}}),
        Sample("configured", _fs_version(resource={"instanceType": "standard_e16s_v3"}),
               config={"allowedInstanceTypes": ["standard_e16s_v3"]}),
        Sample("large type", _fs_version(storeType="OnlineAndOffline", resource={"instanceType": "standard_e64s_v3"}),
               ("resource.instanceType is 'standard_e64s_v3'",)),
        Sample("on without a type", _fs_version(storeType="Offline", schedule={"frequency": "Day", "interval": 1.0}),
               ("storeType is 'Offline' (materialisation on) but properties.materializationSettings.resource.instanceType "
                "is not set",)),
        Sample("wrong type", _fs_version(storeType="Online", resource={"instanceType": 8.0}), ("instanceType is a number",)),
        Sample("settings wrong type", {"properties": {"materializationSettings": "Offline"}},
               ("materializationSettings is a string, not materialisation settings",)),
        Sample("2.x on without a type", {"name": "txn", "version": "1", "featuresetVersionProperties": {
            "materializationSettings": {"storeType": "Online"}}},
            ("featuresetVersionProperties.materializationSettings.storeType is 'Online' (materialisation on) but "
             "featuresetVersionProperties.materializationSettings.resource.instanceType is not set",),
            type="azure-native:machinelearningservices/v20241001:FeaturesetVersion"),
        Sample("2.x size name quoted", {"featuresetVersionProperties": {"materializationSettings": {
            "storeType": "Offline", "resource": {"instanceType": "Standard_E64s_v3"}}}},
            ("resource.instanceType is 'Standard_E64s_v3'",)),
    ),
)
