"""The files the gate reads itself (``policy_gate.project``, ``policy_gate.files``): each problem
is a one-line usage error, and the program's config is read as the language host passes it.
No subprocess: the runner gets the result on stdin (``tests/test_runner.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from policy_gate import config, exemptions, project, stack_config
from policy_gate.errors import UsageError


def _program(directory: Path, manifest: str = "name: proj\nruntime: python\n", stack: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text(manifest)
    (directory / "__main__.py").write_text("import pulumi\n")
    if stack:
        (directory / "Pulumi.dev.yaml").write_text(stack)
    return directory


@pytest.mark.parametrize(("case", "fragment"), [
    ("no-directory", "does not exist"), ("no-pulumi-yaml", "(no Pulumi.yaml)"), ("no-entry", "program entry"),
    ("not-python", "has runtime 'nodejs'; only python can run"), ("no-name", "has no project name"),
    ("empty", "must be a YAML mapping"), ("bad-yaml", "is not valid YAML"), ("not-utf8", "cannot read"),
])
def test_bad_program_directory_is_a_usage_error(tmp_path: Path, case: str, fragment: str) -> None:
    directory = tmp_path / "p"
    if case != "no-directory":
        directory.mkdir()
    manifest = {"no-entry": "name: x\nruntime: python\nmain: src/\n", "not-python": "name: x\nruntime: nodejs\n",
                "no-name": "runtime: python\n", "empty": "", "bad-yaml": "name: [x\n"}
    if case in manifest:
        (directory / "Pulumi.yaml").write_text(manifest[case])
    if case == "not-utf8":
        (directory / "Pulumi.yaml").write_bytes(b"name: \xff\n")
    with pytest.raises(UsageError) as caught:
        project.load_program(directory)
    assert fragment in caught.value.message and "\n" not in caught.value.message
    assert not caught.value.message.startswith("error:")  # the CLI adds the prefix, once


def test_program_entry_and_options(tmp_path: Path) -> None:
    directory = _program(tmp_path / "p", "name: proj\nruntime:\n  name: python\n  options: {virtualenv: venv}\nmain: src/\n"
                         "stackConfigDir: stacks\n")
    (directory / "src").mkdir()
    (directory / "src" / "__main__.py").write_text("import pulumi\n")
    loaded = project.load_program(directory)
    assert (loaded.name, loaded.entry, loaded.program_dir, loaded.runtime_options, loaded.stack_dir) == (
        "proj", directory / "src" / "__main__.py", directory / "src", {"virtualenv": "venv"}, directory / "stacks")


@pytest.mark.parametrize(("stack", "fragment"), [("config: [1]\n", "`config` must be a mapping"),
                                                 ("config: {a: [\n", "is not valid YAML"), ("- 1\n", "must be a YAML mapping")])
def test_bad_stack_file_is_a_usage_error(tmp_path: Path, stack: str, fragment: str) -> None:
    directory = _program(tmp_path / "p", stack=stack)
    loaded = project.load_program(directory)
    with pytest.raises(UsageError) as caught:
        stack_config.load(loaded.name, loaded.declarations, loaded.stack_dir, "dev", allow_missing_file=False)
    assert fragment in caught.value.message


def test_pack_manifest(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"no PulumiPolicy.yaml"):
        project.load_pack(tmp_path)
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime:\n  name: python\n  options: not-a-mapping\nversion: 1.2\n")
    pack = project.load_pack(tmp_path)
    assert (pack.version, pack.interpreter(), pack.interpreter("/x/python")) == ("1.2", sys.executable, "/x/python")
    (tmp_path / "PulumiPolicy.yaml").write_text("")
    assert project.load_pack(tmp_path).version == ""


@pytest.mark.parametrize("reader", ["config", "exemptions", "pack"])
def test_a_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path, reader: str) -> None:
    path = tmp_path / ("PulumiPolicy.yaml" if reader == "pack" else "file")
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(UsageError) as caught:
        {"config": lambda: config.load_file(str(path)), "exemptions": lambda: exemptions.load(str(path)),
         "pack": lambda: project.load_pack(tmp_path)}[reader]()
    assert caught.value.message.startswith("cannot read") and str(path) in caught.value.message


@pytest.mark.parametrize(("stack", "expected"), [("dev", "dev"), ("acme/proj/dev", "dev"), ("acme/dev", "dev")])
def test_a_qualified_stack_name_reads_the_stacks_own_file(tmp_path: Path, stack: str, expected: str) -> None:
    """``--stack org/project/dev``: the file and the URNs use the stack's own name, as the CLI's do."""
    from policy_gate.program import prepare

    directory = _program(tmp_path / "p", stack="config:\n  proj:k: v\n")
    prepared = prepare(directory, stack)
    assert (prepared.stack, prepared.config.values) == (expected, {"proj:k": "v"})


@pytest.mark.parametrize("stack", ["", "acme/", "..", "a\\b"])
def test_a_stack_name_that_names_no_file_is_a_usage_error(tmp_path: Path, stack: str) -> None:
    from policy_gate.program import prepare

    with pytest.raises(UsageError, match="is not a stack name"):
        prepare(_program(tmp_path / "p", stack="config: {}\n"), stack)


def test_in_a_checkout_the_default_pack_is_the_repository_root() -> None:
    from policy_gate.cli import default_pack

    root = Path(__file__).resolve().parent.parent
    assert default_pack() == root and (root / "PulumiPolicy.yaml").is_file()
