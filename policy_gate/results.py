"""What one gate run found, independent of how it is printed."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from typing import Any

from .wire import urn_name

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
SEVERITIES = ("", "low", "medium", "high", "critical")
FAIL_ON = ("mandatory", "advisory", "none")


@dataclass(frozen=True)
class PolicyMeta:
    name: str
    description: str
    level: str
    severity: str
    remediation: str = ""
    framework: str = ""
    tags: tuple[str, ...] = ()
    config_schema: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    title: str = ""  # the policy's display name (pulumi-policy 1.18+), "" when the pack gives none
    url: str = ""  # the policy's documentation link, "" when the pack gives none

    @property
    def heading(self) -> str:
        """What people read as the rule's name: its title, else its name."""
        return self.title.strip() or self.name


@dataclass(frozen=True)
class Exemption:
    """An accepted violation (loaded by ``exemptions``): a policy, a resource name glob or URN
    glob (starting with ``urn:``), a reason and an expiry date."""

    policy: str
    resource: str
    reason: str
    expires: dt.date

    def matches(self, policy: str, urn: str) -> bool:
        if policy != self.policy:
            return False
        target = urn if self.resource.startswith("urn:") else urn_name(urn)
        return fnmatch.fnmatchcase(target, self.resource)

    def describe(self) -> str:
        return f"{self.policy} on {self.resource} (expires {self.expires.isoformat()})"


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    severity: str
    urn: str
    type: str
    message: str
    description: str = ""
    exemption: Exemption | None = None

    @property
    def resource_name(self) -> str:
        return urn_name(self.urn) if self.urn else ""


@dataclass(frozen=True)
class Diagnostic:
    """Something the run could not judge or wanted to say: a policy that could not run during
    preview (``kind="unknown"``), or a log line from the pack (``kind="log"``)."""

    kind: str
    message: str
    policy: str = ""
    urn: str = ""


@dataclass(frozen=True)
class NotApplicable:
    policy: str
    urn: str
    reason: str


@dataclass(frozen=True)
class Remediation:
    policy: str
    urn: str
    diagnostic: str = ""


@dataclass
class Outcome:
    pack_name: str
    pack_version: str
    policies: list[PolicyMeta] = field(default_factory=list)
    resources: int = 0
    violations: list[Violation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)
    dry_run: bool = False
    # What was not checked as written (secure config left unset, another stack's outputs read as
    # unset, secrets in state left blinded, nothing judged at all, the program's error logs):
    # every format shows these (``checked``).
    warnings: list[str] = field(default_factory=list)
    program_errors: list[str] = field(default_factory=list)  # the program's pulumi.log.error messages
    judged: int | None = None  # resources that reached the pack for judging (``checked.judged``); None: not counted

    @property
    def empty(self) -> bool:
        """No resource reached the pack for judging: a pass would say nothing."""
        return self.judged == 0

    @property
    def mandatory(self) -> list[Violation]:
        """Mandatory violations that are not exempted."""
        return [v for v in self.violations if v.level == "mandatory" and v.exemption is None]

    def failing(self, fail_on: str = "mandatory", min_severity: str = "low") -> list[Violation]:
        """The violations that fail the run: not exempted, at a level ``fail_on`` counts
        (``advisory`` counts both levels), and at least ``min_severity`` (an unspecified
        severity counts as low)."""
        if fail_on == "none":
            return []
        floor = SEVERITIES.index(min_severity)
        levels = ("mandatory",) if fail_on == "mandatory" else ("mandatory", "advisory")
        return [v for v in self.violations if v.exemption is None and v.level in levels
                and max(SEVERITIES.index(v.severity or "low"), 1) >= floor]
