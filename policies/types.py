"""Old import path of ``policies.core.types``, kept only because ``policy_gate/runner.py`` imports
``canonical`` from it until the gate stops importing the pack (issue 14); delete this file then."""

from .core.types import canonical

__all__ = ["canonical"]
