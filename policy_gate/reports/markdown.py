"""Markdown for GitHub: a job's step summary (``$GITHUB_STEP_SUMMARY``) or a pull-request comment.

Shape: a heading with the verdict and the one-line summary; the warnings (what was not checked
as written); a table per rule with open violations, the rules that fail the run first, each
headed by the rule's title linked to its documentation (the pack's metadata), with a row per
violation: resource, severity, message and the file:line of the program that declared the
resource (for a finding on the stack, its ``pulumi.export``); then the exempted violations with
their reasons and expiry, and the exemptions that expired or matched nothing.

Size: GitHub refuses a step summary over 1 MiB and a comment over 65,536 characters. The default
limit, 65,536 characters (at most 256 KiB of UTF-8), fits both; ``--markdown-limit`` changes it.
Over the limit whole rows are left out from the end, never part of one, and a last line says how
many and where the rest is.

Every string from the run (messages, names, types, reasons, warnings, the pack's own titles)
passes through the ``Redactor`` and is then escaped: HTML's special characters as entities,
Markdown's (pipes, backticks, emphasis, brackets, ``$`` for GitHub's math) with a backslash,
control characters shown as ``\\xNN``, line breaks as ``<br>``. So no value can end a table cell,
open a code span, or inject HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..capture import Capture, Resource
from ..results import Outcome, PolicyMeta, Violation
from ..wire import urn_name, urn_type
from .links import web_url
from .locations import finding_source, relative_to, source_root
from .redact import Redactor
from .summary import summary, verdict

DEFAULT_LIMIT = 65_536  # GitHub's limit for a comment, in characters; a step summary takes 1 MiB
MIN_LIMIT = 2_000  # room for the heading, the summary and the truncation notice
_NOTICE_ROOM = 400  # the truncation notice, whatever its counts

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_\[\]|~$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CELL_LIMIT = 1_000  # characters of one message: a row stays readable, and one row cannot fill the report
_TABLE_HEAD = "| Resource | Severity | Message | Declared at |\n| --- | --- | --- | --- |\n"


def md(text: str) -> str:
    """``text`` as literal Markdown inline text (one line, safe in a table cell)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\t", " "))
    text = "".join(_HTML.get(c, c) for c in text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return re.sub(r"\r\n|\r|\n", "<br>", text).strip()


@dataclass
class _Group:
    """Rows under one heading; the heading is printed only with its first row."""

    heading: str
    kind: str  # what a row counts as when left out: violation, exemption, warning
    rows: list[str] = field(default_factory=list)


def to_markdown(outcome: Outcome, capture: Capture, redact: Redactor, fail_on: str = "mandatory",
                min_severity: str = "low", base: Path | None = None, limit: int = DEFAULT_LIMIT) -> str:
    """``base``: what paths are relative to (default ``locations.source_root``); ``limit``: the
    most characters the document may take (at least ``MIN_LIMIT``)."""
    root = (base or source_root(capture)).resolve()
    failing = outcome.failing(fail_on, min_severity)
    where = f" on {md(redact(capture.project))}/{md(redact(capture.stack))}" if capture.project and capture.stack else ""
    head = [f"## Policy gate: {verdict(outcome, fail_on, min_severity)}{where}", "",
            f"**{md(redact(summary(outcome, fail_on, min_severity)))}**", ""]
    unknown = sum(1 for d in outcome.diagnostics if d.kind == "unknown")
    if unknown:
        head += [f"{unknown} check(s) could not be judged during preview: what they read is unknown until deployment.", ""]
    groups = _warnings(outcome, redact) + _violations(outcome, capture, redact, root, failing) + _exemptions(outcome, redact)
    return _fit("\n".join(head) + "\n", groups, max(limit, MIN_LIMIT))


def _warnings(outcome: Outcome, redact: Redactor) -> list[_Group]:
    if not outcome.warnings:
        return []
    return [_Group("### Not checked as written\n\n", "warning", [f"- {md(redact(w)) or '-'}\n" for w in outcome.warnings])]


def _violations(outcome: Outcome, capture: Capture, redact: Redactor, root: Path, failing: list[Violation]) -> list[_Group]:
    by_rule: dict[str, list[Violation]] = {}
    for v in outcome.violations:
        if v.exemption is None:
            by_rule.setdefault(v.policy, []).append(v)
    metas = {m.name: m for m in outcome.policies}
    order = [m.name for m in outcome.policies if m.name in by_rule] + sorted(p for p in by_rule if p not in metas)
    failing_ids = {id(v) for v in failing}
    fails = [p for p in order if any(id(v) in failing_ids for v in by_rule[p])]
    others = [p for p in order if p not in fails]
    by_urn = capture.by_urn()
    groups = []
    for section, names in (("### Failing the run\n\n", fails), ("### Not failing the run\n\n", others)):
        for index, name in enumerate(names):
            meta = metas.get(name) or PolicyMeta(name, by_rule[name][0].description, by_rule[name][0].level, "")
            heading = (section if index == 0 else "") + _rule_heading(meta, by_rule[name], redact) + _TABLE_HEAD
            rows = [_violation_row(v, capture, by_urn, redact, root) for v in by_rule[name]]
            groups.append(_Group(heading, "violation", rows))
    return groups


def _rule_heading(meta: PolicyMeta, violations: list[Violation], redact: Redactor) -> str:
    title = md(redact(meta.heading))
    url = web_url(redact(meta.url))
    name = md(redact(meta.name))
    linked = f"[{title}]({url})" if url else title
    levels = ", ".join(dict.fromkeys(v.level for v in violations if v.level))
    about = f" ({name})" if meta.title.strip() else ""
    return f"#### {linked}{about}\n\n{md(redact(levels or '-'))}: {len(violations)} violation(s)\n\n"


def _violation_row(v: Violation, capture: Capture, by_urn: dict[str, Resource], redact: Redactor, root: Path) -> str:
    resource = by_urn.get(v.urn)
    kind = (v.type or urn_type(v.urn)).rsplit(":", 1)[-1]
    name = md(redact(v.resource_name or urn_name(v.urn) or "-"))
    label = f"{name} ({md(redact(kind))})" if kind else name
    source = finding_source(v.urn, v.message, resource, capture)
    declared = "-"
    if source is not None:
        path = relative_to(source.path, root) or str(source.path)
        declared = md(redact(f"{path}:{source.line}" if source.line else path))
    message = md(_clip(redact(v.message or v.description))) or "-"
    return f"| {label} | {md(v.severity or '-')} | {message} | {declared} |\n"


def _clip(text: str) -> str:
    return text if len(text) <= _CELL_LIMIT else text[:_CELL_LIMIT - 1] + "…"


def _exemptions(outcome: Outcome, redact: Redactor) -> list[_Group]:
    exempted = [v for v in outcome.violations if v.exemption is not None]
    notes = [d for d in outcome.diagnostics if d.kind == "exemption"]
    groups = []
    if exempted:
        rows = [f"| {md(redact(v.policy))} | {md(redact(v.resource_name or '-'))} | {md(_clip(redact(v.exemption.reason)))} | "
                f"{v.exemption.expires.isoformat()} |\n" for v in exempted if v.exemption is not None]
        groups.append(_Group("### Exempted\n\n| Rule | Resource | Reason | Expires |\n| --- | --- | --- | --- |\n",
                             "exemption", rows))
    if notes:
        groups.append(_Group("" if exempted else "### Exemptions\n\n", "exemption note",
                             [f"- {md(redact(d.message))}\n" for d in notes]))
    return groups


def _fit(head: str, groups: list[_Group], limit: int) -> str:
    """``head``, then each group's rows while they fit in ``limit`` with room for the notice;
    from the first row that does not fit on, every row is left out and counted."""
    parts, used = [head], len(head)
    left: dict[str, int] = {}
    for group in groups:
        for index, row in enumerate(group.rows):
            piece = ("\n" + group.heading if index == 0 else "") + row
            if left or used + len(piece) + _NOTICE_ROOM > limit:
                left[group.kind] = left.get(group.kind, 0) + 1
                continue
            parts.append(piece)
            used += len(piece)
    if left:
        counts = ", ".join(f"{count} {kind}(s)" for kind, count in left.items())
        parts.append(f"\n**Truncated**: {counts} not shown, to stay within {limit:,} characters. Every finding is in "
                     "the SARIF, JSON and JUnit reports (`--report FORMAT=FILE`).\n")
    return "".join(parts)


__all__ = ["DEFAULT_LIMIT", "MIN_LIMIT", "md", "to_markdown"]
