"""The Azure ML REST API's create-or-update request examples (stable 2025-12-01) as one Pulumi program.

resources.json holds the request bodies in wire spelling (camelCase, as the API examples write them),
one per azure-native 3.x type, with the path parameters (resourceGroupName, workspaceName, ...) as
inputs. Each is built with the SDK's own classes by tests/sdk_build.py, which rejects a property the
SDK does not have. A body marked ``"raw"`` is an API shape the SDK's typed union lacks (fine-tuning
jobs, API 2025-12-01): it is passed as the plain dict a program would write. Children name their
workspace by a literal string, as the API's URL parameters do: after ``pulumi up`` the stack rules link
them by ARM id (policies/core/linking.py).
"""

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "tests"))

import sdk_build  # noqa: E402

for entry in json.loads((HERE / "resources.json").read_text())["resources"]:
    if entry.get("raw"):
        cls = sdk_build.resource_class(entry["type"])
        cls(entry["name"], **{re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in entry["inputs"].items()})
    else:
        sdk_build.build(entry["type"], entry["name"], entry["inputs"])
