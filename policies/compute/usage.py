"""How much compute runs: approved VM sizes (compute-allowed-vm-sizes), clusters that scale to zero
within a cap (compute-cluster-scale) and instances that shut down when idle
(compute-instance-idle-shutdown)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import config_list, count_at_most, enum_setting, not_whole, setting_fix
from ..core.durations import iso_duration_seconds
from ..core.messages import number_text, quote_size
from ..core.options import integer, strings
from ..core.resources import compute as cs
from ..core.resources.compute import CLUSTER, INSTANCE, only
from ..core.rule import ResourceCheck, ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import Setting, read
from . import samples as cx


def _duration_at_most(value: Any, path: str, limit_seconds: Any, too_long: str, example: str) -> Iterator[str]:
    """A present value at ``path`` must be an ISO-8601 duration of at most ``limit_seconds``."""
    seconds = iso_duration_seconds(value) if isinstance(value, str) else None
    if seconds is None:
        yield f"{path} is {'not an ISO-8601 duration' if isinstance(value, str) else p.type_name(value)}; write it like {example}."
    elif isinstance(limit_seconds, (int, float)) and seconds > limit_seconds:
        yield f"{path} {too_long}."


_VM_WHAT = "the VM size must be one of the approved sizes (allowedVmSizes)"


def _vm_size(setting: Setting) -> ResourceCheck:
    return enum_setting(setting=setting, allowed=config_list("allowedVmSizes"), absent="violation", what=_VM_WHAT,
                        quote=quote_size)


compute_allowed_vm_sizes = ResourceRule(
    name="compute-allowed-vm-sizes",
    title="Computes use approved VM sizes",
    description="Compute clusters and instances must use an approved VM size; an absent size is a violation.",
    details="Compute clusters and compute instances (azure-native Compute in 3.x and 2.x, and 2.x's "
    "MachineLearningCompute: properties.properties.vmSize; classic ComputeCluster vmSize and ComputeInstance "
    "virtualMachineSize) must use an approved VM size; an absent size is a violation (Azure would pick a default "
    "nobody chose). Attached computes (Kubernetes, AKS, Synapse Spark) are not judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.properties.vmSize (classic provider: vmSize on ComputeCluster, virtualMachineSize on "
    "ComputeInstance) to one of the sizes in this policy's allowedVmSizes config, or add the size to that list.",
    unknowns=unknown_advisory("VM size or compute type"),
    topics=("resource-usage",),
    types=t.COMPUTE_TYPES,
    not_covered=cs.ATTACHED,
    options=(
        strings("allowedVmSizes", ["Standard_DS3_v2", "Standard_DS4_v2", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v3",
                                   "Standard_F4s_v2"], "VM sizes a compute cluster or instance may use (compared case-insensitively)."),
    ),
    check=(only(_vm_size(cs.CLUSTER_VM_SIZE), CLUSTER), only(_vm_size(cs.INSTANCE_VM_SIZE), INSTANCE)),
    samples=(
        Sample("cluster, allowed size", cx.cluster(vmSize="Standard_DS3_v2")),
        Sample("instance, snake_case, case differs", {"properties": {"compute_type": "ComputeInstance",
                                                                     "properties": {"vm_size": "standard_d4s_v3"}}}),
        Sample("versioned token", cx.cluster(vmSize="Standard_F4s_v2"),
               type="azure-native:machinelearningservices/v20240401:Compute"),
        Sample("configured list", cx.instance(vmSize="Standard_NC6s_v3"), config={"allowedVmSizes": ["Standard_NC6s_v3"]}),
        Sample("kubernetes compute not judged", {"properties": {"computeType": "Kubernetes", "properties": {}}}),
        Sample("classic cluster", cx.classic_cluster(vmSize="Standard_DS4_v2"), type=t.CLASSIC_CLUSTER),
        Sample("classic instance", cx.classic_instance(virtualMachineSize="STANDARD_DS3_V2"), type=t.CLASSIC_INSTANCE),
        Sample("2.x MachineLearningCompute", {"properties": {"computeType": "AmlCompute", "properties": {
            "vmSize": "Standard_D4s_v3"}}}, type=cx.MLC),
        Sample("large GPU size", cx.cluster(vmSize="Standard_ND96asr_v4"),
               ("properties.properties.vmSize is 'Standard_ND96asr_v4'",)),
        Sample("absent size", cx.instance(idleTimeBeforeShutdown="PT30M"), ("properties.properties.vmSize is not set",)),
        Sample("wrong type", cx.cluster(vmSize=4.0), ("properties.properties.vmSize is a number",)),
        Sample("classic cluster not allowed", cx.classic_cluster(vmSize="Standard_M128s"), ("vmSize is 'Standard_M128s'",),
               type=t.CLASSIC_CLUSTER),
        Sample("classic instance absent", {"subnetResourceId": cx.SUBNET_ID}, ("virtualMachineSize is not set",),
               type=t.CLASSIC_INSTANCE),
        Sample("classic instance, size in capitals quoted", cx.classic_instance(virtualMachineSize="STANDARD_NC6"),
               ("virtualMachineSize is 'STANDARD_NC6'",), type=t.CLASSIC_INSTANCE),
        Sample("2.x versioned module, size quoted", cx.cluster(vmSize="Standard_DS2_v2"),
               ("properties.properties.vmSize is 'Standard_DS2_v2'",), type=cx.AN2_STABLE),
    ),
)


def _max_nodes(subject: Subject) -> Iterator[str]:
    # Absent: a violation; the cap is the point of the rule (ScaleSettingsArgs requires it anyway).
    reading = read(subject.type, subject.props, cs.MAX_NODES)
    if reading is not None:
        yield from count_at_most(reading, subject.config["maxNodes"], "maxNodes", "nodes", "violation")


def _min_nodes(subject: Subject) -> Iterator[str]:
    # Absent: Azure (and ScaleSettingsArgs) default to 0, which is what is required.
    reading = read(subject.type, subject.props, cs.MIN_NODES)
    if reading is None or reading.absent:
        return
    number = p.as_number(reading.raw)
    if number is None or not number.is_integer():
        yield f"{reading.path} is {not_whole(reading.raw, number)}, not a whole number of nodes; set it to 0."
    elif number != 0:
        yield f"{reading.path} is not 0; idle clusters must release every node (set it to 0)."


def _idle_scale_down(subject: Subject) -> Iterator[str]:
    # Absent: Azure scales idle nodes down after its default of 120 seconds.
    reading = read(subject.type, subject.props, cs.IDLE_SCALE_DOWN)
    limit = subject.config["maxIdleSeconds"]
    if reading is not None and not reading.absent:
        yield from _duration_at_most(reading.raw, reading.path, limit,
                                     f"keeps idle nodes longer than {number_text(limit)} seconds (maxIdleSeconds)", "PT120S")


_min_nodes_check = only(_min_nodes, CLUSTER)


def _scale(min_nodes: Any = 0, max_nodes: Any = 4, idle: Any = "PT120S") -> dict[str, Any]:
    settings = {"minNodeCount": min_nodes, "maxNodeCount": max_nodes, "nodeIdleTimeBeforeScaleDown": idle}
    return cx.cluster(vmSize="Standard_DS3_v2", scaleSettings={k: v for k, v in settings.items() if v is not p.MISSING})


compute_cluster_scale = ResourceRule(
    name="compute-cluster-scale",
    title="Compute clusters scale to zero within limits",
    description="Compute clusters must scale to zero, cap their node count and release idle nodes promptly.",
    details="Compute clusters must scale to zero (minNodeCount 0; absent means 0), cap their size (maxNodeCount set and "
    "within maxNodes) and release idle nodes promptly (nodeIdleTimeBeforeScaleDown, classic "
    "scaleDownNodesAfterIdleDuration, within maxIdleSeconds; absent means Azure's 120 seconds). The settings are under "
    "properties.properties.scaleSettings in azure-native (3.x, 2.x, 2.x's MachineLearningCompute) and scaleSettings in "
    "the classic ComputeCluster.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="In properties.properties.scaleSettings (classic provider: scaleSettings) set minNodeCount to 0, "
    "maxNodeCount to at most the maxNodes config value, and nodeIdleTimeBeforeScaleDown (classic: "
    "scaleDownNodesAfterIdleDuration) to an ISO-8601 duration within maxIdleSeconds, e.g. PT120S.",
    unknowns=unknown_advisory("node count or idle time", after="the settings that are known have been judged"),
    topics=("resource-usage",),
    frameworks=(fw.CKV_AZURE_150,),
    types=(t.COMPUTE, t.MACHINE_LEARNING_COMPUTE, t.CLASSIC_CLUSTER),
    not_covered={t.CLASSIC_INSTANCE: "an instance is one VM that does not scale (compute-instance-idle-shutdown judges "
                 "instances)", **cs.ATTACHED},
    options=(
        integer("maxNodes", 4, "Largest maxNodeCount a cluster may have."),
        integer("maxIdleSeconds", 1800, "Longest idle time before scale-down, in seconds."),
    ),
    check=(only(_max_nodes, CLUSTER), _min_nodes_check, only(_idle_scale_down, CLUSTER)),
    fix=setting_fix(_min_nodes_check, cs.MIN_NODES, 0),
    samples=(
        Sample("scales to zero", _scale()),
        Sample("floats and defaults", _scale(min_nodes=0.0, max_nodes=4.0, idle=p.MISSING)),
        Sample("absent min, snake_case", {"properties": {"compute_type": "AmlCompute", "properties": {
            "scale_settings": {"max_node_count": 2.0, "node_idle_time_before_scale_down": "PT15M"}}}}),
        Sample("configured limits", _scale(max_nodes=16, idle="PT1H"), config={"maxNodes": 16, "maxIdleSeconds": 3600}),
        Sample("instance not judged", cx.instance(vmSize="Standard_DS3_v2")),
        Sample("classic cluster", cx.classic_cluster(scaleSettings={"minNodeCount": 0, "maxNodeCount": 3,
                                                                    "scaleDownNodesAfterIdleDuration": "PT5M"}),
               type=t.CLASSIC_CLUSTER),
        Sample("2.x versioned module", _scale(), type=cx.AN2_STABLE),
        Sample("min above zero", _scale(min_nodes=1.0), ("minNodeCount is not 0",), fixed={
            "properties.properties.scaleSettings.minNodeCount": 0}),
        Sample("classic min above zero", cx.classic_cluster(scaleSettings={"minNodeCount": 2, "maxNodeCount": 3,
                                                                           "scaleDownNodesAfterIdleDuration": "PT5M"}),
               ("scaleSettings.minNodeCount is not 0",), type=t.CLASSIC_CLUSTER, fixed={"scaleSettings.minNodeCount": 0}),
        Sample("2.x MachineLearningCompute min above zero", _scale(min_nodes=1), ("minNodeCount is not 0",), type=cx.MLC,
               fixed={"properties.properties.scaleSettings.minNodeCount": 0}),
        Sample("min wrong type", _scale(min_nodes="none"), ("minNodeCount is a string",),
               fixed={"properties.properties.scaleSettings.minNodeCount": 0}),
        Sample("too many nodes", _scale(max_nodes=10.0), ("maxNodeCount exceeds the limit of 4 nodes",)),
        Sample("no cap", _scale(max_nodes=p.MISSING), ("maxNodeCount is not set",)),
        Sample("no scale settings", cx.cluster(vmSize="Standard_DS3_v2"), ("maxNodeCount is not set",)),
        Sample("fractional cap", _scale(max_nodes=2.5), ("is a fraction",)),
        Sample("cap wrong type", _scale(max_nodes=True), ("maxNodeCount is a boolean",)),
        Sample("idle too long", _scale(idle="PT2H"), ("keeps idle nodes longer than 1800 seconds",)),
        Sample("idle not a duration", _scale(idle="120"), ("is not an ISO-8601 duration",)),
        Sample("idle wrong type", _scale(idle=120.0), ("nodeIdleTimeBeforeScaleDown is a number",)),
        Sample("everything wrong", _scale(min_nodes=2, max_nodes=100, idle="P1D"),
               ("minNodeCount is not 0", "exceeds the limit", "longer than 1800 seconds")),
        Sample("classic idle too long", cx.classic_cluster(scaleSettings={"minNodeCount": 0, "maxNodeCount": 3,
                                                                          "scaleDownNodesAfterIdleDuration": "PT1H"}),
               ("scaleSettings.scaleDownNodesAfterIdleDuration keeps idle nodes longer",), type=t.CLASSIC_CLUSTER),
    ),
)


def _idle_shutdown(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, cs.IDLE_SHUTDOWN)
    if reading is None:
        return
    path, value = reading.path, reading.raw
    limit = subject.config["maxIdleMinutes"]
    if reading.absent or (isinstance(value, str) and not value.strip()):
        yield (f"{path} is not set; the instance never shuts down when idle (set an ISO-8601 duration of at most "
               f"{number_text(limit)} minutes, e.g. PT60M){reading.note()}.")
        return
    limit_seconds = limit * 60 if isinstance(limit, (int, float)) else None
    yield from _duration_at_most(value, path, limit_seconds,
                                 f"keeps an idle instance running longer than {number_text(limit)} minutes (maxIdleMinutes)", "PT60M")


compute_instance_idle_shutdown = ResourceRule(
    name="compute-instance-idle-shutdown",
    title="Compute instances shut down when idle",
    description="Compute instances must set an idle shutdown of at most maxIdleMinutes.",
    details="Compute instances must shut down when idle: properties.properties.idleTimeBeforeShutdown must be set "
    "(absent or empty is a violation) and within maxIdleMinutes. azure-native 2.x can set it only in its preview API "
    "versions (its default module and stable versioned modules have no such setting), so every other 2.x instance is "
    "reported, with that reason. The classic provider's ComputeInstance has no idle-shutdown setting, so it is not "
    "judged here.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set properties.properties.idleTimeBeforeShutdown on the compute instance to an ISO-8601 duration of at "
    "most maxIdleMinutes (Azure accepts 15 minutes to 3 days), e.g. PT60M. Classic-provider instances and azure-native "
    "2.x's stable API versions cannot set it; create the instance with azure-native 3.x to get idle shutdown.",
    unknowns=unknown_advisory("idle time or compute type"),
    topics=("resource-usage",),
    frameworks=(fw.AZ_INSTANCE_IDLE_SHUTDOWN,),
    types=(t.COMPUTE, t.MACHINE_LEARNING_COMPUTE),
    not_covered={t.CLASSIC_INSTANCE: "pulumi-azure 6.x's ComputeInstance has no idle-shutdown setting",
                 t.CLASSIC_CLUSTER: "a cluster scales its nodes down instead (compute-cluster-scale)", **cs.ATTACHED},
    options=(
        integer("maxIdleMinutes", 60, "Longest idle time before an instance shuts down, in minutes."),
    ),
    check=only(_idle_shutdown, INSTANCE),
    samples=(
        Sample("thirty minutes", cx.instance(vmSize="Standard_DS3_v2", idleTimeBeforeShutdown="PT30M")),
        Sample("one hour, snake_case", {"properties": {"compute_type": "ComputeInstance",
                                                       "properties": {"idle_time_before_shutdown": "PT1H"}}}),
        Sample("configured limit", cx.instance(idleTimeBeforeShutdown="P1D"), config={"maxIdleMinutes": 1440}),
        Sample("cluster not judged", _scale()),
        Sample("2.x preview module", cx.instance(vmSize="Standard_DS3_v2", idleTimeBeforeShutdown="PT30M"), type=cx.AN2_PREVIEW),
        Sample("absent", cx.instance(vmSize="Standard_DS3_v2"), ("idleTimeBeforeShutdown is not set",)),
        Sample("empty", cx.instance(idleTimeBeforeShutdown=" "), ("idleTimeBeforeShutdown is not set",)),
        Sample("too long", cx.instance(idleTimeBeforeShutdown="PT1H30M"), ("longer than 60 minutes",)),
        Sample("not a duration", cx.instance(idleTimeBeforeShutdown="60 minutes"), ("is not an ISO-8601 duration",)),
        Sample("wrong type", cx.instance(idleTimeBeforeShutdown=60.0), ("idleTimeBeforeShutdown is a number",)),
        Sample("2.x stable module cannot set it", cx.instance(vmSize="Standard_DS3_v2"), (
            "API version v20240401 has no properties.idleTimeBeforeShutdown: use azure-native 3.x (in 2.x only preview "
            "API versions have it)",), type=cx.AN2_STABLE),
    ),
)
