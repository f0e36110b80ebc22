"""Rules on Azure ML compute: clusters (``AmlCompute``) and instances (``ComputeInstance``), in
azure-native (``properties.computeType`` says which) and in the classic provider (one type each,
with Terraform-style property names). Attached and Kubernetes computes are not judged here: their
size, network and access are decided by the resource they attach.

Absent values: the SDK's ``*Args`` classes fill insecure defaults (``enableNodePublicIp=true``,
``remoteLoginPortPublicAccess=NotSpecified``), plain dicts fill none; each rule says how it
treats an absent value, usually the way Azure would (its default).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from . import props as p
from . import types as t
from .checks import Absent, bool_setting, config_list, enum_setting, fixed
from .jobs import parse_duration
from .rule import (
    Framework,
    Option,
    ResourceCheck,
    ResourceFix,
    ResourceRule,
    Sample,
    SampleResource,
    StackIndex,
    StackItem,
    StackRule,
    StackSample,
    Subject,
)
from .types import CLASSIC_CLUSTER, CLASSIC_INSTANCE, COMPUTE

COMPUTE_TYPES: Final = (COMPUTE, CLASSIC_CLUSTER, CLASSIC_INSTANCE)

# Compute kinds, lower-cased ``computeType`` values.
CLUSTER: Final = "amlcompute"
INSTANCE: Final = "computeinstance"

_NATIVE: Final = "properties.properties"  # where azure-native nests cluster and instance settings


# ---------------------------------------------------------------------------------------------
# Shared helpers (candidates for props.py / a shared module: see the module report)
# ---------------------------------------------------------------------------------------------

def duration_seconds(text: str) -> float | None:
    """Seconds in an ISO-8601 duration of weeks, days, hours, minutes and seconds (``PT15M``,
    ``PT1H30M``, ``P1D``, ``PT0.5H``). None for anything else: years and months (no fixed
    length) and plain numbers, which the compute API does not accept (jobs do)."""
    stripped = text.strip()
    return parse_duration(stripped) if stripped[:1] in ("P", "p") else None


def _num(value: Any) -> str:
    """A config number for messages (``4`` rather than ``4.0``)."""
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _not_whole(value: Any, number: float | None) -> str:
    return "a fraction" if number is not None else p.type_name(value)


def _duration_at_most(value: Any, path: str, limit_seconds: Any, too_long: str, example: str) -> Iterator[str]:
    """A present value at ``path`` must be an ISO-8601 duration of at most ``limit_seconds``."""
    seconds = duration_seconds(value) if isinstance(value, str) else None
    if seconds is None:
        yield f"{path} is {'not an ISO-8601 duration' if isinstance(value, str) else p.type_name(value)}; write it like {example}."
    elif isinstance(limit_seconds, (int, float)) and seconds > limit_seconds:
        yield f"{path} {too_long}."


def count_at_most(props: Any, path: str, limit: Any, key: str, noun: str, absent: Absent) -> Iterator[str]:
    """The whole number at ``path`` must be at most ``limit`` (config key ``key``); floats such as
    ``4.0`` count as whole numbers, a fraction or another type is a violation."""
    value = p.get(props, path)
    if value is p.MISSING or value is None:
        if absent == "violation":
            yield f"{path} is not set; set it to at most {_num(limit)} {noun} ({key})."
        return
    number = p.get_number(props, path)
    if number is None or not number.is_integer():
        yield f"{path} is {_not_whole(value, number)}, not a whole number of {noun}."
    elif isinstance(limit, (int, float)) and number > limit:
        yield f"{path} exceeds the limit of {_num(limit)} {noun} ({key})."


def compute_kind(type_token: str, props: Any) -> str | None:
    """``amlcompute``, ``computeinstance``, another lower-cased computeType, or None."""
    canonical = t.canonical(type_token)
    if canonical == CLASSIC_CLUSTER:
        return CLUSTER
    if canonical == CLASSIC_INSTANCE:
        return INSTANCE
    if canonical != COMPUTE:
        return None
    value = p.get_str(props, "properties.computeType")  # also matches plain-dict ``compute_type``
    return value.strip().lower() if value else None


def _only(check: ResourceCheck, *kinds: str, classic: bool | None = None) -> ResourceCheck:
    """Run ``check`` only on the given compute kinds (and only classic / only native when asked)."""

    def run(subject: Subject) -> Iterator[str]:
        if classic is not None and subject.classic != classic:
            return
        if compute_kind(subject.type, subject.props) in kinds:
            yield from check(subject)

    return run


def _setting_fix(check: ResourceCheck, native: str, native_value: Any, classic: str, classic_value: Any) -> ResourceFix:
    """A fix that sets one value, applied only when ``check`` finds something to fix."""

    def fix(subject: Subject) -> dict[str, Any] | None:
        if not any(True for _ in check(subject)):
            return None
        return p.with_changes(subject.props, {classic: classic_value} if subject.classic else {native: native_value})

    return fix


def _cluster(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "AmlCompute", "disableLocalAuth": True, "properties": settings}}


def _instance(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "ComputeInstance", "disableLocalAuth": True, "properties": settings}}


_SUBNET = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/compute"}
_SUBNET_ID = _SUBNET["id"]

# ---------------------------------------------------------------------------------------------
# compute-allowed-vm-sizes
# ---------------------------------------------------------------------------------------------

_VM_WHAT = "the VM size must be one of the approved sizes (allowedVmSizes)"


def _vm_size(classic_path: str) -> ResourceCheck:
    return enum_setting(path=f"{_NATIVE}.vmSize", allowed=config_list("allowedVmSizes"), absent="violation",
                        what=_VM_WHAT, classic_path=classic_path)


compute_allowed_vm_sizes = ResourceRule(
    name="compute-allowed-vm-sizes",
    description="Compute clusters and compute instances must use an approved VM size; an absent size is a violation "
    "(Azure would pick a default nobody chose).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.properties.vmSize (classic provider: vmSize on ComputeCluster, virtualMachineSize on "
    "ComputeInstance) to one of the sizes in this policy's allowedVmSizes config, or add the size to that list.",
    unknowns="An unknown VM size or compute type during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("resource-usage",),
    types=COMPUTE_TYPES,
    options=(
        Option("allowedVmSizes", {
            "type": "array", "items": {"type": "string"},
            "default": ["Standard_DS3_v2", "Standard_DS4_v2", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v3",
                        "Standard_F4s_v2"],
            "description": "VM sizes a compute cluster or instance may use (compared case-insensitively).",
        }),
    ),
    check=(_only(_vm_size("vmSize"), CLUSTER), _only(_vm_size("virtualMachineSize"), INSTANCE)),
    samples=(
        Sample("cluster, allowed size", _cluster(vmSize="Standard_DS3_v2")),
        Sample("instance, snake_case, case differs", {"properties": {"compute_type": "ComputeInstance",
                                                                     "properties": {"vm_size": "standard_d4s_v3"}}}),
        Sample("versioned token", _cluster(vmSize="Standard_F4s_v2"),
               type="azure-native:machinelearningservices/v20240401:Compute"),
        Sample("configured list", _instance(vmSize="Standard_NC6s_v3"), config={"allowedVmSizes": ["Standard_NC6s_v3"]}),
        Sample("kubernetes compute not judged", {"properties": {"computeType": "Kubernetes", "properties": {}}}),
        Sample("classic cluster", {"vmSize": "Standard_DS4_v2", "vmPriority": "Dedicated"}, type=CLASSIC_CLUSTER),
        Sample("classic instance", {"virtualMachineSize": "STANDARD_DS3_V2"}, type=CLASSIC_INSTANCE),
        Sample("large GPU size", _cluster(vmSize="Standard_ND96asr_v4"),
               ("properties.properties.vmSize is a value outside the known set (not shown)",)),
        Sample("absent size", _instance(idleTimeBeforeShutdown="PT30M"), ("properties.properties.vmSize is not set",)),
        Sample("wrong type", _cluster(vmSize=4.0), ("properties.properties.vmSize is a number",)),
        Sample("classic cluster not allowed", {"vmSize": "Standard_M128s"}, ("vmSize is a value outside",), type=CLASSIC_CLUSTER),
        Sample("classic instance absent", {"subnetResourceId": _SUBNET_ID}, ("virtualMachineSize is not set",),
               type=CLASSIC_INSTANCE),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-cluster-scale
# ---------------------------------------------------------------------------------------------


def _scale_path(subject: Subject, key: str) -> str:
    if subject.classic:
        return f"scaleSettings.{'scaleDownNodesAfterIdleDuration' if key == 'nodeIdleTimeBeforeScaleDown' else key}"
    return f"{_NATIVE}.scaleSettings.{key}"


def _max_nodes(subject: Subject) -> Iterator[str]:
    # Absent: a violation; the cap is the point of the rule (ScaleSettingsArgs requires it anyway).
    yield from count_at_most(subject.props, _scale_path(subject, "maxNodeCount"), subject.config["maxNodes"], "maxNodes",
                             "nodes", "violation")


def _min_nodes(subject: Subject) -> Iterator[str]:
    # Absent: Azure (and ScaleSettingsArgs) default to 0, which is what is required.
    path = _scale_path(subject, "minNodeCount")
    value = p.get(subject.props, path)
    if value is p.MISSING or value is None:
        return
    number = p.get_number(subject.props, path)
    if number is None or not number.is_integer():
        yield f"{path} is {_not_whole(value, number)}, not a whole number of nodes; set it to 0."
    elif number != 0:
        yield f"{path} is not 0; idle clusters must release every node (set it to 0)."


def _idle_scale_down(subject: Subject) -> Iterator[str]:
    # Absent: Azure scales idle nodes down after its default of 120 seconds.
    path = _scale_path(subject, "nodeIdleTimeBeforeScaleDown")
    limit = subject.config["maxIdleSeconds"]
    value = p.get(subject.props, path)
    if value is not p.MISSING and value is not None:
        yield from _duration_at_most(value, path, limit, f"keeps idle nodes longer than {_num(limit)} seconds (maxIdleSeconds)",
                                     "PT120S")


_min_nodes_check = _only(_min_nodes, CLUSTER)


def _scale(min_nodes: Any = 0, max_nodes: Any = 4, idle: Any = "PT120S") -> dict[str, Any]:
    settings = {"minNodeCount": min_nodes, "maxNodeCount": max_nodes, "nodeIdleTimeBeforeScaleDown": idle}
    return _cluster(vmSize="Standard_DS3_v2", scaleSettings={k: v for k, v in settings.items() if v is not p.MISSING})


compute_cluster_scale = ResourceRule(
    name="compute-cluster-scale",
    description="Compute clusters must scale to zero (minNodeCount 0; absent means 0), cap their size (maxNodeCount set and "
    "within maxNodes) and release idle nodes promptly (nodeIdleTimeBeforeScaleDown within maxIdleSeconds; absent means "
    "Azure's 120 seconds).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="In properties.properties.scaleSettings (classic provider: scaleSettings) set minNodeCount to 0, "
    "maxNodeCount to at most the maxNodes config value, and nodeIdleTimeBeforeScaleDown (classic: "
    "scaleDownNodesAfterIdleDuration) to an ISO-8601 duration within maxIdleSeconds, e.g. PT120S.",
    unknowns="An unknown node count or idle time during preview: the SDK's advisory 'can't run policy' diagnostic, after "
    "the settings that are known have been judged.",
    topics=("resource-usage",),
    frameworks=(Framework("Checkov", "CKV_AZURE_150", "Ensure Machine Learning Compute Cluster Minimum Nodes Set To 0"),),
    types=(COMPUTE, CLASSIC_CLUSTER),
    options=(
        Option("maxNodes", {"type": "integer", "default": 4, "description": "Largest maxNodeCount a cluster may have."}),
        Option("maxIdleSeconds", {"type": "integer", "default": 1800,
                                  "description": "Longest idle time before scale-down, in seconds."}),
    ),
    check=(_only(_max_nodes, CLUSTER), _min_nodes_check, _only(_idle_scale_down, CLUSTER)),
    fix=_setting_fix(_min_nodes_check, f"{_NATIVE}.scaleSettings.minNodeCount", 0, "scaleSettings.minNodeCount", 0),
    samples=(
        Sample("scales to zero", _scale()),
        Sample("floats and defaults", _scale(min_nodes=0.0, max_nodes=4.0, idle=p.MISSING)),
        Sample("absent min, snake_case", {"properties": {"compute_type": "AmlCompute", "properties": {
            "scale_settings": {"max_node_count": 2.0, "node_idle_time_before_scale_down": "PT15M"}}}}),
        Sample("configured limits", _scale(max_nodes=16, idle="PT1H"), config={"maxNodes": 16, "maxIdleSeconds": 3600}),
        Sample("instance not judged", _instance(vmSize="Standard_DS3_v2")),
        Sample("classic cluster", {"scaleSettings": {"minNodeCount": 0, "maxNodeCount": 3,
                                                     "scaleDownNodesAfterIdleDuration": "PT5M"}}, type=CLASSIC_CLUSTER),
        Sample("min above zero", _scale(min_nodes=1.0), ("minNodeCount is not 0",), fixed={
            "properties.properties.scaleSettings.minNodeCount": 0}),
        Sample("classic min above zero", {"scaleSettings": {"minNodeCount": 2, "maxNodeCount": 3,
                                                            "scaleDownNodesAfterIdleDuration": "PT5M"}},
               ("scaleSettings.minNodeCount is not 0",), type=CLASSIC_CLUSTER, fixed={"scaleSettings.minNodeCount": 0}),
        Sample("min wrong type", _scale(min_nodes="none"), ("minNodeCount is a string",),
               fixed={"properties.properties.scaleSettings.minNodeCount": 0}),
        Sample("too many nodes", _scale(max_nodes=10.0), ("maxNodeCount exceeds the limit of 4 nodes",)),
        Sample("no cap", _scale(max_nodes=p.MISSING), ("maxNodeCount is not set",)),
        Sample("no scale settings", _cluster(vmSize="Standard_DS3_v2"), ("maxNodeCount is not set",)),
        Sample("fractional cap", _scale(max_nodes=2.5), ("is a fraction",)),
        Sample("cap wrong type", _scale(max_nodes=True), ("maxNodeCount is a boolean",)),
        Sample("idle too long", _scale(idle="PT2H"), ("keeps idle nodes longer than 1800 seconds",)),
        Sample("idle not a duration", _scale(idle="120"), ("is not an ISO-8601 duration",)),
        Sample("idle wrong type", _scale(idle=120.0), ("nodeIdleTimeBeforeScaleDown is a number",)),
        Sample("everything wrong", _scale(min_nodes=2, max_nodes=100, idle="P1D"),
               ("minNodeCount is not 0", "exceeds the limit", "longer than 1800 seconds")),
        Sample("classic idle too long", {"scaleSettings": {"minNodeCount": 0, "maxNodeCount": 3,
                                                           "scaleDownNodesAfterIdleDuration": "PT1H"}},
               ("scaleSettings.scaleDownNodesAfterIdleDuration keeps idle nodes longer",), type=CLASSIC_CLUSTER),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-instance-idle-shutdown
# ---------------------------------------------------------------------------------------------


def _idle_shutdown(subject: Subject) -> Iterator[str]:
    path = f"{_NATIVE}.idleTimeBeforeShutdown"
    limit = subject.config["maxIdleMinutes"]
    value = p.get(subject.props, path)
    if value is p.MISSING or value is None or (isinstance(value, str) and not value.strip()):
        yield (f"{path} is not set; the instance never shuts down when idle (set an ISO-8601 duration of at most "
               f"{_num(limit)} minutes, e.g. PT60M).")
        return
    limit_seconds = limit * 60 if isinstance(limit, (int, float)) else None
    yield from _duration_at_most(value, path, limit_seconds,
                                 f"keeps an idle instance running longer than {_num(limit)} minutes (maxIdleMinutes)", "PT60M")


compute_instance_idle_shutdown = ResourceRule(
    name="compute-instance-idle-shutdown",
    description="Compute instances must shut down when idle: idleTimeBeforeShutdown must be set (absent or empty is a "
    "violation) and within maxIdleMinutes. The classic provider's ComputeInstance has no idle-shutdown setting, so it is "
    "not judged here.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set properties.properties.idleTimeBeforeShutdown on the compute instance to an ISO-8601 duration of at "
    "most maxIdleMinutes (Azure accepts 15 minutes to 3 days), e.g. PT60M. Classic-provider instances cannot set it; "
    "create them with azure-native to get idle shutdown.",
    unknowns="An unknown idle time or compute type during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("resource-usage",),
    frameworks=(Framework("Azure Policy", "679ddf89-ab8f-48a5-9029-e76054077449",
                          "Azure Machine Learning Compute Instance should have idle shutdown."),),
    types=(COMPUTE,),
    options=(
        Option("maxIdleMinutes", {"type": "integer", "default": 60,
                                  "description": "Longest idle time before an instance shuts down, in minutes."}),
    ),
    check=_only(_idle_shutdown, INSTANCE),
    samples=(
        Sample("thirty minutes", _instance(vmSize="Standard_DS3_v2", idleTimeBeforeShutdown="PT30M")),
        Sample("one hour, snake_case", {"properties": {"compute_type": "ComputeInstance",
                                                       "properties": {"idle_time_before_shutdown": "PT1H"}}}),
        Sample("configured limit", _instance(idleTimeBeforeShutdown="P1D"), config={"maxIdleMinutes": 1440}),
        Sample("cluster not judged", _scale()),
        Sample("absent", _instance(vmSize="Standard_DS3_v2"), ("idleTimeBeforeShutdown is not set",)),
        Sample("empty", _instance(idleTimeBeforeShutdown=" "), ("idleTimeBeforeShutdown is not set",)),
        Sample("too long", _instance(idleTimeBeforeShutdown="PT1H30M"), ("longer than 60 minutes",)),
        Sample("not a duration", _instance(idleTimeBeforeShutdown="60 minutes"), ("is not an ISO-8601 duration",)),
        Sample("wrong type", _instance(idleTimeBeforeShutdown=60.0), ("idleTimeBeforeShutdown is a number",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-local-auth-disabled
# ---------------------------------------------------------------------------------------------

_local_auth = _only(bool_setting(
    path="properties.disableLocalAuth", expected=True, absent="violation",
    what="local authentication must be disabled so only Microsoft Entra ID identities can authenticate",
    classic_path="localAuthEnabled", classic_expected=False,
), CLUSTER, INSTANCE)

compute_local_auth_disabled = ResourceRule(
    name="compute-local-auth-disabled",
    description="Compute clusters and instances must have local authentication disabled (properties.disableLocalAuth "
    "true; classic: localAuthEnabled false). Absent is a violation: Azure and the classic provider then keep local "
    "authentication enabled.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.disableLocalAuth to true on the compute (classic provider: localAuthEnabled = false) and "
    "grant users and jobs access through Microsoft Entra ID and Azure RBAC.",
    unknowns="An unknown setting or compute type during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("identity",),
    frameworks=(
        Framework("Azure Policy", "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f",
                  "Azure Machine Learning Computes should have local authentication methods disabled"),
        Framework("Checkov", "CKV_AZURE_142", "Ensure Machine Learning Compute Cluster Local Authentication is disabled"),
        Framework("MCSB", "IM-1", "Use centralized identity and authentication system"),
    ),
    types=COMPUTE_TYPES,
    check=_local_auth,
    fix=_setting_fix(_local_auth, "properties.disableLocalAuth", True, "localAuthEnabled", False),
    samples=(
        Sample("cluster disabled", _cluster(vmSize="Standard_DS3_v2")),
        Sample("instance, snake_case, string", {"properties": {"compute_type": "ComputeInstance", "disable_local_auth": "true"}}),
        Sample("kubernetes not judged", {"properties": {"computeType": "Kubernetes"}}),
        Sample("classic cluster", {"localAuthEnabled": False}, type=CLASSIC_CLUSTER),
        Sample("classic instance, snake_case", {"local_auth_enabled": False}, type=CLASSIC_INSTANCE),
        Sample("absent", {"properties": {"computeType": "AmlCompute", "properties": {}}}, ("disableLocalAuth is not set",),
               fixed={"properties.disableLocalAuth": True}),
        Sample("enabled", {"properties": {"computeType": "ComputeInstance", "disableLocalAuth": False}},
               ("properties.disableLocalAuth is false",), fixed={"properties.disableLocalAuth": True}),
        Sample("wrong type", {"properties": {"computeType": "AmlCompute", "disableLocalAuth": 1.0}},
               ("properties.disableLocalAuth is a number, not a boolean",), fixed={"properties.disableLocalAuth": True}),
        Sample("classic absent (Terraform default true)", {"vmSize": "Standard_DS3_v2"}, ("localAuthEnabled is not set",),
               type=CLASSIC_CLUSTER, fixed={"localAuthEnabled": False}),
        Sample("classic enabled", {"localAuthEnabled": True}, ("localAuthEnabled is true",), type=CLASSIC_INSTANCE,
               fixed={"localAuthEnabled": False}),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-no-public-ip
# ---------------------------------------------------------------------------------------------

_public_ip = _only(bool_setting(
    path=f"{_NATIVE}.enableNodePublicIp", expected=False, absent="violation",
    what="compute nodes must not get public IP addresses", classic_path="nodePublicIpEnabled", classic_expected=False,
), CLUSTER, INSTANCE)

compute_no_public_ip = ResourceRule(
    name="compute-no-public-ip",
    description="Compute clusters and instances must not give their nodes public IP addresses (enableNodePublicIp false; "
    "classic: nodePublicIpEnabled false). Absent is a violation: Azure, the SDK's AmlComputePropertiesArgs and the classic "
    "provider all default to a public IP.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.properties.enableNodePublicIp to false (classic provider: nodePublicIpEnabled = false). "
    "Azure accepts that only for a compute in a subnet (properties.properties.subnet.id / subnetResourceId) or in a "
    "workspace with a managed network, so give it one of those too.",
    unknowns="An unknown setting or compute type during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("network",),
    frameworks=(Framework("MCSB", "NS-2", "Secure cloud native services with network controls"),),
    types=COMPUTE_TYPES,
    check=_public_ip,
    fix=_setting_fix(_public_ip, f"{_NATIVE}.enableNodePublicIp", False, "nodePublicIpEnabled", False),
    samples=(
        Sample("cluster without public IP", _cluster(enableNodePublicIp=False, subnet=_SUBNET)),
        Sample("instance, snake_case", {"properties": {"compute_type": "ComputeInstance",
                                                       "properties": {"enable_node_public_ip": False}}}),
        Sample("attached VM not judged", {"properties": {"computeType": "VirtualMachine", "properties": {}}}),
        Sample("classic cluster", {"nodePublicIpEnabled": False, "subnetResourceId": _SUBNET_ID}, type=CLASSIC_CLUSTER),
        Sample("absent (Args default true)", _instance(vmSize="Standard_DS3_v2"), ("enableNodePublicIp is not set",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("public IP", _cluster(enableNodePublicIp=True), ("enableNodePublicIp is true",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("wrong type", _cluster(enableNodePublicIp="no"), ("enableNodePublicIp is a string, not a boolean",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("classic absent", {"vmSize": "Standard_DS3_v2"}, ("nodePublicIpEnabled is not set",), type=CLASSIC_INSTANCE,
               fixed={"nodePublicIpEnabled": False}),
        Sample("classic public IP, snake_case", {"node_public_ip_enabled": True}, ("nodePublicIpEnabled is true",),
               type=CLASSIC_CLUSTER, fixed={"nodePublicIpEnabled": False}),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-ssh-not-public
# ---------------------------------------------------------------------------------------------

_cluster_ssh = _only(enum_setting(
    path=f"{_NATIVE}.remoteLoginPortPublicAccess", allowed=fixed("Disabled"), absent="violation",
    what="the public SSH port must be closed; absent or NotSpecified leaves it open on nodes with a public IP when "
    "the cluster has no subnet", vocabulary=("Enabled", "Disabled", "NotSpecified"),
), CLUSTER, classic=False)

_instance_ssh = _only(enum_setting(
    path=f"{_NATIVE}.sshSettings.sshPublicAccess", allowed=fixed("Disabled"), absent="pass",
    what="public SSH access to the instance must be disabled", vocabulary=("Enabled", "Disabled"),
), INSTANCE, classic=False)

_classic_cluster_ssh = _only(bool_setting(
    path="sshPublicAccessEnabled", classic_path="sshPublicAccessEnabled", expected=False, absent="pass",
    what="the public SSH port must be closed",
), CLUSTER, classic=True)


def _classic_instance_ssh(subject: Subject) -> Iterator[str]:
    # The classic provider opens public SSH (sshPublicAccess Enabled) whenever an ssh block is given.
    value = p.get(subject.props, "ssh")
    if value is not p.MISSING and value is not None:
        yield "ssh is set, which makes the classic provider enable public SSH access to the instance; remove the ssh block."


compute_ssh_not_public = ResourceRule(
    name="compute-ssh-not-public",
    description="Compute nodes must not accept SSH from the internet: clusters need remoteLoginPortPublicAccess Disabled "
    "(absent or NotSpecified is a violation, as Azure then opens the port on nodes with a public IP when there is no "
    "subnet); instances must not set sshSettings.sshPublicAccess Enabled (absent means Disabled); classic clusters must not "
    "set sshPublicAccessEnabled true (absent means Disabled) and classic instances must not have an ssh block.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.properties.remoteLoginPortPublicAccess to Disabled on clusters and "
    "properties.properties.sshSettings.sshPublicAccess to Disabled on instances (classic provider: "
    "sshPublicAccessEnabled = false on ComputeCluster, no ssh block on ComputeInstance). Reach nodes through the "
    "virtual network or Azure Bastion instead.",
    unknowns="An unknown setting or compute type during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("network",),
    frameworks=(Framework("MCSB", "NS-2", "Secure cloud native services with network controls"),),
    types=COMPUTE_TYPES,
    check=(_cluster_ssh, _instance_ssh, _classic_cluster_ssh, _only(_classic_instance_ssh, INSTANCE, classic=True)),
    samples=(
        Sample("cluster disabled", _cluster(remoteLoginPortPublicAccess="Disabled")),
        Sample("cluster, snake_case, case differs", {"properties": {"compute_type": "AmlCompute", "properties": {
            "remote_login_port_public_access": "disabled"}}}),
        Sample("instance disabled", _instance(sshSettings={"sshPublicAccess": "Disabled", "adminPublicKey": "ssh-rsa AAAA"})),
        Sample("instance absent (Disabled)", _instance(vmSize="Standard_DS3_v2")),
        Sample("classic cluster absent (Disabled)", {"vmSize": "Standard_DS3_v2"}, type=CLASSIC_CLUSTER),
        Sample("classic cluster disabled", {"sshPublicAccessEnabled": False}, type=CLASSIC_CLUSTER),
        Sample("classic instance without ssh", {"virtualMachineSize": "Standard_DS3_v2"}, type=CLASSIC_INSTANCE),
        Sample("cluster absent (Args: NotSpecified)", _cluster(vmSize="Standard_DS3_v2"),
               ("remoteLoginPortPublicAccess is not set",)),
        Sample("cluster NotSpecified", _cluster(remoteLoginPortPublicAccess="NotSpecified"),
               ("remoteLoginPortPublicAccess is 'NotSpecified'",)),
        Sample("cluster enabled", _cluster(remoteLoginPortPublicAccess="Enabled"), ("remoteLoginPortPublicAccess is 'Enabled'",)),
        Sample("cluster wrong type", _cluster(remoteLoginPortPublicAccess=False), ("remoteLoginPortPublicAccess is a boolean",)),
        Sample("instance enabled, snake_case", {"properties": {"compute_type": "ComputeInstance", "properties": {
            "ssh_settings": {"ssh_public_access": "Enabled"}}}}, ("sshPublicAccess is 'Enabled'",)),
        Sample("classic cluster enabled", {"sshPublicAccessEnabled": True}, ("sshPublicAccessEnabled is true",),
               type=CLASSIC_CLUSTER),
        Sample("classic instance ssh block", {"ssh": {"publicKey": "ssh-rsa AAAA"}}, ("ssh is set",), type=CLASSIC_INSTANCE),
    ),
)

# ---------------------------------------------------------------------------------------------
# compute-in-virtual-network (stack rule)
# ---------------------------------------------------------------------------------------------

_MANAGED_MODES: Final = frozenset({"allowinternetoutbound", "allowonlyapprovedoutbound"})
_WORKSPACE_TYPES: Final = (t.WORKSPACE, t.CLASSIC_WORKSPACE)
_WORKSPACE_IN_ID = re.compile(r"/workspaces/([^/]+)", re.IGNORECASE)


def _safe_str(props: Any, path: str) -> str | None:
    """A string, or None when absent, of another type or unknown (for building indexes, where an
    unknown key just means "cannot be found that way")."""
    try:
        return p.get_str(props, path)
    except UnknownValueError:
        return None


def _workspace_name_in(arm_id: str | None) -> str | None:
    match = _WORKSPACE_IN_ID.search(arm_id or "")
    return match.group(1).lower() if match else None


class _Workspaces:
    """The stack's workspaces, indexed once by URN, ARM id and name (lower-cased)."""

    def __init__(self, index: StackIndex):
        self._index = index
        self.by_id: dict[str, StackItem] = {}
        self.by_name: dict[str, list[StackItem]] = {}
        for item in index.of_type(*_WORKSPACE_TYPES):
            arm_id = _safe_str(item.props, "id")
            if arm_id:
                self.by_id[arm_id.strip().lower()] = item
            for name in {n.strip().lower() for n in (_safe_str(item.props, "workspaceName"), _safe_str(item.props, "name"),
                                                      _workspace_name_in(arm_id)) if n and n.strip()}:
                self.by_name.setdefault(name, []).append(item)

    def _from_urns(self, urns: Iterable[str]) -> list[StackItem]:
        found = (self._index.by_urn.get(u) for u in urns)
        return [w for w in found if w is not None and w.canonical in _WORKSPACE_TYPES]

    def of_compute(self, compute: StackItem) -> list[StackItem]:
        """The workspace(s) a compute belongs to: by property dependency, else by ARM id, else by
        name. Raises ``UnknownValueError`` when the link is unknown and no dependency says it."""
        key = "machineLearningWorkspaceId" if t.is_classic(compute.type) else "workspaceName"
        linked = self._from_urns(compute.built_from(key))
        if linked:
            return linked
        if t.is_classic(compute.type):
            workspace_id = p.get_str(compute.props, key) or ""
            exact = self.by_id.get(workspace_id.strip().lower())
            name = _workspace_name_in(workspace_id)
            return [exact] if exact else self.by_name.get(name or "", [])
        name = p.get_str(compute.props, key) or _workspace_name_in(p.get_str(compute.props, "id"))
        return self.by_name.get(name.strip().lower(), []) if name else []

    def managed(self, workspace: StackItem) -> bool:
        """Whether the workspace has managed network isolation, itself or (a Project) through its hub."""
        if _isolated(workspace):
            return True
        if (p.get_str(workspace.props, "kind") or "").strip().lower() != "project":
            return False
        hubs = self._from_urns(workspace.built_from("hubResourceId"))
        if not hubs:
            hub = self.by_id.get((p.get_str(workspace.props, "hubResourceId") or "").strip().lower())
            hubs = [hub] if hub else []
        return bool(hubs) and all(_isolated(h) for h in hubs)


