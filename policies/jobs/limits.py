"""job-limits: command jobs, sweeps and AutoML jobs bound their run time and trials."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.durations import parse_duration
from ..core.options import flag, integer, number
from ..core.rule import ResourceRule, unknown_advisory
from ..core.samples import Sample
from . import samples as js
from .model import JOB_TYPES, JobNode, per_node


def _limits(node: JobNode, *path: str) -> tuple[str, Mapping[str, Any] | None]:
    """(path, mapping) of the limits object at ``path`` below the definition (any spelling)."""
    where: str = node.path
    body: Mapping[str, Any] | None = node.body
    for name in path:
        key = p.first_key(body, name)
        where = f"{where}.{key or name}"
        value = p.get(body, [key]) if key else None
        body = value if isinstance(value, Mapping) else None
    return where, body


def _read(limits: Mapping[str, Any] | None, base: str, name: str) -> tuple[str, Any]:
    key = p.first_key(limits, name)
    value = p.get(limits, [key]) if limits is not None and key else p.MISSING
    return f"{base}.{key or name}", value if p.present(value) else p.MISSING


def _duration_at_most(path: str, value: Any, max_hours: Any) -> Iterator[str]:
    seconds = parse_duration(value)
    if seconds is None:
        yield f"{path} is {p.type_name(value) if not isinstance(value, str) else 'not a duration'}; write an ISO-8601 " \
              "duration such as PT2H (or a number of seconds)."
    elif isinstance(max_hours, (int, float)) and seconds > max_hours * 3600:
        yield f"{path} is longer than maxTimeoutHours ({max_hours:g} hours)."


def _count_at_most(path: str, value: Any, limit: Any, key: str) -> Iterator[str]:
    number = p.as_number(value)
    if number is None:
        yield f"{path} is {p.type_name(value)}, not a number of trials."
    elif not number.is_integer() or number < 1:
        yield f"{path} is not a whole number of at least 1."
    elif isinstance(limit, (int, float)) and number > limit:
        yield f"{path} exceeds {key} ({limit:g})."


def _command_limits(node: JobNode, config: Mapping[str, Any], required: bool) -> Iterator[str]:
    base, limits = _limits(node, "limits")
    path, timeout = _read(limits, base, "timeout")
    if timeout is p.MISSING:
        if required:
            yield f"{path} is not set, so the job can run without a time limit; set it to at most " \
                  f"{config['maxTimeoutHours']:g} hours (maxTimeoutHours)."
        return
    yield from _duration_at_most(path, timeout, config["maxTimeoutHours"])


def _sweep_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    base, limits = _limits(node, "limits")
    total_path, total = _read(limits, base, "maxTotalTrials")
    concurrent_path, concurrent = _read(limits, base, "maxConcurrentTrials")
    if total is p.MISSING:
        yield f"{total_path} is not set, so the sweep is unbounded; set it to at most {config['maxTotalTrials']:g} (maxTotalTrials)."
    else:
        yield from _count_at_most(total_path, total, config["maxTotalTrials"], "maxTotalTrials")
    if concurrent is not p.MISSING:
        yield from _count_at_most(concurrent_path, concurrent, config["maxConcurrentTrials"], "maxConcurrentTrials")
    elif (total_number := p.as_number(total)) is None or total_number > config["maxConcurrentTrials"]:
        yield f"{concurrent_path} is not set, so every trial may run at once; set it to at most " \
              f"{config['maxConcurrentTrials']:g} (maxConcurrentTrials)."
    timeouts = [_read(limits, base, name) for name in ("timeout", "trialTimeout")]
    for path, value in timeouts:
        if value is not p.MISSING:
            yield from _duration_at_most(path, value, config["maxTimeoutHours"])
    if config["requireTimeout"] and all(value is p.MISSING for _, value in timeouts):
        yield f"{base} sets neither timeout nor trialTimeout, so the sweep has no time limit."


def _automl_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    """AutoML limits are judged when set: Azure's defaults (e.g. a 6-hour timeout) bound an unset one."""
    base, limits = _limits(node, "taskDetails", "limitSettings")
    for name in ("timeout", "trialTimeout"):
        path, value = _read(limits, base, name)
        if value is not p.MISSING:
            yield from _duration_at_most(path, value, config["maxTimeoutHours"])
    for name, key in (("maxTrials", "maxTotalTrials"), ("maxConcurrentTrials", "maxConcurrentTrials")):
        path, value = _read(limits, base, name)
        if value is not p.MISSING:
            yield from _count_at_most(path, value, config[key], key)


def _job_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    if node.kind == "command":
        yield from _command_limits(node, config, required=bool(config["requireTimeout"]))
    elif node.kind == "pipeline":
        yield from _command_limits(node, config, required=False)  # Azure has no pipeline timeout; its steps have
    elif node.kind == "sweep":
        yield from _sweep_limits(node, config)
    elif node.kind == "automl":
        yield from _automl_limits(node, config)


