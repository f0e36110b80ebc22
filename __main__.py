"""Entry point the Pulumi CLI runs (``python -m pulumi.policy``). Constructing the pack
starts its gRPC server and blocks forever, so nothing may import this file: what it passes
to ``PolicyPack`` is ``policies.pack.arguments()``."""

import gc

from pulumi_policy import PolicyPack

from policies.core.convert_once import install
from policies.pack import arguments

# The SDK builds many short-lived objects per request; collecting less often halved
# AnalyzeStack at 10,000 resources (docs/performance.md).
gc.set_threshold(50_000, 20, 20)
# Each request converted once for every policy instead of once per policy, on the pulumi-policy
# releases it was verified with (policies/core/convert_once.py, docs/performance.md).
install()
PolicyPack(**arguments())
