"""The reference stack, unchanged (its project name and config are this program's), then the
problems of ``hidden_problems``: the enforce preset must pass the one and fail the other in a
preview, where every id of a resource not created yet is unknown (tests/test_provenance.py)."""

import runpy
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[3] / "reference_stack"
sys.path.insert(0, str(REFERENCE))
runpy.run_path(str(REFERENCE / "__main__.py"))

import hidden_problems  # noqa: E402,F401 - declares its resources and exports when imported
