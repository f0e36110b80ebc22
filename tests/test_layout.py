"""The layout, checked statically (AST, no import), so it cannot regress:

- the pack (``policies``): a family imports only ``policies.core`` and itself, the core only
  itself, nothing below the registry imports the registry, every declared rule is registered once;

- the program runner (``policy_gate/runner/``) runs inside the program's own interpreter, where
  only ``pulumi`` (with what it ships: ``google.protobuf``, ``grpc``) and the standard library may
  be assumed: it imports nothing else, of the gate only standard-library-only modules;
- the gate never imports the pack (``policies``);
- no import cycle in ``policies``, ``policy_gate`` or ``bench``;
- the benchmark uses only the gate's public names;
- no module over about 400 lines without saying why at its top.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import policies
from tests.sdk import rules_declared_in

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "policy_gate"
PACK = ROOT / "policies"
RUNNER = GATE / "runner"
# Third-party packages the runner may import: pulumi and what pulumi itself depends on.
RUNNER_THIRD_PARTY = ("pulumi", "google.protobuf", "grpc")
# Gate modules the runner may import; each must itself import only the standard library.
RUNNER_GATE_MODULES = ("policy_gate", "policy_gate.wire", "policy_gate.errors", "policy_gate.redaction")
MAX_LINES = 400
LONG_REASON = "Long because:"  # what a longer module's docstring must say


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(directory: Path) -> list[Path]:
    """The tree's own modules: not bytecode caches, nor a virtualenv inside it (bench/.venv-checkov)."""
    return sorted(p for p in directory.rglob("*.py")
                  if not any(part == "__pycache__" or part.startswith(".") for part in p.relative_to(directory).parts))


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(absolute module name, line) for every import in the file, function-level ones included;
    ``from package import name`` yields ``package.name`` when that is a module of the tree."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                yield (candidate if _is_tree_module(candidate) else target), node.lineno


def _is_tree_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or name == "__future__"


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", modules(RUNNER), ids=lambda p: p.name)
def test_runner_imports_only_pulumi_and_the_standard_library(path: Path) -> None:
    wrong = [f"{name} (line {line})" for name, line in imports(path)
             if not (_stdlib(name) or _within(name, RUNNER_THIRD_PARTY) or _within(name, ("policy_gate.runner",))
                     or name in RUNNER_GATE_MODULES)]
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


@pytest.mark.parametrize("name", RUNNER_GATE_MODULES)
def test_gate_modules_the_runner_uses_are_standard_library_only(name: str) -> None:
    path = ROOT.joinpath(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    wrong = [n for n, _ in imports(path) if not (_stdlib(n) or n in RUNNER_GATE_MODULES)]  # each checked here too
    assert not wrong, f"{name} imports {wrong}"


def test_the_runner_package_itself_is_standard_library_only() -> None:
    """``python -m policy_gate.runner`` imports the package's ``__init__`` first."""
    assert [n for n, _ in imports(RUNNER / "__init__.py") if not _stdlib(n)] == []


@pytest.mark.parametrize("path", modules(GATE), ids=lambda p: str(p.relative_to(GATE)))
def test_the_gate_never_imports_the_pack(path: Path) -> None:
    wrong = [f"{name} (line {line})" for name, line in imports(path) if _within(name, ("policies",))]
    assert not wrong, f"{path.relative_to(ROOT)} imports {wrong}"


@pytest.mark.parametrize("tree", ["policies", "policy_gate", "bench"])
def test_no_import_cycle(tree: str) -> None:
    graph = {module_name(p): {n for n, _ in imports(p) if _within(n, (tree,)) and n != module_name(p)}
             for p in modules(ROOT / tree)}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for child in sorted(graph.get(node, ())):
            if state.get(child) == 1:
                cycles.append([*path[path.index(child):], child])
            elif child not in state:
                visit(child, [*path, child])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, [" -> ".join(c) for c in cycles]


@pytest.mark.parametrize("path", modules(ROOT / "bench"), ids=lambda p: p.name)
def test_the_benchmark_uses_only_the_gates_public_names(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = [f"{node.module}.{alias.name}" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and (node.module or "").startswith("policy_gate") for alias in node.names if alias.name.startswith("_")]
    private += [f"{node.module} (line {node.lineno})" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and any(part.startswith("_") for part in (node.module or "").split(".")) and "policy_gate" in (node.module or "")]
    assert not private, private


@pytest.mark.parametrize("path", [*modules(PACK), *modules(GATE), *modules(ROOT / "bench")], ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small_or_say_why(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if len(text.splitlines()) > MAX_LINES:
        assert LONG_REASON in (ast.get_docstring(ast.parse(text)) or ""), (
            f"{path.relative_to(ROOT)} has {len(text.splitlines())} lines; split it or say '{LONG_REASON} ...' at its top")


def test_the_import_reader_sees_relative_imports() -> None:
    """Not vacuous: the reader resolves the runner's relative imports to the gate's modules."""
    found = {name for name, _ in imports(RUNNER / "mocks.py")}
    assert {"policy_gate.wire", "policy_gate.runner.arm", "pulumi.runtime.mocks"} <= found
    graph_has_gate_edges = any(n.startswith("policy_gate.") for n, _ in imports(GATE / "cli.py"))
    assert graph_has_gate_edges


# -- the pack ---------------------------------------------------------------------------------

# Modules above the families that may import everything: the registry, the pack's own metadata
# (what __main__.py passes to PolicyPack) and the catalogue writer.
PACK_TOP = {"policies", "policies.pack", "policies.catalogue"}
FAMILIES = sorted(p.name for p in PACK.iterdir() if (p / "__init__.py").is_file() and p.name != "core")


def _family(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in (*FAMILIES, "core") else None


def test_there_are_families() -> None:
    assert len(FAMILIES) >= 5


@pytest.mark.parametrize("path", [p for p in modules(PACK) if module_name(p) not in PACK_TOP], ids=lambda p: str(p.relative_to(PACK)))
def test_pack_imports_go_down_to_the_core_only(path: Path) -> None:
    """core imports only core; a family imports core and itself; nothing below the registry imports it."""
    name = module_name(path)
    own = _family(name)
    allowed = {"core"} if own == "core" else {"core", own}
    for target, line in imports(path):
        if not _within(target, ("policies",)):
            continue
        assert target not in PACK_TOP, f"{name} imports {target} (line {line})"
        assert _family(target) in allowed, f"{name} imports {target} (line {line}): a family may use only policies.core and itself"


def test_every_declared_rule_is_registered_once() -> None:
    declared = rules_declared_in(*(f"policies.{f}" for f in FAMILIES))
    assert len(set(map(id, policies.RULES))) == len(policies.RULES)
    assert {id(r) for r in declared} == {id(r) for r in policies.RULES}, "a rule is declared but not in policies.RULES"
