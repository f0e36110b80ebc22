"""Entry point the Pulumi CLI runs (``python -m pulumi.policy``). Constructing the pack
starts its gRPC server and blocks forever, so nothing may import this file."""

import gc

from pulumi_policy import PolicyPack

from policies import PACK_DESCRIPTION, PACK_NAME, build_policies

# The SDK builds many short-lived objects per request (one property conversion per policy);
# collecting less often halved AnalyzeStack at 10,000 resources (docs/performance.md).
gc.set_threshold(50_000, 20, 20)
PolicyPack(name=PACK_NAME, policies=build_policies(), description=PACK_DESCRIPTION, provider="azure")
