"""SARIF and JUnit reports: schema-valid, located at the declaring line, redacted, deterministic.

Outcomes and captures are built by hand, shaped like a real run: a program directory inside a
repository, resources declared in two files, a component child and the stack with no source,
a default provider, a secret that a policy message quotes, advisory and mandatory violations,
a not-applicable result, a preview diagnostic and an exempted violation.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema
import pytest
from lxml import etree

from policy_gate.capture import Capture, Resource
from policy_gate.reports.junit import to_junit
from policy_gate.reports.redact import Redactor
from policy_gate.reports.sarif import level_for, to_sarif
from policy_gate.results import Diagnostic, NotApplicable, Outcome, PolicyMeta, Violation

SCHEMAS = Path(__file__).resolve().parent / "schemas"
SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
SECRET = "Zm9vYmFyLXN0b3JhZ2Uta2V5LTEyMw=="
PROJECT, STACK = "mlplatform", "dev"
ROOT_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"
WORKSPACE = "azure-native:machinelearningservices:Workspace"
FEATURESET = "azure-native:machinelearningservices:FeaturesetVersion"
STORAGE = "azure-native:storage:StorageAccount"


def urn(type_token: str, name: str, parent_type: str = "") -> str:
    qualified = f"{parent_type}${type_token}" if parent_type else type_token
    return f"urn:pulumi:{STACK}::{PROJECT}::{qualified}::{name}"


WS_MAIN = urn(WORKSPACE, "ws-main")
WS_LEGACY = urn(WORKSPACE, "ws-legacy")
FS_V1 = urn(FEATURESET, "fs-v1")
FS_V2 = urn(FEATURESET, "fs-v2")
STORE = urn(STORAGE, "store", "mlplatform:index:DataLake")

SKU_TITLE = "Workspaces use an approved SKU"
SKU_URL = "https://example.com/docs/catalogue.md#workspace-allowed-sku"

POLICIES = [
    PolicyMeta("workspace-allowed-sku", "Azure ML workspaces must use an approved SKU.", "mandatory", "medium",
               remediation="Set sku.name to one of the allowed SKUs.", tags=("azure-ml", "workspace"), title=SKU_TITLE,
               url=SKU_URL),
    PolicyMeta("workspace-managed-identity", "Azure ML workspaces must run under a managed identity. Keys are not enough.",
               "mandatory", "high", remediation="Give the workspace a system- or user-assigned identity.",
               framework="5f0c7d88", tags=("azure-ml", "azure-policy:5f0c7d88", "mcsb:IM-3")),
    PolicyMeta("featureset-data-version-pinned", "Featureset versions must pin their data version.", "advisory", "high",
               remediation="Record the data version the featureset was built from.", framework="FS-1", tags=("azure-ml",)),
    PolicyMeta("storage-min-tls", "Storage accounts should require TLS 1.2.", "advisory", "low",
               remediation="Set minimumTlsVersion to TLS1_2."),
    PolicyMeta("no-secret-exports", "Stack exports must not carry credentials.", "mandatory", "critical",
               remediation="Read credentials from Key Vault instead of exporting them.", framework="DP-2",
               tags=("azure-ml", "mcsb:DP-2")),
    PolicyMeta("naming-convention", "Resource names follow the naming convention.", "advisory", ""),
]


def exempted(violation: Violation, reason: str, expires: dt.date) -> Violation:
    """The violation marked as the gate's exemptions mark it (an ``exemption`` with ``reason`` and
    ``expires``), whether or not ``Violation`` declares that field yet."""
    marked = copy.copy(violation)
    object.__setattr__(marked, "exemption", SimpleNamespace(reason=reason, expires=expires))
    return marked


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with the Pulumi program in ``infra/``."""
    root = (tmp_path / "repo").resolve()
    (root / "infra" / "features").mkdir(parents=True)
    (root / "infra" / "Pulumi.yaml").write_text("name: mlplatform\nruntime: python\n")
    (root / "infra" / "__main__.py").write_text("import pulumi\n" * 40)
    (root / "infra" / "features" / "fs.py").write_text("import pulumi\n" * 40)
    return root


