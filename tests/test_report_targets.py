"""Several reports from one run: ``--report FORMAT=PATH`` (repeatable, ``-`` for stdout) next to
``--format``/``--output``; the exit code and the summary line once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from policy_gate.cli import main
from policy_gate.errors import UsageError
from policy_gate.reports import FORMATS
from policy_gate.reports.targets import STDOUT, Target, parse, write

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("reports", "fmt", "output", "expected"), [
    ([], None, None, [Target("text", STDOUT)]),  # as before: text on stdout
    ([], "json", None, [Target("json", STDOUT)]),
    ([], None, "r.txt", [Target("text", "r.txt")]),
    (["sarif=g.sarif", "junit=g.xml"], None, None, [Target("sarif", "g.sarif"), Target("junit", "g.xml")]),
    (["sarif=g.sarif", "json=-"], None, None, [Target("sarif", "g.sarif"), Target("json", STDOUT)]),
    (["sarif=g.sarif"], "text", None, [Target("sarif", "g.sarif"), Target("text", STDOUT)]),
    (["sarif=g.sarif"], "json", "r.json", [Target("sarif", "g.sarif"), Target("json", "r.json")]),
    (["markdown=a=b.md"], None, None, [Target("markdown", "a=b.md")]),
])
def test_targets(reports: list[str], fmt: str | None, output: str | None, expected: list[Target]) -> None:
    assert parse(reports, fmt, output) == expected


@pytest.mark.parametrize(("reports", "fmt", "output", "fragment"), [
    (["sarif"], None, None, "expected FORMAT=PATH"),
    (["sarif="], None, None, "expected FORMAT=PATH"),
    (["html=x.html"], None, None, "unknown format 'html' (choose from text, json, sarif, junit, markdown)"),
    (["json=-", "text=-"], None, None, "only one report can go to stdout"),
    (["json=-"], "text", None, "only one report can go to stdout"),
    (["json=r.json", "sarif=./r.json"], None, None, "./r.json is named for two reports"),
    (["json=r.json"], "sarif", "r.json", "r.json is named for two reports"),
])
def test_bad_targets_are_usage_errors(reports: list[str], fmt: str | None, output: str | None, fragment: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse(reports, fmt, output)
    assert fragment in raised.value.message


def test_each_format_is_rendered_once_and_the_summary_printed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rendered: list[str] = []

    def render(fmt: str) -> str:
        rendered.append(fmt)
        return f"<{fmt}>"

    write([Target("json", str(tmp_path / "a.json")), Target("json", str(tmp_path / "b.json")),
           Target("sarif", str(tmp_path / "g.sarif"))], render, "PASS: summary")
    assert rendered == ["json", "sarif"]
    assert (tmp_path / "b.json").read_text() == "<json>" and (tmp_path / "g.sarif").read_text() == "<sarif>"
    assert capsys.readouterr().out == "PASS: summary\n"
    write([Target("sarif", str(tmp_path / "g.sarif")), Target("text", STDOUT)], render, "PASS: summary")
    assert capsys.readouterr().out == "<text>"  # the text report ends with the summary itself


def test_an_unwritable_target_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot write .*missing/r\.json"):
        write([Target("json", str(tmp_path / "missing" / "r.json"))], lambda fmt: "", "")


@pytest.mark.parametrize(("args", "fragment"), [
    (["--markdown-limit", "10"], "argument --markdown-limit: at least 2000 (room for the verdict and the summary)"),
    (["--markdown-limit", "many"], "argument --markdown-limit: not a number of characters: 'many'"),
    (["--report", "html=x.html"], "--report 'html=x.html': unknown format 'html'"),
    (["--report", "json=-", "--format", "text"], "only one report can go to stdout"),
])
def test_report_options_are_checked_before_anything_runs(args: list[str], fragment: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "does/not/matter", *args]) == 2  # before the program would run: no subprocess here
    err = capsys.readouterr().err
    assert err.startswith("error: ") and fragment in err and len(err.splitlines()) == 1


def test_formats_are_the_ones_render_knows() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit", "markdown")


COUNTING_PROGRAM = """\
import os
import pulumi
import pulumi_azure_native as azure_native

with open(os.environ["GATE_TEST_RUNS"], "a") as runs:  # one line per run of the program
    runs.write("run\\n")
azure_native.machinelearningservices.Workspace("ws", resource_group_name="rg", location="westeurope")
"""


@pytest.mark.process
def test_one_run_writes_every_report(tmp_path: Path) -> None:
    program = tmp_path / "infra"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: counted\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(COUNTING_PROGRAM)
    runs = tmp_path / "runs.txt"
    out = tmp_path / "reports"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "policy_gate", "run", str(program), "--report", f"sarif={out / 'gate.sarif'}",
         "--report", f"junit={out / 'gate.xml'}", "--report", f"markdown={out / 'summary.md'}", "--report", "json=-"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "GATE_TEST_RUNS": str(runs), "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert runs.read_text() == "run\n"  # the program ran once for the four reports
    data = json.loads(result.stdout)  # stdout is the JSON report alone: no second summary line
    open_violations = [v for v in data["violations"] if "exempted" not in v]
    assert len(open_violations) >= 3
    sarif = json.loads((out / "gate.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(data["violations"])
    junit = ElementTree.parse(out / "gate.xml").getroot()
    assert len(list(junit.iter("failure"))) == len(open_violations)
    markdown = (out / "summary.md").read_text()
    assert markdown.startswith("## Policy gate: FAIL on counted/dev") and f"**{data['summary']}**" in markdown
    # Files only: the summary line, once, on stdout.
    again = subprocess.run(
        [sys.executable, "-m", "policy_gate", "run", str(program), "--report", f"sarif={out / 'again.sarif'}",
         "--format", "junit", "--output", str(out / "again.xml")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "GATE_TEST_RUNS": str(runs), "PYTHONPATH": str(ROOT)})
    assert again.returncode == 1 and again.stdout == data["summary"] + "\n"
    assert (out / "again.sarif").is_file() and (out / "again.xml").is_file()
