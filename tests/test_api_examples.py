"""The corpus of the Azure ML REST API's own create-or-update examples (examples/api-examples): one
resource per azure-native 3.x type that has a stable 2025-12-01 example, built with the SDK's own
classes. The gate's verdicts on the program and on the stack export of its deployment (outputs in
the provider's shape, committed as stack-export.json) are the same, and exactly expected.json's."""

from __future__ import annotations

import json

import pytest

from policies import RULES, coverage
from policies.core.providers import Provider, tokens
from tests.api_examples import EXAMPLE, EXPECTED, EXPORT, by_resource, export, gate

pytestmark = pytest.mark.process  # runs the program and the gate

# Types a family rule judges with no create example in the stable 2025-12-01 API: the v1 dataset
# and datastore (API 2020-05-01-preview only).
NO_STABLE_EXAMPLE = {"MachineLearningDataset", "MachineLearningDatastore"}


def test_the_committed_export_is_the_deployment_of_the_program() -> None:
    assert export() == json.loads(EXPORT.read_text()), "run python -m tests.api_examples and review expected.json"


def test_the_verdicts_on_the_program_and_its_export_are_the_same_and_exactly_the_expected() -> None:
    from_program, from_export = gate(EXAMPLE), gate(EXPORT)
    assert from_program[0] == from_export[0] == 1

    def verdicts(data: dict) -> set[tuple[str, str, str]]:
        return {(v["policy"], v["urn"], v["message"]) for v in data["violations"]}

    assert verdicts(from_program[1]) == verdicts(from_export[1])
    assert from_program[1]["diagnostics"] == from_export[1]["diagnostics"] == []
    assert by_resource(from_export[1]["violations"]) == json.loads(EXPECTED.read_text())


def test_every_judged_type_with_a_stable_example_is_in_the_corpus() -> None:
    corpus = {entry["type"] for entry in json.loads((EXAMPLE / "resources.json").read_text())["resources"]}
    assert corpus <= tokens(Provider.AN3)
    judged = {token for token in tokens(Provider.AN3) if coverage.judging(RULES, token)}
    assert {token.rsplit(":", 1)[-1] for token in judged - corpus} == NO_STABLE_EXAMPLE


def test_children_named_by_literal_strings_link_to_their_workspace_by_arm_id() -> None:
    """The API names a child's workspace in its URL (a literal ``workspaceName``): the outbound rule
    resource of type PrivateEndpoint is linked to the workspace by its ARM id, so the workspace that
    disables public access is reachable (workspace-private-endpoint), and the Kubernetes deployment's
    egress is left to its cluster while the managed one's is judged."""
    expected = json.loads(EXPECTED.read_text())
    assert "workspace" not in expected and "outbound-rule" not in expected
    assert "online-deployment-no-public-egress" in expected["managed-deployment"]
    assert "online-deployment-no-public-egress" not in expected["kubernetes-deployment"]


def test_the_readme_lists_every_resource() -> None:
    readme = (EXAMPLE / "README.md").read_text()
    for entry in json.loads((EXAMPLE / "resources.json").read_text())["resources"]:
        assert f"`{entry['name']}`" in readme, entry["name"]
