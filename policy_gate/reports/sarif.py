"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF viewer).

One run, tool ``policy-gate``; its ``rules`` are the pack's policies and the pack itself is
``tool.extensions[0]`` (name, version). The rules sit on the driver, where GitHub's SARIF
support documents them, so ``driver.version`` is the pack version: code scanning reads only
the driver's version to tell a rule change from a code change, and the gate ships with the
pack it runs.

Mapping:

- rule: ``id`` the policy name, ``name`` its title (the pack's display name; else the policy
  name); ``shortDescription`` the title (else the first sentence of its description),
  ``fullDescription`` the description (both capped at GitHub's 1024 characters); ``helpUri``
  the policy's ``url`` when it is an http(s) link; ``help`` the remediation steps (text and
  Markdown, with the link); ``defaultConfiguration.level`` from the
  pack's default enforcement level and severity (below); ``properties.security-severity``
  critical 9.0, high 7.0, medium 5.0, low 3.0 (GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9
  medium, 0.1-3.9 low), none for a policy without severity; ``properties.tags`` the pack's
  tags, the compliance framework reference and ``security`` (GitHub filters on it);
  ``precision`` very-high, as a policy judges declared values, not heuristics.
- result level from severity: critical/high -> error, medium -> warning, low -> note, none ->
  warning; an advisory violation is at most a warning (it does not fail the gate).
- result location: the file and line of the program that declared the resource (the
  innermost frame of the user's code: ``capture.source_dir`` + ``resource.source.file``), for
  a finding on the stack the ``pulumi.export`` call of the output its message names
  (``capture.export_sources``), relative to ``base`` with ``uriBaseId`` ``%SRCROOT%``, so code
  scanning annotates that line of a pull request. ``base`` is the repository of the program
  (``locations.source_root``: ``--source-root``, else the git work tree holding it, else the
  current directory), wherever the gate runs. A resource without a known source (a finding
  on the stack naming no export) is located at the program's ``Pulumi.yaml`` line 1; without
  a program directory, there is no physical location. A file outside ``base`` gets an
  absolute ``file:`` URI. Every location also names the resource as a logical location (kind
  ``resource``, fully qualified name = URN).
- ``partialFingerprints.primaryLocationLineHash``: SHA-256 of policy, URN and message. GitHub
  uses only this key, and upload-sarif keeps a value it finds (logging a mismatch warning);
  its own line-content hash would merge resources declared on one line (a loop) into one alert.
- an exempted violation (``violation.exemption`` with ``reason`` and ``expires``) keeps its
  result, with a ``suppressions`` entry (kind external, status accepted, justification =
  reason), so the alert is shown as suppressed rather than disappearing.
- not-applicable results and diagnostics become ``toolExecutionNotifications`` (level note).

Every string taken from the run passes through the ``Redactor``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..capture import Capture, Resource
from ..results import Diagnostic, NotApplicable, Outcome, PolicyMeta, Violation
from ..wire import urn_name
from .links import web_url
from .locations import SourceLine, finding_source, project_file, relative_to, source_root
from .redact import Redactor

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "policy-gate"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "primaryLocationLineHash"

_LEVEL_BY_SEVERITY = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "5.0", "low": "3.0"}
_GITHUB_TEXT_LIMIT = 1024  # shortDescription and fullDescription


def level_for(enforcement: str, severity: str) -> str:
    level = _LEVEL_BY_SEVERITY.get(severity, "warning")
    if enforcement == "advisory" and level == "error":
        return "warning"
    return level


def fingerprint(policy: str, urn: str, message: str) -> str:
    return hashlib.sha256("\x00".join((policy, urn, message)).encode("utf-8")).hexdigest()


