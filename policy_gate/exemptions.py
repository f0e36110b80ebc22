"""Exemptions: accepted violations, each with a reason and an expiry date.

File (YAML or JSON)::

    exemptions:
      - policy: workspace-public-network-disabled
        resource: "legacy-*"            # a resource name glob, or a URN (glob) starting with urn:
        reason: "Migrating to private link, ticket ML-123"
        expires: 2027-03-31

An exempted violation is still reported, marked exempted, and does not fail the run. An
expired exemption no longer applies and is reported, as is one that matched nothing. An
exemption without a reason, expiry, policy or resource is a usage error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import jsonschema
import yaml

from .errors import UsageError, clip
from .files import resolve
from .results import Diagnostic, Exemption, Outcome
from .yamlfile import read_mapping

_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["exemptions"],
    "additionalProperties": False,
    "properties": {"exemptions": {"type": "array", "items": {
        "type": "object",
        "required": ["policy", "resource", "reason", "expires"],
        "additionalProperties": False,
        "properties": {
            "policy": {"type": "string", "minLength": 1},
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "pattern": r"\S"},
            "expires": {"type": "string", "format": "date"},
        },
    }}},
}


def load(path: str) -> list[Exemption]:
    """The exemptions of ``path`` (YAML or JSON, read within ``yamlfile``'s bounds: a YAML alias
    bomb is a one-line error, not gigabytes); any problem is a ``UsageError``."""
    # Dates stay strings so the schema checks their format.
    data = read_mapping(resolve(path, "exemptions file "), empty_ok=True, loader=_StringDates)
    validator = jsonschema.Draft7Validator(_SCHEMA, format_checker=jsonschema.FormatChecker())
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = "/".join(clip(str(p), 100) for p in error.absolute_path) or "top level"
        message = error.message
        if error.validator == "required" and "'reason'" in message:
            message = "an exemption must give its reason"
        raise UsageError(f"exemptions file {path}, {where}: {clip(message)}")
    return [Exemption(e["policy"], e["resource"], e["reason"].strip(), dt.date.fromisoformat(e["expires"]))
            for e in data["exemptions"]]


class _StringDates(yaml.SafeLoader):
    pass


_StringDates.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def check_policies(exemptions: Iterable[Exemption], known: set[str], path: str) -> None:
    for exemption in exemptions:
        if exemption.policy not in known:
            raise UsageError(f"exemptions file {path}: no policy named '{clip(exemption.policy, 100)}' in this pack")


def apply(outcome: Outcome, exemptions: list[Exemption], today: dt.date) -> None:
    """Mark exempted violations; report expired and unused exemptions."""
    active = [e for e in exemptions if e.expires >= today]
    used: set[Exemption] = set()
    for index, violation in enumerate(outcome.violations):
        match = next((e for e in active if e.matches(violation.policy, violation.urn)), None)
        if match is not None:
            used.add(match)
            outcome.violations[index] = replace(violation, exemption=match)
    for exemption in exemptions:
        if exemption.expires < today:
            outcome.diagnostics.append(Diagnostic("exemption", f"exemption expired, no longer applied: {exemption.describe()}",
                                                  exemption.policy))
        elif exemption not in used:
            outcome.diagnostics.append(Diagnostic("exemption", f"exemption matched no violation: {exemption.describe()}",
                                                  exemption.policy))


__all__ = ["Exemption", "apply", "check_policies", "load"]
