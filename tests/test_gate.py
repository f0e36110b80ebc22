"""Whole programs through the gate, as a user runs it: ``python -m policy_gate run``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
STORAGE_KEY_SHAPE = re.compile(r"[A-Za-z0-9+/]{86}==")

# Everything the seed's design note gets wrong, and nothing else.
SEED_VIOLATIONS = {
    ("workspace-public-network-disabled", "mlWorkspace", "publicNetworkAccess is not set"),
    ("workspace-managed-network-isolation", "mlWorkspace", "managedNetwork.isolationMode is not set"),
    ("workspace-system-datastores-identity", "mlWorkspace", "systemDatastoresAuthMode is not set"),
    ("workspace-customer-managed-key", "mlWorkspace", "has no customer-managed key"),
    ("ml-required-tags", "mlWorkspace", "has no tags"),
    ("featureset-data-version-pinned", "featuresetVersion", "specification.path is empty or absent"),
    ("featureset-data-version-pinned", "featuresetVersion", "properties.entities names no entity"),
    ("featureset-data-version-pinned", "featuresetVersion", "dataVersionId is an empty placeholder"),
    ("ml-required-tags", "featuresetVersion", "has no tags"),
    ("no-secret-exports", "aml-seed-dev", "'workspace_primary_key' looks like a credential"),
}
SEED_ADVISORY = {"workspace-customer-managed-key", "ml-required-tags"}


def gate(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy_gate", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def report(*args: str) -> tuple[int, dict[str, Any]]:
    result = gate("run", *args, "--format", "json")
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def _found(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(policy, resource name, message) for every violation."""
    return {(v["policy"], v["urn"].rsplit("::", 1)[-1], v["message"]) for v in data["violations"]}


def _matches(found: set[tuple[str, str, str]], expected: set[tuple[str, str, str]]) -> bool:
    if len(found) != len(expected):
        return False
    return all(any(p == fp and n == fn and m in fm for fp, fn, fm in found) for p, n, m in expected)


@pytest.fixture(scope="module")
def reference() -> tuple[int, dict[str, Any]]:
    return report("reference_stack")


@pytest.fixture(scope="module")
def seed() -> tuple[int, dict[str, Any]]:
    return report("examples/seed")


def test_reference_stack_is_clean(reference: tuple[int, dict[str, Any]]) -> None:
    code, data = reference
    assert code == 0
    assert data["violations"] == []
    assert data["diagnostics"] == [] and data["notApplicable"] == []
    assert data["resources"] >= 20
    assert data["pack"] == {"name": "azure-ml-governance", "version": "0.1.0"}


def test_seed_example_has_exactly_its_violations(seed: tuple[int, dict[str, Any]]) -> None:
    code, data = seed
    assert code == 1
    assert _matches(_found(data), SEED_VIOLATIONS), _found(data)
    assert {v["policy"] for v in data["violations"] if v["level"] == "advisory"} == SEED_ADVISORY
    assert {v["type"] for v in data["violations"]} == {"azure-native:machinelearningservices:Workspace",
                                                      "azure-native:machinelearningservices:FeaturesetVersion",
                                                      "pulumi:pulumi:Stack"}
    key_reason = next(v["message"] for v in data["violations"] if v["policy"] == "no-secret-exports")
    assert "shape of an Azure storage account key" in key_reason  # judged by name and by value


def test_seed_example_never_prints_the_key() -> None:
    result = gate("run", "examples/seed")
    assert result.returncode == 1
    assert not STORAGE_KEY_SHAPE.search(result.stdout + result.stderr)
    assert "FAIL: 7 mandatory and 3 advisory" in result.stdout


def test_preview_leaves_computed_values_unknown() -> None:
    code, data = report("examples/seed", "--preview")
    assert code == 1 and data["preview"] is True
    # The exported key is unknown during preview: flagged by its name alone.
    exports = [v["message"] for v in data["violations"] if v["policy"] == "no-secret-exports"]
    assert len(exports) == 1 and "storage account key" not in exports[0]
    # The other unknown exports are resources' own names, which the runner records (runner.exports): no
    # advisory is left for them. The workspace's managed network outbound rules are unknown (azure-native's
    # PreviewOutputs marks each response property the inputs do not give), so whether it has a private
    # endpoint rule is judged at `pulumi up`.
    assert sorted((d["kind"], d["policy"]) for d in data["diagnostics"]) == [("unknown", "workspace-private-endpoint")]


