"""The wheel's one custom step: the policy pack travels inside the gate's package, as
``policy_gate/pack/``, so an installed ``policy-gate`` has a pack to run by default and puts no
top-level ``policies`` package on anyone's path. The pack's files are the ones
``scripts/stage-pack`` stages for publishing (its ``PACK_FILES``): the bundled pack is the
published one. Everything else is in pyproject.toml."""

import importlib.util
from importlib.machinery import SourceFileLoader
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def _pack_files() -> tuple[str, ...]:
    """``PACK_FILES`` of scripts/stage-pack (standard library only; no .py suffix, so loaded by path)."""
    loader = SourceFileLoader("stage_pack", "scripts/stage-pack")
    spec = importlib.util.spec_from_loader("stage_pack", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return tuple(module.PACK_FILES)


PACK_FILES = _pack_files()


class BuildPyWithPack(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib, "policy_gate", "pack")
        for name in PACK_FILES:
            sources = sorted(Path(name).rglob("*")) if Path(name).is_dir() else [Path(name)]
            for source in sources:
                if source.is_file() and "__pycache__" not in source.parts and source.suffix not in (".pyc", ".pyo"):
                    self.mkpath(str(target / source.parent))
                    self.copy_file(str(source), str(target / source))


setup(cmdclass={"build_py": BuildPyWithPack})
