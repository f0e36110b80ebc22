"""Every sample written for azure-native 2.x or the classic pulumi-azure 6.x, built from that
provider's real classes (``tests/sdk_build.py``) in its own SDK env, through the gate's runner.

Each sample bag becomes a resource of a program run in the env (pulumi-azure-native 2.92.3,
pulumi-azure 6.40.1): every nested object is constructed with the ``*Args`` class the SDK declares
for it, so a property name or nesting the SDK does not have fails the build, naming the sample and
the path. The captured inputs must then hold every value of the bag (the SDK may add its defaults).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from policies import RULES
from policies.core import props as p
from policies.core.providers import Provider
from policies.core.rule import ResourceRule, StackRule
from policies.core.types import STACK
from tests import sdk_envs
from tests.strategies import contains_unknown

pytestmark = pytest.mark.process

HERE = Path(__file__).resolve().parent
ENVS = {Provider.AN2: "an2", Provider.CLASSIC: "classic"}
MAIN = """
import json
import pulumi
import sdk_build

errors, outputs = [], {}
for name, token, bag, stack in json.load(open("samples.json")):
    try:
        outputs[name] = sdk_build.build(token, name, bag, outputs=stack)
    except Exception as exc:  # reported by name: the test fails listing every one
        errors.append([name, f"{type(exc).__name__}: {exc}"])
pulumi.export("errors", errors)
pulumi.export("outputs", outputs)
"""


def sample_bags(provider: Provider) -> Iterator[tuple[str, str, Mapping[str, Any], bool]]:
    """(label, type, bag, whether the bag is outputs) of every sample of every rule written for
    ``provider`` (a stack rule's samples are outputs, as AnalyzeStack sends them)."""
    for rule in RULES:
        if isinstance(rule, ResourceRule):
            for sample in rule.samples:
                token = sample.type or rule.types[0]
                if sample.sdk and sample.provider_for(rule.types[0]) is provider and not contains_unknown(sample.props):
                    yield f"{rule.name}: {sample.name}", token, sample.props, False
        elif isinstance(rule, StackRule):
            for stack_sample in rule.samples:
                for resource in stack_sample.resources:
                    if (resource.type != STACK and resource.sdk and resource.provider_for() is provider
                            and not contains_unknown(resource.props)):
                        yield f"{rule.name}: {stack_sample.name}: {resource.name}", resource.type, resource.props, True


def run_in_env(tmp_path: Path, env: str, files: Mapping[str, str]) -> Any:
    """Run a program (its files) in an SDK env through the gate's runner; the capture."""
    from policy_gate.program import run_program

    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: sdk-samples\nruntime:\n  name: python\n  options:\n    virtualenv: venv\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    for name, text in files.items():
        (program / name).write_text(text)
    shutil.copy(HERE / "sdk_build.py", program / "sdk_build.py")
    sdk_envs.python(env)
    (program / "venv").symlink_to(sdk_envs.location(env))
    return run_program(program, "dev", False, 600)


def missing(bag: Any, built: Any, path: str = "") -> Iterator[str]:
    """Paths where ``built`` (the captured inputs) lacks a value of ``bag``: keys in any spelling,
    numbers as floats, secrets unwrapped; a null or empty value of the bag may be dropped."""
    bag, built = p.unwrap(bag), p.unwrap(built)
    if isinstance(bag, Mapping):
        if not isinstance(built, Mapping):
            if bag and built is not None:
                yield f"{path}: an object, built as {p.type_name(built)}"
            elif bag:
                yield f"{path}: absent"
            return
        for key, value in bag.items():
            if key in ("id", "urn"):
                continue
            found = next((k for k in built if p.norm_key(k) == p.norm_key(key)), None)
            if found is None:
                if value not in (None, {}, []):
                    yield f"{path}.{key}: absent"
                continue
            yield from missing(value, built[found], f"{path}.{key}")
    elif isinstance(bag, list):
        if not isinstance(built, list) or len(built) != len(bag):
            yield f"{path}: a list of {len(bag)}, built as {built!r:.80}"
            return
        for index, (value, other) in enumerate(zip(bag, built)):
            yield from missing(value, other, f"{path}[{index}]")
    elif isinstance(bag, (int, float)) and not isinstance(bag, bool):
        if not (isinstance(built, (int, float)) and float(built) == float(bag)):
            yield f"{path}: {bag!r} built as {built!r:.80}"
    elif bag != built and bag is not None:
        yield f"{path}: {bag!r:.80} built as {built!r:.80}"


@pytest.mark.parametrize("provider", list(ENVS), ids=lambda provider: ENVS[provider])
def test_samples_build_with_the_providers_own_classes(tmp_path: Path, provider: Provider) -> None:
    cases = list(sample_bags(provider))
    assert len(cases) >= 20, "too few samples for this provider"
    names = {f"s{index}": case for index, case in enumerate(cases)}
    listing = [[name, token, bag, stack] for name, (_, token, bag, stack) in names.items()]
    capture = run_in_env(tmp_path, ENVS[provider], {"__main__.py": MAIN, "samples.json": json.dumps(listing)})
    stack = next(r for r in capture.resources if r.type == STACK)
    errors = {names[name][0]: error for name, error in stack.outputs.get("errors", [])}
    assert errors == {}, json.dumps(errors, indent=1)
    built = {r.name: r for r in capture.resources if r.type != STACK}
    wrong = {}
    for name, (label, token, bag, _) in names.items():
        resource = built[name]
        assert resource.type == token, (label, resource.type)
        inputs = {k: v for k, v in bag.items() if k not in stack.outputs["outputs"][name]}
        if problems := list(missing(inputs, resource.inputs)):
            wrong[label] = problems
    assert wrong == {}, json.dumps(wrong, indent=1)
