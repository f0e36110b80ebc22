"""The job and asset-version rules (policies/jobs.py, policies/assets.py): every sample through the
SDK's own argument objects, plus what samples cannot express (the job-definition traversal,
ISO-8601 durations, image references, unknowns during preview, the real SDK's ``*Args`` shapes,
stack size, no echoed values)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies import assets, jobs
from policies import props as p
from policies import types as t
from policies.jobs import (
    JOB,
    SCHEDULE,
    job_definitions,
    parse_duration,
    parse_image,
    registry_allowed,
)
from policies.rule import ResourceRule, SampleResource, StackItem, StackRule
from tests.captures import program_inputs
from tests.sdk import _opts, _props, assert_messages, run_resource, run_stack

RULES = (*jobs.RULES, *assets.RULES)
RESOURCE_CASES = [(r, s) for r in RULES if isinstance(r, ResourceRule) for s in r.samples]
STACK_CASES = [(r, s) for r in RULES if isinstance(r, StackRule) for s in r.samples]
UNKNOWN = p.UNKNOWN_STRING
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"
ENV = "azureml:env:1"


def _rule(name: str) -> Any:
    return next(r for r in RULES if r.name == name)


# --- every sample ----------------------------------------------------------------------------






def test_every_rule_has_compliant_and_non_compliant_samples() -> None:
    assert [r.name for r in RULES] == ["job-pinned-assets", "environment-image-pinned", "job-identity",
                                       "job-allowed-compute", "job-limits", "data-version-explicit",
                                       "asset-version-explicit"]
    for rule in RULES:
        assert any(not s.violations for s in rule.samples), rule.name
        assert any(s.violations for s in rule.samples), rule.name
        assert all(o.schema.get("description") and "default" in o.schema for o in rule.options), rule.name


def _strings(value: Any) -> Iterator[str]:
    for _, node in p.walk(value):
        if isinstance(node, str):
            yield node


@pytest.mark.parametrize(("rule", "sample"), [(r, s) for r, s in RESOURCE_CASES if s.violations],
                         ids=[f"{r.name}: {s.name}" for r, s in RESOURCE_CASES if s.violations])
def test_messages_quote_no_property_values(rule: ResourceRule, sample: Any) -> None:
    """Messages name paths; free-form values (ids, URIs, images) never appear in them."""
    quotable = {str(v).lower() for v in [*rule.defaults().values(), *sample.config.values()] if isinstance(v, str)}
    quotable |= {str(x).lower() for v in [*rule.defaults().values(), *sample.config.values()]
                 if isinstance(v, list) for x in v}
    quotable |= {v.lower() for v in jobs.KNOWN_IDENTITY_TYPES} | {"latest"}  # a fixed word, not the user's value
    messages = run_resource(rule, sample.type or rule.types[0], sample.props, sample.config)
    for value in set(_strings(sample.props)):
        if len(value.strip()) >= 6 and value.strip().lower() not in quotable:
            assert not any(value in m for m in messages), (value, messages)


# --- the traversal ---------------------------------------------------------------------------


def _nodes(type_token: str, props: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    nodes, pending = job_definitions(type_token, props)
    assert pending is None
    return [(n.path, n.kind, n.steps) for n in nodes]


def test_traversal_finds_every_definition_with_its_path() -> None:
    props = {"properties": {"jobType": "Pipeline", "jobs": {
        "prep": {"type": "command", "componentId": "azureml:prep:1"},
        "tune": {"type": "sweep", "trial": {"componentId": "azureml:t:1"}},
        "gate": {"type": "if_else", "condition": "${{parent.jobs.prep.outputs.ok}}"},
        "loop": {"type": "do_while", "body": "${{parent.jobs.prep}}"},
        "inner": {"type": "pipeline", "Jobs": {"deep": {"type": "spark", "codeId": "azureml:c:1"}}},
        "text": "not a step",
    }}}
    assert _nodes(JOB, props) == [
        ("properties", "pipeline", 3),
        ("properties.jobs.prep", "command", 0),
        ("properties.jobs.tune", "sweep", 0),
        ("properties.jobs.tune.trial", "trial", 0),
        ("properties.jobs.inner", "pipeline", 1),
        ("properties.jobs.inner.Jobs.deep", "spark", 0),
    ]


def test_traversal_of_schedules_and_inferred_kinds() -> None:
    sweep = {"trial": {"command": "x", "environmentId": ENV}, "limits": {}}
    assert _nodes("azure-native:machinelearningservices/v20240401:Schedule", {"properties": {"action": {
        "action_type": "CreateJob", "job_definition": sweep}}}) == [
        ("properties.action.jobDefinition", "sweep", 0), ("properties.action.jobDefinition.trial", "trial", 0)]
    assert _nodes(SCHEDULE, {"properties": {"action": {"actionType": "CreateMonitor", "jobDefinition": sweep}}}) == []
    assert _nodes(SCHEDULE, {"properties": {"action": {"jobDefinition": {"command": "x"}}}}) == [
        ("properties.action.jobDefinition", "command", 0)]
    assert _nodes(JOB, {"properties": {"jobs": {}}}) == [("properties", "pipeline", 0)]
    assert _nodes(JOB, {"properties": "not an object"}) == []
    assert _nodes(t.WORKSPACE, {"properties": {"jobType": "Command"}}) == []


def test_traversal_records_unknowns_and_keeps_the_rest() -> None:
    props = {"properties": {"jobType": "Pipeline", "jobs": {"a": UNKNOWN_OBJECT, "b": {"type": "command"}}}}
    nodes, pending = job_definitions(JOB, props)
    assert [n.path for n in nodes] == ["properties", "properties.jobs.b"]
    assert isinstance(pending, UnknownValueError)
    nodes, pending = job_definitions(JOB, {"properties": {"jobType": "Pipeline", "jobs": UNKNOWN_OBJECT}})
    assert [(n.path, n.steps, n.runs_work) for n in nodes] == [("properties", -1, False)]
    assert pending is not None


# --- durations and images --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "seconds"), [
    ("PT2H", 7200.0), ("P1DT2H", 93600.0), ("pt30m", 1800.0), ("PT0.5H", 1800.0), ("PT1,5S", 1.5), ("P1W", 604800.0),
    ("P1D", 86400.0), (3600, 3600.0), (7200.0, 7200.0), ("3600", 3600.0), (" PT1H ", 3600.0),
    ("P1M", None), ("P1Y", None), ("PT", None), ("P", None), ("P1DT", None), ("2 hours", None), ("", None),
    (-5, None), ("-PT1H", None), (True, None), (None, None), ({"h": 1}, None), ("1.02:00:00", None),
])
def test_parse_duration(value: Any, seconds: float | None) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(("image", "registry", "repository", "tag", "digest"), [
    ("mcr.microsoft.com/azureml/base:1", "mcr.microsoft.com", "azureml/base", "1", None),
    ("python:3.11", "docker.io", "library/python", "3.11", None),
    ("python", "docker.io", "library/python", None, None),
    ("org/img:tag", "docker.io", "org/img", "tag", None),
    ("localhost/img", "localhost", "img", None, None),
    ("myreg:5000/team/img:2@sha256:abc", "myreg:5000", "team/img", "2", "sha256:abc"),
    ("MyAcr.AzureCR.io/Team/Img@sha256:00", "myacr.azurecr.io", "team/img", None, "sha256:00"),
])
def test_parse_image(image: str, registry: str, repository: str, tag: str | None, digest: str | None) -> None:
    ref = parse_image(image)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (registry, repository, tag, digest)


@pytest.mark.parametrize(("image", "allowed", "ok"), [
    ("mcr.microsoft.com/x:1", ["MCR.microsoft.com"], True),
    ("a.azurecr.io/x:1", ["*.azurecr.io"], True),
    ("evil-azurecr.io/x:1", ["*.azurecr.io"], False),
    ("myacr.azurecr.io/team/x:1", ["myacr.azurecr.io/team/"], True),
    ("myacr.azurecr.io/team:1", ["myacr.azurecr.io/team"], True),
    ("myacr.azurecr.io/other/x:1", ["myacr.azurecr.io/team"], False),
    ("python:3.11", ["docker.io"], True),
    ("python:3.11", [], False),
])
def test_registry_allowed(image: str, allowed: list[str], ok: bool) -> None:
    assert registry_allowed(parse_image(image), allowed) is ok


# --- unknowns during preview -----------------------------------------------------------------


def _run_with_unknowns(rule: ResourceRule, type_token: str, props: Mapping[str, Any],
                       config: Mapping[str, Any] | None = None) -> tuple[list[str], bool]:
    """Messages reported through the SDK's own proxy, and whether the rule raised UnknownValueError."""
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    args = ResourceValidationArgs(type_token, _props(props), "urn:pulumi:dev::p::t::r", "r", _opts(), None, dict(config or {}))
    try:
        rule.policy().validate(args, report)
    except UnknownValueError:
        return found, True
    return found, False


