"""Old import path of ``policies.core.props``, kept only because ``policy_gate`` (capture.py,
inputs.py) imports these two constants from it until the gate has its own (issue 14); delete this
file once no ``policy_gate`` module imports ``policies.props``."""

from .core.props import SECRET_SIG, SIG_KEY

__all__ = ["SECRET_SIG", "SIG_KEY"]
