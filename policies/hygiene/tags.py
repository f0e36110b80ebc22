"""ml-required-tags: every ML resource that can carry tags carries the required ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.options import strings
from ..core.resources import common
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import path_of


def tag_path(type_token: str, props: Any = None) -> str | None:
    """The dotted path of a resource's tag map as it spells it, or None when its type cannot carry tags."""
    setting = common.tags(type_token)
    return path_of(type_token, props or {}, setting) if setting is not None else None


def _tag_names(configured: Sequence[Any]) -> list[str]:
    """The configured names, each once (first spelling kept; Azure tag names ignore case)."""
    names: dict[str, str] = {}
    for tag in configured:
        if isinstance(tag, str) and tag.strip():
            names.setdefault(tag.strip().lower(), tag.strip())
    return list(names.values())


def _required_tags(subject: Subject) -> Iterator[str]:
    where = tag_path(subject.type, subject.props)
    required = _tag_names(subject.config["requiredTags"])
    if where is None or not required:
        return
    listing = ", ".join(required)
    tags = p.get(subject.props, where)
    if not p.present(tags):
        yield f"The resource has no tags ({where} is absent); required tags: {listing}."
        return
    if not isinstance(tags, Mapping):
        yield f"{where} is {p.type_name(tags)}, not a map of tags; required tags: {listing}."
        return
    # Azure tag names are case-insensitive; spelling otherwise counts ('cost-center' is not 'costcenter').
    present = {key.strip().lower(): key for key in tags if isinstance(key, str)}
    pending: UnknownValueError | None = None
    for tag in required:
        quoted = quote_known(tag, required)
        key = present.get(tag.strip().lower())
        if key is None:
            yield f"Required tag {quoted} is missing from {where}."
            continue
        try:
            value = p.get(tags, [key])
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        if not isinstance(value, str):
            yield f"Required tag {quoted} in {where} is {p.type_name(value)}, not a string."
        elif not value.strip():
            yield f"Required tag {quoted} in {where} is empty."
    if pending is not None:
        raise pending


_TAGS = {"owner": "ml-platform", "cost-center": "cc-1234"}

