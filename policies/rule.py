"""Old import path of ``policies.core.rule``, kept only because ``bench/run.py`` imports these from
it until the benchmark is rebuilt on the gate's public API (issue 14); delete this file then."""

from .core.stack import StackIndex
from .core.stack import stack_item as _stack_item

__all__ = ["StackIndex", "_stack_item"]