def test_reference_stack_preview_reports_what_it_cannot_judge_yet() -> None:
    code, data = report("reference_stack", "--preview")
    assert code == 0 and data["violations"] == []
    assert {d["policy"] for d in data["diagnostics"]} <= {"workspace-managed-identity", "no-secret-exports",
                                                          "featureset-data-version-resolves"}
    assert all(d["kind"] == "unknown" for d in data["diagnostics"])


def test_reference_stack_resources_are_located_in_their_section_modules() -> None:
    """The reference stack is split over section modules: the reports locate every resource at
    the line of its section module that constructs it (JUnit file and line, the same source as
    SARIF's), never at __main__.py, which only imports the sections."""
    result = gate("run", "reference_stack", "--format", "junit")
    assert result.returncode == 0, result.stderr
    located = {case.get("name", "").split(" on ", 1)[1]: (case.get("classname", ""), case.get("file", ""), int(case.get("line", "0")))
               for case in ElementTree.fromstring(result.stdout).iter("testcase")}
    assert located.pop("aml-reference-dev")[1:] == ("", 0)  # the stack itself has no source line
    assert len(located) == 65
    for name, (type_, file, line) in located.items():
        assert file.startswith("reference_stack/") and file != "reference_stack/__main__.py", name
        assert type_.rsplit(":", 1)[-1] + "(" in (ROOT / file).read_text(encoding="utf-8").splitlines()[line - 1], name
    assert {name: located[name][1] for name in ("rg", "kv", "mlw", "pe-mlw", "featureset-customer-transactions-v1",
                                                "env-fraud-train-v1", "job-fraud-train-sweep", "endpoint-txn")} == {
        "rg": "reference_stack/network.py", "kv": "reference_stack/dependencies.py", "mlw": "reference_stack/workspaces.py",
        "pe-mlw": "reference_stack/network.py", "featureset-customer-transactions-v1": "reference_stack/feature_store.py",
        "env-fraud-train-v1": "reference_stack/assets.py", "job-fraud-train-sweep": "reference_stack/training.py",
        "endpoint-txn": "reference_stack/serving.py"}


def test_config_file_changes_levels_and_exemptions(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"all": "disabled", "featureset-data-version-pinned": "advisory",
                                  "no-secret-exports": {"allowedOutputs": ["workspace_primary_key"]}}))
    code, data = report("examples/seed", "--config", str(config))
    assert code == 0
    assert [(v["policy"], v["level"]) for v in data["violations"]] == [("featureset-data-version-pinned", "advisory")] * 3


def test_output_file_and_summary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = gate("run", "examples/seed", "--format", "json", "--output", str(target))
    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: 7 mandatory")
    assert len(json.loads(target.read_text())["violations"]) == len(SEED_VIOLATIONS)


