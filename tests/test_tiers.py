"""The test tiers (tests/conftest.py): a test without the ``process`` marker cannot start a process."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import UnmarkedProcessError, no_processes

pytest_plugins = ["pytester"]


def test_this_unmarked_test_cannot_start_a_process() -> None:
    """The guard is on here already (this test has no marker): every way of starting a process fails."""
    with pytest.raises(UnmarkedProcessError, match="without the 'process' marker"):
        subprocess.run([sys.executable, "-c", "pass"], check=False)
    with pytest.raises(UnmarkedProcessError):
        os.system("true")
    with pytest.raises(UnmarkedProcessError):
        multiprocessing.get_context("spawn").Process(target=print).start()
    with pytest.raises(UnmarkedProcessError):
        multiprocessing.get_context("fork").Process(target=print).start()


def test_the_guard_restores_what_it_replaced() -> None:
    before = (os.fork, os.system, os.posix_spawn)
    with no_processes():
        assert os.fork is not before[0]
    assert (os.fork, os.system, os.posix_spawn) == before


@pytest.mark.process
def test_the_marker_decides_in_a_real_session(pytester: pytest.Pytester) -> None:
    """A session with this conftest: the unmarked test that starts a process fails with the
    message, the marked one runs it, also when a module-scoped fixture starts it."""
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text())
    pytester.makepyfile(test_sample=textwrap.dedent("""
        import subprocess, sys
        import pytest

        @pytest.fixture(scope="module")
        def started():
            return subprocess.run([sys.executable, "-c", "print('hi')"], capture_output=True, text=True).stdout

        def test_unmarked():
            subprocess.run([sys.executable, "-c", "pass"])

        def test_unmarked_fixture(started):
            assert started

        @pytest.mark.process
        def test_marked():
            assert subprocess.run([sys.executable, "-c", "print('hi')"], capture_output=True, text=True).stdout == "hi\\n"
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*UnmarkedProcessError: this test started a subprocess*without the 'process' marker*"])
    fast = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not process")
    fast.assert_outcomes(failed=1, errors=1, deselected=1)
