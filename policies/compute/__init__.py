"""Rules on Azure ML compute: clusters (``AmlCompute``) and instances (``ComputeInstance``), in
azure-native (``properties.computeType`` says which) and in the classic provider (one type each,
with Terraform-style property names). Attached and Kubernetes computes are not judged here: their
size, network and access are decided by the resource they attach.

Absent values: the SDK's ``*Args`` classes fill insecure defaults (``enableNodePublicIp=true``,
``remoteLoginPortPublicAccess=NotSpecified``), plain dicts fill none; each rule says how it
treats an absent value, usually the way Azure would (its default).
"""