def test_resource_rules_report_what_is_known_then_raise_unknown() -> None:
    props = {"properties": {"jobType": "Pipeline", "identity": {"identityType": "Managed"}, "jobs": {
        "a": {"type": "command", "componentId": UNKNOWN, "codeId": "azureml:c@latest"},
        "b": {"type": "command", "componentId": "azureml:train", "identity": {"type": UNKNOWN}},
        "c": {"type": "command", "identity": {"type": "aml_token"}, "limits": {"timeout": UNKNOWN}},
    }}}
    found, raised = _run_with_unknowns(_rule("job-pinned-assets"), JOB, props)
    assert raised and [m.split(";")[0] for m in found] == ["properties.jobs.a.codeId names a label (@label or /labels/...) "
                                                          "instead of a version",
                                                          "properties.jobs.b.componentId names no version"]
    found, raised = _run_with_unknowns(_rule("job-identity"), JOB, props)
    assert raised and len(found) == 1 and found[0].startswith("properties.jobs.c.identity.type is 'aml_token'")
    found, raised = _run_with_unknowns(_rule("job-limits"), JOB, props)
    assert raised and len(found) == 2 and all("timeout is not set" in m for m in found)


def test_unknown_steps_are_not_judged_as_missing() -> None:
    props = {"properties": {"jobType": "Pipeline", "jobs": UNKNOWN_OBJECT}}
    for name in ("job-identity", "job-limits", "job-pinned-assets"):
        found, raised = _run_with_unknowns(_rule(name), JOB, props)
        assert raised and found == [], name


