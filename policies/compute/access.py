"""Who can reach compute nodes: local authentication off (compute-local-auth-disabled), no public IP
(compute-no-public-ip), no public SSH (compute-ssh-not-public)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import types as t
from ..core.checks import ENABLED_DISABLED, bool_setting, enum_setting, fixed, setting_fix
from ..core.resources import compute as cs
from ..core.resources.compute import CLUSTER, INSTANCE, only
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import read
from . import samples as cx

_UNKNOWN_SETTING = unknown_advisory("setting or compute type")


_local_auth = only(bool_setting(
    setting=cs.DISABLE_LOCAL_AUTH, expected=True, absent="violation",
    what="local authentication must be disabled so only Microsoft Entra ID identities can authenticate",
), CLUSTER, INSTANCE)

compute_local_auth_disabled = ResourceRule(
    name="compute-local-auth-disabled",
    title="Computes disable local authentication",
    description="Compute clusters and instances must disable local authentication, which Azure keeps enabled when absent.",
    details="Compute clusters and instances (azure-native 3.x and 2.x, 2.x's MachineLearningCompute, classic "
    "ComputeCluster and ComputeInstance) must have local authentication disabled (properties.disableLocalAuth true; "
    "classic: localAuthEnabled false). Absent is a violation: Azure and the classic provider then keep local "
    "authentication enabled.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.disableLocalAuth to true on the compute (classic provider: localAuthEnabled = false) and "
    "grant users and jobs access through Microsoft Entra ID and Azure RBAC.",
    unknowns=_UNKNOWN_SETTING,
    topics=("identity",),
    frameworks=(fw.AZ_COMPUTE_LOCAL_AUTH, fw.CKV_AZURE_142, fw.MCSB_IM1),
    types=t.COMPUTE_TYPES,
    not_covered=cs.ATTACHED,
    check=_local_auth,
    fix=setting_fix(_local_auth, cs.DISABLE_LOCAL_AUTH, True),
    samples=(
        Sample("cluster disabled", cx.cluster(vmSize="Standard_DS3_v2")),
        Sample("instance, snake_case, string", {"properties": {"compute_type": "ComputeInstance", "disable_local_auth": "true"}}),
        Sample("kubernetes not judged", {"properties": {"computeType": "Kubernetes"}}),
        Sample("classic cluster", cx.classic_cluster(localAuthEnabled=False), type=t.CLASSIC_CLUSTER),
        Sample("classic instance, snake_case", cx.classic_instance(local_auth_enabled=False), type=t.CLASSIC_INSTANCE),
        Sample("2.x MachineLearningCompute", {"properties": {"computeType": "AmlCompute", "disableLocalAuth": True}},
               type=cx.MLC),
        Sample("absent", {"properties": {"computeType": "AmlCompute", "properties": {}}}, ("disableLocalAuth is not set",),
               fixed={"properties.disableLocalAuth": True}),
        Sample("enabled", {"properties": {"computeType": "ComputeInstance", "disableLocalAuth": False}},
               ("properties.disableLocalAuth is false",), fixed={"properties.disableLocalAuth": True}),
        Sample("wrong type", {"properties": {"computeType": "AmlCompute", "disableLocalAuth": 1.0}},
               ("properties.disableLocalAuth is a number, not a boolean",), fixed={"properties.disableLocalAuth": True}),
        Sample("classic absent (provider default true)", {"vmSize": "Standard_DS3_v2", "vmPriority": "Dedicated"}, (
            "localAuthEnabled is not set (absent means true: pulumi-azure 6.x docstring: localAuthEnabled defaults to true)",),
            type=t.CLASSIC_CLUSTER, fixed={"localAuthEnabled": False}),
        Sample("classic enabled", cx.classic_instance(localAuthEnabled=True), ("localAuthEnabled is true",),
               type=t.CLASSIC_INSTANCE, fixed={"localAuthEnabled": False}),
        Sample("2.x MachineLearningCompute absent", {"properties": {"computeType": "ComputeInstance"}},
               ("properties.disableLocalAuth is not set",), type=cx.MLC, fixed={"properties.disableLocalAuth": True}),
    ),
)


_public_ip = only(bool_setting(
    setting=cs.PUBLIC_IP, expected=False, absent="violation", what="compute nodes must not get public IP addresses",
), CLUSTER, INSTANCE)

compute_no_public_ip = ResourceRule(
    name="compute-no-public-ip",
    title="Compute nodes have no public IP",
    description="Compute clusters and instances must not give their nodes public IP addresses, which Azure does when absent.",
    details="Compute clusters and instances (azure-native 3.x and 2.x, 2.x's MachineLearningCompute, classic "
    "ComputeCluster and ComputeInstance) must not give their nodes public IP addresses (enableNodePublicIp false; "
    "classic: nodePublicIpEnabled false). Absent is a violation: Azure, the SDK's AmlComputePropertiesArgs and the "
    "classic provider all default to a public IP.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.properties.enableNodePublicIp to false (classic provider: nodePublicIpEnabled = false). "
    "Azure accepts that only for a compute in a subnet (properties.properties.subnet.id / subnetResourceId) or in a "
    "workspace with a managed network, so give it one of those too.",
    unknowns=_UNKNOWN_SETTING,
    topics=("network",),
    frameworks=(fw.MCSB_NS2,),
    types=t.COMPUTE_TYPES,
    not_covered=cs.ATTACHED,
    check=_public_ip,
    fix=setting_fix(_public_ip, cs.PUBLIC_IP, False),
    samples=(
        Sample("cluster without public IP", cx.cluster(enableNodePublicIp=False, subnet=cx.SUBNET)),
        Sample("instance, snake_case", {"properties": {"compute_type": "ComputeInstance",
                                                       "properties": {"enable_node_public_ip": False}}}),
        Sample("attached VM not judged", {"properties": {"computeType": "VirtualMachine", "properties": {}}}),
        Sample("classic cluster", cx.classic_cluster(nodePublicIpEnabled=False), type=t.CLASSIC_CLUSTER),
        Sample("2.x preview module instance", cx.instance(enableNodePublicIp=False, subnet=cx.SUBNET), type=cx.AN2_PREVIEW),
        Sample("absent (Args default true)", cx.instance(vmSize="Standard_DS3_v2"), ("enableNodePublicIp is not set",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("public IP", cx.cluster(enableNodePublicIp=True), ("enableNodePublicIp is true",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("wrong type", cx.cluster(enableNodePublicIp="no"), ("enableNodePublicIp is a string, not a boolean",),
               fixed={"properties.properties.enableNodePublicIp": False}),
        Sample("classic absent", {"virtualMachineSize": "Standard_DS3_v2"}, ("nodePublicIpEnabled is not set (absent means true",),
               type=t.CLASSIC_INSTANCE, fixed={"nodePublicIpEnabled": False}),
        Sample("classic public IP, snake_case", cx.classic_cluster(node_public_ip_enabled=True), ("nodePublicIpEnabled is true",),
               type=t.CLASSIC_CLUSTER, fixed={"nodePublicIpEnabled": False}),
        Sample("2.x MachineLearningCompute public IP", {"properties": {"computeType": "AmlCompute", "properties": {
            "enableNodePublicIp": True}}}, ("properties.properties.enableNodePublicIp is true",), type=cx.MLC,
            fixed={"properties.properties.enableNodePublicIp": False}),
    ),
)


_cluster_ssh = only(enum_setting(
    setting=cs.REMOTE_LOGIN, allowed=fixed("Disabled"), absent="violation",
    what="the public SSH port must be closed; NotSpecified leaves it open on nodes with a public IP when the cluster "
    "has no subnet", vocabulary=("Enabled", "Disabled", "NotSpecified"),
), CLUSTER, classic=False)

_instance_ssh = only(enum_setting(
    setting=cs.INSTANCE_SSH, allowed=fixed("Disabled"), absent="pass",
    what="public SSH access to the instance must be disabled", vocabulary=ENABLED_DISABLED,
), INSTANCE, classic=False)

_classic_cluster_ssh = only(bool_setting(
    setting=cs.CLASSIC_CLUSTER_SSH, expected=False, absent="pass", what="the public SSH port must be closed",
), CLUSTER, classic=True)


def _classic_instance_ssh(subject: Subject) -> Iterator[str]:
    # The classic provider opens public SSH (sshPublicAccess Enabled) whenever an ssh block is given.
    reading = read(subject.type, subject.props, cs.CLASSIC_INSTANCE_SSH)
    if reading is not None and not reading.absent:
        yield f"{reading.path} is set, which makes the classic provider enable public SSH access to the instance; remove the ssh block."


compute_ssh_not_public = ResourceRule(
    name="compute-ssh-not-public",
    title="Compute SSH is not public",
    description="Compute clusters and instances must not accept SSH connections from the internet.",
    details="Compute nodes must not accept SSH from the internet: clusters need remoteLoginPortPublicAccess Disabled "
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
    unknowns=_UNKNOWN_SETTING,
    topics=("network",),
    frameworks=(fw.MCSB_NS2,),
    types=t.COMPUTE_TYPES,
    not_covered=cs.ATTACHED,
    check=(_cluster_ssh, _instance_ssh, _classic_cluster_ssh, only(_classic_instance_ssh, INSTANCE, classic=True)),
    samples=(
        Sample("cluster disabled", cx.cluster(remoteLoginPortPublicAccess="Disabled")),
        Sample("cluster, snake_case, case differs", {"properties": {"compute_type": "AmlCompute", "properties": {
            "remote_login_port_public_access": "disabled"}}}),
        Sample("instance disabled", cx.instance(sshSettings={"sshPublicAccess": "Disabled", "adminPublicKey": "ssh-rsa AAAA"})),
        Sample("instance absent (Disabled)", cx.instance(vmSize="Standard_DS3_v2")),
        Sample("classic cluster absent (Disabled)", cx.classic_cluster(), type=t.CLASSIC_CLUSTER),
        Sample("classic cluster disabled", cx.classic_cluster(sshPublicAccessEnabled=False), type=t.CLASSIC_CLUSTER),
        Sample("classic instance without ssh", cx.classic_instance(), type=t.CLASSIC_INSTANCE),
        Sample("2.x versioned module, cluster disabled", cx.cluster(remoteLoginPortPublicAccess="Disabled"), type=cx.AN2_STABLE),
        Sample("cluster absent (Args: NotSpecified)", cx.cluster(vmSize="Standard_DS3_v2"),
               ("remoteLoginPortPublicAccess is not set",)),
        Sample("cluster NotSpecified", cx.cluster(remoteLoginPortPublicAccess="NotSpecified"),
               ("remoteLoginPortPublicAccess is 'NotSpecified'",)),
        Sample("cluster enabled", cx.cluster(remoteLoginPortPublicAccess="Enabled"), ("remoteLoginPortPublicAccess is 'Enabled'",)),
        Sample("cluster wrong type", cx.cluster(remoteLoginPortPublicAccess=False), ("remoteLoginPortPublicAccess is a boolean",)),
        Sample("instance enabled, snake_case", {"properties": {"compute_type": "ComputeInstance", "properties": {
            "ssh_settings": {"ssh_public_access": "Enabled"}}}}, ("sshPublicAccess is 'Enabled'",)),
        Sample("classic cluster enabled", cx.classic_cluster(sshPublicAccessEnabled=True), ("sshPublicAccessEnabled is true",),
               type=t.CLASSIC_CLUSTER),
        Sample("classic instance ssh block", cx.classic_instance(ssh={"publicKey": "ssh-rsa AAAA"}), ("ssh is set",),
               type=t.CLASSIC_INSTANCE),
        Sample("2.x MachineLearningCompute instance enabled", {"properties": {"computeType": "ComputeInstance", "properties": {
            "sshSettings": {"sshPublicAccess": "Enabled"}}}}, ("sshSettings.sshPublicAccess is 'Enabled'",), type=cx.MLC),
    ),
)