job_limits = ResourceRule(
    name="job-limits",
    title="Jobs have time and trial limits",
    description="Command jobs must set a bounded timeout, and sweeps must bound their trials and their run time.",
    details="Command jobs (also pipeline steps and scheduled jobs) must set limits.timeout (ISO-8601, or seconds in "
    "steps) of at most maxTimeoutHours; an absent timeout means no limit and is a violation while requireTimeout. "
    "Sweeps must bound maxTotalTrials and maxConcurrentTrials (absent total: unbounded; absent concurrency: all trials "
    "at once) and set timeout or trialTimeout. Pipelines have no timeout of their own (their steps are judged); AutoML "
    "limit settings are judged when set. Spark and parallel jobs are not judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set limits.timeout (e.g. PT4H) on command jobs and command pipeline steps, and on sweeps "
    "limits.maxTotalTrials, limits.maxConcurrentTrials and limits.timeout or limits.trialTimeout within this policy's "
    "config (maxTimeoutHours, maxTotalTrials, maxConcurrentTrials).",
    unknowns=unknown_advisory("limit", after="the definitions that can be judged are reported"),
    topics=("cost", "resource-usage"),
    types=JOB_TYPES,
    options=(
        number("maxTimeoutHours", 24, "Longest timeout (job, sweep or trial) in hours."),
        flag("requireTimeout", True, "Require a timeout on command jobs and sweeps."),
        integer("maxTotalTrials", 100, "Most trials a sweep (or AutoML job) may run."),
        integer("maxConcurrentTrials", 8, "Most trials a sweep (or AutoML job) may run at once."),
    ),
    check=per_node(_job_limits),
    samples=(
        Sample("command", js.job(js.command())),
        Sample("day and hours at the limit", js.job(js.command(limits={"timeout": "P1DT0H"}))),
        Sample("sweep, floats", js.job(js.sweep())),
        Sample("sweep, trial timeout only, few trials", js.job(js.sweep({"max_total_trials": 6, "trial_timeout": "PT30M"}))),
        Sample("pipeline steps in seconds, 2.x versioned module", js.job_an2(js.pipeline({
            "a": js.step(limits={"timeout": 7200}), "b": js.step(limits={"timeout": "3600"}),
            "tune": {"type": "sweep", "trial": {"componentId": "azureml:t:1"},
                     "limits": {"max_total_trials": 20, "max_concurrent_trials": 4, "timeout": 7200}}})),
            type=js.VERSIONED_JOB),
        Sample("automl within limits", js.job({"jobType": "AutoML", "taskDetails": {"taskType": "Regression",
               "limitSettings": {"timeout": "PT6H", "maxTrials": 50.0, "maxConcurrentTrials": 4.0}}})),
        Sample("timeout optional by config", js.job(js.command(limits=None)), config={"requireTimeout": False}),
        Sample("longer limit by config", js.schedule(js.command(limits={"timeout": "PT48H"})), type=t.SCHEDULE,
               config={"maxTimeoutHours": 72}),
        Sample("no timeout", js.job(js.command(limits=None)),
               ("properties.limits.timeout is not set, so the job can run without a time limit",)),
        Sample("2.x no timeout", js.job_an2(js.command(limits=None)),
               ("jobBaseProperties.limits.timeout is not set",)),
        Sample("2.x schedule, sweep over the limit", js.schedule_an2(js.sweep({"jobLimitsType": "Sweep", "maxTotalTrials": 500,
                                                                               "maxConcurrentTrials": 4, "timeout": "PT2H"})),
               ("scheduleProperties.action.jobBaseProperties.limits.maxTotalTrials exceeds maxTotalTrials (100)",),
               type=t.SCHEDULE),
        Sample("too long", js.job(js.command(limits={"jobLimitsType": "Command", "timeout": "P2D"})),
               ("properties.limits.timeout is longer than maxTimeoutHours (24 hours)",)),
        Sample("not a duration", js.job(js.command(limits={"timeout": "2 hours"})),
               ("properties.limits.timeout is not a duration",)),
        Sample("months are not fixed", js.job(js.command(limits={"timeout": "P1M"})), ("is not a duration",)),
        Sample("unbounded sweep", js.job(js.sweep({"jobLimitsType": "Sweep"})),
               ("maxTotalTrials is not set, so the sweep is unbounded", "maxConcurrentTrials is not set",
                "sets neither timeout nor trialTimeout")),
        Sample("sweep over the limits", js.job(js.sweep({"maxTotalTrials": 500.0, "maxConcurrentTrials": 32.0,
                                                     "timeout": "PT6H", "trialTimeout": "PT30H"})),
               ("properties.limits.maxTotalTrials exceeds maxTotalTrials (100)",
                "properties.limits.maxConcurrentTrials exceeds maxConcurrentTrials (8)",
                "properties.limits.trialTimeout is longer than maxTimeoutHours")),
        Sample("sweep without concurrency, many trials", js.job(js.sweep({"maxTotalTrials": 50, "timeout": "PT2H"})),
               ("maxConcurrentTrials is not set, so every trial may run at once",)),
        Sample("wrong types", js.job(js.sweep({"maxTotalTrials": "many", "maxConcurrentTrials": 2.5, "timeout": True})),
               ("maxTotalTrials is a string", "maxConcurrentTrials is not a whole number", "timeout is a boolean")),
        Sample("pipeline steps", js.schedule(js.pipeline({"a": js.step(limits=None), "b": js.step(limits={"timeout": 172800})})),
               ("jobDefinition.jobs.a.limits.timeout is not set", "jobDefinition.jobs.b.limits.timeout is longer"),
               type=t.SCHEDULE),
        Sample("automl over the limits", js.job({"jobType": "AutoML", "taskDetails": {"limitSettings": {
            "timeout": "P3D", "maxTrials": 1000.0}}}),
            ("limitSettings.timeout is longer", "limitSettings.maxTrials exceeds maxTotalTrials (100)")),
    ),
)