def to_sarif(outcome: Outcome, capture: Capture, redact: Redactor, base: Path | None = None) -> dict[str, Any]:
    root = (base or source_root(capture)).resolve()
    metas = _all_policies(outcome)
    index = {meta.name: i for i, meta in enumerate(metas)}
    by_urn = capture.by_urn()
    results = [_result(v, index[v.policy], by_urn.get(v.urn), capture, root, redact) for v in outcome.violations]
    run: dict[str, Any] = {
        "tool": _tool(outcome, metas, redact),
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": _notifications(outcome, redact)}],
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(root)}},
        "automationDetails": {"id": redact(f"{TOOL_NAME}/{capture.project}/{capture.stack}/")},
        "results": results,
        "properties": {"preview": outcome.dry_run, "resourcesAnalysed": outcome.resources, "resourcesJudged": outcome.judged},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _all_policies(outcome: Outcome) -> list[PolicyMeta]:
    """The pack's policies, then any a violation names that the pack did not describe."""
    known = {m.name for m in outcome.policies}
    extra: dict[str, PolicyMeta] = {}
    for v in outcome.violations:
        if v.policy not in known and v.policy not in extra:
            extra[v.policy] = PolicyMeta(v.policy, v.description, v.level, v.severity)
    return [*outcome.policies, *(extra[name] for name in sorted(extra))]


def _tool(outcome: Outcome, metas: Iterable[PolicyMeta], redact: Redactor) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": TOOL_NAME, "rules": [_rule(m, redact) for m in metas]}
    pack: dict[str, Any] = {"name": redact(outcome.pack_name or "policy-pack")}
    if outcome.pack_version:
        driver["version"] = pack["version"] = redact(outcome.pack_version)
        driver["fullName"] = redact(f"{TOOL_NAME} with {outcome.pack_name}@{outcome.pack_version}")
    return {"driver": driver, "extensions": [pack]}


def _rule(meta: PolicyMeta, redact: Redactor) -> dict[str, Any]:
    description = redact(meta.description.strip() or meta.name)
    remediation = redact(meta.remediation.strip())
    properties: dict[str, Any] = {"tags": list(dict.fromkeys(redact(t) for t in _tags(meta))), "precision": "very-high",
                                  "enforcementLevel": meta.level, "severity": meta.severity}
    if meta.severity in _SECURITY_SEVERITY:
        properties["security-severity"] = _SECURITY_SEVERITY[meta.severity]
    url = web_url(redact(meta.url))
    rule: dict[str, Any] = {
        "id": redact(meta.name),
        "name": redact(meta.heading),
        # GitHub shows the short description next to each alert: the rule's title when the pack gives one.
        "shortDescription": {"text": _clip(redact(meta.title.strip()) or _first_sentence(description))},
        "fullDescription": {"text": _clip(description)},
        "help": _help(description, remediation, redact(meta.framework), url),
        "defaultConfiguration": {"level": level_for(meta.level, meta.severity)},
        "properties": properties,
    }
    if url:
        rule["helpUri"] = url
    return rule


def _tags(meta: PolicyMeta) -> list[str]:
    tags = list(meta.tags)
    # The pack may already carry the framework as "<source>:<id>"; add it only when absent.
    if meta.framework and not any(t == meta.framework or t.endswith(":" + meta.framework) for t in tags):
        tags.append(f"framework:{meta.framework}")
    if meta.severity in _SECURITY_SEVERITY:
        tags.append("security")
    return tags


def _help(description: str, remediation: str, framework: str, url: str | None) -> dict[str, str]:
    text = remediation or description
    markdown = [description]
    if remediation:
        markdown.append(f"**Remediation:** {remediation}")
    if framework:
        markdown.append(f"**Compliance reference:** {framework}")
    if url:
        markdown.append(f"[Documentation]({url})")
    return {"text": text, "markdown": "\n\n".join(markdown)}


