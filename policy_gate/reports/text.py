"""The text report: a table per resource, then diagnostics, remediations and the summary.

Rich reads ``[...]`` in titles and cells as markup: every string from the run is escaped
(``_plain``), so a name like ``[/]`` or ``[bold]x[/bold]`` is printed as written."""

from __future__ import annotations

import io
from typing import Any

from ..results import Outcome
from ..wire import urn_name
from .redact import Redactor
from .summary import summary

_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "": 4}


def to_text(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low",
            color: bool = False) -> str:
    from rich.console import Console  # imported here: only the text format needs it
    from rich.markup import escape
    from rich.table import Table

    def _plain(text: str) -> str:
        return escape(redact(text))

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=140, soft_wrap=False)
    by_resource: dict[str, list[Any]] = {}
    for v in sorted(outcome.violations, key=lambda v: (v.urn, v.level != "mandatory", _SEVERITY_ORDER.get(v.severity, 4))):
        by_resource.setdefault(v.urn, []).append(v)
    for violations in by_resource.values():
        table = Table(title=_plain(f"{violations[0].resource_name} ({violations[0].type})"), title_justify="left",
                      show_lines=False, expand=False)
        table.add_column("level")
        table.add_column("severity")
        table.add_column("policy")
        table.add_column("message", overflow="fold")
        for v in violations:
            level = f"{v.level} (exempted)" if v.exemption else v.level
            message = v.message + (f" [exempted until {v.exemption.expires}: {v.exemption.reason}]" if v.exemption else "")
            table.add_row(_plain(level), _plain(v.severity or "-"), _plain(v.policy), _plain(message))
        console.print(table)
    if outcome.diagnostics:
        console.print("Diagnostics:")
        for d in outcome.diagnostics:
            where = f" [{urn_name(d.urn)}]" if d.urn else ""
            console.print(f"  {d.kind}{where}: {redact(d.message)}", markup=False, highlight=False)
    if outcome.warnings:
        console.print("Warnings (not checked as written):")
        for warning in outcome.warnings:
            console.print(f"  {redact(warning)}", markup=False, highlight=False, soft_wrap=True)  # one line each
    if outcome.remediations:
        console.print("Remediations applied:")
        for r in outcome.remediations:
            console.print(f"  {r.policy} on {redact(urn_name(r.urn))}", markup=False, highlight=False)
    console.print(summary(outcome, fail_on, min_severity), markup=False, highlight=False, soft_wrap=True)
    return buffer.getvalue()
