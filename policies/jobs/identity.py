"""job-identity: every job definition runs under an allowed identity type."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.options import flag, strings
from ..core.rule import SDK_ADVISORY, ResourceRule
from ..core.samples import Sample
from . import samples as js
from .model import JOB_TYPES, TRIAL, JobNode, per_node

KNOWN_IDENTITY_TYPES: Final = ("AMLToken", "Managed", "UserIdentity", "aml_token", "managed", "user_identity")


def _identity(node: JobNode) -> tuple[str, Any]:
    """(path, value) of a definition's identity object (MISSING when none is set)."""
    key = p.first_key(node.body, "identity")
    value = p.get(node.body, [key]) if key else p.MISSING
    return node.child_path(key or "identity"), value if p.present(value) else p.MISSING


def _inherits_identity(node: JobNode) -> bool:
    """A step directly under the root pipeline runs with the root's identity when it sets none; Azure
    does not pass identities down through nested pipeline steps (serverless compute docs)."""
    parent = node.parent
    return parent is not None and parent.parent is None and _identity(parent)[1] is not p.MISSING


def _job_identity(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    if node.kind == TRIAL:
        return  # a trial runs under its sweep's identity
    allowed = [a for a in config["allowedIdentityTypes"] if isinstance(a, str)]
    listing = ", ".join(allowed) or "none"
    path, identity = _identity(node)
    if identity is p.MISSING:
        if node.runs_work and not config["allowAbsent"] and not _inherits_identity(node):
            yield f"{path} is not set, so the job runs with the default AMLToken identity; allowed: {listing}."
        return
    if not isinstance(identity, Mapping):
        yield f"{path} is {p.type_name(identity)}, not an identity object; allowed: {listing}."
        return
    type_key = p.first_key(identity, "identityType", "type")
    value = p.get(identity, [type_key]) if type_key else p.MISSING
    path = f"{path}.{type_key or 'identityType'}"
    if not p.present(value):
        yield f"{path} is not set; allowed: {listing}."
    elif not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not an identity type; allowed: {listing}."
    elif p.norm_key(value) not in {p.norm_key(a) for a in allowed}:
        yield f"{path} is {quote_known(value, (*KNOWN_IDENTITY_TYPES, *allowed))}, which is not allowed; allowed: {listing}."


job_identity = ResourceRule(
    name="job-identity",
    title="Jobs run under an allowed identity",
    description="Every job definition must run under an allowed identity type; an absent identity means Azure's AMLToken.",
    details="Every job definition (also in schedules and pipeline steps) must run under an allowed identity type. "
    "An absent identity means Azure's AMLToken default and is a violation unless allowAbsent; a pipeline step without "
    "one inherits the root pipeline's.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set identity.identityType (in pipeline steps identity.type) to Managed or UserIdentity on each job, "
    "or on each step of a pipeline, and grant that identity the data access the job needs.",
    unknowns=f"An identity unknown during preview: {SDK_ADVISORY}, after the definitions that can be judged are reported.",
    topics=("identity", "data-access"),
    frameworks=(fw.MCSB_IM3,),
    types=JOB_TYPES,
    enforce={"allowAbsent": False},
    options=(
        strings("allowedIdentityTypes", ["Managed", "UserIdentity"], "Identity types a job may run under (AMLToken, "
                "Managed, UserIdentity; compared ignoring case and underscores, so user_identity == UserIdentity)."),
        flag("allowAbsent", False, "Accept jobs that set no identity (they run with the AMLToken default)."),
    ),
    check=per_node(_job_identity),
    samples=(
        Sample("managed", js.job(js.command())),
        Sample("2.x managed", js.job_an2(js.command())),
        Sample("user identity, snake_case", js.job({"job_type": "Command", "identity": {"identity_type": "UserIdentity"}})),
        Sample("sweep: trial not judged", js.job(js.sweep())),
        Sample("pipeline: steps inherit the root identity", js.job(js.pipeline(
            {"a": js.step(identity=None), "b": js.step(identity={"type": "user_identity"})}, identity=js.MANAGED))),
        Sample("absent allowed by config", js.job({"jobType": "Command"}), config={"allowAbsent": True}),
        Sample("AMLToken allowed by config", js.schedule(js.command(identity={"identityType": "AMLToken"})), type=t.SCHEDULE,
               config={"allowedIdentityTypes": ["AMLToken", "Managed"]}),
        Sample("absent", js.job({"jobType": "Command", "command": "x"}),
               ("properties.identity is not set, so the job runs with the default AMLToken identity",)),
        Sample("aml token", js.job(js.command(identity={"identityType": "AMLToken"})),
               ("properties.identity.identityType is 'AMLToken', which is not allowed",)),
        Sample("2.x aml token", js.job_an2(js.command(identity={"identityType": "AMLToken"})),
               ("jobBaseProperties.identity.identityType is 'AMLToken', which is not allowed",), type=js.VERSIONED_JOB),
        Sample("2.x schedule without identity", js.schedule_an2(js.command(identity=None)),
               ("scheduleProperties.action.jobBaseProperties.identity is not set",), type=t.SCHEDULE),
        Sample("wrong types", js.job(js.pipeline({"a": js.step(identity="managed"), "b": js.step(identity={"type": 1.0})},
                                             identity=js.MANAGED)),
               ("properties.jobs.a.identity is a string", "properties.jobs.b.identity.type is a number")),
        Sample("identity without a type", js.job(js.command(identity={"clientId": "x"})),
               ("properties.identity.identityType is not set",)),
        Sample("nested pipeline steps do not inherit", js.job(js.pipeline({"inner": {"type": "pipeline", "jobs": {
            "s": js.step(identity=None)}}}, identity=js.MANAGED)),
            ("properties.jobs.inner.jobs.s.identity is not set",)),
        Sample("pipeline without identity", js.schedule(js.pipeline({"a": js.step(identity=None),
                                                                 "b": js.step(identity={"type": "aml_token"})})),
               ("jobDefinition.jobs.a.identity is not set", "jobDefinition.jobs.b.identity.type is 'aml_token'"),
               type=t.SCHEDULE),
        Sample("unknown value not quoted", js.job(js.command(identity={"identityType": "Sp-9x"})),
               ("a value outside the known set (not shown)",)),
    ),
)
