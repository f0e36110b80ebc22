"""Saved Pulumi state and previews as gate input.

Three file shapes (Pulumi's ``apitype`` JSON), turned into the same ``Capture`` a program run
produces (inputs to Analyze, outputs to AnalyzeStack):

- ``pulumi stack export``: ``{"version": 3, "deployment": {"resources": [...]}}``;
- an old-style checkpoint: ``{"checkpoint": {"latest": {"resources": [...]}}}``;
  both are state (``kind="state"``), analysed as ``pulumi policy analyze --file`` does
  (``analyzer.session``): every resource not marked ``delete``, external (read) ones included;
- ``pulumi preview --json``: ``{"steps": [{"op", "urn", "newState": {...}}], ...}``; each step's
  new state is analysed as ``pulumi preview`` analyses it (``kind="preview"``, a dry run):
  deleted resources are not, and neither are reads (``op`` ``read``/``read-replacement`` or an
  ``external`` state), which the engine never sends to an analyzer.

Secrets in state are ciphertext (``{"<sig>": "<secret sig>", "ciphertext": ...}``): decrypted
when the state's provider is the passphrase provider and a passphrase is set, else they reach
the pack as secrets whose value is the opaque string ``[secret]`` (the same word ``pulumi preview
--json`` writes for a blinded secret), with a warning (``state_secrets``). ``--show-secrets``
exports carry ``plaintext`` (the value's JSON), which is decoded and stays secret.

Every field the gate reads is checked as the CLI reads it (``apitype``): a wrong type, a value
nested too deeply, an unknown value in state or a number JSON cannot hold is a one-line usage
error naming its path; a preview file recording an error is ``IncompleteInput`` (exit 5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from . import apitype, redaction, state_secrets
from .capture import Capture, Resource
from .errors import UsageError, clip
from .files import parse_json, read_text
from .passphrase import DecryptError
from .state_secrets import StateSecrets
from .wire import SECRET_SIG, SIG_KEY, STACK_TYPE, urn_name

OPAQUE_SECRET = state_secrets.OPAQUE_SECRET
# Steps whose resource does not exist after the update: nothing to analyse.
_GONE_OPS = frozenset({"delete", "delete-replaced", "discard", "discard-replaced", "read-discard", "remove-pending-replace"})


def load(path: Path, expected: str | None = None, on_kind: Callable[[str], None] | None = None) -> Capture:
    """The capture of a state or preview file; ``on_kind`` is told the file's kind as soon as it
    is known (the CLI starts the pack then, while the file is checked)."""
    data, kind = _load(path)
    if expected and expected != kind:
        raise UsageError(f"{path} is a {_describe(kind)}, not a {_describe(expected)}")
    if on_kind is not None:
        on_kind(kind)
    if kind == "preview":
        apitype.check_diagnostics(data, str(path))
        states = _preview_states(data, path)
        dry_run = True
    else:
        states = [(state, False) for state in _state_resources(data, path)]
        dry_run = False
    for state, _ in states:  # before anything walks the values recursively
        for name in ("inputs", "outputs"):
            apitype.check_values(state.get(name), f"{path}: {state['urn']} {name}", unknowns=dry_run)
    secrets = StateSecrets.for_state(data)
    found: set[str] = set()
    try:
        resources = [_resource(state, secrets, found, read) for state, read in states]
    except DecryptError:
        secrets, found = secrets.blind(), set()
        resources = [_resource(state, secrets, found, read) for state, read in states]
    if not resources:
        raise UsageError(f"{path} holds no resources to analyse (an empty deployment)")
    for resource, (state, _) in zip(resources, states):  # after decryption: a plaintext is a JSON value too
        for name in ("inputs", "outputs"):
            bag = getattr(resource, name)
            if bag is not state.get(name):  # a bag holding no encrypted secret is the one checked above
                apitype.check_values(bag, f"{path}: {resource.urn} {name}", unknowns=dry_run)
    project, stack = _names(resources)
    warnings = [state_secrets.warning(path)] if secrets.blinded else []
    return Capture(project=project, stack=stack, dry_run=dry_run, resources=resources, warnings=warnings, kind=kind,
                   bag_secrets=found)


def _describe(kind: str) -> str:
    return {"state": "stack export or checkpoint", "preview": "preview JSON file", "program": "program directory"}[kind]


def _load(path: Path) -> tuple[Mapping[str, Any], str]:
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    data = parse_json(read_text(path), str(path))
    if isinstance(data, Mapping):
        if isinstance(data.get("deployment"), Mapping) or isinstance(data.get("checkpoint"), Mapping):
            return data, "state"
        if isinstance(data.get("steps"), list) or "changeSummary" in data:
            return data, "preview"
    raise UsageError(f"{path} is not a Pulumi stack export, checkpoint or `pulumi preview --json` file")


def _state_resources(data: Mapping[str, Any], path: Path) -> list[Mapping[str, Any]]:
    if isinstance(data.get("deployment"), Mapping):
        resources, where = data["deployment"].get("resources"), "deployment.resources"
    else:
        latest = data["checkpoint"].get("latest")
        if latest is not None and not isinstance(latest, Mapping):
            raise UsageError(f"{path}: checkpoint.latest must be an object, not {apitype.json_type(latest)}")
        resources, where = (latest or {}).get("resources"), "checkpoint.latest.resources"
    if resources is None:
        return []
    if not isinstance(resources, list):
        raise UsageError(f"{path}: {where} must be an array, not {apitype.json_type(resources)}")
    for index, state in enumerate(resources):
        apitype.check_resource(state, f"{path}: {where}[{index}]")
    live = [r for r in resources if not r.get("delete")]  # pending deletions are not part of the stack
    _one_each(((r["urn"], False) for r in live), path, "resources (neither marked for deletion)")
    return live


_READ_OPS = frozenset({"read", "read-replacement"})
# One replacement may show as several steps of one URN (``--show-replacement-steps``: pulumi/pulumi
# ``pkg/backend/display/json.go`` ``shouldShow``), each with the same new state: one resource.
_REPLACEMENT_OPS = frozenset({"replace", "create-replacement", "import-replacement", "read-replacement"})


def _one_each(urns: Iterable[tuple[str, bool]], path: Path, what: str) -> None:
    """At most one live resource per URN, as the engine holds (pulumi/pulumi
    ``pkg/resource/deploy/snapshot.go`` ``VerifyIntegrity``: "duplicate resource ... (not marked for
    deletion)"; ``step_generator.go``: a second registration is an error): a second one would
    silently hide the first from the pack. ``urns``: (URN, the step is part of a replacement)."""
    seen: dict[str, bool] = {}
    for urn, replacement in urns:
        if urn in seen and not (replacement and seen[urn]):
            raise UsageError(f"{path} holds two {what} with the URN {clip(urn, 200)}: the engine refuses a duplicate URN")
        seen[urn] = replacement


def _preview_states(data: Mapping[str, Any], path: Path) -> list[tuple[Mapping[str, Any], bool]]:
    """(new state, is a read) for each step whose resource exists after the update."""
    steps = data.get("steps")
    if steps is not None and not isinstance(steps, list):
        raise UsageError(f"{path}: steps must be an array, not {apitype.json_type(steps)}")
    states: list[tuple[Mapping[str, Any], bool, bool]] = []
    for index, step in enumerate(steps or []):
        where = f"{path}: steps[{index}]"
        if not isinstance(step, Mapping) or not isinstance(step.get("op"), str):
            raise UsageError(f"{where} has no op")
        for name in ("newState", "oldState"):
            if step.get(name) is not None:
                apitype.check_resource(step[name], f"{where}.{name}")
        if step["op"] in _GONE_OPS:
            continue
        state = step.get("newState")
        if state is None:
            raise UsageError(f"{where} ({step['op']}) has no newState")
        states.append((state, step["op"] in _READ_OPS, step["op"] in _REPLACEMENT_OPS))
    _one_each(((state["urn"], replacement) for state, _, replacement in states), path, "steps (neither a deletion nor one replacement)")
    first: dict[str, tuple[Mapping[str, Any], bool]] = {}
    for state, read, _ in states:  # a replacement's steps: its one new state
        first.setdefault(state["urn"], (state, read))
    return list(first.values())


def _resource(state: Mapping[str, Any], secrets: StateSecrets, found: set[str], read: bool = False) -> Resource:
    """A ``ResourceV3`` that ``apitype.check_resource`` accepted; its secret strings go to ``found``."""
    urn, type_token = state["urn"], state["type"]
    return Resource(
        urn=urn, type=type_token, name=urn_name(urn), custom=bool(state.get("custom", False)),
        id=str(state.get("id") or ""), parent=str(state.get("parent") or ""), provider=str(state.get("provider") or ""),
        inputs=_opaque_secrets(state.get("inputs") or {}, secrets, found),
        outputs=_opaque_secrets(state.get("outputs") or {}, secrets, found),
        dependencies=_strings(state.get("dependencies")),
        property_dependencies={str(k): _strings(v) for k, v in (state.get("propertyDependencies") or {}).items()},
        protect=bool(state.get("protect", False)), ignore_changes=_strings(state.get("ignoreChanges")),
        additional_secret_outputs=_strings(state.get("additionalSecretOutputs")), aliases=_strings(state.get("aliases")),
        delete_before_replace=state.get("deleteBeforeReplace"), custom_timeouts=_timeouts(state.get("customTimeouts")),
        source=_source(state.get("sourcePosition")), external=read or bool(state.get("external", False)),
    )


def _strings(value: list[str] | None) -> list[str]:
    return list(value or [])


def _timeouts(value: Mapping[str, float] | None) -> dict[str, str] | None:
    if value is None:
        return None
    # State keeps seconds as numbers; the capture keeps Go duration strings ("1e-05s" is not one).
    return {k: _seconds_duration(value[k]) for k in ("create", "update", "delete") if value.get(k)}


def _seconds_duration(seconds: float) -> str:
    return f"{seconds:f}".rstrip("0").rstrip(".") + "s"


def _source(position: Any) -> dict[str, Any] | None:
    """``project:///__main__.py#12,5`` -> {"file": "__main__.py", "line": 12}."""
    if not isinstance(position, str) or "#" not in position:
        return None
    location, _, fragment = position.partition("#")
    file = location.split("://", 1)[-1].lstrip("/")
    try:
        line = int(fragment.split(",")[0])
    except ValueError:
        return None
    return {"file": file, "line": line} if file else None


