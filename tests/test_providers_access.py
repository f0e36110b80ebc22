"""The role assignment shapes (policies/core/resources/access.py) against the real packages: every
path a rule reads is an input of the resource class in pulumi-azure-native 3.29 (the dev venv), 2.92.3
(its default module and the versioned modules with a RoleAssignment) and pulumi-azure 6.40.1, read
in each package's own interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policies.core.providers import Provider
from policies.core.resources import access as ra
from policies.core.shape import path_of
from tests import sdk_envs

pytestmark = pytest.mark.process

# Prints {token: [input names]} of the classes named on the command line (module:Class).
READ = """
import importlib, json, sys
from pulumi import _types
found = {}
for spec in sys.argv[1:]:
    module, name = spec.split(":")
    args = getattr(importlib.import_module(module), name + "Args")
    found[spec] = sorted(_types.input_type_types(args))
print(json.dumps(found))
"""
AN2_MODULES = ("v20171001preview", "v20200301preview", "v20200401preview", "v20220401")


def inputs(python: str, *classes: str) -> dict[str, list[str]]:
    result = subprocess.run([python, "-c", READ, *classes], capture_output=True, text=True, timeout=600, check=True)
    found: dict[str, list[str]] = json.loads(result.stdout)
    return found


def _paths(token: str) -> set[str]:
    settings = (ra.SCOPE, ra.ROLE_ID, ra.ROLE_NAME, ra.PRINCIPAL_ID, ra.PRINCIPAL_TYPE)
    return {path for s in settings if (path := path_of(token, {}, s)) is not None}


@pytest.mark.parametrize("provider", list(Provider), ids=lambda p: p.name)
def test_every_path_the_access_rules_read_is_an_input(provider: Provider) -> None:
    if provider is Provider.AN3:
        found = inputs(sys.executable, "pulumi_azure_native.authorization:RoleAssignment")
        expected = {"pulumi_azure_native.authorization:RoleAssignment": _paths(ra.ROLE_ASSIGNMENT)}
    elif provider is Provider.AN2:
        modules = ["pulumi_azure_native.authorization", *(f"pulumi_azure_native.authorization.{m}" for m in AN2_MODULES)]
        found = inputs(str(sdk_envs.python("an2")), *(f"{m}:RoleAssignment" for m in modules))
        expected = {f"{m}:RoleAssignment": _paths(ra.ROLE_ASSIGNMENT) for m in modules}
        # The oldest module has no principalType: the setting says so (Only), and absent means User.
        expected["pulumi_azure_native.authorization.v20171001preview:RoleAssignment"] -= {"principalType"}
        assert ra.PRINCIPAL_TYPE.only is not None and "v20171001preview" not in ra.PRINCIPAL_TYPE.only.modules
    else:
        found = inputs(str(sdk_envs.python("classic")), "pulumi_azure.authorization:Assignment")
        expected = {"pulumi_azure.authorization:Assignment": _paths(ra.CLASSIC_ROLE_ASSIGNMENT)}
    missing = {spec: sorted(paths - set(found[spec])) for spec, paths in expected.items() if paths - set(found[spec])}
    assert missing == {}
