"""The pack's provider tables (policies/core/providers.py, policies/core/resources/common.py) against
the real packages: pulumi-azure-native 3.29 (the dev venv), 2.92.3 (the an2 SDK env: its default
module and the versioned modules whose bodies are spelled otherwise) and pulumi-azure 6.40.1 (the
classic env). Each package is read by tests/providers_dump.py in its own interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from policies.core import types as t
from policies.core.providers import AN2_VERSIONED_ONLY, Provider, body_key, tokens
from policies.core.resources import common
from policies.core.shape import path_of
from tests import sdk_envs

pytestmark = pytest.mark.process

DUMP = Path(__file__).resolve().parent / "providers_dump.py"
# 2.x modules read besides the default one: the <x>Details module, the v1-era modules, a current one.
AN2_MODULES = ("v20220201preview", "v20210301preview", "v20210401", "v20240401")
Inputs = dict[str, dict[str, list[str]]]


@cache
def dump(provider: Provider) -> Inputs:
    if provider is Provider.AN3:
        command = [sys.executable, str(DUMP), "azure-native"]
    elif provider is Provider.AN2:
        command = [str(sdk_envs.python("an2")), str(DUMP), "azure-native", *AN2_MODULES]
    else:
        command = [str(sdk_envs.python("classic")), str(DUMP), "azure"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(result.stdout)


def _unversioned(found: Inputs) -> set[str]:
    return {token for token in found if t.api_version(token) is None}


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name)
def test_every_type_of_each_provider_is_in_the_tables(provider: Provider) -> None:
    found = dump(provider)
    declared = _unversioned(found)
    if provider is Provider.AN2:  # types only its versioned modules have, by their unversioned token
        declared |= {t.canonical(token) for token in found if t.canonical(token).rsplit(":", 1)[-1] in AN2_VERSIONED_ONLY}
    assert declared == set(tokens(provider))


def _body_like(token: str, inputs: dict[str, list[str]]) -> list[str]:
    details = t.api_version(token) == "v20220201preview"
    return [k for k in inputs if k == "properties" or k.endswith("Properties") or (details and k.endswith("Details"))]


def _props(provider: Provider, token: str, inputs: dict[str, list[str]]) -> dict[str, object]:
    """What a resource of this token holds that tells its version: an unversioned 2.x token says
    nothing, so the 2.x body key present decides (as in the 2.x programs the pack reads)."""
    if provider is Provider.AN2 and t.api_version(token) is None:
        return {key: {} for key in _body_like(token, inputs)[:1]}
    return {}


@pytest.mark.parametrize("provider", [Provider.AN3, Provider.AN2], ids=lambda p: p.name)
def test_body_keys_are_the_sdks(provider: Provider) -> None:
    """The body key the pack reads for each token is an input of the resource; a flat type has no
    body-like input."""
    wrong = {}
    for token, inputs in dump(provider).items():
        expected = body_key(token, _props(provider, token, inputs))
        body_like = _body_like(token, inputs)
        ok = (expected in inputs) if expected is not None else not body_like
        if not ok:
            wrong[token] = (expected, body_like)
    assert wrong == {}


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name)
def test_tag_paths_are_the_sdks(provider: Provider) -> None:
    """Where each type keeps its tags, read from the SDK: a top-level input named tags (kvTags for
    2.x's v1 web services), or the tags field of its body (or of the v1 dataset's registration)."""
    wrong = {}
    for token, inputs in dump(provider).items():
        setting = common.tags(token)
        expected = path_of(token, _props(provider, token, inputs), setting) if setting is not None else None
        top = next((k for k in ("tags", "kvTags") if k in inputs), None)
        nested = [f"{k}.tags" for k, fields in inputs.items() if "tags" in fields]
        actual = top or (nested[0] if len(nested) == 1 else None)
        if expected != actual:
            wrong[token] = (expected, actual)
    assert wrong == {}