ml_required_tags = ResourceRule(
    name="ml-required-tags",
    title="Azure ML resources carry the required tags",
    description="Every Azure ML resource that can carry tags must carry the required tags (default: owner, cost-center).",
    details="Every Azure ML resource that can carry tags (workspaces of every kind included) must carry the "
    "required tags (default: owner, cost-center) with non-empty values, wherever its provider keeps them (top-level "
    "tags, or the body's: properties.tags in azure-native 3.x, dataVersionBaseProperties.tags and the like in 2.x; "
    "kvTags on 2.x's v1 web services; top-level tags on every classic resource). Tag names match case-insensitively; a "
    "resource with no tags at all violates. Types whose API has no tags (connections, outbound rules, RAI policies, "
    "the v1 MachineLearningDatastore and the like) are exempt.",
    severity=Severity.LOW,
    level=EnforcementLevel.ADVISORY,
    remediation="Add each required tag with a non-empty value: in `tags` on workspaces, registries, computes, "
    "endpoints and deployments (and every classic azure:machinelearning resource), in the body's tags on asset "
    "containers and versions, jobs, schedules and datastores (`properties.tags` in azure-native 3.x, "
    "`dataVersionBaseProperties.tags` and the like in 2.x). Change the list with this policy's requiredTags config.",
    unknowns=unknown_advisory("tag map or required tag value", after="the tags that can be judged are reported"),
    topics=("tagging", "resource-usage"),
    frameworks=(fw.AZ_REQUIRE_TAG,),
    types=t.ML_TYPES,
    options=(strings("requiredTags", ["owner", "cost-center"], "Tag names every ML resource must carry (matched case-insensitively)."),),
    check=_required_tags,
    samples=(
        Sample("workspace, top-level tags", {"sku": {"name": "Basic"}, "tags": _TAGS}, type=t.WORKSPACE),
        Sample("compute, names in another case", {"tags": {"Owner": "ml", "COST-CENTER": "cc-1"},
                                                  "properties": {"computeType": "AmlCompute"}},
               type=f"{t.ML}:Compute"),
        Sample("data version, properties.tags", {"name": "txn", "version": "1", "properties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/b/paths/t/", "tags": _TAGS}},
            type=t.DATA_VERSION),
        Sample("job, snake_case keys", {"properties": {"job_type": "Command", "tags": _TAGS}}, type=f"{t.ML}:Job"),
        Sample("2.x versioned module", {"modelVersionProperties": {"tags": _TAGS}},
               type="azure-native:machinelearningservices/v20240401:ModelVersion"),
        Sample("2.x data version", {"name": "txn", "version": "1", "dataVersionBaseProperties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/b/paths/t/", "tags": _TAGS}}, type=t.DATA_VERSION),
        Sample("2.x registry body, top-level tags", {"location": "westeurope", "tags": _TAGS, "registryProperties": {
            "publicNetworkAccess": "Disabled"}}, type=f"{t.ML}:Registry"),
        Sample("2.x v1 web service kvTags", {"computeType": "ACI", "kvTags": _TAGS},
               type="azure-native:machinelearningservices/v20210401:ACIService"),
        Sample("classic datastore", {"workspaceId": "/x", "storageContainerId": "/y", "tags": _TAGS},
               type=f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"),
        Sample("labeling job, snake_case", {"labeling_job_properties": {"job_type": "Labeling", "tags": _TAGS}},
               type=f"{t.ML}:LabelingJob"),
        Sample("dataset registration", {"registration": {"name": "d", "tags": _TAGS}},
               type=f"{t.ML}:MachineLearningDataset"),
        Sample("classic compute cluster", {"vmSize": "STANDARD_DS2_V2", "tags": _TAGS},
               type=f"{t.CLASSIC_ML}/computeCluster:ComputeCluster"),
        Sample("cannot carry tags", {"properties": {"authType": "AAD"}}, type=f"{t.ML}:WorkspaceConnection"),
        Sample("classic outbound rule cannot carry tags", {"destinationFqdn": "pypi.org"},
               type=f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn"),
        Sample("configured list", {"tags": {"env": "dev"}}, type=f"{t.ML}:Registry", config={"requiredTags": ["env"]}),
        Sample("duplicates in config reported once", {"tags": {}}, ("Required tag 'Env' is missing",),
               type=f"{t.ML}:Registry", config={"requiredTags": ["Env", "env ", ""]}),
        Sample("nothing required", {}, type=t.WORKSPACE, config={"requiredTags": []}),
        Sample("no tags", {"sku": {"name": "Basic"}}, ("has no tags (tags is absent); required tags: owner, cost-center",),
               type=t.WORKSPACE),
        Sample("null tags", {"tags": None}, ("has no tags",), type=f"{t.CLASSIC_ML}/workspace:Workspace"),
        Sample("tags in the wrong place", {"properties": {"tags": _TAGS}}, ("has no tags (tags is absent)",),
               type=f"{t.ML}:Compute"),
        Sample("asset without properties.tags", {"tags": _TAGS, "properties": {"codeUri": "https://x/y"}},
               ("has no tags (properties.tags is absent)",), type=f"{t.ML}:CodeVersion"),
        Sample("one missing", {"properties": {"tags": {"owner": "ml"}}},
               ("Required tag 'cost-center' is missing from properties.tags",), type=t.DATA_VERSION),
        Sample("spelling counts", {"tags": {"owner": "ml", "costcenter": "1"}},
               ("Required tag 'cost-center' is missing",), type=f"{t.ML}:OnlineEndpoint"),
        Sample("empty and blank values", {"tags": {"owner": "", "cost-center": "  "}},
               ("Required tag 'owner' in tags is empty", "Required tag 'cost-center' in tags is empty"),
               type=f"{t.ML}:OnlineDeployment"),
        Sample("wrong value types", {"tags": {"owner": None, "cost-center": 1234.0}},
               ("'owner' in tags is null, not a string", "'cost-center' in tags is a number, not a string"),
               type=f"{t.ML}:BatchEndpoint"),
        Sample("tags not a map", {"tags": ["owner", "cost-center"]}, ("tags is a list, not a map of tags",),
               type=t.WORKSPACE),
        Sample("2.x versioned module missing", {"scheduleProperties": {
            "action": {"actionType": "CreateJob", "jobBaseProperties": {"jobType": "Command", "command": "x",
                                                                        "environmentId": "azureml:env:1"}},
            "trigger": {"triggerType": "Cron", "expression": "0 1 * * *"}}},
            ("has no tags (scheduleProperties.tags is absent)",),
            type="azure-native:machinelearningservices/v20230401preview:Schedule"),
        Sample("2.x job missing one", {"jobBaseProperties": {"jobType": "Command", "command": "x",
                                                             "environmentId": "azureml:env:1", "tags": {"owner": "ml"}}},
               ("Required tag 'cost-center' is missing from jobBaseProperties.tags",), type=f"{t.ML}:Job"),
        Sample("classic datastore missing one", {"tags": {"cost-center": "1"}}, ("'owner' is missing from tags",),
               type=f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage"),
        Sample("bad config", {"tags": _TAGS}, ("policy config 'requiredTags' must be of type array",),
               type=t.WORKSPACE, config={"requiredTags": "owner"}),
    ),
)
