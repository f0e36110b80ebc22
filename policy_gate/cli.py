"""``python -m policy_gate``: the command line.

Exit codes: 0 nothing fails the run, 1 at least one failing violation (by default: a mandatory
one that is not exempted; see --fail-on and --min-severity), 2 usage or input error, 3 the
program or the pack failed, 5 the input records a run that failed part-way (a preview file
holding an error), 6 no resource reached the pack for judging (only with --fail-on-empty), 130
interrupted, 143 terminated (SIGTERM). Errors are one line on stderr, never a traceback (set
POLICY_GATE_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__, errors
from .capture import Capture
from .errors import EXIT_OK, EXIT_VIOLATIONS, GateError, UsageError, clip, debug_enabled, one_line
from .files import resolve
from .progress import Progress
from .progress import choose as choose_progress
from .reports import FORMATS, Redactor, render, summary
from .reports import targets as report_targets
from .reports.markdown import DEFAULT_LIMIT as MARKDOWN_LIMIT
from .reports.markdown import MIN_LIMIT as MARKDOWN_MIN
from .results import FAIL_ON, SEVERITIES

if TYPE_CHECKING:
    from .analyzer import PackOptions, PackProcess
    from .analyzer.session import Rerun


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see --help)")


class _Version(argparse.Action):
    """``--version``, computed only when asked (it reads the bundled pack's manifest)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(_version_text())
        parser.exit()


def _markdown_limit(value: str) -> int:
    try:
        limit = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of characters: {value!r}") from None
    if limit < MARKDOWN_MIN:
        raise argparse.ArgumentTypeError(f"at least {MARKDOWN_MIN} (room for the verdict and the summary)")
    return limit


_MAX_SECONDS = 7 * 24 * 3600  # waits beyond the platform's limits (threading.TIMEOUT_MAX) raise OverflowError


def _seconds(text: str) -> float:
    """A timeout: a number of seconds above zero, at most a week."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {clip(text, 40)!r}") from None
    if not math.isfinite(value) or not 0 < value <= _MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 and at most {_MAX_SECONDS}, "
                                         f"not {clip(text, 40)!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policy-gate", description="Check a Pulumi program, stack export or preview with a "
                     "CrossGuard policy pack, offline: no Pulumi CLI, no cloud credentials.")
    parser.add_argument("--version", action=_Version, nargs=0, help="show the gate's version and the bundled pack's, and exit")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = commands.add_parser("run", help="analyse a program, a stack export or checkpoint, or a preview JSON file")
    run.add_argument("path", metavar="PATH", help="program directory (with Pulumi.yaml), `pulumi stack export` or "
                     "checkpoint file, or `pulumi preview --json` file")
    run.add_argument("--input", choices=("auto", "program", "state", "preview"), default="auto",
                     help="what PATH is (default: decided from PATH)")
    run.add_argument("--pack", default=None, help="policy pack directory (default: the pack bundled with the gate; in a "
                     "checkout, the repository root)")
    run.add_argument("--config", help="policy config JSON, as for `pulumi up --policy-pack-config`")
    run.add_argument("--exemptions", help="exemptions file (YAML or JSON): policy, resource, reason, expires")
    run.add_argument("--stack", default="dev", help="stack name for a program (default: dev; reads Pulumi.<stack>.yaml)")
    run.add_argument("--allow-missing-stack-file", action="store_true",
                     help="run with no stack config when Pulumi.<stack>.yaml does not exist (the CLI accepts that for a "
                     "stack that exists in its backend, which the gate cannot know)")
    run.add_argument("--preview", action="store_true", help="leave computed outputs unknown, as `pulumi preview` does")
    run.add_argument("--format", choices=FORMATS, help="report format (default: text, unless only --report is given)")
    run.add_argument("--output", help="write that report to this file instead of stdout (stdout then gets the summary line)")
    run.add_argument("--report", action="append", default=[], metavar="FORMAT=PATH",
                     help="write the report in FORMAT to PATH ('-': stdout); repeatable: every report from one run")
    run.add_argument("--markdown-limit", type=_markdown_limit, metavar="CHARS",
                     help=f"most characters of the markdown report; whole rows past it are left out and counted (default: "
                     f"{MARKDOWN_LIMIT}, a pull-request comment's limit; a step summary takes up to 1 MiB)")
    run.add_argument("--fail-on", choices=FAIL_ON, default="mandatory",
                     help="which violations fail the run (exit 1): mandatory (default), advisory (any), none")
    run.add_argument("--fail-on-empty", action="store_true",
                     help="exit 6 when no resource reached the pack for judging (no custom resource other than a "
                     "provider): an empty run is reported as EMPTY either way")
    run.add_argument("--min-severity", choices=SEVERITIES[1:], default="low",
                     help="only violations at least this severe fail the run (default: low)")
    run.add_argument("--timeout", type=_seconds, default=300.0, help="seconds the program may run (default: 300)")
    run.add_argument("--pack-python", help="interpreter for the pack (default: its virtualenv, else this Python)")
    run.add_argument("--pack-start-timeout", type=_seconds, default=60.0, help="seconds the pack may take to start (default: 60)")
    run.add_argument("--pack-timeout", type=_seconds, default=120.0, help="seconds the pack may take per call (default: 120)")
    run.add_argument("--source-root", metavar="DIR", help="directory report paths are relative to (SARIF %%SRCROOT%%; "
                     "default: the git work tree holding the program, else the current directory)")
    run.add_argument("--verbose", action="store_true", help="show the program's own output, and the traceback of a "
                     "program that fails (as POLICY_GATE_DEBUG=1 does)")
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="show progress on stderr (default: on a terminal, not in CI; --progress also in logs)")
    run.add_argument("--stack-tag", action="append", default=[], metavar="KEY=VALUE",
                     help="a stack tag for ConfigureStack, as `pulumi stack tag set` stores it (repeatable)")
    hook = commands.add_parser("pre-commit", help="the pre-commit hook: run on each Pulumi Python program the files belong "
                               "to, with text reports (the options are run's)")
    hook.add_argument("files", nargs="*", metavar="FILE", help="files of the commit (pre-commit passes them)")
    for action in run._actions:  # every option of run, but those that name reports: each program prints its text report
        if action.option_strings and action.dest not in ("help", "input", "format", "output", "report", "markdown_limit"):
            hook._add_action(action)
    hook.set_defaults(input="program", format=None, output=None, report=[], markdown_limit=None)
    return parser


def _capture(args: argparse.Namespace, runs: list[Capture], progress: Progress,
             on_kind: Callable[[str], None]) -> tuple[Capture, Rerun | None]:
    """What to analyse, and for a program how to run it again with remediated inputs (each
    run's capture is appended to ``runs``); ``on_kind`` is told a file's kind once it is known."""
    from . import inputs
    from .program import run_program

    path = resolve(args.path)
    kind = args.input
    if kind == "auto" and (path.is_dir() or not path.exists()):
        kind = "program"
    if kind == "program":
        def rerun(remediations: dict[str, dict[str, Any]]) -> Capture:
            progress.stage("Running the program again with the remediated inputs")
            runs.append(run_program(path, args.stack, args.preview, args.timeout, args.verbose,
                                    args.allow_missing_stack_file, remediations))
            return runs[-1]

        progress.stage("Running the program")
        return run_program(path, args.stack, args.preview, args.timeout, args.verbose, args.allow_missing_stack_file), rerun
    if args.preview:
        raise UsageError("--preview applies to programs; a preview JSON file is already a preview")
    return inputs.load(path, expected=None if kind == "auto" else kind, on_kind=on_kind), None


def _source_root(args: argparse.Namespace, capture: Capture) -> Path:
    from .reports.locations import source_root

    return source_root(capture, args.source_root)


def _run(args: argparse.Namespace) -> int:
    progress = choose_progress(args.progress)
    try:
        return _gate(args, progress)
    finally:
        progress.close()  # before the error line main prints


class _EarlyPack:
    """Told the input file's kind (``inputs.load``'s ``on_kind``): a state file gives the pack no
    stack options (``state_environment``), so the pack starts then, while the file is checked and
    read; leaving the ``with`` ends it, whatever happened."""

    def __init__(self, options: PackOptions) -> None:
        self.options = options
        self.pack: PackProcess | None = None

    def __call__(self, kind: str) -> None:
        from .analyzer import PackProcess, state_environment

        if kind == "state":
            self.pack = PackProcess(self.options, state_environment())

    def __enter__(self) -> _EarlyPack:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pack is not None:
            self.pack.close()


def _gate(args: argparse.Namespace, progress: Progress) -> int:
    from . import checked, tags
    from . import exemptions as exemptions_mod
    from .analyzer import PackOptions, analyze  # imported here: --help stays fast
    from .config import load_file

    targets = report_targets.parse(args.report, args.format, args.output)
    pack_dir = resolve(args.pack, "--pack ") if args.pack else default_pack()
    user_config = load_file(args.config)
    exemptions = exemptions_mod.load(args.exemptions) if args.exemptions else []
    if args.source_root and not Path(args.source_root).is_dir():
        raise UsageError(f"--source-root {args.source_root} is not a directory")
    given_tags = tags.parse_flags(args.stack_tag)
    options = PackOptions(pack_dir, python=args.pack_python, start_timeout=args.pack_start_timeout,
                          call_timeout=args.pack_timeout)
    runs: list[Capture] = []
    with _EarlyPack(options) as early:
        capture, rerun = _capture(args, runs, progress, early)
        gate_warnings = [tags.STATE_FILE_WARNING] if capture.kind == "state" and given_tags else []
        stack_tags = tags.stack_tags(capture, given_tags) if capture.kind == "program" else given_tags
        secrets = capture.secret_strings()
        redact = Redactor(secrets)
        said: set[str] = set()
        _say(capture.warnings + gate_warnings, redact, said)  # before the analysis, which may fail
        try:
            outcome = analyze(capture, options, user_config, config_origin=args.config or "config", rerun=rerun,
                              progress=progress, stack_tags=stack_tags, pack=early.pack)
        except GateError as exc:
            exc.message = redact(exc.message)  # a pack's error text may quote a property value
            raise
    if runs:  # the program ran again with remediated inputs: report on what it deployed
        capture = runs[-1]
        redact = Redactor(secrets | capture.secret_strings())
    checked.record(outcome, capture, [*gate_warnings, *outcome.warnings])
    _say(outcome.warnings, redact, said)  # always, whatever the format: part of the input was not checked as written
    if args.exemptions:
        exemptions_mod.check_policies(exemptions, {p.name for p in outcome.policies}, args.exemptions)
        exemptions_mod.apply(outcome, exemptions, dt.date.today())
    root = _source_root(args, capture)
    progress.close()  # the display is erased before any report is written
    report_targets.write(targets, lambda fmt: render(fmt, outcome, capture, redact, args.fail_on, args.min_severity, root,
                                                     args.markdown_limit), summary(outcome, args.fail_on, args.min_severity))
    if outcome.failing(args.fail_on, args.min_severity):
        return EXIT_VIOLATIONS
    return errors.EXIT_EMPTY if args.fail_on_empty and outcome.empty else EXIT_OK


def _say(warnings: list[str], redact: Redactor, said: set[str]) -> None:
    """Each warning on stderr, once."""
    for warning in warnings:
        if warning not in said:
            said.add(warning)
            print(f"warning: {one_line(redact(warning))}", file=sys.stderr)


def default_pack() -> Path:
    """The pack the gate ships with: installed, the copy setup.py bundles in the package
    (``pack/``); in a checkout, the repository root, which is the pack."""
    here = Path(__file__).resolve().parent
    bundled = here / "pack"
    return bundled if (bundled / "PulumiPolicy.yaml").is_file() else here.parent


def _version_text() -> str:
    from .project import load_pack

    directory = default_pack()
    try:
        pack = f"policy pack {load_pack(directory).version or '(no version)'} ({directory})"
    except GateError as exc:
        pack = f"no policy pack ({exc.message})"
    return f"policy-gate {__version__}; {pack}"


def _pre_commit(args: argparse.Namespace) -> int:
    """``policy-gate pre-commit [RUN OPTIONS] FILE...``: ``run`` on each program the files belong to."""
    from . import hook

    def gate(program: Path) -> int:
        one = argparse.Namespace(**{**vars(args), "path": str(program), "input": "program"})
        return _guarded(lambda: _run(one))

    return hook.run(args.files, gate)


def _terminate(signum: int, frame: object) -> None:
    raise errors.Terminated


def main(argv: list[str] | None = None) -> int:
    # SIGTERM would end the gate at once, leaving the program's and the pack's processes running:
    # raised as an exception instead, it runs every cleanup on the way out, as Ctrl-C does.
    in_main = threading.current_thread() is threading.main_thread()  # only there can a handler be set
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None

    def dispatch() -> int:
        args = _parser().parse_args(argv)
        return _pre_commit(args) if args.command == "pre-commit" else _run(args)

    try:
        return _guarded(dispatch)
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)


def _guarded(call: Callable[[], int]) -> int:
    """``call``'s exit code; any failure one line on stderr, with its exit code."""
    try:
        return call()
    except GateError as exc:
        print(f"error: {one_line(exc.message)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except errors.Terminated:
        print("error: terminated", file=sys.stderr)
        return errors.EXIT_TERMINATED
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        if debug_enabled():
            traceback.print_exc()
        print(f"error: internal error ({type(exc).__name__}); set POLICY_GATE_DEBUG=1 for details", file=sys.stderr)
        return errors.EXIT_RUN


__all__ = ["main"]
