"""A rule's own samples: resources (or whole stacks) it must judge a given way.

Every rule carries compliant and non-compliant samples in its declaration; the tests run each
one through the SDK's argument objects and through the pack process, so a sample is both
documentation and a test case (the way gatekeeper-library keeps each policy's cases beside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .types import STACK


@dataclass(frozen=True)
class Sample:
    """A resource the rule must judge a given way: ``violations`` holds one expected substring
    per violation message (empty: compliant)."""

    name: str
    props: Mapping[str, Any]
    violations: tuple[str, ...] = ()
    type: str = ""  # defaults to the rule's first type
    config: Mapping[str, Any] = field(default_factory=dict)
    # For rules with a fix: the values the fix must set (dotted path -> value); the fixed
    # resource must then pass the rule.
    fixed: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SampleResource:
    type: str
    name: str
    props: Mapping[str, Any]
    parent: str = ""
    # Names of other sample resources this one depends on, per property ("" for plain dependencies).
    depends_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def urn(self, stack: str = "dev", project: str = "sample") -> str:
        return f"urn:pulumi:{stack}::{project}::{self.type}::{self.name}"


@dataclass(frozen=True)
class StackSample:
    """A whole stack (root stack first by convention) the stack rule must judge a given way."""

    name: str
    resources: tuple[SampleResource, ...]
    violations: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)


def sample_stack(*resources: SampleResource) -> tuple[SampleResource, ...]:
    """A stack sample's resources: the root stack (no exports) first, then ``resources``."""
    return (SampleResource(STACK, "sample-dev", {}), *resources)