def make_capture(program: Path | None) -> Capture:
    def resource(type_token: str, name: str, source: dict[str, Any] | None, parent: str = ROOT_URN,
                 full_urn: str = "", **inputs: Any) -> Resource:
        return Resource(urn=full_urn or urn(type_token, name), type=type_token, name=name, parent=parent,
                        inputs=dict(inputs), outputs=dict(inputs), source=source)

    resources = [
        Resource(urn=ROOT_URN, type="pulumi:pulumi:Stack", name=f"{PROJECT}-{STACK}", custom=False,
                 outputs={"storageKey": {**SIG, "value": SECRET}}),
        Resource(urn=f"urn:pulumi:{STACK}::{PROJECT}::pulumi:providers:azure-native::default_3_0_0",
                 type="pulumi:providers:azure-native", name="default_3_0_0"),
        resource(WORKSPACE, "ws-main", {"file": "__main__.py", "line": 12}, sku={"name": "Free"}),
        resource(WORKSPACE, "ws-legacy", {"file": "__main__.py", "line": 12}, sku={"name": "Free"}),  # same line: a loop
        resource(FEATURESET, "fs-v1", {"file": "features/fs.py", "line": 30}),
        resource(FEATURESET, "fs-v2", {"file": "features/fs.py", "line": 31}),
        resource(STORAGE, "store", None, parent=urn("mlplatform:index:DataLake", "lake"), full_urn=STORE,
                 primaryKey={**SIG, "value": SECRET}),
    ]
    return Capture(project=PROJECT, stack=STACK, resources=resources, source_dir=str(program) if program else None)


def make_outcome() -> Outcome:
    violations = [
        Violation("workspace-allowed-sku", "mandatory", "medium", WS_MAIN, WORKSPACE,
                  f"sku.name 'Free' is not allowed (workspace key {SECRET})"),
        Violation("workspace-managed-identity", "mandatory", "high", WS_MAIN, WORKSPACE, "identity.type is None"),
        exempted(Violation("workspace-allowed-sku", "mandatory", "medium", WS_LEGACY, WORKSPACE,
                           "sku.name 'Free' is not allowed"), "Migrating to Standard, ticket ML-123", dt.date(2027, 3, 31)),
        Violation("featureset-data-version-pinned", "advisory", "high", FS_V1, FEATURESET,
                  "properties.dataVersionId is empty"),
        Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, "minimumTlsVersion is TLS1_0"),
        Violation("no-secret-exports", "mandatory", "critical", ROOT_URN, "pulumi:pulumi:Stack",
                  "'storageKey' looks like a credential"),
    ]
    return Outcome(
        "azure-ml-governance", "0.1.0", list(POLICIES), resources=6, violations=violations,
        diagnostics=[Diagnostic("unknown", "can't run policy 'featureset-data-version-pinned' during preview: "
                                           "unknown value", "featureset-data-version-pinned", FS_V2)],
        not_applicable=[NotApplicable("workspace-managed-identity", WS_LEGACY,
                                      "internal error in the rule (KeyError); not judged")],
    )


@pytest.fixture
def capture(repo: Path) -> Capture:
    return make_capture(repo / "infra")


@pytest.fixture
def redact(capture: Capture) -> Redactor:
    return Redactor(capture.secret_strings())


@pytest.fixture
def sarif(capture: Capture, redact: Redactor, repo: Path) -> dict[str, Any]:
    return to_sarif(make_outcome(), capture, redact, base=repo)


@pytest.fixture
def junit(capture: Capture, redact: Redactor, repo: Path, monkeypatch: pytest.MonkeyPatch) -> etree._Element:
    monkeypatch.chdir(repo)  # JUnit paths are relative to the current directory
    return etree.fromstring(to_junit(make_outcome(), capture, redact).encode("utf-8"))


