"""The stack tags ConfigureStack carries (pulumi_policy hands them to policies as
``args.stack_tags``).

The CLI sends the stack's tags (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``
``NewPolicyAnalyzer``: ``Tags: opts.Tags``; PR #20084). For a stack they are what
``pkg/backend/stack.go`` ``GetEnvironmentTagsForCurrentStack`` derives from the project and its
config, merged over the tags stored with the stack: ``pulumi:project``, ``pulumi:runtime`` and
``pulumi:description`` from ``Pulumi.yaml``, every entry of the ``pulumi:tags`` config object,
and ``vcs:owner``/``vcs:repo``/``vcs:kind`` from the git remote. The gate derives the first
three and ``pulumi:tags`` the same way; tags stored in a backend (``pulumi stack tag set``) and
the git ones are given with ``--stack-tag KEY=VALUE``, which wins over derived ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .capture import Capture
from .errors import UsageError

TAGS_CONFIG_KEY = "pulumi:tags"
STATE_FILE_WARNING = "--stack-tag has no effect on a state file: `pulumi policy analyze` sends no ConfigureStack"


def parse_flags(flags: Iterable[str]) -> dict[str, str]:
    """``--stack-tag KEY=VALUE`` flags (a value may be empty, a key may not)."""
    tags: dict[str, str] = {}
    for flag in flags:
        key, sep, value = flag.partition("=")
        if not sep or not key:
            raise UsageError(f"--stack-tag {flag!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


def stack_tags(capture: Capture, given: dict[str, str]) -> dict[str, str]:
    """The tags ConfigureStack carries for a program run: derived ones, then ``given``."""
    tags = {"pulumi:project": capture.project, "pulumi:runtime": "python"}
    if capture.description is not None:
        tags["pulumi:description"] = capture.description
    tags.update(_config_tags(capture))
    tags.update(given)
    return tags


def _config_tags(capture: Capture) -> dict[str, str]:
    raw = capture.config.get(TAGS_CONFIG_KEY)
    if raw is None:
        return {}
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise UsageError(f"{TAGS_CONFIG_KEY} must be an object of strings")  # the CLI's text
    for name, tag in value.items():
        if not isinstance(tag, str):
            raise UsageError(f"{TAGS_CONFIG_KEY}[{name}] must be a string")
    return dict(value)