def test_unknown_image_and_version() -> None:
    found, raised = _run_with_unknowns(_rule("environment-image-pinned"), assets.ENVIRONMENT_VERSION,
                                       {"properties": {"image": UNKNOWN}})
    assert raised and found == []
    found, raised = _run_with_unknowns(_rule("asset-version-explicit"), assets.CODE_VERSION,
                                       {"version": UNKNOWN, "properties": {"isAnonymous": True}})
    assert raised and len(found) == 1 and "isAnonymous is true" in found[0]


def _items(*resources: SampleResource, linked: Mapping[str, tuple[str, ...]] | None = None) -> list[StackItem]:
    urns = {r.name: r.urn() for r in resources}
    return [StackItem(r.type, r.name, r.urn(), r.props, None, (),
                      {k: tuple(urns[n] for n in names) for k, names in r.depends_on.items()}) for r in resources]


def test_stack_rule_skips_unknown_compute_not_linked_and_reports_the_rest() -> None:
    rule = _rule("job-allowed-compute")
    cluster = SampleResource("azure-native:machinelearningservices:Compute", "c", {"workspaceName": "ws", "computeName": "cpu"})
    unknown = SampleResource(JOB, "u", {"properties": {"jobType": "Command", "computeId": UNKNOWN}})
    wrong = SampleResource(JOB, "w", {"properties": {"jobType": "Command", "computeId": "azureml:gpu"}})
    found: list[tuple[str, str | None]] = []
    with pytest.raises(UnknownValueError):
        rule.evaluate(_items(cluster, unknown, wrong), report=lambda m, u: found.append((m, u)))
    assert [(m.split(" ")[0], u) for m, u in found] == [("properties.computeId", wrong.urn())]
    # Linked by a property dependency on `properties`: accepted.
    linked = SampleResource(JOB, "u", unknown.props, depends_on={"properties": ("c",)})
    assert rule.evaluate(_items(cluster, linked)) == []
    # A dependency on another property does not link the compute.
    other = SampleResource(JOB, "u", unknown.props, depends_on={"workspaceName": ("c",)})
    with pytest.raises(UnknownValueError):
        rule.evaluate(_items(cluster, other))


