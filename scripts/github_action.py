#!/usr/bin/env python3
"""The logic of the GitHub Action (``action.yml``), runnable without GitHub. Standard library only:
it runs before the gate is installed.

  github_action.py install [--venv DIR]   a virtualenv with the gate installed from this checkout
                                          (the gate, its pack and its own dependencies; no provider
                                          SDK: the program keeps its own, in its own environment)
  github_action.py run [--defer-exit]     one gate run writing every report asked for

``run`` reads the action's inputs from the environment, as ``action.yml`` passes them:
``INPUT_PATH``, ``INPUT_CONFIG``, ``INPUT_EXEMPTIONS``, ``INPUT_STACK``, ``INPUT_FAIL_ON``,
``INPUT_MIN_SEVERITY``, ``INPUT_PREVIEW``, ``INPUT_REPORTS``, ``INPUT_OUTPUT_DIR``,
``INPUT_UPLOAD_SARIF``, ``INPUT_STEP_SUMMARY``, ``INPUT_ARGS``; ``POLICY_GATE`` is the gate's
command (``install``'s ``gate`` output; default ``policy-gate``). It prints the text report,
writes the other reports to the output directory, appends the Markdown report to
``$GITHUB_STEP_SUMMARY`` and writes ``OUTPUTS`` to ``$GITHUB_OUTPUT`` (each only when the
variable is set). Its exit code is the gate's (0 pass, 1 violations, 2 usage, 3 run failure),
or 0 with ``--defer-exit``, which lets the action upload SARIF before its last step fails.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the action's checkout: what ``install`` installs
REPORTS = {"sarif": "policy-gate.sarif", "junit": "policy-gate.junit.xml", "json": "policy-gate.json",
           "markdown": "policy-gate.md"}
OUTPUTS = ("exit-code", "summary", "upload-sarif", *REPORTS)
EXIT_USAGE = 2
TRUE = ("true", "yes", "1", "on")


class InputError(Exception):
    """An input the action cannot use: one line, exit 2."""


def flag(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = environ.get(name, "").strip().lower()
    return default if not value else value in TRUE


def reports_asked(environ: Mapping[str, str]) -> list[str]:
    """``INPUT_REPORTS`` (comma- or space-separated), plus SARIF for the upload and Markdown for the
    step summary when those are on."""
    names = [n for n in environ.get("INPUT_REPORTS", "").replace(",", " ").split() if n]
    unknown = [n for n in names if n not in REPORTS]
    if unknown:
        raise InputError(f"reports: unknown report {unknown[0]!r} (choose from {', '.join(REPORTS)})")
    if flag(environ, "INPUT_UPLOAD_SARIF", True):
        names.append("sarif")
    if flag(environ, "INPUT_STEP_SUMMARY", True):
        names.append("markdown")
    return list(dict.fromkeys(names))


def gate_command(environ: Mapping[str, str], out_dir: Path) -> list[str]:
    """One ``policy-gate run``: the text report on stdout, every other report in ``out_dir``."""
    command = [*shlex.split(environ.get("POLICY_GATE", "") or "policy-gate"), "run", environ.get("INPUT_PATH", "") or "."]
    for name in reports_asked(environ):
        command += ["--report", f"{name}={out_dir / REPORTS[name]}"]
    command += ["--report", "text=-"]
    for option, name in (("--config", "INPUT_CONFIG"), ("--exemptions", "INPUT_EXEMPTIONS"), ("--stack", "INPUT_STACK"),
                         ("--fail-on", "INPUT_FAIL_ON"), ("--min-severity", "INPUT_MIN_SEVERITY")):
        if environ.get(name, "").strip():
            command += [option, environ[name].strip()]
    if flag(environ, "INPUT_PREVIEW"):
        command.append("--preview")
    return command + shlex.split(environ.get("INPUT_ARGS", ""))


def write_outputs(path: str, outputs: Mapping[str, str]) -> None:
    """Append ``outputs`` to a ``$GITHUB_OUTPUT`` file (a multi-line value between delimiters)."""
    with open(path, "a", encoding="utf-8") as stream:
        for name, value in outputs.items():
            if "\n" in value:
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                stream.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
            else:
                stream.write(f"{name}={value}\n")


def run(environ: Mapping[str, str], defer_exit: bool = False) -> int:
    out_dir = Path(environ.get("INPUT_OUTPUT_DIR", "") or "policy-gate-reports")
    out_dir.mkdir(parents=True, exist_ok=True)
    command = gate_command(environ, out_dir)
    print("+ " + shlex.join(command), flush=True)
    summary = ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, encoding="utf-8", errors="replace") as gate:
        assert gate.stdout is not None
        for line in gate.stdout:  # the text report, into the log as it comes
            sys.stdout.write(line)
            if line.startswith(("PASS: ", "FAIL: ")):
                summary = line.strip()
    code = gate.returncode
    written = {name: str(out_dir / file) for name, file in REPORTS.items()
               if code in (0, 1) and name in reports_asked(environ) and (out_dir / file).is_file()}
    upload = "sarif" in written and flag(environ, "INPUT_UPLOAD_SARIF", True)
    if environ.get("GITHUB_STEP_SUMMARY") and flag(environ, "INPUT_STEP_SUMMARY", True):
        text = (Path(written["markdown"]).read_text(encoding="utf-8") if "markdown" in written else
                f"## Policy gate: error\n\nThe policy gate stopped with exit code {code} before writing its report: "
                "see the step's log.\n")
        with open(environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as stream:
            stream.write(text)
    if environ.get("GITHUB_OUTPUT"):
        write_outputs(environ["GITHUB_OUTPUT"], {"exit-code": str(code), "summary": summary,
                                                 "upload-sarif": "true" if upload else "false", **written})
    return 0 if defer_exit else code


def install(environ: Mapping[str, str], venv: Path | None = None) -> int:
    """A virtualenv (``--venv``, else ``$RUNNER_TEMP/policy-gate``, else a new temporary directory)
    with this checkout installed; its ``policy-gate`` is the ``gate`` output."""
    if venv is None:
        temp = environ.get("RUNNER_TEMP")
        venv = Path(temp) / "policy-gate" if temp else Path(tempfile.mkdtemp(prefix="policy-gate-"))
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    str(ROOT)], check=True)
    gate = venv / "bin" / "policy-gate"
    subprocess.run([str(gate), "--version"], check=True)
    if environ.get("GITHUB_OUTPUT"):
        write_outputs(environ["GITHUB_OUTPUT"], {"gate": str(gate)})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    setup = commands.add_parser("install", help="a virtualenv with the gate installed from this checkout")
    setup.add_argument("--venv", type=Path, help="where (default: $RUNNER_TEMP/policy-gate, else a temporary directory)")
    gate = commands.add_parser("run", help="one gate run writing every report asked for")
    gate.add_argument("--defer-exit", action="store_true", help="exit 0; the gate's code is the exit-code output")
    args = parser.parse_args(argv)
    try:
        return install(os.environ, args.venv) if args.command == "install" else run(os.environ, args.defer_exit)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except subprocess.CalledProcessError as exc:
        print(f"error: {shlex.join(map(str, exc.cmd))} exited with code {exc.returncode}", file=sys.stderr)
        return exc.returncode or 1
    except FileNotFoundError as exc:
        print(f"error: cannot run {exc.filename}: not found", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