def test_version_in_a_checkout_names_the_repository_as_the_pack(tmp_path: Path) -> None:
    """``--version`` prints the gate's version and the default pack's, from its PulumiPolicy.yaml
    (in a checkout, the repository root), wherever it runs."""
    from policy_gate import __version__

    manifest = yaml.safe_load((ROOT / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "policy_gate", "--version"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == f"policy-gate {__version__}; policy pack {manifest['version']} ({ROOT})\n"


def _program(tmp_path: Path, body: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(body)
    return tmp_path


@pytest.mark.parametrize(("args", "code", "fragment"), [
    (("run", "does/not/exist"), 2, "does not exist"),
    (("run", "policies"), 2, "no Pulumi.yaml"),
    (("run", "examples/seed", "--pack", "examples"), 2, "no PulumiPolicy.yaml"),
    (("run", "examples/seed", "--format", "xml"), 2, "invalid choice"),
    (("run",), 2, "PATH"),
    (("run", "examples/seed", "--output", "/nonexistent/dir/report.txt"), 2, "cannot write"),
    # a terminal escape and a bell in quoted user text are shown, not sent to the terminal
    (("run", "no/\x1b[31mred\x07"), 2, "no/\\x1b[31mred\\x07 does not exist"),
])
def test_usage_errors_are_one_line(args: tuple[str, ...], code: int, fragment: str) -> None:
    result = gate(*args)
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr


@pytest.mark.parametrize(("content", "fragment"), [
    ("{not json", "is not valid JSON"),
    ('{"workspace-allowed-sku": {"allowedSkus": "Basic"}}', "policy 'workspace-allowed-sku', key allowedSkus"),
    ('{"workspace-allowed-sku": "loud"}', '"loud" is not a valid enforcement level'),
])
def test_bad_config_is_a_usage_error(tmp_path: Path, content: str, fragment: str) -> None:
    config = tmp_path / "config.json"
    config.write_text(content)
    result = gate("run", "examples/seed", "--config", str(config))
    assert result.returncode == 2
    assert fragment in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("body", "fragment"), [
    ("raise RuntimeError('the program broke')\n", "RuntimeError: the program broke"),
    ("import definitely_not_installed_module\n", "definitely_not_installed_module"),
])
def test_program_failures_exit_3(tmp_path: Path, body: str, fragment: str) -> None:
    result = gate("run", str(_program(tmp_path, body)))
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_program_timeout_exits_3(tmp_path: Path) -> None:
    result = gate("run", str(_program(tmp_path, "import time\ntime.sleep(60)\n")), "--timeout", "3")
    assert result.returncode == 3
    assert "did not finish within 3s" in result.stderr


@pytest.mark.parametrize("mode", [(), ("--preview",)], ids=["full", "preview"])
def test_reference_stack_passes_the_enforce_preset(mode: tuple[str, ...]) -> None:
    """In full and in preview mode, where every id of a resource not created yet is unknown
    (tests/test_provenance.py: judged by where it comes from)."""
    code, data = report("reference_stack", *mode, "--config", "presets/enforce.json")
    assert code == 0 and data["violations"] == []
    # In preview the featureset's data version link is unknown: that rule, not a security rule, does not fail
    # closed and gives the SDK's advisory.
    assert [(d["kind"], d["policy"]) for d in data["diagnostics"]] == (
        [("unknown", "featureset-data-version-resolves")] if mode else [])


def test_reference_stack_passes_the_opt_in_rules(tmp_path: Path) -> None:
    """Its storage accounts and registry are hardened: the opt-in rules, which the presets keep
    disabled, find nothing either when turned on (tests/test_opt_in_fixes.py shows them reporting when turned
    on)."""
    from policies import RULES

    opt_in = [r.name for r in RULES if r.opt_in]
    config = tmp_path / "opt-in.json"
    config.write_text(json.dumps({"all": "mandatory", **{name: "mandatory" for name in opt_in}}))
    code, data = report("reference_stack", "--config", str(config))
    assert opt_in and code == 0 and data["violations"] == [] and data["diagnostics"] == []


@pytest.mark.parametrize(("name", "early"), [("stack-export.json", True), ("checkpoint.json", True), ("preview.json", False)])
def test_the_pack_starts_while_a_state_file_is_read(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                    name: str, early: bool) -> None:
    """A state file gives the pack no stack options, so the pack starts as soon as the file's kind
    is known, before its resources are read; a preview file's environment comes from the file, so
    its pack starts after. Either way one pack, ended before the gate returns."""
    from policy_gate import cli, inputs
    from policy_gate.analyzer import process

    events: list[str] = []
    packs: list[process.PackProcess] = []
    start, read = process.PackProcess.__init__, inputs._resource

    def started(self: process.PackProcess, *args: Any) -> None:
        events.append("pack")
        packs.append(self)
        start(self, *args)

    def resource(*args: Any) -> Any:
        events.append("resource")
        return read(*args)

    monkeypatch.setattr(process.PackProcess, "__init__", started)
    monkeypatch.setattr(inputs, "_resource", resource)
    assert cli.main(["run", str(ROOT / "tests" / "fixtures" / "state" / name), "--format", "json", "--fail-on", "none"]) == 0
    assert json.loads(capsys.readouterr().out)["judged"] > 0
    assert events.count("pack") == 1 and (events[0] == "pack") == early
    assert packs[0]._proc.poll() is not None
