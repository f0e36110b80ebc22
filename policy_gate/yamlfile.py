"""The YAML files the gate reads (``Pulumi.yaml``, ``Pulumi.<stack>.yaml``, ``PulumiPolicy.yaml``,
exemptions), read within bounds: a file over ``YAML_MAX_BYTES``, a document nested too deeply, or aliases that
expand to more than ``YAML_NODE_BUDGET`` values (a "billion laughs") is a one-line usage error
instead of gigabytes of memory. Parsing goes through PyYAML's composer, which keeps each
scalar's text: stack config values are that text, as the CLI reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError, clip
from .files import read_text

YAML_MAX_BYTES = 32 * 1024 * 1024
YAML_NODE_BUDGET = 200_000


class BudgetExceeded(Exception):
    """The document expands (through aliases) to more values than the budget."""


def compose_mapping(path: Path, empty_ok: bool = True) -> dict[str, yaml.Node]:
    """The top-level mapping of ``path`` as nodes by key (``empty_ok``: an empty file is ``{}``)."""
    text = read_text(path, max_bytes=YAML_MAX_BYTES)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UsageError(f"{path} is not valid YAML: {_first_line(exc)}") from None
    except RecursionError:
        raise UsageError(f"{path} is nested too deeply") from None
    if node is None and empty_ok:
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise UsageError(f"{path} must be a YAML mapping")
    result: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise UsageError(f"{path}: a key is not a plain value (line {key.start_mark.line + 1})")
        result[scalar_text(key)] = value
    return result


def read_mapping(path: Path, empty_ok: bool, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> dict[str, Any]:
    """``path``'s top-level mapping as Python values (``empty_ok``: an empty file is ``{}``),
    constructed by ``loader`` (a ``SafeLoader`` subclass)."""
    nodes = compose_mapping(path, empty_ok)
    try:
        return {key: construct(node, loader=loader) for key, node in nodes.items()}
    except BudgetExceeded:
        raise UsageError(f"{path} expands to more than {YAML_NODE_BUDGET} values (YAML aliases)") from None


def scalar_text(node: yaml.Node) -> str:
    """A scalar's text as written (quotes removed); a null is the empty string."""
    if not isinstance(node, yaml.ScalarNode):
        raise UsageError(f"expected a plain value at line {node.start_mark.line + 1}")
    return "" if node.tag == "tag:yaml.org,2002:null" else str(node.value)


def construct(node: yaml.Node, budget: int = YAML_NODE_BUDGET, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """The Python value of ``node`` (YAML's safe types), after checking how far its aliases
    expand: PyYAML shares aliased values, but anything that walks them (JSON, messages) would not."""
    count, pending = 0, [node]
    while pending:
        current = pending.pop()
        count += 1
        if count > budget:
            raise BudgetExceeded
        if isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                pending.extend((key, value))
    constructor = loader("")
    try:
        return constructor.construct_document(node)
    except yaml.YAMLError as exc:
        raise UsageError(f"invalid YAML value at line {node.start_mark.line + 1}: {_first_line(exc)}") from None
    except RecursionError:
        raise UsageError(f"YAML value at line {node.start_mark.line + 1} is nested too deeply") from None
    finally:
        constructor.dispose()


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return clip(lines[0]) if lines else type(exc).__name__
