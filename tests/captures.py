"""Build gate captures (the engine's wire form) from rule samples, for protocol tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from policy_gate.capture import Capture, Resource
from policy_gate.wire import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINELS

PROJECT, STACK = "sample", "dev"
ROOT_URN = f"urn:pulumi:{STACK}::{PROJECT}::pulumi:pulumi:Stack::{PROJECT}-{STACK}"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


def from_samples(resources: Iterable[Any], dry_run: bool = False) -> Capture:
    """A capture from ``SampleResource``s, dependencies included (by sample name)."""
    samples = list(resources)
    result = capture([(r.type, r.name, r.props) for r in samples], dry_run=dry_run)
    by_name = {r.name: r for r in result.resources}
    for sample in samples:
        resource = by_name.get(sample.name)
        if resource is None:
            continue
        if resource.urn == ROOT_URN:  # what each export is: the gate's own record (runner.exports)
            result.export_provenance = {k: [by_name[n].urn for n in names] for k, names in sample.depends_on.items() if k}
            continue
        for key, names in sample.depends_on.items():
            urns = [by_name[n].urn for n in names]
            resource.dependencies.extend(u for u in urns if u not in resource.dependencies)
            if key:
                resource.property_dependencies[key] = urns
    return result


def capture(resources: Iterable[tuple[str, str, Mapping[str, Any]]], exports: Mapping[str, Any] | None = None,
            dry_run: bool = False) -> Capture:
    """A stack of (type, name, props) resources; props serve as both inputs and outputs.
    A ``pulumi:pulumi:Stack`` entry in ``resources`` supplies the exports instead."""
    items = [Resource(urn=ROOT_URN, type="pulumi:pulumi:Stack", name=f"{PROJECT}-{STACK}", custom=False,
                      outputs=dict(exports or {}))]
    for type_token, name, props in resources:
        if type_token == "pulumi:pulumi:Stack":
            items[0].outputs = dict(props)
            continue
        items.append(Resource(urn=urn(type_token, name), type=type_token, name=name, parent=ROOT_URN,
                              inputs=dict(props), outputs=dict(props)))
    return Capture(project=PROJECT, stack=STACK, dry_run=dry_run, resources=items)


def stack_export(captured: Capture) -> dict[str, Any]:
    """The capture as ``pulumi stack export`` writes the deployment of its program: each resource's
    outputs in its provider's shape (the output properties its type has, ``outputNames`` as the
    runner read them from the SDK, and its id, which every azure-native response and bridged state
    holds), whatever the mocks answered; secrets as ciphertext; what the mocks left unknown (a
    location only Azure knows) known, as state never holds an unknown. Reads are left out: ``pulumi policy
    analyze`` judges them and ``pulumi up`` does not, a difference tests/test_engine_analysis.py covers."""
    def encrypt(value: Any) -> Any:
        if isinstance(value, dict):
            if value.get(SIG_KEY) == SECRET_SIG:
                return {SIG_KEY: SECRET_SIG, "ciphertext": "v1:bm9uY2U=:Y2lwaGVy"}
            return {k: encrypt(v) for k, v in value.items()}
        if isinstance(value, list):
            return [encrypt(v) for v in value]
        return "westeurope" if isinstance(value, str) and value in UNKNOWN_SENTINELS else value

    def outputs(resource: Resource) -> dict[str, Any]:
        if resource.output_names is None:
            return resource.outputs
        shaped = {k: v for k, v in resource.outputs.items() if k in resource.output_names}
        return {**shaped, "id": resource.id} if resource.id else shaped

    resources = [{"urn": r.urn, "type": r.type, "custom": r.custom, "id": r.id, "parent": r.parent,
                  "provider": r.provider, "inputs": encrypt(r.inputs), "outputs": encrypt(outputs(r)),
                  "dependencies": r.dependencies, "propertyDependencies": r.property_dependencies}
                 for r in captured.resources if not r.external]
    return {"version": 3, "deployment": {"manifest": {"version": "v3.210.0"}, "resources": resources}}


def secret(value: Any) -> dict[str, Any]:
    return {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": value}


def only(*policies: str, level: str = "mandatory") -> dict[str, Any]:
    """A config that disables every rule but ``policies``: keeps a test about some rules
    independent of the rest of the catalogue."""
    return {"all": "disabled", **{name: level for name in policies}}


def program_inputs(directory: Path, body: str) -> dict[str, dict[str, Any]]:
    """Run ``body`` as a Pulumi program through the gate's own runner (the real SDK, the real
    azure-native classes, the gate's mocks) and return each resource's type and inputs by its
    logical name: what the pack would receive from real ``*Args`` classes."""
    from policy_gate.program import run_program

    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: args-shapes\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config: {}\n")
    (directory / "__main__.py").write_text(body)
    captured = run_program(directory, "dev", False, 300)
    return {r.name: {"type": r.type, "inputs": r.inputs} for r in captured.resources}
