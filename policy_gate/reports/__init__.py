"""The reports: ``text`` (a table for people), ``json``, ``sarif`` (code scanning), ``junit``
(CI dashboards), ``markdown`` (GitHub step summaries and pull-request comments). Every string
printed passes through ``redact.Redactor``; ``summary`` is the one-line verdict; ``locations``
finds the program line that declared a resource."""

from __future__ import annotations

from pathlib import Path

from ..capture import Capture
from ..results import Outcome
from .redact import Redactor
from .summary import summary

FORMATS = ("text", "json", "sarif", "junit", "markdown")


def render(fmt: str, outcome: Outcome, capture: Capture, redact: Redactor, fail_on: str = "mandatory",
           min_severity: str = "low", source_root: Path | None = None, markdown_limit: int | None = None) -> str:
    """The report in ``fmt`` (one of ``FORMATS``); each format is imported only when used.
    ``source_root``: what SARIF, JUnit and Markdown paths are relative to (default
    ``locations.source_root``); ``markdown_limit``: the most characters of the Markdown report."""
    if fmt == "json":
        from .json import dumps_json

        return dumps_json(outcome, redact, fail_on, min_severity)
    if fmt == "sarif":
        import json

        from .sarif import to_sarif

        return json.dumps(to_sarif(outcome, capture, redact, base=source_root), indent=2) + "\n"
    if fmt == "junit":
        from .junit import to_junit

        return to_junit(outcome, capture, redact, base=source_root)
    if fmt == "markdown":
        from .markdown import DEFAULT_LIMIT, to_markdown

        return to_markdown(outcome, capture, redact, fail_on, min_severity, base=source_root,
                           limit=markdown_limit or DEFAULT_LIMIT)
    from .text import to_text

    return to_text(outcome, redact, fail_on, min_severity)


__all__ = ["FORMATS", "Redactor", "render", "summary"]
