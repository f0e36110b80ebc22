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


def to_json(outcome: Outcome, redact: Redactor) -> dict[str, Any]:
    return {
        "pack": {"name": outcome.pack_name, "version": outcome.pack_version},
        "preview": outcome.dry_run,
        "resources": outcome.resources,
        "violations": [
            {"policy": v.policy, "level": v.level, "severity": v.severity, "urn": redact(v.urn), "type": v.type,
             "message": redact(v.message)}
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
        "summary": summary(outcome),
    }


def summary(outcome: Outcome) -> str:
    mandatory = len(outcome.mandatory)
    advisory = len(outcome.violations) - mandatory
    verdict = "FAIL" if mandatory else "PASS"
    extra = f", {len(outcome.diagnostics)} diagnostic(s)" if outcome.diagnostics else ""
    return (f"{verdict}: {mandatory} mandatory and {advisory} advisory violation(s) in {outcome.resources} resource(s) "
            f"checked by {outcome.pack_name}@{outcome.pack_version}{extra}")


def to_text(outcome: Outcome, redact: Redactor, color: bool = False) -> str:
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
            table.add_row(v.level, v.severity or "-", v.policy, redact(v.message))
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
    console.print(summary(outcome), markup=False, highlight=False)
    return buffer.getvalue()


def dumps_json(outcome: Outcome, redact: Redactor) -> str:
    return json.dumps(to_json(outcome, redact), indent=2) + "\n"
