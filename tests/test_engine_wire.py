"""What the engine does to a registration before an analyzer sees it, read back through the probe
pack: references downgraded, internal keys, reads, duplicate URNs, transforms (on the newest SDK
and on pulumi 3.142) and the provider's Check defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_gate.program import run_program
from policy_gate.wire import UNKNOWN, secret
from tests.probe import probe, write_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

REFERENCES = """
import pulumi
from pulumi_azure_native import resources

class Group(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("test:index:Group", name, {}, None)

group = Group("group")
rg = resources.ResourceGroup("rg", location="westeurope")
# A component and a custom resource where strings are expected: the SDK sends references.
tagged = resources.ResourceGroup("tagged", location="westeurope", tags={"group": group, "rg": rg})
pulumi.export("ids", {"rg": rg.id})
"""


@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_references_arrive_as_ids_and_component_urns(tmp_path: Path, preview: bool) -> None:
    seen = probe(write_program(tmp_path / "p", REFERENCES), *(["--preview"] if preview else []))
    assert seen.code == 0, seen.stderr
    exports = seen.stack["probed-dev"]["props"]
    ids = {"rg": UNKNOWN} if preview else exports["ids"]  # a new resource's id is unknown in preview
    expected = {"group": "urn:pulumi:dev::probed::test:index:Group::group", "rg": ids["rg"]}
    assert seen.inputs["tagged"]["props"]["tags"] == expected  # Analyze (the provider's checked inputs)
    assert seen.stack["tagged"]["props"]["tags"] == expected  # AnalyzeStack
    if not preview:
        assert ids["rg"] == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + \
            seen.inputs["rg"]["props"]["resourceGroupName"]


def test_analyze_skips_internal_keys_and_remediate_keeps_them(tmp_path: Path) -> None:
    """The provider's Check auto-names the group and marks it ``__createBeforeDelete``: Remediate
    carries the key (the probe's remediation records it), Analyze and AnalyzeStack do not."""
    program = write_program(tmp_path / "p", "from pulumi_azure_native import resources\n"
                                            "resources.ResourceGroup('rg', location='westeurope')\n")
    seen = probe(program, config={"probe-remediate": "remediate"})
    props = seen.inputs["rg"]["props"]
    assert props["probeInternalKeys"] == ["__createBeforeDelete"]
    assert not [k for k in props if k.startswith("__")]
    assert not [k for k in seen.stack["rg"]["props"] if k.startswith("__")]
    assert props["resourceGroupName"].startswith("rg") and len(props["resourceGroupName"]) == len("rg") + 8


READS = """
from pulumi_azure_native import machinelearningservices as ml
SHARED = "/subscriptions/s/resourceGroups/shared/providers/Microsoft.MachineLearningServices/workspaces/shared"
shared = ml.Workspace.get("shared", SHARED)
ml.Workspace("own", resource_group_name="shared", location="westeurope", workspace_name=shared.name.apply(lambda n: n + "-2"))
"""


def test_reads_reach_neither_analyze_nor_analyze_stack(tmp_path: Path) -> None:
    program = write_program(tmp_path / "p", READS)
    record = next(r for r in run_program(program, "dev", False, 300).resources if r.name == "shared")
    assert record.external and record.inputs == {} and record.outputs["name"] == "shared"  # recorded, as a read
    for preview in (False, True):
        seen = probe(program, *(["--preview"] if preview else []))
        assert "shared" not in seen.inputs and "shared" not in seen.stack
        assert seen.inputs["own"]["props"]["workspaceName"] == "shared-2"  # the read's outputs are usable


@pytest.mark.parametrize(("body", "urn"), [
    ("from pulumi_azure_native import resources\n"
     "resources.ResourceGroup('rg', location='westeurope')\nresources.ResourceGroup('rg', location='northeurope')\n",
     "urn:pulumi:dev::probed::azure-native:resources:ResourceGroup::rg"),
    (READS + "ml.Workspace.get('shared', SHARED)\n",
     "urn:pulumi:dev::probed::azure-native:machinelearningservices:Workspace::shared"),
], ids=["registrations", "reads"])
def test_a_duplicate_urn_fails_the_program_like_the_engine(tmp_path: Path, body: str, urn: str) -> None:
    seen = probe(write_program(tmp_path / "p", body))
    assert seen.code == 3
    assert seen.stderr.strip().splitlines() == [
        f"error: program failed: Duplicate resource URN '{urn}'; try giving it a unique name"]


TRANSFORMS = """
import pulumi
from pulumi_azure_native import resources

def mark(label, **extra):
    def transform(args):
        props = dict(args.props)
        tags = dict(props.get("tags") or {})
        tags["order"] = (tags.get("order", "") + " " + label).strip()
        props["tags"] = tags
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(**extra)) if extra else args.opts
        return pulumi.ResourceTransformResult(props=props, opts=opts)
    return transform

def legacy(args):
    return pulumi.ResourceTransformationResult({**args.props, "tags": {**(args.props.get("tags") or {}), "legacy": "yes"}},
                                               args.opts)

class Group(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("test:index:Group", name, {}, opts)

before = resources.ResourceGroup("before", location="westeurope")  # registered before the stack transform
pulumi.runtime.register_resource_transform(mark("stack"))
group = Group("group", opts=pulumi.ResourceOptions(transforms=[mark("parent")]))
child = resources.ResourceGroup("child", location="westeurope", opts=pulumi.ResourceOptions(
    parent=group, transforms=[mark("own", additional_secret_outputs=["location"], protect=True, depends_on=[before])]))
resources.ResourceGroup("plain", location="westeurope", tags={"k": "v"},
                        opts=pulumi.ResourceOptions(depends_on=[before], transformations=[legacy]))
"""


@pytest.mark.parametrize("env", [None, "an2"], ids=["newest-sdk", "pulumi-3.142"])
def test_transforms_run_as_the_engine_runs_them(tmp_path: Path, env: str | None) -> None:
    """The resource's own transforms, then its parents', then the stack's, through the SDK's
    callbacks service; options they return (additional secret outputs, protect) are the ones the
    engine records. Legacy ``transformations=`` keep working."""
    for preview in (False, True):
        seen = probe(write_program(tmp_path / f"p{preview}", TRANSFORMS, env=env), *(["--preview"] if preview else []))
        assert seen.code == 0, seen.stderr
        child = seen.inputs["child"]
        assert child["props"]["tags"] == {"order": "own parent stack"}
        assert (child["additionalSecretOutputs"], child["protect"]) == (["location"], True)
        assert seen.stack["child"]["props"]["tags"] == {"order": "own parent stack"}  # the provider got the result
        assert seen.urns["before"] in seen.stack["child"]["dependencies"]  # depends_on from the transform
        assert seen.inputs["group"]["props"] == {"tags": {"order": "parent stack"}}  # a component is transformed too
        assert "tags" not in seen.inputs["before"]["props"]
        assert seen.inputs["plain"]["props"]["tags"] == {"k": "v", "legacy": "yes", "order": "stack"}
        assert seen.urns["before"] in seen.stack["plain"]["dependencies"]
    child_state = next(r for r in run_program(tmp_path / "pFalse", "dev", False, 300).resources if r.name == "child")
    assert child_state.outputs["location"] == secret("westeurope")  # the transform's additional secret output


def test_a_transform_that_raises_fails_the_program(tmp_path: Path) -> None:
    body = ("import pulumi\nfrom pulumi_azure_native import resources\n"
            "def boom(args):\n    raise ValueError('no tags for you')\n"
            "pulumi.runtime.register_resource_transform(boom)\n"
            "resources.ResourceGroup('rg', location='westeurope')\n")
    seen = probe(write_program(tmp_path / "p", body))
    assert seen.code == 3
    assert seen.stderr.strip().splitlines() == ["error: program failed: transform failed: no tags for you"]


def test_sdks_without_transforms_still_run(tmp_path: Path) -> None:
    """pulumi 3.100 has no transforms (nor the callbacks service the gate calls them through):
    the runner still runs there, legacy ``transformations=`` included."""
    body = ("import pulumi\n"
            "class Thing(pulumi.CustomResource):\n"
            "    def __init__(self, name, props, opts=None):\n"
            "        super().__init__('test:index:Thing', name, props, opts)\n"
            "def legacy(args):\n"
            "    return pulumi.ResourceTransformationResult({**args.props, 'legacy': True}, args.opts)\n"
            "Thing('t', {'x': 1}, pulumi.ResourceOptions(transformations=[legacy]))\n")
    seen = probe(write_program(tmp_path / "p", body, env="pulumi-old"))
    assert seen.code == 0, seen.stderr
    assert seen.inputs["t"]["props"] == {"x": 1.0, "legacy": True}
