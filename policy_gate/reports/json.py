"""The JSON report (its shape is documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from ..results import Outcome
from .redact import Redactor
from .summary import summary


def to_json(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low") -> dict[str, Any]:
    return {
        "pack": {"name": outcome.pack_name, "version": outcome.pack_version},
        "preview": outcome.dry_run,
        "resources": outcome.resources,
        "judged": outcome.judged,  # custom resources other than providers that reached the pack (0: an empty run)
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
        "warnings": [redact(w) for w in outcome.warnings],
        "programErrors": [redact(e) for e in outcome.program_errors],
        "remediations": [
            {"policy": r.policy, "urn": redact(r.urn), "diagnostic": redact(r.diagnostic)} for r in outcome.remediations
        ],
        "summary": summary(outcome, fail_on, min_severity),
    }


def dumps_json(outcome: Outcome, redact: Redactor, fail_on: str = "mandatory", min_severity: str = "low") -> str:
    return json.dumps(to_json(outcome, redact, fail_on, min_severity), indent=2) + "\n"
