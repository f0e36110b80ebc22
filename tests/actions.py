"""A composite GitHub Action run here as the runner runs one, for the tests of ``action.yml``.

What the runner does and this does too (GitHub's "Metadata syntax reference" and "Workflow
commands": ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``): inputs are the ``with`` values over
the declared defaults; each ``run`` step runs in ``bash --noprofile --norc -eo pipefail`` in the
workspace, with its own fresh ``GITHUB_OUTPUT`` and ``GITHUB_STEP_SUMMARY`` files,
``GITHUB_ACTION_PATH``, ``RUNNER_TEMP``, the job's environment and the step's ``env`` (a
composite action's inputs reach a step only through expressions: there are no ``INPUT_``
variables); a step's outputs are what it wrote to its output file (``name=value`` or
``name<<DELIMITER``); a failing step stops the action (no step here runs on failure); the
action's outputs are evaluated last.
``uses`` steps are not run: they are recorded with their evaluated ``with`` for the test to check.

Expressions: ``${{ inputs.<id> }}``, ``${{ steps.<id>.outputs.<name> }}``, ``runner.temp``,
``github.workspace``, ``github.action_path``; an ``if`` is one or more ``<ref> == '<text>'`` or
``!=`` joined by ``&&`` (string comparison ignores case, as GitHub's does). Anything else raises,
so ``action.yml`` stays within what is tested.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_CLAUSE = re.compile(r"\s*([A-Za-z_][\w.-]*)\s*(==|!=)\s*'([^']*)'\s*")


@dataclass
class ActionRun:
    outputs: dict[str, str] = field(default_factory=dict)  # the action's outputs
    steps: dict[str, dict[str, str]] = field(default_factory=dict)  # step id -> its outputs
    summary: str = ""  # what the steps appended to their step summaries
    log: str = ""  # the steps' stdout and stderr
    ran: list[str] = field(default_factory=list)  # names of the steps run (uses steps included)
    skipped: list[str] = field(default_factory=list)  # names of the steps an `if` skipped
    uses: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (uses, evaluated with)
    failed: str | None = None  # the step that failed, if one did


@dataclass
class _Context:
    inputs: dict[str, str]
    steps: dict[str, dict[str, str]]
    paths: dict[str, str]

    def value(self, ref: str) -> str:
        parts = ref.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in self.inputs:
                raise ValueError(f"undeclared input in expression: {ref}")
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        if ref in self.paths:
            return self.paths[ref]
        raise ValueError(f"expression not supported by tests/actions.py: {ref}")

    def text(self, template: str) -> str:
        return _EXPRESSION.sub(lambda m: self.value(m.group(1)), template)

    def condition(self, expression: str) -> bool:
        inner = _EXPRESSION.fullmatch(expression.strip())
        text = inner.group(1) if inner else expression
        result = True
        for clause in text.split("&&"):
            match = _CLAUSE.fullmatch(clause)
            if match is None:
                raise ValueError(f"condition not supported by tests/actions.py: {expression}")
            ref, operator, literal = match.groups()
            equal = self.value(ref).lower() == literal.lower()
            result = result and (equal if operator == "==" else not equal)
        return result


def read_outputs(path: Path) -> dict[str, str]:
    """A ``$GITHUB_OUTPUT`` file: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delimiter:
                    break
                block.append(inner)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(action_dir: Path, with_: Mapping[str, Any], env: Mapping[str, str], workspace: Path, temp: Path) -> ActionRun:
    """Run the composite action of ``action_dir/action.yml`` with the inputs ``with_`` in
    ``workspace``; ``env`` is the job's environment, ``temp`` the runner's temporary directory."""
    metadata = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
    declared = metadata.get("inputs", {})
    unknown = set(with_) - set(declared)
    if unknown:
        raise ValueError(f"inputs the action does not declare: {sorted(unknown)}")
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    inputs.update({name: str(value).lower() if isinstance(value, bool) else str(value) for name, value in with_.items()})
    paths = {"runner.temp": str(temp), "github.workspace": str(workspace), "github.action_path": str(action_dir)}
    context = _Context(inputs, {}, paths)
    result = ActionRun(steps=context.steps)
    for index, step in enumerate(metadata["runs"]["steps"]):
        name = step.get("name") or step.get("id") or f"step {index}"
        if "if" in step and not context.condition(step["if"]):
            result.skipped.append(name)
            continue
        result.ran.append(name)
        if "uses" in step:
            result.uses.append((step["uses"], {k: context.text(str(v)) for k, v in step.get("with", {}).items()}))
            continue
        output, summary = temp / f"output-{index}", temp / f"summary-{index}"
        output.write_text("")
        summary.write_text("")
        script = temp / f"step-{index}.sh"
        script.write_text(step["run"])
        assert step["shell"] == "bash", "tests/actions.py runs bash steps only"
        step_env = {**env, "GITHUB_ACTION_PATH": str(action_dir), "GITHUB_OUTPUT": str(output),
                    "GITHUB_STEP_SUMMARY": str(summary), "RUNNER_TEMP": str(temp), "GITHUB_WORKSPACE": str(workspace),
                    **{k: context.text(str(v)) for k, v in step.get("env", {}).items()}}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace / context.text(step.get("working-directory", ".")), env=step_env,
                              capture_output=True, text=True, timeout=1800)
        result.log += done.stdout + done.stderr
        result.summary += summary.read_text(encoding="utf-8")
        if "id" in step:
            context.steps[step["id"]] = read_outputs(output)
        if done.returncode != 0:
            result.failed = name
            break
    result.outputs = {k: context.text(str(v["value"])) for k, v in metadata.get("outputs", {}).items()}
    return result
