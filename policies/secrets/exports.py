"""no-secret-exports (stack rule): no credential leaves the stack through its exports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.credentials import credential_name_reason, credential_value_reason
from ..core.options import flag, strings
from ..core.provenance import describe
from ..core.rule import SDK_ADVISORY, AdvisoryUnknown, StackRule, fail_closed
from ..core.samples import SampleResource, StackSample
from ..core.stack import StackItem, root_stack

_STORAGE_KEY = "Zm9v" * 21 + "Ym=="  # 86 base64 characters + "==": the shape of a storage key, not a real one


def _allowed(path: tuple[str | int, ...], allowed: set[str]) -> bool:
    """An export is exempt when its top-level name or any dotted prefix of its path is allowed."""
    return any(p.path_text(path[:n]) in allowed for n in range(1, len(path) + 1))


OWN_OUTPUT: Final = "own name or id"  # an export that is a resource's own (non-secret) name or id


def _source(stack: StackItem, name: str, by_urn: Mapping[str, StackItem]) -> str | None:
    """What the root stack's property dependencies say export ``name`` is (the gate records them,
    ``policy_gate/runner/exports.py``; the engine records none, pulumi/pulumi ``source_eval.go``
    ``RegisterResourceOutputs``): ``OWN_OUTPUT`` for a name or id of one resource of the stack whose
    type makes no credentials, else why it cannot vouch for the value; None when nothing is recorded."""
    if name not in stack.property_dependencies:
        return None
    urns = stack.property_dependencies[name]
    if len(urns) == 1 and urns[0] != stack.urn and urns[0] in by_urn:
        owner = by_urn[urns[0]]
        if t.matches(owner.type, t.CREDENTIAL_TYPES):
            return f"is a name or id of {describe(owner)}, whose id or name may be the credential it generates"
        return OWN_OUTPUT
    if stack.urn in urns:
        origins = [by_urn[u] for u in urns if u != stack.urn and u in by_urn]
        built = f" (it comes from {', '.join(describe(o) for o in origins)})" if origins else ""
        return f"is not a resource's own name or id{built}"
    return "its recorded source is not one resource of this stack"


def _no_secret_exports(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    stack = root_stack(items)
    if stack is None:
        return
    allowed = {a for a in config["allowedOutputs"] if isinstance(a, str)}
    unknown: list[str] = []  # top-level exports holding an unknown value, whose names are innocent
    flagged: set[tuple[str | int, ...]] = set()
    for path, value in p.walk(stack.props):
        if not path or _allowed(path, allowed) or any(path[:n] in flagged for n in range(1, len(path))):
            continue
        reasons = []
        name = path[-1] if isinstance(path[-1], str) else None
        if name is not None and (reason := credential_name_reason(name)):
            reasons.append(reason)
        if p.is_unknown(value):
            if not reasons and str(path[0]) not in unknown:
                unknown.append(str(path[0]))
        elif isinstance(value, str) and (reason := credential_value_reason(value)):
            reasons.append(reason)
        if reasons:
            flagged.add(path)
            yield f"Stack export '{p.path_text(path)}' looks like a credential: {'; '.join(reasons)}.", stack.urn
    yield from _unknown_exports(stack, [u for u in unknown if (u,) not in flagged], items, config)


def _unknown_exports(stack: StackItem, names: Sequence[str], items: Sequence[StackItem],
                     config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Unknown exports with innocent names (their names were judged): a resource's own name or id passes;
    failing closed, any other recorded one fails, and one whose source nothing records fails only with
    failClosedWithoutSource. The rest get the SDK's advisory (``AdvisoryUnknown``: this check does its
    own failing closed)."""
    closed = fail_closed(config)
    by_urn = {i.urn: i for i in items}
    advisory: list[str] = []
    for name in names:
        source = _source(stack, name, by_urn)
        if source == OWN_OUTPUT:
            continue
        if closed and source is not None:
            yield (f"Stack export '{name}' is unknown during preview and {source}, so it cannot be shown not to be a "
                   "credential (failClosed)."), stack.urn
        elif closed and config["failClosedWithoutSource"] is True:
            yield (f"Stack export '{name}' is unknown during preview and nothing records where it comes from, so it "
                   "cannot be shown not to be a credential (failClosedWithoutSource)."), stack.urn
        else:
            advisory.append(name)
    if advisory:
        # Names were judged; these values cannot be until `pulumi up`.
        raise AdvisoryUnknown(p.UNKNOWN_STRING, [advisory[0]])


def _exports(depends_on: Mapping[str, tuple[str, ...]] | None = None, **exports: Any) -> tuple[SampleResource, ...]:
    """A stack with these exports; ``depends_on``: what the gate records each export is (by sample name;
    the root stack's own name, ``sample-dev``, first: computed by the program)."""
    return (SampleResource(t.STACK, "sample-dev", exports, depends_on=dict(depends_on or {})),)


