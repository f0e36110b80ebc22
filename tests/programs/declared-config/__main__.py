"""Reads every kind of config a project declares and exports what it saw."""

import pulumi

config = pulumi.Config()

settings = {
    "tenantId": config.require("tenantId"),
    "region": config.get("region"),
    "maxNodes": config.require_int("maxNodes"),
    "allowedSkus": config.require_object("allowedSkus"),
    "environment": config.get("environment"),
    "costCenter": config.get("costCenter"),
    "labels": config.get_object("labels"),
    "location": pulumi.Config("azure-native").get("location"),
    "undeclared": config.get("undeclared"),
}

if config.get_bool("requireAuditLog"):
    # Not declared in Pulumi.yaml: when the stack does not set it, the SDK itself refuses.
    settings["auditWorkspace"] = config.require("auditWorkspaceId")

pulumi.export("settings", settings)
