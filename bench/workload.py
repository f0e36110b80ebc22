"""The requests the figures send, built by the gate's own request builders, so they are the
requests the gate sends: the reference stack's resources and every resource rule's samples
(Analyze), and synthetic stacks (AnalyzeStack, ``stacks``)."""

from __future__ import annotations

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from policies import RULES, ResourceRule
from policy_gate.analyzer import analyze_request
from policy_gate.capture import Capture, Resource


def analyze_requests(capture: Capture) -> list[analyzer_pb2.AnalyzeRequest]:
    by_urn = capture.by_urn()
    return [analyze_request(r, r.inputs, by_urn) for r in capture.resources if not r.is_root_stack and not r.is_provider]


def sample_requests() -> tuple[list[analyzer_pb2.AnalyzeRequest], int]:
    """One Analyze request per sample of every resource rule (config samples included: the pack
    judges them with the configured defaults). Returns the requests and how many samples could
    not be put on the wire."""
    requests, skipped = [], 0
    for rule in RULES:
        if not isinstance(rule, ResourceRule):
            continue
        for index, sample in enumerate(rule.samples):
            type_token = sample.type or rule.types[0]
            resource = Resource(urn=f"urn:pulumi:bench::samples::{type_token}::{rule.name}-{index}", type=type_token,
                                name=f"{rule.name}-{index}", inputs=dict(sample.props))
            try:
                requests.append(analyze_request(resource, resource.inputs, {}))
            except (json_format.ParseError, TypeError, ValueError):
                skipped += 1
    return requests, skipped