def _isolated(workspace: StackItem) -> bool:
    mode = p.get_str(workspace.props, "managedNetwork.isolationMode")
    return mode is not None and mode.strip().lower() in _MANAGED_MODES


def _has_subnet(item: StackItem) -> bool:
    if t.is_classic(item.type):
        holder: Any = item.props
        path = "subnetResourceId"
    else:
        holder = p.get_map(item.props, _NATIVE)  # an unknown above the subnet is a real unknown
        path = "subnet.id"
    if holder is None:
        return False
    try:
        value = p.get(holder, path)
    except UnknownValueError:
        return True  # a subnet is given; its id (a resource of this stack) is known after `pulumi up`
    return isinstance(value, str) and bool(value.strip())


def _vnet_problem(item: StackItem, workspaces: _Workspaces, config: Mapping[str, Any]) -> str | None:
    if compute_kind(item.type, item.props) not in (CLUSTER, INSTANCE) or _has_subnet(item):
        return None
    where = "subnetResourceId" if t.is_classic(item.type) else f"{_NATIVE}.subnet.id"
    linked = workspaces.of_compute(item)
    if not linked:
        if config["assumeManagedNetwork"] is True:
            return None
        return (f"The compute has no subnet ({where}) and its workspace is not declared in this stack, so managed network "
                "isolation cannot be confirmed; set a subnet, declare the workspace here, or set assumeManagedNetwork.")
    if all(workspaces.managed(w) for w in linked):
        return None
    return (f"The compute has no subnet ({where}) and its workspace has no managed network isolation "
            "(managedNetwork.isolationMode AllowInternetOutbound or AllowOnlyApprovedOutbound).")