def test_stack_rule_compute_with_unknown_id_is_still_found_by_name() -> None:
    rule = _rule("job-allowed-compute")
    cluster = SampleResource("azure-native:machinelearningservices:Compute", "c",
                             {"id": UNKNOWN, "workspaceName": "ws", "computeName": "CPU"})
    job = SampleResource(JOB, "j", {"workspaceName": "ws", "properties": {
        "jobType": "Command", "computeId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
                                           "workspaces/WS/computes/cpu"}})
    assert run_stack(rule, (cluster, job)) == []


def test_stack_rule_resolves_every_job_of_a_large_stack() -> None:
    # Correct at scale; how it scales is measured by bench/run.py, not timed here.
    rule = _rule("job-allowed-compute")
    ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
    items: list[StackItem] = []
    for i in range(5000):
        items.append(StackItem("azure-native:machinelearningservices:Compute", f"c{i}", f"urn:c{i}",
                               {"id": f"{ws}/computes/c{i}", "name": f"c{i}", "workspaceName": "ws"}, None))
        items.append(StackItem(JOB, f"j{i}", f"urn:j{i}", {"workspaceName": "ws", "properties": {
            "jobType": "Pipeline", "settings": {"default_compute": f"azureml:c{i}"},
            "jobs": {"a": {"type": "command"}, "b": {"type": "command", "computeId": f"{ws}/computes/c{(i + 1) % 5000}"}}}},
            None))
    assert rule.evaluate(items) == []


# --- the real SDK's argument classes ---------------------------------------------------------

_PROGRAM = textwrap.dedent("""
    import pulumi_azure_native.machinelearningservices as ml

    ws = dict(resource_group_name="rg", workspace_name="ws")
    env = "azureml:env:1"

    ml.Job("command", **ws, properties=ml.CommandJobArgs(
        job_type="Command", command="python train.py", environment_id=env, code_id="azureml:code@latest",
        inputs={"raw": ml.UriFolderJobInputArgs(job_input_type="uri_folder", uri="azureml://datastores/b/paths/x/"),
                "lr": ml.LiteralJobInputArgs(job_input_type="literal", value="0.1")}))
    ml.Job("sweep", **ws, properties=ml.SweepJobArgs(
        job_type="Sweep", objective=ml.ObjectiveArgs(goal="Maximize", primary_metric="acc"),
        sampling_algorithm=ml.RandomSamplingAlgorithmArgs(sampling_algorithm_type="Random"), search_space={},
        identity=ml.UserIdentityArgs(identity_type="UserIdentity"),
        trial=ml.TrialComponentArgs(command="x", environment_id="azureml:env@latest"),
        limits=ml.SweepJobLimitsArgs(job_limits_type="Sweep", max_total_trials=200)))
    ml.Job("pipeline", **ws, properties=ml.PipelineJobArgs(
        job_type="Pipeline", identity=ml.ManagedIdentityArgs(identity_type="Managed"),
        jobs={"train": {"type": "command", "component_id": "azureml:train:1", "limits": {"timeout": "PT1H"}}}))
    ml.Schedule("schedule", **ws, properties=ml.SchedulePropertiesArgs(
        action=ml.JobScheduleActionArgs(action_type="CreateJob", job_definition=ml.CommandJobArgs(
            job_type="Command", command="x", environment_id=env,
            identity=ml.AmlTokenArgs(identity_type="AMLToken"),
            limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="P2D"))),
        trigger=ml.CronTriggerArgs(trigger_type="Cron", expression="0 1 * * *")))
    ml.EnvironmentVersion("env", **ws, name="env", properties=ml.EnvironmentVersionPropertiesArgs(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04"))
    ml.DataVersion("data", **ws, name="d", properties=ml.MLTableDataArgs(data_type="mltable", data_uri=""))
    ml.FeaturestoreEntityVersion("entity", **ws, name="customer", version="1",
                                 properties=ml.FeaturestoreEntityVersionPropertiesArgs(is_anonymous=True))
""")


