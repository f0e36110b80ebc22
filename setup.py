"""The wheel's one custom step: the policy pack travels inside the gate's package, as
``policy_gate/pack/`` (its PulumiPolicy.yaml, __main__.py, requirements.txt and the ``policies``
package), so an installed ``policy-gate`` has a pack to run by default and puts no top-level
``policies`` package on anyone's path. Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt")
PACK_PACKAGE = "policies"


class BuildPyWithPack(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib, "policy_gate", "pack")
        for name in PACK_FILES:
            self.mkpath(str(target))
            self.copy_file(name, str(target / name))
        for source in sorted(Path(PACK_PACKAGE).rglob("*")):
            if source.is_file() and "__pycache__" not in source.parts and source.suffix not in (".pyc", ".pyo"):
                self.mkpath(str(target / source.parent))
                self.copy_file(str(source), str(target / source))


setup(cmdclass={"build_py": BuildPyWithPack})