def _in_virtual_network(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(items)
    workspaces = _Workspaces(index)
    pending: UnknownValueError | None = None
    for item in index.of_type(*COMPUTE_TYPES):
        try:
            problem = _vnet_problem(item, workspaces, config)
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        if problem:
            yield problem, item.urn
    if pending is not None:
        raise pending  # after reporting what was known: the SDK's advisory for the rest


def _stack(*resources: SampleResource) -> tuple[SampleResource, ...]:
    return (SampleResource(t.STACK, "sample-dev", {}), *resources)


def _ws(mode: str | None = "AllowOnlyApprovedOutbound", name: str = "ws", **extra: Any) -> SampleResource:
    props: dict[str, Any] = {"workspaceName": name, **extra}
    if mode is not None:
        props["managedNetwork"] = {"isolationMode": mode}
    return SampleResource(t.WORKSPACE, name, props)


_WS_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
_HUB_ID = _WS_ID[: -len("ws")] + "hub"


def _compute(name: str = "cluster", workspace: str = "ws", subnet: bool = False, kind: str = "AmlCompute",
             depends: bool = False) -> SampleResource:
    settings: dict[str, Any] = {"subnet": _SUBNET} if subnet else {}
    return SampleResource(COMPUTE, name, {"workspaceName": workspace, "properties": {"computeType": kind, "properties": settings}},
                          depends_on={"workspaceName": (workspace,)} if depends else {})


compute_in_virtual_network = StackRule(
    name="compute-in-virtual-network",
    description="Every compute cluster and compute instance must run in a virtual network: it has a subnet, or its "
    "workspace (declared in the same stack; a Project through its hub) uses managed network isolation "
    "(AllowInternetOutbound or AllowOnlyApprovedOutbound). A compute without a subnet whose workspace is not in the stack "
    "is a violation unless assumeManagedNetwork is set. Kubernetes and attached computes are not judged. (Azure Policy "
    "7804b5c7 audits the subnet alone; a managed network isolates the compute the same way.)",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Give the compute a subnet (properties.properties.subnet.id; classic provider: subnetResourceId), or "
    "set the workspace's managedNetwork.isolationMode to AllowOnlyApprovedOutbound (or AllowInternetOutbound). If the "
    "workspace lives in another stack and is known to use a managed network, set assumeManagedNetwork.",
    unknowns="A subnet id that is unknown during preview counts as a subnet. A compute whose type or workspace link is "
    "unknown, or whose workspace's isolation mode is unknown, is skipped and the SDK's advisory 'can't run policy' "
    "diagnostic is added; the others are judged.",
    topics=("network",),
    frameworks=(
        Framework("Azure Policy", "7804b5c7-01dc-4723-969b-ae300cc07ff1",
                  "Azure Machine Learning Computes should be in a virtual network"),
        Framework("MCSB", "NS-1", "Establish network segmentation boundaries"),
    ),
    options=(
        Option("assumeManagedNetwork", {
            "type": "boolean", "default": False,
            "description": "Treat computes whose workspace is not declared in this stack as covered by a managed network.",
        }),
    ),
    check=_in_virtual_network,
    samples=(
        StackSample("subnet, workspace elsewhere", _stack(_compute(subnet=True, workspace="central"))),
        StackSample("managed workspace by name", _stack(_ws(), _compute(workspace="WS"))),
        StackSample("managed workspace by dependency", _stack(
            _ws("AllowInternetOutbound", name="ws"),
            SampleResource(COMPUTE, "instance", {"properties": {"compute_type": "ComputeInstance"}},
                           depends_on={"workspaceName": ("ws",)}))),
        StackSample("project through its hub (by id)", _stack(
            _ws(name="hub", kind="Hub", id=_HUB_ID), _ws(None, name="proj", kind="Project", hubResourceId=_HUB_ID),
            _compute(workspace="proj"))),
        StackSample("project through its hub (by dependency)", _stack(
            _ws(name="hub", kind="Hub"),
            SampleResource(t.WORKSPACE, "proj", {"workspaceName": "proj", "kind": "Project"}, depends_on={"hubResourceId": ("hub",)}),
            _compute(workspace="proj", depends=True))),
        StackSample("classic cluster by workspace id", _stack(
            SampleResource(t.CLASSIC_WORKSPACE, "cws", {"name": "ws", "id": _WS_ID,
                                                        "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}),
            SampleResource(CLASSIC_CLUSTER, "ccluster", {"machineLearningWorkspaceId": _WS_ID}))),
        StackSample("classic instance with subnet", _stack(
            SampleResource(CLASSIC_INSTANCE, "cinst", {"machineLearningWorkspaceId": _WS_ID, "subnetResourceId": _SUBNET_ID}))),
        StackSample("assumed managed", _stack(_compute(workspace="central")), config={"assumeManagedNetwork": True}),
        StackSample("kubernetes not judged", _stack(_ws("Disabled"), _compute(kind="Kubernetes"))),
        StackSample("workspace without isolation", _stack(_ws("Disabled"), _compute(depends=True)),
                    ("its workspace has no managed network isolation",)),
        StackSample("workspace isolation absent", _stack(_ws(None), _compute()), ("has no managed network isolation",)),
        StackSample("workspace not in stack", _stack(_compute(workspace="central")),
                    ("not declared in this stack",)),
        StackSample("empty subnet id", _stack(_ws("Disabled"), SampleResource(COMPUTE, "c", {
            "workspaceName": "ws", "properties": {"computeType": "ComputeInstance", "properties": {"subnet": {"id": " "}}}})),
            ("has no subnet (properties.properties.subnet.id)",)),
        StackSample("project whose hub is not isolated", _stack(
            _ws("Disabled", name="hub", kind="Hub", id=_HUB_ID), _ws(None, name="proj", kind="Project", hubResourceId=_HUB_ID),
            _compute(workspace="proj")), ("has no managed network isolation",)),
        StackSample("classic cluster, unmanaged workspace", _stack(
            SampleResource(t.CLASSIC_WORKSPACE, "cws", {"name": "ws", "id": _WS_ID}),
            SampleResource(CLASSIC_CLUSTER, "ccluster", {"machineLearningWorkspaceId": _WS_ID})),
            ("has no subnet (subnetResourceId)",)),
        StackSample("two computes, one judged each", _stack(
            _ws("Disabled"), _compute("a"), _compute("b", subnet=True), _compute("c", workspace="elsewhere")),
            ("has no managed network isolation", "not declared in this stack")),
    ),
)

RULES = (
    compute_allowed_vm_sizes,
    compute_cluster_scale,
    compute_instance_idle_shutdown,
    compute_local_auth_disabled,
    compute_no_public_ip,
    compute_ssh_not_public,
    compute_in_virtual_network,
)