@pytest.fixture(scope="module")
def sdk_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Inputs as the real azure-native classes serialise them, through the gate's runner."""
    return program_inputs(tmp_path_factory.mktemp("job-args"), _PROGRAM)


def _judge(rule_name: str, resource: dict[str, Any]) -> list[str]:
    return run_resource(_rule(rule_name), resource["type"], resource["inputs"])


def test_sdk_command_job(sdk_inputs: dict[str, dict[str, Any]]) -> None:
    command = sdk_inputs["command"]
    assert_messages(_judge("job-pinned-assets", command), ("properties.codeId names a label",
                                                           "properties.inputs.raw.uri is a storage or datastore path"))
    # CommandJobArgs sets no identity and no limits: Azure's AMLToken default and no time limit.
    assert_messages(_judge("job-identity", command), ("properties.identity is not set",))
    assert_messages(_judge("job-limits", command), ("properties.limits.timeout is not set",))


def test_sdk_sweep_pipeline_and_schedule(sdk_inputs: dict[str, dict[str, Any]]) -> None:
    sweep, pipeline, schedule = sdk_inputs["sweep"], sdk_inputs["pipeline"], sdk_inputs["schedule"]
    assert_messages(_judge("job-pinned-assets", sweep), ("properties.trial.environmentId names a label",))
    assert_messages(_judge("job-identity", sweep), ())
    assert_messages(_judge("job-limits", sweep), ("maxTotalTrials exceeds maxTotalTrials (100)",
                                                  "maxConcurrentTrials is not set",
                                                  "sets neither timeout nor trialTimeout"))
    for name in ("job-pinned-assets", "job-identity", "job-limits"):
        assert_messages(_judge(name, pipeline), ())
    assert_messages(_judge("job-identity", schedule), ("jobDefinition.identity.identityType is 'AMLToken'",))
    assert_messages(_judge("job-limits", schedule), ("jobDefinition.limits.timeout is longer",))


def test_sdk_asset_versions(sdk_inputs: dict[str, dict[str, Any]]) -> None:
    env, data, entity = sdk_inputs["env"], sdk_inputs["data"], sdk_inputs["entity"]
    assert_messages(_judge("environment-image-pinned", env), ("properties.image names no tag",))
    # The SDK leaves an unset version out and fills isAnonymous=false; the provider's Check then
    # auto-names the version (the SDK leaves it optional because the provider names it), so
    # Analyze never sees an absent version.
    assert env["inputs"]["version"].startswith("env") and env["inputs"]["properties"]["isAnonymous"] is False
    assert_messages(_judge("asset-version-explicit", env), ())
    assert_messages(_judge("data-version-explicit", data), ("properties.dataUri is empty",))
    assert_messages(_judge("asset-version-explicit", entity), ("properties.isAnonymous is true",
                                                               "properties.indexColumns is not set"))
