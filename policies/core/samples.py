"""A rule's own samples: resources (or whole stacks) it must judge a given way.

Every rule carries compliant and non-compliant samples in its declaration; the tests run each
one through the SDK's argument objects and through the pack process, so a sample is both
documentation and a test case (the way gatekeeper-library keeps each policy's cases beside it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .providers import Provider, provider_of
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
    # The provider the bag is written for, where its token and body cannot tell (azure-native 2.x
    # and 3.x share unversioned tokens, and flat types look alike): tests build the bag with that
    # provider's SDK classes (tests/test_samples_sdk.py).
    provider: Provider | None = None
    sdk: bool = True  # False: a bag no SDK class can produce on purpose (a key it does not have)
    resource: str = ""  # the resource's logical name, where the rule reads it (tests choose one otherwise)

    def provider_for(self, default_type: str) -> Provider:
        return self.provider or provider_of(self.type or default_type, self.props)


@dataclass(frozen=True)
class SampleResource:
    type: str
    name: str
    props: Mapping[str, Any]
    parent: str = ""
    # Names of other sample resources this one depends on, per property ("" for plain dependencies).
    depends_on: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    provider: Provider | None = None  # as for ``Sample``
    sdk: bool = True

    def provider_for(self) -> Provider:
        return self.provider or provider_of(self.type, self.props)

    def urn(self, stack: str = "dev", project: str = "sample") -> str:
        return f"urn:pulumi:{stack}::{project}::{self.type}::{self.name}"


@dataclass(frozen=True)
class StackSample:
    """A whole stack (root stack first by convention) the stack rule must judge a given way."""

    name: str
    resources: tuple[SampleResource, ...]
    violations: tuple[str, ...] = ()
    config: Mapping[str, Any] = field(default_factory=dict)
    # A fragment of the unknown-value message the rule must end with, after reporting the
    # violations (during preview: the SDK's advisory "can't run policy" diagnostic); "" for none.
    unknown: str = ""


def sample_stack(*resources: SampleResource) -> tuple[SampleResource, ...]:
    """A stack sample's resources: the root stack (no exports) first, then ``resources``."""
    return (SampleResource(STACK, "sample-dev", {}), *resources)


SAMPLE_GROUP_ID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"


def ml_id(*path: str, namespace: str = "Microsoft.MachineLearningServices") -> str:
    """A sample ARM id below the sample resource group: ``ml_id("workspaces", "ws", "computes", "c")``.
    Stack samples hold outputs as AnalyzeStack sends them, and a provider's outputs hold the id."""
    return f"{SAMPLE_GROUP_ID}/providers/{namespace}/" + "/".join(path)