def _opaque_secrets(value: Any, secrets: StateSecrets, found: set[str] | None) -> Any:
    """``value`` with each encrypted secret envelope (``ciphertext``) replaced by a revealed (or
    blinded) one; parts holding none are returned as they are, not copied (most of an export).
    The secret strings of each outermost envelope, as ``redaction.collect`` finds them in the
    result, go to ``found`` (None inside an envelope: the outer one collects them): one walk."""
    if isinstance(value, Mapping):
        envelope = value.get(SIG_KEY) == SECRET_SIG
        inner = None if envelope else found
        if envelope and "value" not in value:
            result: Any = {SIG_KEY: SECRET_SIG, "value": _opaque_secrets(secrets.reveal(value), secrets, None)}
        else:
            changed = {k: new for k, v in value.items() if (new := _opaque_secrets(v, secrets, inner)) is not v}
            result = {**value, **changed} if changed else value
        if envelope and found is not None:
            redaction.collect(result, found)
        return result
    if isinstance(value, list):
        items = [_opaque_secrets(v, secrets, found) for v in value]
        return items if any(new is not old for new, old in zip(items, value)) else value
    return value


def _names(resources: list[Resource]) -> tuple[str, str]:
    """(project, stack) from the URNs: ``urn:pulumi:<stack>::<project>::<type>::<name>``."""
    root = next((r for r in resources if r.type == STACK_TYPE), resources[0])
    parts = root.urn[len("urn:pulumi:"):].split("::")
    return (parts[1] if len(parts) > 1 else "project"), parts[0] or "stack"
