"""Hypothesis strategies for the files the gate reads: stack exports, checkpoints and
``pulumi preview --json`` files, valid to begin with, then broken the ways a hostile or
corrupted file is.

A document starts from a small stack in the CLI's shape (the root stack, a provider, a
component and custom resources whose inputs and outputs are random JSON, with secret envelopes
and typed unknown sentinels in a preview) and gets a few mutations:

- a ``ResourceV3`` field (or a step's, or the document's) replaced by a value of any JSON type,
  the wrong ones included, or removed;
- a value nested 90 to 1,200 levels deep (100 is the gate's bound; Python's JSON reader stops
  near 1,000);
- an unknown sentinel anywhere in a bag (a preview may hold them, a state may not);
- a number JSON cannot hold as a float64, or Python's non-JSON ``NaN``/``Infinity`` (spliced into
  the text: ``json.dumps`` cannot write ``1e400``);
- a preview diagnostic of any severity (an ``error`` one records a failed preview).

``documents()`` draws ``(kind, text)`` with kind ``state`` or ``preview``.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from policy_gate.wire import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINELS

STACK = "urn:pulumi:prod::fuzz::pulumi:pulumi:Stack::fuzz-prod"
PROVIDER = "urn:pulumi:prod::fuzz::pulumi:providers:azure-native::default"
COMPONENT = "urn:pulumi:prod::fuzz::fuzz:index:Group::group"
TYPES = ("azure-native:machinelearningservices:Workspace", "azure-native:storage:StorageAccount",
         "azure-native:machinelearningservices/v20240401:Compute", "fuzz:index:Thing")
RESOURCE_FIELDS = ("urn", "type", "custom", "delete", "id", "inputs", "outputs", "parent", "protect", "external",
                   "dependencies", "provider", "propertyDependencies", "additionalSecretOutputs", "aliases",
                   "customTimeouts", "sourcePosition", "ignoreChanges", "deleteBeforeReplace", "initErrors")
SEVERITIES = ("info", "info#err", "warning", "error", "debug")
_NUMBER_MARK = "fuzz-number-7q3"
BAD_NUMBERS = ("1e400", "-1e309", "NaN", "Infinity", "-Infinity", "1" * 400, "123e-99999")
SENTINELS = tuple(sorted(UNKNOWN_SENTINELS))

keys = st.text(st.characters(codec="utf-8"), max_size=12)  # no lone surrogates: JSON files are UTF-8
leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 60), 2 ** 60), st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=30), st.sampled_from(SENTINELS))
json_values = st.recursive(leaves, lambda children: st.one_of(st.lists(children, max_size=4),
                                                               st.dictionaries(keys, children, max_size=4)),
                           max_leaves=20)


def _secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


@st.composite
def bags(draw: st.DrawFn, unknowns: bool) -> dict[str, Any]:
    bag = draw(st.dictionaries(keys, json_values, max_size=5))
    if draw(st.booleans()):
        bag[draw(keys)] = _secret(draw(json_values))
    if not unknowns:
        bag = _without_unknowns(bag)
    return bag


def _without_unknowns(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_unknowns(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_unknowns(v) for v in value]
    return "known" if value in UNKNOWN_SENTINELS else value


@st.composite
def resources(draw: st.DrawFn, unknowns: bool) -> list[dict[str, Any]]:
    stack = {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack", "outputs": draw(bags(unknowns))}
    provider = {"urn": PROVIDER, "custom": True, "id": "provider-id", "type": "pulumi:providers:azure-native",
                "inputs": {}, "outputs": {}}
    component = {"urn": COMPONENT, "custom": False, "type": "fuzz:index:Group", "parent": STACK}
    found = [stack, provider, component]
    for index in range(draw(st.integers(1, 3))):
        type_ = draw(st.sampled_from(TYPES))
        urn = f"urn:pulumi:prod::fuzz::{type_}::r{index}"
        inputs = draw(bags(unknowns))
        found.append({"urn": urn, "custom": True, "id": f"id-{index}", "type": type_,
                      "parent": draw(st.sampled_from((STACK, COMPONENT))), "provider": f"{PROVIDER}::provider-id",
                      "inputs": inputs, "outputs": {**inputs, **draw(bags(unknowns))},
                      "dependencies": [PROVIDER], "propertyDependencies": {k: [] for k in inputs},
                      "customTimeouts": {"create": draw(st.integers(0, 3600))}})
    return found


def _deep(depth: int, leaf: Any) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"d": value}
    return value


@st.composite
def mutate_resource(draw: st.DrawFn, resource: dict[str, Any], unknowns: bool) -> None:
    choice = draw(st.sampled_from(("field", "remove", "deep", "unknown", "number")))
    if choice == "field":
        resource[draw(st.sampled_from(RESOURCE_FIELDS))] = draw(json_values)
    elif choice == "remove":
        resource.pop(draw(st.sampled_from(RESOURCE_FIELDS)), None)
    else:
        bag = resource.setdefault(draw(st.sampled_from(("inputs", "outputs"))), {})
        if not isinstance(bag, dict):
            return
        value = {"deep": _deep(draw(st.sampled_from((90, 99, 101, 150, 300, 1200))), 1),
                 "unknown": draw(st.sampled_from(SENTINELS)), "number": _NUMBER_MARK}[choice]
        bag[draw(keys)] = value


@st.composite
def _mutated(draw: st.DrawFn, kind: str) -> tuple[str, str]:
    preview = kind == "preview"
    found = draw(resources(unknowns=preview))
    for _ in range(draw(st.integers(0, 3))):
        draw(mutate_resource(draw(st.sampled_from(found)), unknowns=preview))
    if preview:
        document: Any = {"config": {}, "steps": [{"op": draw(st.sampled_from(("create", "same", "update", "read", "delete"))),
                                                  "urn": r.get("urn"), "newState": r} for r in found],
                         "changeSummary": {"create": len(found)}}
        if draw(st.booleans()):
            document["diagnostics"] = [{"urn": STACK, "message": draw(st.text(max_size=40)),
                                        "severity": draw(st.sampled_from(SEVERITIES))}
                                       for _ in range(draw(st.integers(1, 3)))]
    else:
        document = {"version": 3, "deployment": {"manifest": {"version": "v3.210.0"}, "resources": found}}
    if draw(st.integers(0, 9)) == 0:  # the document's own shape
        target = document if preview else document["deployment"]
        target["steps" if preview else "resources"] = draw(json_values)
    text = json.dumps(document)
    bad = draw(st.sampled_from(BAD_NUMBERS))
    return kind, text.replace(f'"{_NUMBER_MARK}"', bad)


def documents() -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from(("state", "preview")).flatmap(_mutated)