_RG = SampleResource("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg-ml"})
_WS = SampleResource(t.WORKSPACE, "ws", {"workspaceName": "mlw"})
_RANDOM = SampleResource(t.CREDENTIAL_TYPES[0], "sfx", {"length": 16.0})


no_secret_exports = StackRule(
    name="no-secret-exports",
    title="No credentials in stack exports",
    description="Stack exports must not carry credentials; names and values are judged, as a policy cannot see Pulumi secrets.",
    details="Stack exports must not carry credentials. A policy cannot see whether an export was wrapped as a "
    "secret (pulumi-policy unwraps secrets before policies run), so exports named or shaped like keys, passwords, "
    "tokens or connection strings are forbidden outright; read credentials from Key Vault or an identity instead. "
    "What an export is can be recorded as the root stack's property dependencies in AnalyzeStack, one entry per "
    "export: the engine records none (the root stack's outputs come through RegisterResourceOutputs, which carries "
    "only values); the offline gate (not the Pulumi CLI) records, from the program's own capture, [the resource's URN] for an export that is a "
    "resource's own name or id that is not secret (rg.name, ws.id, an output attribute whose name ends in name or "
    "id), and [the root stack's URN, then the resources it comes from] for any other value (another output of a "
    "resource, which a provider need not mark secret even when it holds a key; an apply, an invoke result, a secret, "
    "a structure). A name or id of a resource that generates credentials (random RandomString, whose id is its "
    "result; RandomPassword; tls PrivateKey) vouches for nothing.",
    severity=Severity.CRITICAL,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Remove the export and have consumers fetch the credential from Key Vault or use a managed identity. "
    "If the export is not a credential, rename it or list it in this policy's allowedOutputs config.",
    unknowns="Export names are always judged. An export value unknown during preview whose name is innocent is judged "
    "by what the export is, where that is recorded (see above): a resource's own name or id passes. With failClosed, "
    "any other recorded export fails, since its value may be a key (an invoke result inside an apply looks, by its "
    "dependencies, like a name derived from the same resources); an export whose source nothing "
    f"records (every unknown export under the CLI) gets {SDK_ADVISORY} unless failClosedWithoutSource is set, because "
    "failing it would block the first preview of every stack that exports a resource's name or id. Its value is "
    "judged once known: at `pulumi up`, in AnalyzeStack after the deployment. Without failClosed, every unknown "
    f"export that is not a resource's own name or id gets {SDK_ADVISORY}, after the known findings.",
    topics=("secrets", "data-access"),
    frameworks=(fw.MCSB_DP2, fw.MCSB_IM8),
    options=(strings("allowedOutputs", [], "Export names (or dotted paths) exempt from this rule."),
             flag("failClosedWithoutSource", False,
                  "With failClosed, also fail an unknown export whose source nothing records (every unknown export "
                  "under the CLI): blocks the first preview of a stack that exports a resource's name or id.")),
    enforce={"failClosedWithoutSource": False},
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
        StackSample("unknown exports that are resources' own names and ids", (*_exports(
            {"resource_group_name": ("rg",), "workspace_id": ("ws",)}, resource_group_name=p.UNKNOWN_STRING,
            workspace_id=p.UNKNOWN_STRING), _RG, _WS), config={"failClosed": True}),
        StackSample("unknown export computed by the program, failing closed", (*_exports(
            {"training_storage": ("sample-dev", "rg", "ws")}, training_storage=p.UNKNOWN_STRING), _RG, _WS),
            ("Stack export 'training_storage' is unknown during preview and is not a resource's own name or id (it "
             "comes from azure-native:resources:ResourceGroup 'rg', azure-native:machinelearningservices:Workspace "
             "'ws'), so it cannot be shown not to be a credential (failClosed).",),
            config={"failClosed": True}),
        StackSample("unknown export that is a random string's id, failing closed", (*_exports(
            {"suffix": ("sfx",)}, suffix=p.UNKNOWN_STRING), _RANDOM),
            ("Stack export 'suffix' is unknown during preview and is a name or id of random:index/randomString:"
             "RandomString 'sfx', whose id or name may be the credential it generates",), config={"failClosed": True}),
        StackSample("unknown export whose source nothing records, failClosedWithoutSource", _exports(
            resource_group_name=p.UNKNOWN_STRING), ("Stack export 'resource_group_name' is unknown during preview and "
                                                    "nothing records where it comes from",),
            config={"failClosed": True, "failClosedWithoutSource": True}),
        StackSample("unknown credential name fails whatever its source", (*_exports(
            {"primary_key": ("rg",)}, primary_key=p.UNKNOWN_STRING), _RG), ("'primary_key' looks like a credential",)),
    ),
)
