"""``python -m policy_gate``: the command line.

Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 usage or input
error, 3 the program or the pack failed. Errors are one line on stderr, never a traceback
(set POLICY_GATE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from . import report
from .errors import EXIT_OK, EXIT_RUN, EXIT_USAGE, EXIT_VIOLATIONS, GateError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m policy_gate", description="Check a Pulumi program with a CrossGuard policy pack, "
                     "offline: no Pulumi CLI, no cloud credentials.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="run a Pulumi Python program under mocks and analyse it with the pack")
    run.add_argument("program", metavar="PROGRAM_DIR", help="directory holding Pulumi.yaml")
    run.add_argument("--pack", default=".", help="policy pack directory (default: the current directory)")
    run.add_argument("--config", help="policy config JSON, as for `pulumi up --policy-pack-config`")
    run.add_argument("--stack", default="dev", help="stack name (default: dev; reads Pulumi.<stack>.yaml config)")
    run.add_argument("--preview", action="store_true", help="leave computed outputs unknown, as `pulumi preview` does")
    run.add_argument("--format", choices=("text", "json"), default="text", help="report format (default: text)")
    run.add_argument("--output", help="write the report to this file instead of stdout")
    run.add_argument("--timeout", type=float, default=300.0, help="seconds the program may run (default: 300)")
    run.add_argument("--pack-python", help="interpreter for the pack (default: its virtualenv, else this Python)")
    run.add_argument("--verbose", action="store_true", help="show the program's own output")
    return parser


def _run(args: argparse.Namespace) -> int:
    from .analyzer import PackOptions, analyze  # imported here: --help stays fast
    from .config import load_file
    from .program import run_program

    pack_dir = Path(args.pack).resolve()
    user_config = load_file(args.config)
    capture = run_program(Path(args.program).resolve(), args.stack, args.preview, args.timeout, args.verbose)
    outcome = analyze(capture, PackOptions(pack_dir, python=args.pack_python), user_config,
                      config_origin=args.config or "config")
    redact = report.Redactor(capture.secret_strings())
    text = report.dumps_json(outcome, redact) if args.format == "json" else report.to_text(outcome, redact)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(report.summary(outcome))
    else:
        sys.stdout.write(text)
    return EXIT_VIOLATIONS if outcome.mandatory else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except GateError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        if os.environ.get("POLICY_GATE_DEBUG"):
            traceback.print_exc()
        print(f"error: internal error ({type(exc).__name__}); set POLICY_GATE_DEBUG=1 for details", file=sys.stderr)
        return EXIT_RUN


__all__ = ["EXIT_USAGE", "main"]
