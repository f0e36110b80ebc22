"""Entry point the Pulumi CLI runs (``python -m pulumi.policy``). Constructing the pack
starts its gRPC server and blocks forever, so nothing may import this file."""

from pulumi_policy import PolicyPack

from policies import PACK_DESCRIPTION, PACK_NAME, build_policies

PolicyPack(name=PACK_NAME, policies=build_policies(), description=PACK_DESCRIPTION, provider="azure")
