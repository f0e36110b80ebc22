"""Gate faults: each gives one line on stderr, its documented exit code, and leaves no
temporary file or child process behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
FAULTY_PACK = ROOT / "tests" / "fixtures" / "faulty_pack"


def _program(directory: Path, body: str = "import pulumi\npulumi.export('answer', 42)\n", mode: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: faulty\nruntime: python\n")
    (directory / "__main__.py").write_text(body)
    (directory / "Pulumi.dev.yaml").write_text(f"config:\n  faulty:mode: {mode}\n" if mode else "config: {}\n")
    return directory


def _children_of(marker: str) -> list[str]:
    """Processes whose command line mentions ``marker`` (the test's own unique directory)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmdline and str(os.getpid()) != entry.name:
            found.append(cmdline)
    return found


def run_gate(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The gate with a private TMPDIR, which must be empty again afterwards."""
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(scratch)}
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert list(scratch.iterdir()) == [], "the gate left temporary files behind"
    deadline = time.monotonic() + 5
    while _children_of(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _children_of(str(tmp_path)) == [], "the gate left processes behind"
    return result


def _one_line(result: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert "Traceback" not in result.stderr


_THINGS = ("import pulumi\nclass Thing(pulumi.CustomResource):\n    def __init__(self, name):\n"
           "        super().__init__('test:index:Thing', name, {})\n"
           "for i in range(8):\n    Thing(f't{i}')\n")


def test_analyze_calls_overlap_and_answers_keep_the_resources_order(tmp_path: Path) -> None:
    """Several Analyze calls are in flight at once (the gate builds requests while the pack
    answers), and the report still lists the answers in the program's order."""
    import json

    program = _program(tmp_path / "program", _THINGS, "overlap")
    result = run_gate(tmp_path, str(program), "--pack", str(FAULTY_PACK), "--format", "json")
    assert result.returncode == 1, result.stderr
    judged = [v["message"] for v in json.loads(result.stdout)["violations"] if "::test:index:Thing::" in v["urn"]]
    assert [m.split()[1] for m in judged] == [f"t{i}" for i in range(8)]
    assert max(int(m.rsplit("=", 1)[1]) for m in judged) > 1, judged


def test_pack_dying_with_calls_in_flight(tmp_path: Path) -> None:
    program = _program(tmp_path / "program", _THINGS, "die-fourth")
    _one_line(run_gate(tmp_path, str(program), "--pack", str(FAULTY_PACK)), 3, "died during Analyze (exit code 7)")


@pytest.mark.parametrize(("mode", "extra", "fragment"), [
    ("no-port", ("--pack-start-timeout", "3"), "printed no port within 3s"),
    ("garbage", (), "printed something other than a port"),
    ("die", (), "died during Analyze (exit code 7)"),
    ("slow", ("--pack-timeout", "3"), "did not answer Analyze within 3s"),
    ("raise", (), "the policy pack failed in Analyze"),
])
def test_pack_faults(tmp_path: Path, mode: str, extra: tuple[str, ...], fragment: str) -> None:
    body = ("import pulumi\nclass Thing(pulumi.CustomResource):\n    def __init__(self, name):\n"
            "        super().__init__('test:index:Thing', name, {'secretish': pulumi.Output.secret('s3cr3t-value-xyz')})\n"
            "Thing('t')\n")
    program = _program(tmp_path / "program", body, mode)
    result = run_gate(tmp_path, str(program), "--pack", str(FAULTY_PACK), *extra)
    _one_line(result, 3, fragment)
    assert "s3cr3t-value-xyz" not in result.stderr + result.stdout


def test_pack_that_is_not_a_pack(tmp_path: Path) -> None:
    result = run_gate(tmp_path, str(_program(tmp_path / "program")), "--pack", str(tmp_path))
    _one_line(result, 2, "no PulumiPolicy.yaml")


def test_pack_interpreter_missing(tmp_path: Path) -> None:
    result = run_gate(tmp_path, str(_program(tmp_path / "program")), "--pack-python", str(tmp_path / "no-python"))
    _one_line(result, 3, "cannot start the policy pack")


def test_program_hang_is_killed_with_its_children(tmp_path: Path) -> None:
    body = ("import subprocess, sys, time\n"
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{tmp_path}'])\n"
            "time.sleep(600)\n")
    result = run_gate(tmp_path, str(_program(tmp_path / "program", body)), "--timeout", "3")
    _one_line(result, 3, "did not finish within 3s")


@pytest.mark.parametrize(("body", "fragment"), [
    ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
    ("import not_a_module_anywhere\n", "not_a_module_anywhere"),
    ("import sys\nsys.exit(5)\n", ""),
])
def test_program_faults(tmp_path: Path, body: str, fragment: str) -> None:
    result = run_gate(tmp_path, str(_program(tmp_path / "program", body)))
    _one_line(result, 3, fragment)


def test_unwritable_output(tmp_path: Path) -> None:
    body = ("import pulumi\nclass Thing(pulumi.CustomResource):\n    def __init__(self, name):\n"
            "        super().__init__('test:index:Thing', name, {})\nThing('t')\n")
    program = _program(tmp_path / "program", body)  # a resource to judge: an empty run would add its warning
    target = tmp_path / "read-only"
    target.mkdir()
    target.chmod(0o500)
    try:
        result = run_gate(tmp_path, str(program), "--output", str(target / "report.txt"))
    finally:
        target.chmod(0o700)
    if os.geteuid() == 0:  # root writes anywhere: use a path that cannot exist instead
        result = run_gate(tmp_path, str(program), "--output", str(tmp_path / "missing" / "r.txt"))
    _one_line(result, 2, "cannot write")