def results_by(sarif: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(ruleId, resource name) -> result."""
    return {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r for r in sarif["runs"][0]["results"]}


def rules_by(sarif: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}


# --- SARIF ---------------------------------------------------------------------------------


def sarif_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    # Validate what a consumer reads: the serialised document.
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json.loads(json.dumps(document)))]


def test_sarif_is_valid_against_the_oasis_schema(sarif: dict[str, Any]) -> None:
    assert sarif_errors(sarif) == []
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1


def test_the_schema_check_catches_a_broken_document(sarif: dict[str, Any]) -> None:
    broken = copy.deepcopy(sarif)
    del broken["runs"][0]["results"][0]["message"]
    broken["runs"][0]["results"][1]["level"] = "critical"
    assert len(sarif_errors(broken)) == 2


def test_sarif_names_the_gate_and_the_pack(sarif: dict[str, Any]) -> None:
    tool = sarif["runs"][0]["tool"]
    assert tool["driver"]["name"] == "policy-gate"
    assert tool["driver"]["version"] == "0.1.0"
    assert "informationUri" not in tool["driver"]
    assert tool["extensions"] == [{"name": "azure-ml-governance", "version": "0.1.0"}]
    assert sarif["runs"][0]["automationDetails"]["id"] == "policy-gate/mlplatform/dev/"


def test_one_rule_per_policy_with_its_metadata(sarif: dict[str, Any]) -> None:
    rules = rules_by(sarif)
    assert list(rules) == [p.name for p in POLICIES]
    identity = rules["workspace-managed-identity"]
    assert identity["shortDescription"]["text"] == "Azure ML workspaces must run under a managed identity."
    assert identity["fullDescription"]["text"] == POLICIES[1].description
    assert identity["help"]["text"] == "Give the workspace a system- or user-assigned identity."
    assert "**Remediation:** Give the workspace" in identity["help"]["markdown"]
    assert identity["defaultConfiguration"]["level"] == "error"
    assert identity["properties"]["security-severity"] == "7.0"
    # The pack's own framework tag is kept, not doubled.
    assert identity["properties"]["tags"] == ["azure-ml", "azure-policy:5f0c7d88", "mcsb:IM-3", "security"]
    # A framework the tags do not mention is added.
    assert "framework:FS-1" in rules["featureset-data-version-pinned"]["properties"]["tags"]
    assert rules["featureset-data-version-pinned"]["defaultConfiguration"]["level"] == "warning"  # advisory
    # No severity: no security-severity, so code scanning does not file it as a security alert.
    unrated = rules["naming-convention"]
    assert "security-severity" not in unrated["properties"] and "security" not in unrated["properties"]["tags"]
    assert unrated["help"]["text"] == unrated["fullDescription"]["text"]  # no remediation: the description


def test_rules_carry_the_title_and_link_of_the_metadata(sarif: dict[str, Any]) -> None:
    sku = rules_by(sarif)["workspace-allowed-sku"]
    assert sku["name"] == sku["shortDescription"]["text"] == SKU_TITLE
    assert sku["fullDescription"]["text"] == POLICIES[0].description
    assert sku["helpUri"] == SKU_URL and f"[Documentation]({SKU_URL})" in sku["help"]["markdown"]
    untitled = rules_by(sarif)["workspace-managed-identity"]  # a pack that gives neither: the name, no link
    assert untitled["name"] == "workspace-managed-identity" and "helpUri" not in untitled


@pytest.mark.parametrize("url", ["javascript:alert(1)", "docs/catalogue.md#x", "https://", "https://e.com/a\nb"])
def test_only_a_web_link_becomes_the_help_uri(capture: Capture, redact: Redactor, repo: Path, url: str) -> None:
    outcome = Outcome("p", "1", [PolicyMeta("rule", "A rule.", "mandatory", "low", title="A rule", url=url)])
    rule = to_sarif(outcome, capture, redact, base=repo)["runs"][0]["tool"]["driver"]["rules"][0]
    assert "helpUri" not in rule and "Documentation" not in rule["help"]["markdown"]


@pytest.mark.parametrize(("severity", "score"), [("critical", "9.0"), ("high", "7.0"), ("medium", "5.0"), ("low", "3.0")])
def test_security_severity_scores(capture: Capture, redact: Redactor, repo: Path, severity: str, score: str) -> None:
    outcome = Outcome("p", "1", [PolicyMeta("rule", "A rule.", "mandatory", severity)])
    rule = to_sarif(outcome, capture, redact, base=repo)["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["properties"]["security-severity"] == score


@pytest.mark.parametrize(("enforcement", "severity", "level"), [
    ("mandatory", "critical", "error"), ("mandatory", "high", "error"), ("mandatory", "medium", "warning"),
    ("mandatory", "low", "note"), ("mandatory", "", "warning"), ("remediate", "high", "error"),
    ("advisory", "critical", "warning"), ("advisory", "high", "warning"), ("advisory", "medium", "warning"),
    ("advisory", "low", "note"),
])
def test_level_mapping(enforcement: str, severity: str, level: str) -> None:
    assert level_for(enforcement, severity) == level


def test_result_levels(sarif: dict[str, Any]) -> None:
    levels = {key: r["level"] for key, r in results_by(sarif).items()}
    assert levels == {
        ("workspace-allowed-sku", "ws-main"): "warning",
        ("workspace-managed-identity", "ws-main"): "error",
        ("workspace-allowed-sku", "ws-legacy"): "warning",
        ("featureset-data-version-pinned", "fs-v1"): "warning",  # high, but advisory
        ("storage-min-tls", "store"): "note",
        ("no-secret-exports", "mlplatform-dev"): "error",
    }
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in sarif["runs"][0]["results"])


def physical(result: dict[str, Any]) -> tuple[str, str | None, int | None]:
    location = result["locations"][0]["physicalLocation"]
    return (location["artifactLocation"]["uri"], location["artifactLocation"].get("uriBaseId"),
            location.get("region", {}).get("startLine"))


def test_results_point_at_the_declaring_line(sarif: dict[str, Any]) -> None:
    found = {key: physical(r) for key, r in results_by(sarif).items()}
    assert found == {
        ("workspace-allowed-sku", "ws-main"): ("infra/__main__.py", "%SRCROOT%", 12),
        ("workspace-managed-identity", "ws-main"): ("infra/__main__.py", "%SRCROOT%", 12),
        ("workspace-allowed-sku", "ws-legacy"): ("infra/__main__.py", "%SRCROOT%", 12),
        ("featureset-data-version-pinned", "fs-v1"): ("infra/features/fs.py", "%SRCROOT%", 30),
        # No source (a component's child, the stack itself): the project file, line 1.
        ("storage-min-tls", "store"): ("infra/Pulumi.yaml", "%SRCROOT%", 1),
        ("no-secret-exports", "mlplatform-dev"): ("infra/Pulumi.yaml", "%SRCROOT%", 1),
    }


def test_results_name_the_resource(sarif: dict[str, Any]) -> None:
    result = results_by(sarif)[("storage-min-tls", "store")]
    assert result["locations"][0]["logicalLocations"] == [
        {"name": "store", "fullyQualifiedName": STORE, "kind": "resource", "properties": {"resourceType": STORAGE}}]
    assert result["message"]["text"] == "store: minimumTlsVersion is TLS1_0"


def test_base_defaults_to_the_current_directory(capture: Capture, redact: Redactor, repo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "infra")
    result = results_by(to_sarif(make_outcome(), capture, redact))[("featureset-data-version-pinned", "fs-v1")]
    assert physical(result) == ("features/fs.py", "%SRCROOT%", 30)


def test_a_file_outside_the_repository_gets_an_absolute_uri(capture: Capture, redact: Redactor, repo: Path,
                                                            tmp_path: Path) -> None:
    elsewhere = (tmp_path / "vendor" / "lib.py").resolve()
    capture.by_urn()[WS_MAIN].source = {"file": str(elsewhere), "line": 7}
    result = results_by(to_sarif(make_outcome(), capture, redact, base=repo))[("workspace-managed-identity", "ws-main")]
    assert physical(result) == (elsewhere.as_uri(), None, 7)


def test_paths_are_uri_encoded(capture: Capture, redact: Redactor, tmp_path: Path) -> None:
    program = tmp_path / "my repo" / "infra"
    program.mkdir(parents=True)
    capture.source_dir = str(program)
    sarif = to_sarif(make_outcome(), capture, redact, base=tmp_path)
    assert physical(results_by(sarif)[("workspace-managed-identity", "ws-main")])[0] == "my%20repo/infra/__main__.py"
    assert sarif_errors(sarif) == []


def test_without_a_program_directory_there_is_no_physical_location(redact: Redactor, repo: Path) -> None:
    sarif = to_sarif(make_outcome(), make_capture(None), redact, base=repo)
    assert sarif_errors(sarif) == []
    for result in sarif["runs"][0]["results"]:
        assert "physicalLocation" not in result["locations"][0]
        assert result["locations"][0]["logicalLocations"][0]["kind"] == "resource"


def test_fingerprints_are_stable_and_distinct(capture: Capture, redact: Redactor, repo: Path, sarif: dict[str, Any]) -> None:
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in sarif["runs"][0]["results"]]
    assert len(set(prints)) == len(prints)  # ws-main and ws-legacy share a line, not a fingerprint
    again = to_sarif(make_outcome(), capture, redact, base=repo)
    assert prints == [r["partialFingerprints"]["primaryLocationLineHash"] for r in again["runs"][0]["results"]]
    changed = make_outcome()
    changed.violations[1] = Violation("workspace-managed-identity", "mandatory", "high", WS_MAIN, WORKSPACE,
                                      "identity.type is SystemAssigned but no principal")
    third = to_sarif(changed, capture, redact, base=repo)["runs"][0]["results"][1]["partialFingerprints"]
    assert third["primaryLocationLineHash"] != prints[1]


def test_exempted_violation_is_suppressed_not_dropped(sarif: dict[str, Any]) -> None:
    results = results_by(sarif)
    assert results[("workspace-allowed-sku", "ws-legacy")]["suppressions"] == [{
        "kind": "external", "status": "accepted", "justification": "Migrating to Standard, ticket ML-123",
        "properties": {"expires": "2027-03-31"}}]
    assert all("suppressions" not in r for key, r in results.items() if key[1] != "ws-legacy")


def test_not_applicable_and_diagnostics_are_notifications(sarif: dict[str, Any]) -> None:
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["associatedRule"]["id"], n["locations"][0]["logicalLocations"][0]["name"], n["level"]) for n in notes] == [
        ("workspace-managed-identity", "ws-legacy", "note"), ("featureset-data-version-pinned", "fs-v2", "note")]


def test_a_policy_the_pack_did_not_describe_still_gets_a_rule(capture: Capture, redact: Redactor, repo: Path) -> None:
    outcome = make_outcome()
    outcome.violations.append(Violation("ad-hoc", "mandatory", "high", WS_MAIN, WORKSPACE, "odd", "An ad-hoc check."))
    sarif = to_sarif(outcome, capture, redact, base=repo)
    assert rules_by(sarif)["ad-hoc"]["fullDescription"]["text"] == "An ad-hoc check."
    assert sarif_errors(sarif) == []


def test_sarif_is_deterministic(capture: Capture, redact: Redactor, repo: Path) -> None:
    first = json.dumps(to_sarif(make_outcome(), capture, redact, base=repo), indent=2)
    second = json.dumps(to_sarif(make_outcome(), make_capture(repo / "infra"), Redactor(capture.secret_strings()),
                                 base=repo), indent=2)
    assert first == second


# --- JUnit ---------------------------------------------------------------------------------

EXTENSION_ATTRIBUTES = ("file", "line")  # read by GitLab and test-report actions; in no published XSD


def junit_errors(document: etree._Element) -> list[str]:
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit-10.xsd")))
    schema.validate(etree.ElementTree(document))
    return [e.message for e in schema.error_log]


def test_junit_is_valid_against_the_jenkins_schema(junit: etree._Element) -> None:
    # As written, the only departures are the testcase file/line attributes...
    raw = junit_errors(junit)
    assert raw and all(any(f"attribute '{a}'" in e for a in EXTENSION_ATTRIBUTES) for e in raw), raw
    # ...and without them the document is valid.
    stripped = copy.deepcopy(junit)
    for case in stripped.iter("testcase"):
        for attribute in EXTENSION_ATTRIBUTES:
            case.attrib.pop(attribute, None)
    assert junit_errors(stripped) == []


def test_the_junit_schema_check_catches_a_broken_document(junit: etree._Element) -> None:
    broken = copy.deepcopy(junit)
    for case in broken.iter("testcase"):
        for attribute in EXTENSION_ATTRIBUTES:
            case.attrib.pop(attribute, None)
    del broken[0].attrib["tests"]
    assert junit_errors(broken)


def cases(junit: etree._Element) -> dict[str, etree._Element]:
    return {c.get("name"): c for c in junit.iter("testcase")}


def test_one_suite_per_policy_one_case_per_analysed_resource(junit: etree._Element) -> None:
    assert junit.get("name") == "azure-ml-governance@0.1.0"
    assert [s.get("name") for s in junit.iter("testsuite")] == [p.name for p in POLICIES]
    subjects = ["mlplatform-dev", "ws-main", "ws-legacy", "fs-v1", "fs-v2", "store"]  # not the default provider
    for suite in junit.iter("testsuite"):
        assert [c.get("name") for c in suite.iter("testcase")] == [f"{suite.get('name')} on {s}" for s in subjects]
    assert cases(junit)["storage-min-tls on store"].get("classname") == STORAGE
    assert cases(junit)["no-secret-exports on mlplatform-dev"].get("classname") == "pulumi:pulumi:Stack"


def test_failures_carry_policy_message_and_level(junit: etree._Element) -> None:
    failures = {c.get("name"): [(f.get("message"), f.get("type")) for f in c.iter("failure")] for c in junit.iter("testcase")}
    assert {name: found for name, found in failures.items() if found} == {
        "workspace-allowed-sku on ws-main": [
            ("workspace-allowed-sku: sku.name 'Free' is not allowed (workspace key [secret])", "mandatory")],
        "workspace-managed-identity on ws-main": [("workspace-managed-identity: identity.type is None", "mandatory")],
        "featureset-data-version-pinned on fs-v1": [
            ("featureset-data-version-pinned: properties.dataVersionId is empty", "advisory")],
        "storage-min-tls on store": [("storage-min-tls: minimumTlsVersion is TLS1_0", "advisory")],
        "no-secret-exports on mlplatform-dev": [("no-secret-exports: 'storageKey' looks like a credential", "mandatory")],
    }
    body = cases(junit)["storage-min-tls on store"].find("failure").text
    assert f"resource: {STORE}" in body and "remediation: Set minimumTlsVersion to TLS1_2." in body


def test_suites_carry_the_rule_title_and_link(junit: etree._Element) -> None:
    suite = next(s for s in junit.iter("testsuite") if s.get("name") == "workspace-allowed-sku")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["title"] == SKU_TITLE and properties["url"] == SKU_URL
    body = cases(junit)["workspace-allowed-sku on ws-main"].find("failure").text
    assert f"rule: {SKU_TITLE}" in body and f"documentation: {SKU_URL}" in body


def test_skips_say_why(junit: etree._Element) -> None:
    skipped = {c.get("name"): c.find("skipped").get("message") for c in junit.iter("testcase") if c.find("skipped") is not None}
    assert skipped == {
        "workspace-allowed-sku on ws-legacy": "exempted: Migrating to Standard, ticket ML-123 (until 2027-03-31)",
        "workspace-managed-identity on ws-legacy": "not applicable: internal error in the rule (KeyError); not judged",
        "featureset-data-version-pinned on fs-v2":
            "not judged during preview: can't run policy 'featureset-data-version-pinned' during preview: unknown value",
    }


def test_counts(junit: etree._Element) -> None:
    suites = {s.get("name"): (s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped"))
              for s in junit.iter("testsuite")}
    assert suites["workspace-allowed-sku"] == ("6", "1", "0", "1")
    assert suites["workspace-managed-identity"] == ("6", "1", "0", "1")
    assert suites["naming-convention"] == ("6", "0", "0", "0")
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("36", "5", "0")


def test_cases_point_at_the_declaring_line(junit: etree._Element) -> None:
    found = {name: (c.get("file"), c.get("line")) for name, c in cases(junit).items() if name.startswith("storage-min-tls")}
    assert found == {
        "storage-min-tls on mlplatform-dev": (None, None),
        "storage-min-tls on ws-main": ("infra/__main__.py", "12"),
        "storage-min-tls on ws-legacy": ("infra/__main__.py", "12"),
        "storage-min-tls on fs-v1": ("infra/features/fs.py", "30"),
        "storage-min-tls on fs-v2": ("infra/features/fs.py", "31"),
        "storage-min-tls on store": (None, None),
    }


def test_a_failure_wins_over_a_skip_and_keeps_the_reason(capture: Capture, redact: Redactor) -> None:
    outcome = make_outcome()
    outcome.not_applicable.append(NotApplicable("workspace-allowed-sku", WS_MAIN, "partly judged"))
    case = cases(etree.fromstring(to_junit(outcome, capture, redact).encode()))["workspace-allowed-sku on ws-main"]
    assert case.find("skipped") is None and case.find("failure") is not None
    assert case.find("system-out").text == "not applicable: partly judged"


def test_characters_xml_cannot_hold_are_escaped(capture: Capture, redact: Redactor) -> None:
    outcome = make_outcome()
    outcome.violations.append(Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, "\x1b[31mred\x1b[0m\x00"))
    document = etree.fromstring(to_junit(outcome, capture, redact).encode())  # raises if not well-formed
    messages = [f.get("message") for f in cases(document)["storage-min-tls on store"].iter("failure")]
    assert "storage-min-tls: \\x1b[31mred\\x1b[0m\\x00" in messages


def test_junit_is_deterministic(capture: Capture, redact: Redactor, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    first = to_junit(make_outcome(), capture, redact)
    assert first == to_junit(make_outcome(), make_capture(repo / "infra"), Redactor(capture.secret_strings()))
    assert first.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')


# --- both ----------------------------------------------------------------------------------


def test_secrets_are_redacted_in_both_formats(capture: Capture, redact: Redactor, repo: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    outcome = make_outcome()
    outcome.diagnostics.append(Diagnostic("log", f"pack said {SECRET}"))
    outcome.not_applicable.append(NotApplicable("storage-min-tls", STORE, f"could not parse {SECRET}"))
    outputs = {"sarif": json.dumps(to_sarif(outcome, capture, redact, base=repo)), "junit": to_junit(outcome, capture, redact)}
    for name, text in outputs.items():
        assert SECRET not in text, name
        assert "[secret]" in text, name
    assert SECRET in json.dumps(to_sarif(outcome, capture, Redactor([]), base=repo))  # the check can fail
