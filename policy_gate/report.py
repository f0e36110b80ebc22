"""Printing an outcome: a table for people, JSON for machines.

Every string printed passes through ``Redactor``: whatever a policy wrote, a value the
program marked secret is never shown.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any

from .results import Outcome

_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "": 4}


class Redactor:
    def __init__(self, secrets: Iterable[str]):
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "[secret]")
        return text


def to_json(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low") -> dict[str, Any]:
    return {
        "pack": {"name": outcome.pack_name, "version": outcome.pack_version},
        "preview": outcome.dry_run,
        "resources": outcome.resources,
        "violations": [
            {"policy": v.policy, "level": v.level, "severity": v.severity, "urn": redact(v.urn), "type": v.type,
             "message": redact(v.message),
             **({"exempted": {"reason": redact(v.exemption.reason), "expires": v.exemption.expires.isoformat()}}
                if v.exemption else {})}
            for v in outcome.violations
        ],
        "diagnostics": [
            {"kind": d.kind, "policy": d.policy, "urn": redact(d.urn), "message": redact(d.message)}
            for d in outcome.diagnostics
        ],
        "notApplicable": [
            {"policy": n.policy, "urn": redact(n.urn), "reason": redact(n.reason)} for n in outcome.not_applicable
        ],
        "remediations": [
            {"policy": r.policy, "urn": redact(r.urn), "diagnostic": redact(r.diagnostic)} for r in outcome.remediations
        ],
        "summary": summary(outcome, fail_on, min_severity),
    }


def summary(outcome: Outcome, fail_on: str = "mandatory", min_severity: str = "low") -> str:
    open_ = [v for v in outcome.violations if v.exemption is None]
    mandatory = sum(1 for v in open_ if v.level == "mandatory")
    verdict = "FAIL" if outcome.failing(fail_on, min_severity) else "PASS"
    extra = f", {len(outcome.violations) - len(open_)} exempted" if len(open_) != len(outcome.violations) else ""
    extra += f", {len(outcome.diagnostics)} diagnostic(s)" if outcome.diagnostics else ""
    return (f"{verdict}: {mandatory} mandatory and {len(open_) - mandatory} advisory violation(s) in {outcome.resources} "
            f"resource(s) checked by {outcome.pack_name}@{outcome.pack_version}{extra}")


def to_text(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low",
            color: bool = False) -> str:
    from rich.console import Console  # imported here: only the text format needs it
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=140, soft_wrap=False)
    by_resource: dict[str, list[Any]] = {}
    for v in sorted(outcome.violations, key=lambda v: (v.urn, v.level != "mandatory", _SEVERITY_ORDER.get(v.severity, 4))):
        by_resource.setdefault(v.urn, []).append(v)
    for violations in by_resource.values():
        table = Table(title=redact(f"{violations[0].resource_name} ({violations[0].type})"), title_justify="left",
                      show_lines=False, expand=False)
        table.add_column("level")
        table.add_column("severity")
        table.add_column("policy")
        table.add_column("message", overflow="fold")
        for v in violations:
            level = f"{v.level} (exempted)" if v.exemption else v.level
            message = redact(v.message) + (f" [exempted until {v.exemption.expires}: {redact(v.exemption.reason)}]"
                                           if v.exemption else "")
            table.add_row(level, v.severity or "-", v.policy, message)
        console.print(table)
    if outcome.diagnostics:
        console.print("Diagnostics:")
        for d in outcome.diagnostics:
            where = f" [{d.urn.rsplit('::', 1)[-1]}]" if d.urn else ""
            console.print(f"  {d.kind}{where}: {redact(d.message)}", markup=False, highlight=False)
    if outcome.remediations:
        console.print("Remediations applied:")
        for r in outcome.remediations:
            console.print(f"  {r.policy} on {redact(r.urn.rsplit('::', 1)[-1])}", markup=False, highlight=False)
    console.print(summary(outcome, fail_on, min_severity), markup=False, highlight=False)
    return buffer.getvalue()


def dumps_json(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low") -> str:
    return json.dumps(to_json(outcome, redact, fail_on, min_severity), indent=2) + "\n"
