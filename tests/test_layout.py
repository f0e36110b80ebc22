"""The pack's layout holds: families import only the core (and themselves), nothing imports in a
cycle, modules stay small, and every declared rule is registered once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import policies
from tests.sdk import rules_declared_in

PACKAGE = Path(policies.__file__).parent
ROOT = PACKAGE.parent
MAX_LINES = 400
# Modules above the registry that may import everything: the registry, the catalogue writer,
# and the old import paths kept for policy_gate and bench (see their docstrings).
TOP = {"policies", "policies.catalogue", "policies.props", "policies.types", "policies.rule"}


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
FAMILIES = sorted({name.split(".")[1] for name in MODULES if name.count(".") >= 1 and (PACKAGE / name.split(".")[1]).is_dir()}
                  - {"core"})


def _imports(name: str) -> Iterator[str]:
    """The ``policies`` modules (or packages) a module imports, resolved to absolute names."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.split(".")[0] == "policies")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.split(".")[0] == "policies":
                target = node.module
            else:
                continue
            for alias in node.names:
                yield f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target


def _family(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in (*FAMILIES, "core") else None


def test_there_are_families() -> None:
    assert len(FAMILIES) >= 5 and all((PACKAGE / f / "__init__.py").exists() for f in FAMILIES)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n not in TOP))
def test_imports_go_down_to_the_core_only(name: str) -> None:
    """core imports only core; a family imports core and itself; nothing below the registry imports it."""
    own = _family(name)
    for target in _imports(name):
        assert target not in TOP, f"{name} imports {target}"
        allowed = {"core"} if own == "core" else {"core", own}
        assert _family(target) in allowed, f"{name} imports {target}: a family may use only policies.core and itself"


def test_no_import_cycle() -> None:
    graph = {name: {t for t in _imports(name) if t in MODULES and t != name} for name in MODULES}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join([*trail[trail.index(name):], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_are_small_or_say_why(name: str) -> None:
    path = MODULES[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or "long because" in docstring.lower(), (
        f"{path.relative_to(ROOT)} has {lines} lines: split it, or say at its top why it is long ('Long because ...')")


def test_every_declared_rule_is_registered_once() -> None:
    declared = rules_declared_in(*(f"policies.{f}" for f in FAMILIES))
    assert len(set(map(id, policies.RULES))) == len(policies.RULES)
    assert {id(r) for r in declared} == {id(r) for r in policies.RULES}, "a rule is declared but not in policies.RULES"
