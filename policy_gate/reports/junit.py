"""JUnit XML for CI test dashboards (Jenkins, GitLab, Azure DevOps, GitHub test-report actions).

Shape: ``<testsuites>`` named after the pack, one ``<testsuite>`` per policy (dashboards then
list each rule with its pass/fail count, which is how a compliance report is read), and in
each one test case per subject: every resource the gate analysed (but default providers, which
the program did not declare) and the root stack, where stack-level findings land. A test case
``<policy> on <resource name>``, ``classname`` the resource type, passes when the policy
reported nothing about that resource. The analyzer protocol does not say which resource types
a policy applies to, so a pass also covers resources the policy does not look at.

- ``<failure>`` per violation: ``message`` = policy + message, ``type`` = enforcement level
  (advisory violations are failures too, typed ``advisory``; the gate's exit code is what
  decides), the body the details (severity, URN, the rule's title, description, remediation
  and documentation link). Each suite's ``<properties>`` carry the rule's metadata (title,
  description, level, severity, framework, remediation, url).
- ``<skipped>`` when the policy said it was not applicable, could not be judged during preview,
  or every violation was exempted (message = the reason). Failures win over skips; the skip
  reasons of a failed case are kept in ``<system-out>``.
- ``file``/``line`` attributes from the resource's source when known (path relative to the
  current directory when below it): GitLab reads ``file``, test-report actions such as
  mikepenz/action-junit-report read both, though no published JUnit XSD declares them on
  ``<testcase>`` (the tests validate everything else against Jenkins' junit-10.xsd).
- No timestamps, hostnames or durations (``time="0"``): the same outcome gives the same bytes.

Written with ``xml.etree`` rather than junitparser: junitparser serialises through lxml when it
is installed and ElementTree otherwise (different bytes per environment), writes a ``skipped``
count on ``<testsuites>`` that the Jenkins junit-10 schema rejects, merges suites that share a
name, and needs a subclass for ``file``/``line`` anyway.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture import Capture, Resource
from ..results import Outcome, PolicyMeta, Violation
from ..wire import urn_name, urn_type
from .links import web_url
from .locations import declared_at, relative_to, source_root
from .redact import Redactor

# Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR; lone surrogates).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class _Subject:
    urn: str
    name: str
    type: str
    resource: Resource | None = None


@dataclass
class _Findings:
    """What one policy reported about one subject."""

    failures: list[Violation] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)


def to_junit(outcome: Outcome, capture: Capture, redact: Redactor, base: Path | None = None) -> str:
    """``base``: what ``file`` attributes are relative to (default ``locations.source_root``)."""
    root_dir = (base or source_root(capture)).resolve()
    findings = _findings(outcome)
    subjects = _subjects(outcome, capture)
    root = ET.Element("testsuites", {"name": _clean(redact(f"{outcome.pack_name}@{outcome.pack_version}"))})
    suites = [_suite(meta, subjects, findings, capture, redact, root_dir) for meta in _all_policies(outcome)]
    if outcome.warnings:
        suites.append(_warnings(outcome.warnings, redact, outcome.empty))
    root.extend(suites)
    _count(root, suites)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _all_policies(outcome: Outcome) -> list[PolicyMeta]:
    known = {m.name for m in outcome.policies}
    named = [v.policy for v in outcome.violations] + [n.policy for n in outcome.not_applicable]
    named += [d.policy for d in outcome.diagnostics if d.kind == "unknown" and d.policy]
    extra = sorted({p for p in named if p not in known})
    return [*outcome.policies, *(PolicyMeta(p, "", "", "") for p in extra)]


def _subjects(outcome: Outcome, capture: Capture) -> list[_Subject]:
    subjects = {r.urn: _Subject(r.urn, r.name or urn_name(r.urn), r.type, r) for r in capture.analysed()
                if not (r.is_provider and r.name.startswith("default"))}
    # Findings about a URN the capture does not hold still get a test case, after the rest.
    for v in outcome.violations:
        subjects.setdefault(v.urn, _Subject(v.urn, urn_name(v.urn), v.type or urn_type(v.urn)))
    for urn in [n.urn for n in outcome.not_applicable] + [d.urn for d in outcome.diagnostics if d.kind == "unknown"]:
        if urn:
            subjects.setdefault(urn, _Subject(urn, urn_name(urn), urn_type(urn)))
    return list(subjects.values())


def _findings(outcome: Outcome) -> dict[tuple[str, str], _Findings]:
    found: dict[tuple[str, str], _Findings] = defaultdict(_Findings)
    for v in outcome.violations:
        exemption = getattr(v, "exemption", None)
        if exemption is None:
            found[(v.policy, v.urn)].failures.append(v)
        else:
            found[(v.policy, v.urn)].skips.append(_exempted(exemption))
    for n in outcome.not_applicable:
        found[(n.policy, n.urn)].skips.append(f"not applicable: {n.reason}")
    for d in outcome.diagnostics:
        if d.kind == "unknown" and d.policy:
            found[(d.policy, d.urn)].skips.append(f"not judged during preview: {d.message}")
    return found


def _exempted(exemption: Any) -> str:
    expires = getattr(exemption, "expires", None)
    until = f" (until {expires.isoformat() if hasattr(expires, 'isoformat') else expires})" if expires else ""
    return f"exempted: {getattr(exemption, 'reason', '')}{until}"


def _suite(meta: PolicyMeta, subjects: Iterable[_Subject], findings: dict[tuple[str, str], _Findings], capture: Capture,
           redact: Redactor, base: Path) -> ET.Element:
    suite = ET.Element("testsuite", {"name": _clean(redact(meta.name))})
    described = [(k, v) for k, v in (("title", meta.title), ("description", meta.description),
                                      ("enforcementLevel", meta.level), ("severity", meta.severity),
                                      ("framework", meta.framework), ("remediation", meta.remediation),
                                      ("url", web_url(redact(meta.url)) or "")) if v]
    if described:
        properties = ET.SubElement(suite, "properties")
        for name, value in described:
            ET.SubElement(properties, "property", {"name": name, "value": _clean(redact(value))})
    empty = _Findings()
    cases = [_case(meta, s, findings.get((meta.name, s.urn), empty), capture, redact, base) for s in subjects]
    suite.extend(cases)
    _count(suite, cases)
    return suite


def _warnings(warnings: list[str], redact: Redactor, empty: bool = False) -> ET.Element:
    """A suite that carries the run's warnings (what was not checked as written) in
    ``<system-err>``, where dashboards show a suite's output; for a run in which nothing reached
    the pack for judging, also a skipped test case saying so, which dashboards count."""
    suite = ET.Element("testsuite", {"name": "policy-gate warnings"})
    cases = []
    if empty:
        case = ET.SubElement(suite, "testcase", {"name": "resources judged", "classname": "policy-gate", "time": "0"})
        ET.SubElement(case, "skipped", {"message": "no resource reached the policy pack for judging"})
        cases.append(case)
    ET.SubElement(suite, "system-err").text = "\n".join(_clean(redact(w)) for w in warnings)
    _count(suite, cases)
    return suite


def _case(meta: PolicyMeta, subject: _Subject, found: _Findings, capture: Capture, redact: Redactor,
          base: Path) -> ET.Element:
    case = ET.Element("testcase", {"name": _clean(redact(f"{meta.name} on {subject.name}")),
                                   "classname": _clean(redact(subject.type or "unknown")), "time": "0"})
    where = declared_at(subject.resource, capture)
    if where is not None:
        case.set("file", _clean(redact(relative_to(where.path, base) or str(where.path))))
        if where.line > 0:
            case.set("line", str(where.line))
    for v in found.failures:
        failure = ET.SubElement(case, "failure", {"message": _clean(redact(f"{v.policy}: {v.message or v.description}")),
                                                  "type": v.level or "violation"})
        failure.text = _clean(redact(_details(v, meta)))
    skips = [_clean(redact(s)) for s in found.skips]
    if skips and found.failures:
        ET.SubElement(case, "system-out").text = "\n".join(skips)
    elif skips:
        ET.SubElement(case, "skipped", {"message": skips[0]}).text = "\n".join(skips)
    return case


def _details(v: Violation, meta: PolicyMeta) -> str:
    lines = [v.message or v.description, f"resource: {v.urn}", f"severity: {v.severity or '-'}"]
    if meta.title:
        lines.append(f"rule: {meta.title}")
    if meta.description:
        lines.append(f"policy: {meta.description}")
    if meta.remediation:
        lines.append(f"remediation: {meta.remediation}")
    if web_url(meta.url):
        lines.append(f"documentation: {web_url(meta.url)}")
    return "\n".join(lines)


def _count(parent: ET.Element, children: list[ET.Element]) -> None:
    """tests/failures/errors(/skipped) from the children: test cases for a suite, suites for the root."""
    if parent.tag == "testsuites":
        totals = {k: sum(int(c.get(k, "0")) for c in children) for k in ("tests", "failures", "errors")}
    else:
        totals = {"tests": len(children), "failures": sum(c.find("failure") is not None for c in children),
                  "errors": 0, "skipped": sum(c.find("skipped") is not None for c in children)}
    for key, value in totals.items():
        parent.set(key, str(value))
    parent.set("time", "0")


def _clean(text: str) -> str:
    """``text`` with characters XML cannot hold shown as ``\\xNN`` (a policy message may carry
    terminal escapes; left raw they would make the whole report unreadable)."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
