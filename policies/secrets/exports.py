"""no-secret-exports (stack rule): no credential leaves the stack through its exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.credentials import credential_name_reason, credential_value_reason
from ..core.options import strings
from ..core.rule import SDK_ADVISORY, StackRule
from ..core.samples import SampleResource, StackSample
from ..core.stack import StackItem, root_stack

_STORAGE_KEY = "Zm9v" * 21 + "Ym=="  # 86 base64 characters + "==": the shape of a storage key, not a real one


def _allowed(path: tuple[str | int, ...], allowed: set[str]) -> bool:
    """An export is exempt when its top-level name or any dotted prefix of its path is allowed."""
    return any(p.path_text(path[:n]) in allowed for n in range(1, len(path) + 1))


def _no_secret_exports(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    stack = root_stack(items)
    if stack is None:
        return
    allowed = {a for a in config["allowedOutputs"] if isinstance(a, str)}
    unknown: list[str] = []
    flagged: set[tuple[str | int, ...]] = set()
    for path, value in p.walk(stack.props):
        if not path or _allowed(path, allowed) or any(path[:n] in flagged for n in range(1, len(path))):
            continue
        reasons = []
        name = path[-1] if isinstance(path[-1], str) else None
        if name is not None and (reason := credential_name_reason(name)):
            reasons.append(reason)
        if p.is_unknown(value):
            if not reasons:
                unknown.append(p.path_text(path))
        elif isinstance(value, str) and (reason := credential_value_reason(value)):
            reasons.append(reason)
        if reasons:
            flagged.add(path)
            yield f"Stack export '{p.path_text(path)}' looks like a credential: {'; '.join(reasons)}.", stack.urn
    if unknown:
        # Names were judged; these values cannot be until `pulumi up`.
        raise UnknownValueError(p.UNKNOWN_STRING, [unknown[0]])


def _exports(**exports: Any) -> tuple[SampleResource, ...]:
    return (SampleResource(t.STACK, "sample-dev", exports),)


no_secret_exports = StackRule(
    name="no-secret-exports",
    title="No credentials in stack exports",
    description="Stack exports must not carry credentials; names and values are judged, as a policy cannot see Pulumi secrets.",
    details="Stack exports must not carry credentials. A policy cannot see whether an export was wrapped as a "
    "secret (pulumi-policy unwraps secrets before policies run), so exports named or shaped like keys, passwords, "
    "tokens or connection strings are forbidden outright; read credentials from Key Vault or an identity instead.",
    severity=Severity.CRITICAL,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Remove the export and have consumers fetch the credential from Key Vault or use a managed identity. "
    "If the export is not a credential, rename it or list it in this policy's allowedOutputs config.",
    unknowns="Export names are always judged. An export value unknown during preview whose name is innocent cannot "
    f"be judged: {SDK_ADVISORY} is added after the known findings are reported.",
    topics=("secrets", "data-access"),
    frameworks=(fw.MCSB_DP2, fw.MCSB_IM8),
    options=(strings("allowedOutputs", [], "Export names (or dotted paths) exempt from this rule."),),
    check=_no_secret_exports,
    samples=(
        StackSample("names and ids only", _exports(
            resource_group="rg", keyVaultName="kv", keyVaultUri="https://kv.vault.azure.net/",
            tokenEndpointUrl="https://login/token", workspaceId="/subscriptions/s/x", partitionKey="id",
            sshPublicKey="ssh-rsa AAAA", replicas=3.0, nested={"names": ["a", "b"]})),
        StackSample("allowed by config", _exports(apiKey="x"), config={"allowedOutputs": ["apiKey"]}),
        StackSample("seed export", _exports(workspace_primary_key=_STORAGE_KEY),
                    ("'workspace_primary_key' looks like a credential: its name reads as a credential ('key'); "
                     "its value has the shape of an Azure storage account key",)),
        StackSample("names", _exports(primaryKey="k", storageConnectionString="c", adminPassword="p", sasToken="s",
                                      clientsecret="x"),
                    ("'primaryKey'", "'storageConnectionString'", "'adminPassword'", "'sasToken'", "'clientsecret'")),
        StackSample("values at depth", _exports(config={"list": [{"conn": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc"}],
                                                        "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
                                                        "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n",
                                                        "url": "https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=abcdefghijklmnopqrstuv"}),
                    ("'config.list[0].conn'", "'config.jwt'", "'config.pem'", "'config.url'")),
        StackSample("secret envelope still judged", _exports(
            dbPassword={p.SIG_KEY: p.SECRET_SIG, "value": "hunter2"}), ("'dbPassword'",)),
        StackSample("nested credential reported once", _exports(credentials={"password": "p"}), ("'credentials'",)),
    ),
)
