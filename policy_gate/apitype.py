"""The CLI's saved shapes (pulumi/pulumi ``sdk/go/common/apitype``: ``ResourceV3`` in
``core.go``; the preview digest in ``pkg/backend/display/json.go``), checked as the CLI reads
them, so that a malformed file is a one-line usage error naming the first bad path, never a
crash or a silently different analysis.

- Types: Go's ``encoding/json`` refuses a field of the wrong type (``"inputs": "str"``,
  ``"propertyDependencies": [1]``); ``null`` leaves a field unset, as there. Fields the gate does
  not read are not checked (Go ignores unknown ones).
- Depth: a property value nested more than ``MAX_VALUE_DEPTH`` levels is refused: pulumi_policy
  converts values recursively and fails on about 200 levels (Python's recursion limit), which
  under the CLI fails the whole preview.
- Unknowns (state only): after an update completes, providers return known values, so a saved
  state holding an unknown sentinel is a snapshot of an update that did not finish (or an
  edited file); ``pulumi policy analyze`` would send the sentinels and pulumi_policy turn them
  into "can't run policy" advisories, a pass. The gate refuses the file instead.
- Preview diagnostics: an error diagnostic means the preview failed (a program that raised
  leaves ``Program failed with an unhandled exception`` on the stack, the steps registered
  before it and no others; ``pulumi.log.error`` leaves the same kind of entry in a preview that
  succeeded, which the file cannot tell apart): the file is not the whole stack (``IncompleteInput``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import IncompleteInput, UsageError, clip
from .wire import UNKNOWN_SENTINELS

MAX_VALUE_DEPTH = 100

# ResourceV3 fields the gate reads, by the JSON type Go requires.
_STRING = ("urn", "type", "id", "parent", "provider", "sourcePosition", "importID", "deletedWith")
_BOOL = ("custom", "delete", "protect", "external", "pendingReplacement", "retainOnDelete", "deleteBeforeReplace")
_STRINGS = ("dependencies", "initErrors", "additionalSecretOutputs", "aliases", "ignoreChanges", "replaceOnChanges")
_OBJECT = ("inputs", "outputs")
_TIMEOUTS = ("create", "update", "delete")  # resource.CustomTimeouts: float64 seconds


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _wrong(where: str, expected: str, value: Any) -> UsageError:
    return UsageError(f"{where} must be {expected}, not {json_type(value)}")


def check_resource(state: Any, where: str) -> None:
    """``state`` is a ``ResourceV3`` as far as the gate reads it; ``where`` names it in errors
    (``"state.json: deployment.resources[3]"``)."""
    if not isinstance(state, Mapping):
        raise _wrong(where, "an object", state)
    for name in ("urn", "type"):
        if not isinstance(state.get(name), str) or not state[name]:
            raise UsageError(f"{where} has no {name}")
    if not state["urn"].startswith("urn:pulumi:"):
        raise UsageError(f"{where}.urn is not a Pulumi URN: {clip(state['urn'], 100)!r}")
    where = f"{where} ({clip(state['urn'], 200)})"
    for fields, expected, valid in ((_STRING, "a string", _is_str), (_BOOL, "a boolean", _is_bool),
                                    (_STRINGS, "an array of strings", _is_strings), (_OBJECT, "an object", _is_object)):
        for name in fields:
            value = state.get(name)
            if value is not None and not valid(value):
                raise _wrong(f"{where}.{name}", expected, value)
    dependencies = state.get("propertyDependencies")
    if dependencies is not None:
        if not _is_object(dependencies):
            raise _wrong(f"{where}.propertyDependencies", "an object", dependencies)
        for key, urns in dependencies.items():
            if urns is not None and not _is_strings(urns):
                raise _wrong(f"{where}.propertyDependencies.{clip(key, 100)}", "an array of strings", urns)
    timeouts = state.get("customTimeouts")
    if timeouts is not None:
        if not _is_object(timeouts):
            raise _wrong(f"{where}.customTimeouts", "an object", timeouts)
        for key in _TIMEOUTS:
            value = timeouts.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
                raise _wrong(f"{where}.customTimeouts.{key}", "a number of seconds", value)


def check_values(bag: Any, where: str, unknowns: bool) -> None:
    """A property bag nested at most ``MAX_VALUE_DEPTH`` levels, holding no unknown sentinel
    unless ``unknowns``; the error names the first path that is not. Every bag of an export goes
    through here, so the walk keeps no paths; only a bag that fails is walked again for the path."""
    pending: list[tuple[Any, int]] = [(bag, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, Mapping):
            if value and depth >= MAX_VALUE_DEPTH:  # its children are nested too deep
                _explain(bag, where, unknowns)
            pending.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            if value and depth >= MAX_VALUE_DEPTH:  # its children are nested too deep
                _explain(bag, where, unknowns)
            pending.extend((child, depth + 1) for child in value)
        elif not unknowns and isinstance(value, str) and value in UNKNOWN_SENTINELS:
            _explain(bag, where, unknowns)


def _explain(bag: Any, where: str, unknowns: bool) -> None:
    """Raises ``UsageError`` naming the first path of ``bag`` that ``check_values`` refuses."""
    pending: list[tuple[Any, str, int]] = [(bag, where, 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_VALUE_DEPTH:
            raise UsageError(f"{clip(path, 200)}: nested more than {MAX_VALUE_DEPTH} levels deep (pulumi_policy cannot "
                             "read values nested about 200 levels deep)")
        if isinstance(value, Mapping):
            pending.extend((child, f"{path}.{clip(str(key), 100)}", depth + 1) for key, child in reversed(list(value.items())))
        elif isinstance(value, list):
            pending.extend((child, f"{path}[{index}]", depth + 1) for index, child in reversed(list(enumerate(value))))
        elif not unknowns and isinstance(value, str) and value in UNKNOWN_SENTINELS:
            raise UsageError(f"{clip(path, 200)} is unknown ({value}): a saved state holds no unknown value once an update "
                             "has completed; export the state of a finished update")


def check_diagnostics(data: Mapping[str, Any], where: str) -> None:
    """A preview's ``diagnostics``: raises ``IncompleteInput`` at the first error."""
    diagnostics = data.get("diagnostics")
    if diagnostics is None:
        return
    if not isinstance(diagnostics, list):
        raise _wrong(f"{where}: diagnostics", "an array", diagnostics)
    for index, entry in enumerate(diagnostics):
        if not isinstance(entry, Mapping):
            raise _wrong(f"{where}: diagnostics[{index}]", "an object", entry)
        for name in ("urn", "prefix", "message", "severity"):
            if entry.get(name) is not None and not isinstance(entry[name], str):
                raise _wrong(f"{where}: diagnostics[{index}].{name}", "a string", entry[name])
        if entry.get("severity") == "error":
            message = str(entry.get("message") or "").strip()
            first = message.splitlines()[0] if message else "(no message)"
            raise IncompleteInput(f"{where} records a preview that failed (an error diagnostic: {clip(first)}); "
                                  "its steps are not the whole stack. Fix the program and save a preview that succeeds")


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
