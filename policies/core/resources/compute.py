"""Where each provider keeps compute settings, what an absent one means there, and which kind a
compute is.

azure-native (3.x, 2.x, and 2.x's versioned-only ``MachineLearningCompute`` of module v20210401) nests
a compute under ``properties`` (in every version) with ``properties.computeType`` saying which kind
it is, and the kind's settings one level deeper. The classic provider has one type per kind
(``ComputeCluster``, ``ComputeInstance``, also ``InferenceCluster`` and ``SynapseSpark``, which attach
other resources) with Terraform-style names; its defaults are those its docstrings state
(pulumi-azure 6.40.1). The SDK's ``*Args`` classes fill some insecure defaults themselves
(``enableNodePublicIp=true``, ``remoteLoginPortPublicAccess=NotSpecified``); plain dicts fill none,
so an absent value is Azure's default, declared here with each setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from .. import types as t
from ..rule import ResourceCheck, Subject
from ..shape import Default, Only, Setting, read

# Compute kinds, lower-cased ``computeType`` values.
CLUSTER: Final = "amlcompute"
INSTANCE: Final = "computeinstance"
TYPES: Final = t.COMPUTE_TYPES
_CLASSIC_KINDS: Final = {t.CLASSIC_CLUSTER: CLUSTER, t.CLASSIC_INSTANCE: INSTANCE}

_DOC = "pulumi-azure 6.x docstring"
_PREVIEWS: Final = frozenset({"v20230401preview", "v20230601preview", "v20230801preview", "v20240101preview",
                              "v20240401preview", "v20240701preview", "v20241001preview", "v20250101preview"})

COMPUTE_TYPE: Final = Setting("{body}.computeType")
NAME: Final = Setting("computeName", classic="name")
WORKSPACE: Final = Setting("workspaceName", classic="machineLearningWorkspaceId")
DISABLE_LOCAL_AUTH: Final = Setting(
    "{body}.disableLocalAuth", classic="localAuthEnabled", classic_values={True: False, False: True},
    default=Default(False, "Azure keeps local authentication enabled unless disableLocalAuth is true"),
    classic_default=Default(True, f"{_DOC}: localAuthEnabled defaults to true"))
CLUSTER_VM_SIZE: Final = Setting("{body}.properties.vmSize", classic="vmSize")
INSTANCE_VM_SIZE: Final = Setting("{body}.properties.vmSize", classic="virtualMachineSize")
PUBLIC_IP: Final = Setting(
    "{body}.properties.enableNodePublicIp", classic="nodePublicIpEnabled",
    default=Default(True, "Azure gives nodes a public IP unless enableNodePublicIp is false"),
    classic_default=Default(True, f"{_DOC}: nodePublicIpEnabled defaults to true"))
REMOTE_LOGIN: Final = Setting(  # clusters
    "{body}.properties.remoteLoginPortPublicAccess",
    default=Default("NotSpecified", "the Azure ML REST API default, which opens the port on nodes with a public IP "
                    "when the cluster has no subnet"))
INSTANCE_SSH: Final = Setting(
    "{body}.properties.sshSettings.sshPublicAccess", default=Default("Disabled", "the Azure ML REST API default"))
CLASSIC_CLUSTER_SSH: Final = Setting(
    None, classic="sshPublicAccessEnabled", classic_default=Default(False, f"{_DOC}: sshPublicAccessEnabled defaults to false"))
CLASSIC_INSTANCE_SSH: Final = Setting(None, classic="ssh")  # an ssh block turns public SSH on
SUBNET: Final = Setting("{body}.properties.subnet.id", classic="subnetResourceId")
SUBNET_HOLDER: Final = Setting("{body}.properties")  # the kind's settings, above the subnet
MIN_NODES: Final = Setting("{body}.properties.scaleSettings.minNodeCount", classic="scaleSettings.minNodeCount",
                           default=Default(0, "the Azure ML REST API default"))
MAX_NODES: Final = Setting("{body}.properties.scaleSettings.maxNodeCount", classic="scaleSettings.maxNodeCount")
IDLE_SCALE_DOWN: Final = Setting(
    "{body}.properties.scaleSettings.nodeIdleTimeBeforeScaleDown", classic="scaleSettings.scaleDownNodesAfterIdleDuration",
    default=Default("PT120S", "the Azure ML REST API default of 120 seconds"))
IDLE_SHUTDOWN: Final = Setting(  # instances; the classic ComputeInstance has no such setting
    "{body}.properties.idleTimeBeforeShutdown",
    only=Only(_PREVIEWS, "use azure-native 3.x (in 2.x only preview API versions have it)"))


def compute_kind(type_token: str, props: Any) -> str | None:
    """``amlcompute``, ``computeinstance``, another lower-cased computeType, or None."""
    canonical = t.canonical(type_token)
    if canonical in _CLASSIC_KINDS:
        return _CLASSIC_KINDS[canonical]
    if canonical not in (t.COMPUTE, t.MACHINE_LEARNING_COMPUTE):
        return None
    reading = read(type_token, props, COMPUTE_TYPE)  # also matches plain-dict ``compute_type``
    value = reading.raw if reading is not None else None
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def only(check: ResourceCheck, *kinds: str, classic: bool | None = None) -> ResourceCheck:
    """Run ``check`` only on the given compute kinds (and only classic / only native when asked)."""

    def run(subject: Subject) -> Iterator[str]:
        if classic is not None and subject.classic != classic:
            return
        if compute_kind(subject.type, subject.props) in kinds:
            yield from check(subject)

    return run


# The classic types that attach another resource as compute, as azure-native's Kubernetes, AKS and
# SynapseSpark computes do: the compute rules judge clusters and instances only (as Azure Policy
# e96a9a5f and 7804b5c7 do), since size, network and access are the attached resource's.
ATTACHED: Final = {
    f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster": "it attaches an AKS cluster, whose size, network and access "
    "are that cluster's (attached azure-native computes are not judged either)",
    f"{t.CLASSIC_ML}/synapseSpark:SynapseSpark": "it attaches a Synapse Spark pool, whose size, network and access are "
    "that pool's (attached azure-native computes are not judged either)",
}