def _result(v: Violation, rule_index: int, resource: Resource | None, capture: Capture, base: Path,
            redact: Redactor) -> dict[str, Any]:
    message = redact(v.message.strip() or v.description.strip() or v.policy)
    urn = redact(v.urn)
    resource_type = v.type or (resource.type if resource else "")
    result: dict[str, Any] = {
        "ruleId": redact(v.policy),
        "ruleIndex": rule_index,
        "level": level_for(v.level, v.severity),
        "message": {"text": f"{redact(v.resource_name)}: {message}" if v.resource_name else message},
        "locations": [_location(v, resource, resource_type, capture, base, redact)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(redact(v.policy), urn, message)},
        "properties": {"enforcementLevel": v.level, "severity": v.severity, "resourceType": redact(resource_type)},
    }
    exemption = getattr(v, "exemption", None)
    if exemption is not None:
        result["suppressions"] = [_suppression(exemption, redact)]
    return result


def _location(v: Violation, resource: Resource | None, resource_type: str, capture: Capture, base: Path,
              redact: Redactor) -> dict[str, Any]:
    location: dict[str, Any] = {}
    where = finding_source(v.urn, v.message, resource, capture) or project_file(capture)
    if where is not None:
        location["physicalLocation"] = _physical(where, base, redact)
    logical: dict[str, Any] = {"name": redact(v.resource_name), "fullyQualifiedName": redact(v.urn), "kind": "resource"}
    if resource_type:
        logical["properties"] = {"resourceType": redact(resource_type)}
    location["logicalLocations"] = [logical]
    return location


def _physical(where: SourceLine, base: Path, redact: Redactor) -> dict[str, Any]:
    relative = relative_to(where.path, base)
    if relative is not None:
        artifact = {"uri": redact(quote(relative, safe="/")), "uriBaseId": SRCROOT}
    else:
        artifact = {"uri": redact(where.path.resolve().as_uri())}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if where.line > 0:
        physical["region"] = {"startLine": where.line}
    return physical


def _suppression(exemption: Any, redact: Redactor) -> dict[str, Any]:
    suppression: dict[str, Any] = {"kind": "external", "status": "accepted",
                                   "justification": redact(str(getattr(exemption, "reason", "") or ""))}
    expires = getattr(exemption, "expires", None)
    if expires is not None:
        suppression["properties"] = {"expires": redact(expires.isoformat() if hasattr(expires, "isoformat") else str(expires))}
    return suppression


def _notifications(outcome: Outcome, redact: Redactor) -> list[dict[str, Any]]:
    notes = [_not_applicable(n, redact) for n in outcome.not_applicable]
    notes += [_diagnostic(d, redact) for d in outcome.diagnostics]
    notes += [{"level": "warning", "message": {"text": redact(w) or "-"}} for w in outcome.warnings]
    return notes


def _not_applicable(n: NotApplicable, redact: Redactor) -> dict[str, Any]:
    return _note(f"{n.policy} not applicable: {n.reason}", n.policy, n.urn, redact)


def _diagnostic(d: Diagnostic, redact: Redactor) -> dict[str, Any]:
    return _note(d.message, d.policy, d.urn, redact)


def _note(text: str, policy: str, urn: str, redact: Redactor) -> dict[str, Any]:
    note: dict[str, Any] = {"level": "note", "message": {"text": redact(text) or "-"}}
    if policy:
        note["associatedRule"] = {"id": redact(policy)}
    if urn:
        note["locations"] = [{"logicalLocations": [_logical_urn(urn, redact)]}]
    return note


def _logical_urn(urn: str, redact: Redactor) -> Mapping[str, str]:
    return {"name": redact(urn_name(urn)), "fullyQualifiedName": redact(urn), "kind": "resource"}


def _directory_uri(directory: Path) -> str:
    uri = directory.as_uri()
    return uri if uri.endswith("/") else uri + "/"  # SARIF: a base URI ends with a slash


def _first_sentence(text: str) -> str:
    for end in (". ", ".\n"):
        cut = text.find(end)
        if cut != -1:
            return text[:cut + 1]
    return text


def _clip(text: str, limit: int = _GITHUB_TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
