"""The Markdown report (step summaries, pull-request comments): its shape, read back with a
CommonMark parser with GitHub's tables (markdown-it-py, which rich already brings); escaping of
everything a run can carry; truncation by whole rows; redaction."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from policy_gate.capture import Capture
from policy_gate.reports import render
from policy_gate.reports.markdown import DEFAULT_LIMIT, MIN_LIMIT, md, to_markdown
from policy_gate.reports.redact import Redactor
from policy_gate.results import Diagnostic, Outcome, PolicyMeta, Violation
from tests.test_formats import (
    POLICIES,
    SECRET,
    SKU_TITLE,
    SKU_URL,
    STORAGE,
    STORE,
    WORKSPACE,
    WS_MAIN,
    exempted,
    make_capture,
    make_outcome,
)

PARSER = MarkdownIt("commonmark").enable("table")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = (tmp_path / "repo").resolve()
    (root / "infra" / "features").mkdir(parents=True)
    (root / "infra" / "Pulumi.yaml").write_text("name: mlplatform\nruntime: python\n")
    return root


@pytest.fixture
def capture(repo: Path) -> Capture:
    return make_capture(repo / "infra")


def report(outcome: Outcome, capture: Capture, repo: Path, **options: Any) -> str:
    return to_markdown(outcome, capture, Redactor(capture.secret_strings()), base=repo, **options)


def tables(text: str) -> list[list[list[str]]]:
    """Every table as parsed: rows of cell texts (inline content as the parser read it)."""
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    tokens = PARSER.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
        elif token.type == "inline" and index and tokens[index - 1].type in ("td_open", "th_open") and row is not None:
            row.append(token.content)
    return found


def headings(text: str) -> list[str]:
    tokens = PARSER.parse(text)
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def test_the_verdict_the_summary_and_a_table_per_failing_rule(capture: Capture, repo: Path) -> None:
    text = report(make_outcome(), capture, repo)
    assert headings(text) == [
        "Policy gate: FAIL on mlplatform/dev", "Failing the run", f"[{SKU_TITLE}]({SKU_URL}) (workspace-allowed-sku)",
        "workspace-managed-identity", "no-secret-exports", "Not failing the run", "featureset-data-version-pinned",
        "storage-min-tls", "Exempted"]
    assert "**FAIL: 3 mandatory and 2 advisory violation(s) in 6 resource(s) checked by azure-ml-governance@0.1.0" in text
    assert f'<a href="{SKU_URL}">{SKU_TITLE}</a>' in PARSER.render(text)  # the title, linked to the rule's documentation
    found = tables(text)
    header = ["Resource", "Severity", "Message", "Declared at"]
    assert found[0] == [header, ["ws-main (Workspace)", "medium", r"sku.name 'Free' is not allowed (workspace key \[secret\])",
                                 r"infra/\_\_main\_\_.py:12"]]
    assert found[3] == [header, ["fs-v1 (FeaturesetVersion)", "high", "properties.dataVersionId is empty",
                                 "infra/features/fs.py:30"]]
    assert found[-1] == [["Rule", "Resource", "Reason", "Expires"],
                         ["workspace-allowed-sku", "ws-legacy", "Migrating to Standard, ticket ML-123", "2027-03-31"]]
    assert "1 check(s) could not be judged during preview" in text


def test_a_clean_run_is_a_pass_without_tables(capture: Capture, repo: Path) -> None:
    text = report(Outcome("azure-ml-governance", "0.1.0", list(POLICIES), resources=6), capture, repo)
    assert headings(text) == ["Policy gate: PASS on mlplatform/dev"] and tables(text) == []
    assert "**PASS: 0 mandatory and 0 advisory violation(s) in 6 resource(s)" in text


def test_an_empty_run_says_empty_in_the_heading_as_in_the_summary(capture: Capture, repo: Path) -> None:
    text = report(Outcome("azure-ml-governance", "0.1.0", list(POLICIES), resources=1, judged=0), capture, repo)
    assert headings(text) == ["Policy gate: EMPTY on mlplatform/dev"]
    assert "**EMPTY: 0 mandatory and 0 advisory violation(s) in 1 resource(s)" in text


def test_a_finding_on_an_export_points_at_the_export(capture: Capture, repo: Path) -> None:
    capture.export_sources = {"storageKey": {"file": "__main__.py", "line": 40}}
    row = next(r for t in tables(report(make_outcome(), capture, repo)) for r in t if r[0] == "mlplatform-dev (Stack)")
    assert row[3] == r"infra/\_\_main\_\_.py:40"


def test_warnings_and_exemption_notes_are_listed(capture: Capture, repo: Path) -> None:
    outcome = make_outcome()
    outcome.warnings = ["secure config 'dbPassword' left unset: no PULUMI_CONFIG_PASSPHRASE"]
    outcome.diagnostics.append(Diagnostic("exemption", "exemption expired, no longer applied: x on y (expires 2020-01-01)"))
    text = report(outcome, capture, repo)
    assert "Not checked as written" in headings(text)
    assert "- secure config 'dbPassword' left unset: no PULUMI\\_CONFIG\\_PASSPHRASE" in text
    assert "- exemption expired, no longer applied: x on y (expires 2020-01-01)" in text


HOSTILE = "a|b `code` <script>alert(1)</script> **bold** [x](javascript:1) $x$ ~~s~~ \\| line\nbreak\x1b[31m"


def test_every_string_from_the_run_is_escaped(capture: Capture, repo: Path) -> None:
    outcome = Outcome(HOSTILE, "1", [PolicyMeta("rule|x", "d", "mandatory", "high", title=HOSTILE, url=SKU_URL)],
                      resources=1, warnings=[HOSTILE])
    outcome.violations = [
        Violation("rule|x", "mandatory", "high", WS_MAIN, WORKSPACE, HOSTILE),
        exempted(Violation("rule|x", "mandatory", "high", STORE, STORAGE, "m"), HOSTILE, dt.date(2030, 1, 1)),
    ]
    capture.by_urn()[WS_MAIN].source = {"file": "we|ird`.py", "line": 3}
    text = report(outcome, capture, repo)
    html = PARSER.render(text)
    assert "<script" not in html and "<code>" not in html and "<em>" not in html
    assert html.count("<strong>") == 1  # the summary line's own emphasis, nothing a value opened
    assert 'href="javascript' not in html and "\x1b" not in text
    found = tables(text)
    assert [len(row) for table in found for row in table] == [4] * len([r for t in found for r in t])  # no cell split
    message = found[0][1][2]
    assert PARSER.renderInline(message) == ("a|b `code` &lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](javascript:1) "
                                            "$x$ ~~s~~ \\| line<br>break\\x1b[31m")
    assert found[0][1][3] == r"infra/we|ird\`.py:3"  # the table took its escaped pipe back


def test_md_escapes_each_special_character() -> None:
    assert md("| ` * _ [ ] ~ $ \\ < > &") == r"\| \` \* \_ \[ \] \~ \$ \\ &lt; &gt; &amp;"
    assert md("one\r\ntwo\nthree\tfour\x00") == r"one<br>two<br>three four\\x00"  # renders as \x00


def test_long_reports_are_cut_between_rows_with_a_count(capture: Capture, repo: Path) -> None:
    outcome = make_outcome()
    outcome.violations = [Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, f"finding {i} " + "x" * 80)
                          for i in range(300)]
    outcome.violations.append(exempted(Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, "m"), "r",
                                       dt.date(2030, 1, 1)))
    text = report(outcome, capture, repo, limit=10_000)
    assert len(text) <= 10_000
    shown = [row for table in tables(text) for row in table[1:]]
    assert 0 < len(shown) < 300
    assert all(re.fullmatch(r"\| .* \|", line) for line in text.splitlines() if line.startswith("|"))  # whole rows
    assert all(row[2].startswith("finding ") and row[2].endswith("x" * 80) for row in shown)
    assert f"**Truncated**: {300 - len(shown)} violation(s), 1 exemption(s) not shown, to stay within 10,000 characters" in text
    assert text.startswith("## Policy gate: PASS")  # the verdict and summary always stay
    assert len(report(outcome, capture, repo)) > 30_000  # the default limit keeps them all
    assert "Truncated" not in report(outcome, capture, repo)


def test_the_default_limit_fits_a_pull_request_comment(capture: Capture, repo: Path) -> None:
    outcome = make_outcome()
    outcome.violations = [Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, "é" * 900) for _ in range(500)]
    text = report(outcome, capture, repo)
    assert len(text) <= DEFAULT_LIMIT == 65_536 and len(text.encode("utf-8")) < 1024 * 1024
    assert "Truncated" in text
    assert len(report(outcome, capture, repo, limit=10)) <= MIN_LIMIT  # a limit too small for the summary is raised


def test_a_secret_never_reaches_the_report(capture: Capture, repo: Path) -> None:
    outcome = make_outcome()
    outcome.warnings = [f"warning about {SECRET}"]
    outcome.violations.append(exempted(Violation("storage-min-tls", "advisory", "low", STORE, STORAGE, "m"),
                                       f"because {SECRET}", dt.date(2030, 1, 1)))
    text = report(outcome, capture, repo)
    assert SECRET not in text and "\\[secret\\]" in text
    assert SECRET in to_markdown(outcome, capture, Redactor([]), base=repo)  # the check can fail


def test_render_offers_markdown(capture: Capture, repo: Path) -> None:
    text = render("markdown", make_outcome(), capture, Redactor(capture.secret_strings()), source_root=repo)
    assert text == report(make_outcome(), capture, repo)
