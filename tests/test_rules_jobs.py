"""The job and asset-version rules (policies/jobs/, policies/assets/): what their samples cannot
express, namely the job-definition traversal, durations, image references, unknowns during
preview, the real SDK's ``*Args`` shapes, stack size and no echoed values. Every sample of every
rule runs in tests/test_samples.py."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies import rule_named
from policies.core import props as p
from policies.core import types as t
from policies.core.rule import ResourceRule
from policies.core.samples import SampleResource
from policies.core.stack import StackItem
from policies.jobs import identity
from policies.jobs.environment_image import parse_image, registry_allowed
from policies.jobs.model import job_definitions
from tests.sdk import _opts, _props, rules_declared_in, run_resource, run_stack

JOB, SCHEDULE = t.JOB, t.SCHEDULE
FAMILY = [r for r in rules_declared_in("policies.jobs", "policies.assets") if isinstance(r, ResourceRule)]
UNKNOWN = p.UNKNOWN_STRING
UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"
ENV = "azureml:env:1"


def _rule(name: str) -> Any:
    return rule_named(name)


def _strings(value: Any) -> Iterator[str]:
    for _, node in p.walk(value):
        if isinstance(node, str):
            yield node


VIOLATING = [(r, s) for r in FAMILY for s in r.samples if s.violations]


@pytest.mark.parametrize(("rule", "sample"), VIOLATING, ids=[f"{r.name}: {s.name}" for r, s in VIOLATING])
def test_messages_quote_no_property_values(rule: ResourceRule, sample: Any) -> None:
    """Messages name paths; free-form values (ids, URIs, images) never appear in them."""
    quotable = {str(v).lower() for v in [*rule.defaults().values(), *sample.config.values()] if isinstance(v, str)}
    quotable |= {str(x).lower() for v in [*rule.defaults().values(), *sample.config.values()]
                 if isinstance(v, list) for x in v}
    quotable |= {v.lower() for v in identity.KNOWN_IDENTITY_TYPES} | {"latest"}  # a fixed word, not the user's value
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


# --- images --------------------------------------------------------------------


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
    found, raised = _run_with_unknowns(_rule("environment-image-pinned"), t.ENVIRONMENT_VERSION,
                                       {"properties": {"image": UNKNOWN}})
    assert raised and found == []
    found, raised = _run_with_unknowns(_rule("asset-version-explicit"), t.CODE_VERSION,
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


def test_stack_rule_compute_with_unknown_id_cannot_be_matched_by_a_literal() -> None:
    """During preview a compute's id and name outputs are unknown (azure-native's PreviewOutputs), so a
    literal reference cannot be matched: the SDK's advisory, whose message says how to make it linkable."""
    rule = _rule("job-allowed-compute")
    cluster = SampleResource("azure-native:machinelearningservices:Compute", "c", {"id": UNKNOWN, "name": UNKNOWN})
    job = SampleResource(JOB, "j", {"id": UNKNOWN, "properties": {
        "jobType": "Command", "computeId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/"
                                           "workspaces/WS/computes/cpu"}})
    with pytest.raises(UnknownValueError) as raised:
        run_stack(rule, (cluster, job))
    assert "compute_id=compute.id" in raised.value.message
    known = SampleResource("azure-native:machinelearningservices:Compute", "c", {
        "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/CPU",
        "name": "CPU"})
    assert run_stack(rule, (known, job)) == []


def test_stack_rule_resolves_every_job_of_a_large_stack() -> None:
    # Correct at scale; how it scales is measured by bench/run.py, not timed here.
    rule = _rule("job-allowed-compute")
    ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
    items: list[StackItem] = []
    for i in range(5000):
        items.append(StackItem("azure-native:machinelearningservices:Compute", f"c{i}", f"urn:c{i}",
                               {"id": f"{ws}/computes/c{i}", "name": f"c{i}"}, None))
        items.append(StackItem(JOB, f"j{i}", f"urn:j{i}", {"workspaceName": "ws", "properties": {
            "jobType": "Pipeline", "settings": {"default_compute": f"azureml:c{i}"},
            "jobs": {"a": {"type": "command"}, "b": {"type": "command", "computeId": f"{ws}/computes/c{(i + 1) % 5000}"}}}},
            None))
    assert rule.evaluate(items) == []
