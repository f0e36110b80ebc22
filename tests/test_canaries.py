"""Secret canaries: a value marked secret never reaches any output of the gate or the pack.

Distinctive canaries (``canary-<uuid4 hex>``, a storage-account-key-shaped string, a SAS
URL, a JWT, a password, a number), fresh for every run, are seeded as secrets:

(a) through the program path: a real Pulumi program (pulumi-azure-native classes) wraps them
    with ``pulumi.Output.secret`` into rule-relevant inputs (workspace SKU, identity type,
    network and encryption settings, tags, datastore and connection credentials, job
    environment variables and inputs, compute admin password, asset URIs and images) and
    into exports of every shape, with ``additional_secret_outputs``; the gate runs it in
    every format, with and without ``--preview``, to stdout and to ``--output``;
(b) through the state-file path: a ``pulumi stack export`` holding them in ``plaintext``
    envelopes (``--show-secrets``, which the gate decodes) and in ``ciphertext``;
(c) per rule, without the gate's redaction: every non-compliant sample of every rule, each
    string leaf outside the rule's quoted vocabulary replaced by a secret envelope holding a
    canary (once the value plus a canary token, keeping the sample's shape and verdict as far
    as possible; once with a token after every alphanumeric run, so a quoted part of a value
    shows), through the real pack process. No violation message,
    diagnostic (the pack's log lines included), not-applicable reason or rendered report (text,
    JSON, SARIF, JUnit) may contain a canary token. This is what the rules themselves
    guarantee; the gate's ``Redactor`` is a second line of defence, not relied on here.

Every check searches case-insensitively for the whole canary and for its distinctive part
(the hex token), so a rule quoting part of a value (a host, a registry, a path segment)
is caught too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets as pysecrets
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from policies import RULES
from policies.core import types as t
from policies.core.props import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINELS
from policies.core.rule import ResourceRule, Rule, StackRule
from policies.core.samples import Sample, SampleResource
from policy_gate.analyzer import PackOptions, analyze
from policy_gate.capture import Capture
from policy_gate.reports import FORMATS, Redactor, render
from policy_gate.results import Outcome
from tests.captures import capture, from_samples
from tests.sdk import turned_on
from tests.strategies import rule_vocabulary

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
PACK = PackOptions(ROOT)
MARK = "cnry7q"  # per-rule canary tokens (c) start with it (the mark the property tests use) ...
MARK_END = "q7yrnc"  # ... and end with this one, so a quoted head or tail of a value is caught too


@dataclass(frozen=True)
class Canaries:
    hex: str
    plain: str
    storage_key: str
    sas_url: str
    jwt: str
    password: str
    number: int

    @classmethod
    def fresh(cls) -> Canaries:
        h = uuid.uuid4().hex
        key = base64.b64encode(pysecrets.token_bytes(64)).decode()  # 86 base64 characters + "=="
        sig = base64.b64encode(pysecrets.token_bytes(24)).decode().replace("+", "A").replace("/", "B")
        payload = base64.urlsafe_b64encode(json.dumps({"sub": f"canary-{h}"}).encode()).decode().rstrip("=")
        jwt = f"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{pysecrets.token_urlsafe(32)}"
        return cls(hex=h, plain=f"canary-{h}", storage_key=key,
                   sas_url=f"https://acct{h[:12]}.blob.core.windows.net/data?sv=2022-11-02&sp=rl&se=2030-01-01&sig={sig}",
                   jwt=jwt, password=f"Pw-{uuid.uuid4().hex}!", number=int(str(pysecrets.randbelow(9 * 10**11) + 10**11) + "7"))

    def values(self) -> dict[str, Any]:
        return {"hex": self.hex, "plain": self.plain, "storage_key": self.storage_key, "sas_url": self.sas_url,
                "jwt": self.jwt, "password": self.password, "number": self.number}

    def tokens(self) -> list[str]:
        """What must never be printed: each canary whole, and a distinctive part of each."""
        sig = self.sas_url.rsplit("sig=", 1)[1]
        jwt_parts = self.jwt.split(".")
        return [self.hex, self.hex[:12], self.plain, self.storage_key, self.storage_key[:24], self.sas_url, sig,
                self.jwt, jwt_parts[1], jwt_parts[2], self.password, self.password[3:23], str(self.number)]


def assert_no_canary(text: str, tokens: Iterable[str], where: str) -> None:
    lowered = text.lower()
    leaked = [token for token in tokens if token.lower() in lowered]
    assert leaked == [], f"{where} prints a secret canary: {leaked}"


def gate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "policy_gate", "run", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def _run_all_formats(target: Path, tmp_path: Path, tokens: list[str], *extra: str) -> list[str]:
    """The gate in every format, to stdout and to --output; returns the stdout of the JSON run."""
    jobs = [(fmt, output) for fmt in FORMATS for output in (False, True)]

    def one(job: tuple[str, bool]) -> tuple[str, bool, subprocess.CompletedProcess[str], str]:
        fmt, to_file = job
        out = tmp_path / f"report-{fmt}-{'-'.join(extra) or 'plain'}.out"
        result = gate(str(target), "--format", fmt, *extra, *(("--output", str(out)) if to_file else ()))
        return fmt, to_file, result, out.read_text(encoding="utf-8") if to_file and out.exists() else ""

    with ThreadPoolExecutor(max_workers=4) as executor:
        results = list(executor.map(one, jobs))
    reports = []
    for fmt, to_file, result, written in results:
        where = f"gate --format {fmt} {' '.join(extra)} ({'--output' if to_file else 'stdout'})"
        assert result.returncode in (0, 1), (where, result.returncode, result.stderr[-2000:])
        assert "Traceback" not in result.stderr, where
        assert_no_canary(result.stdout, tokens, f"{where} stdout")
        assert_no_canary(result.stderr, tokens, f"{where} stderr")
        assert_no_canary(written, tokens, f"{where} report file")
        if to_file:
            assert written, where
        if fmt == "json" and not to_file:
            reports.append(result.stdout)
    return reports


# ---------------------------------------------------------------------------------------------
# (a) the program path

PROGRAM = '''\
"""Canary program: secrets in every rule-relevant input and in exports of every shape."""
import json

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources

C = json.loads({canaries!r})
S = pulumi.Output.secret
ARM = f"/subscriptions/{{C['hex']}}/resourceGroups/rg/providers"

rg = resources.ResourceGroup("rg", tags={{"owner": S(C["plain"])}})
ws = ml.Workspace(
    "ws",
    resource_group_name=rg.name,
    location=S("West" + C["hex"]),
    kind=S("Kind" + C["hex"]),
    sku=ml.SkuArgs(name=S("Sku-" + C["hex"])),
    identity=ml.ManagedServiceIdentityArgs(type=S("Identity-" + C["hex"])),
    primary_user_assigned_identity=S(ARM + "/identity/" + C["hex"]),
    public_network_access=S("Access-" + C["hex"]),
    system_datastores_auth_mode=S("Mode-" + C["hex"]),
    managed_network=ml.ManagedNetworkSettingsArgs(isolation_mode=S("Isolation-" + C["hex"])),
    encryption=ml.EncryptionPropertyArgs(
        status=S("Status-" + C["hex"]),
        key_vault_properties=ml.KeyVaultPropertiesArgs(key_vault_arm_id=S(ARM + "/vaults/" + C["hex"]),
                                                       key_identifier=S("https://kv.vault.azure.net/keys/" + C["hex"]))),
    storage_account=S(ARM + "/Microsoft.Storage/storageAccounts/" + C["hex"]),
    key_vault=S(ARM + "/Microsoft.KeyVault/vaults/" + C["hex"]),
    friendly_name=S(C["plain"]),
    description=S(C["jwt"]),
    tags={{"classification": S("Confidential-" + C["hex"]), "owner": S(C["plain"]), "key": S(C["storage_key"])}},
    opts=pulumi.ResourceOptions(additional_secret_outputs=["discoveryUrl", "mlFlowTrackingUri", "workspaceId"]),
)
common = dict(resource_group_name=rg.name, workspace_name=ws.name)
ml.Datastore("ds-key", name="dskey", **common, properties=ml.AzureBlobDatastoreArgs(
    datastore_type="AzureBlob", account_name=S("acct" + C["hex"][:12]), container_name=S(C["plain"]),
    endpoint=S(C["sas_url"]),
    credentials=ml.AccountKeyDatastoreCredentialsArgs(credentials_type="AccountKey", secrets=ml.AccountKeyDatastoreSecretsArgs(
        secrets_type="AccountKey", key=S(C["storage_key"])))))
ml.Datastore("ds-sas", name="dssas", **common, properties=ml.AzureBlobDatastoreArgs(
    datastore_type="AzureBlob", account_name="acct", container_name="c",
    credentials=ml.SasDatastoreCredentialsArgs(credentials_type=S("Sas-" + C["hex"]), secrets=ml.SasDatastoreSecretsArgs(
        secrets_type="Sas", sas_token=S(C["sas_url"].split("?", 1)[1])))))
ml.WorkspaceConnection("conn-key", **common, properties=ml.AccessKeyAuthTypeWorkspaceConnectionPropertiesArgs(
    auth_type="AccessKey", category="ADLSGen2", target=S(C["sas_url"]),
    credentials=ml.WorkspaceConnectionAccessKeyArgs(access_key_id=S(C["plain"]), secret_access_key=S(C["storage_key"]))))
ml.WorkspaceConnection("conn-pat", **common, properties=ml.PATAuthTypeWorkspaceConnectionPropertiesArgs(
    auth_type=S("Auth-" + C["hex"]), category="Git", target=S("https://git/" + C["hex"]),
    credentials=ml.WorkspaceConnectionPersonalAccessTokenArgs(pat=S(C["jwt"]))))
ml.Compute("cpu", **common, location=S("West" + C["hex"]), properties=ml.AmlComputeArgs(
    compute_type="AmlCompute", disable_local_auth=S(False),
    properties=ml.AmlComputePropertiesArgs(
        vm_size=S("Size-" + C["hex"]), enable_node_public_ip=S(True),
        subnet=ml.ResourceIdArgs(id=S(ARM + "/subnets/" + C["hex"])),
        user_account_credentials=ml.UserAccountCredentialsArgs(admin_user_name=S(C["plain"]),
                                                               admin_user_password=S(C["password"])))))
ml.Job("job", **common, properties=ml.CommandJobArgs(
    job_type="Command", command=S("python train.py --token " + C["jwt"]),
    environment_id=S("azureml:env-" + C["hex"] + "@latest"), code_id=S("azureml://datastores/" + C["hex"] + "/paths/src"),
    compute_id=S("azureml:compute-" + C["hex"]),
    environment_variables={{"API_TOKEN": S(C["jwt"]), "STORAGE_KEY": S(C["storage_key"]), "DB_PASSWORD": S(C["password"])}},
    identity=ml.ManagedIdentityArgs(identity_type=S("Identity-" + C["hex"])),
    inputs={{"data": ml.UriFolderJobInputArgs(job_input_type="uri_folder", uri=S(C["sas_url"]))}},
    limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout=S("PT" + str(C["number"]) + "H"))))
ml.DataVersion("data", **common, name="transactions", version=S("latest"), properties=ml.UriFolderDataVersionArgs(
    data_type="uri_folder", data_uri=S(C["sas_url"])))
ml.EnvironmentVersion("env", **common, name="env", version="1", properties=ml.EnvironmentVersionPropertiesArgs(
    image=S("reg" + C["hex"] + ".azurecr.io/img:" + C["hex"])))
ml.FeaturesetVersion("fs", **common, name="fs", version="1", properties=ml.FeaturesetVersionPropertiesArgs(
    properties={{"dataVersionId": S(C["sas_url"])}}, specification=ml.FeaturesetSpecificationArgs(path=S(C["sas_url"])),
    entities=[S("azureml:" + C["hex"] + "@latest")]))

pulumi.export("plainSecret", S(C["plain"]))
pulumi.export("innocentName", S(C["password"]))
pulumi.export("storageKey", S(C["storage_key"]))
pulumi.export("connectionString", S("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + C["storage_key"]))
pulumi.export("nested", {{"level1": {{"list": [S(C["jwt"]), {{"sas": S(C["sas_url"])}}], "n": S(C["number"])}}}})
pulumi.export("secretList", S([C["plain"], C["jwt"]]))
pulumi.export("secretObject", S({{"password": C["password"], "deep": {{"key": C["storage_key"]}}}}))
pulumi.export("derived", S(ws.name.apply(lambda n: n + "-" + C["plain"])))
pulumi.export("workspaceUrl", ws.discovery_url)
'''


@pytest.fixture(scope="module")
def canaries() -> Canaries:
    return Canaries.fresh()


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory, canaries: Canaries) -> Path:
    directory = tmp_path_factory.mktemp("canary-program")
    (directory / "Pulumi.yaml").write_text("name: canary\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config: {}\n")
    (directory / "__main__.py").write_text(PROGRAM.format(canaries=json.dumps(canaries.values())))
    return directory


@pytest.mark.process
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_program_secrets_never_printed(program: Path, canaries: Canaries, tmp_path: Path, preview: bool) -> None:
    reports = _run_all_formats(program, tmp_path, canaries.tokens(), *(("--preview",) if preview else ()))
    data = json.loads(reports[0])
    # The canaries reached the rules: the run judged the seeded resources and found violations.
    assert data["resources"] >= 10
    policies = {v["policy"] for v in data["violations"]}
    assert {"no-secret-exports", "datastore-no-inline-credentials"} <= policies, policies
    if not preview:
        assert {"workspace-allowed-sku", "workspace-managed-identity"} <= policies, policies


# ---------------------------------------------------------------------------------------------
# (b) the state-file path


def _plaintext(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(value)}


def _ciphertext(c: Canaries) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "ciphertext": f"v1:{base64.b64encode(c.plain.encode()).decode()}:{c.hex}"}


def _state(c: Canaries) -> dict[str, Any]:
    stack, project = "prod", "canary"
    urn = f"urn:pulumi:{stack}::{project}"
    root = f"{urn}::pulumi:pulumi:Stack::{project}-{stack}"
    ml = "azure-native:machinelearningservices"
    arm = f"/subscriptions/{c.hex}/resourceGroups/rg/providers"

    def res(type_: str, name: str, inputs: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"urn": f"{urn}::{type_}::{name}", "type": type_, "custom": True, "id": f"{arm}/{name}", "parent": root,
                "inputs": inputs, "outputs": outputs if outputs is not None else inputs}

    workspace = {
        "sku": {"name": _plaintext("Sku-" + c.hex)}, "identity": _plaintext({"type": "Identity-" + c.hex}),
        "publicNetworkAccess": _ciphertext(c), "managedNetwork": {"isolationMode": _plaintext("Isolation-" + c.hex)},
        "systemDatastoresAuthMode": _plaintext("Mode-" + c.hex), "location": _plaintext("West" + c.hex),
        "encryption": _plaintext({"status": "Status-" + c.hex, "keyVaultProperties": {"keyVaultArmId": arm + c.hex}}),
        "tags": {"classification": _plaintext("Confidential-" + c.hex), "owner": _ciphertext(c)},
        "friendlyName": _plaintext(c.plain), "hbiWorkspace": _plaintext(True),
    }
    resources = [
        {"urn": root, "type": "pulumi:pulumi:Stack", "custom": False, "outputs": {
            "plainSecret": _plaintext(c.plain), "storageKey": _plaintext(c.storage_key), "opaque": _ciphertext(c),
            "innocentName": _plaintext(c.password), "nested": {"a": [_plaintext(c.jwt), {"sas": _plaintext(c.sas_url)}],
                                                               "n": _plaintext(c.number)},
            "secretObject": _plaintext({"password": c.password, "deep": {"key": c.storage_key, "list": [c.jwt]}}),
        }},
        res(f"{ml}:Workspace", "ws", workspace),
        res(f"{ml}:Datastore", "ds", {"properties": {"datastoreType": "AzureBlob", "endpoint": _plaintext(c.sas_url),
                                                     "credentials": {"credentialsType": _plaintext("Sas-" + c.hex),
                                                                     "secrets": _plaintext({"sasToken": c.sas_url, "key": c.storage_key})}}}),
        res(f"{ml}:WorkspaceConnection", "conn", {"properties": {"authType": _plaintext("Auth-" + c.hex),
                                                                 "target": _plaintext(c.sas_url),
                                                                 "credentials": {"pat": _plaintext(c.jwt), "key": _ciphertext(c)}}}),
        res(f"{ml}:Compute", "cpu", {"location": _plaintext("West" + c.hex), "properties": {
            "computeType": "AmlCompute", "disableLocalAuth": _plaintext(False), "properties": {
                "vmSize": _plaintext("Size-" + c.hex), "userAccountCredentials": {
                    "adminUserName": _plaintext(c.plain), "adminUserPassword": _plaintext(c.password)}}}}),
        res(f"{ml}:Job", "job", {"properties": {
            "jobType": "Command", "command": _plaintext("train --token " + c.jwt), "environmentId": _plaintext(f"azureml:{c.hex}@latest"),
            "computeId": _plaintext(f"azureml:{c.hex}"), "identity": {"identityType": _plaintext("Identity-" + c.hex)},
            "environmentVariables": {"API_TOKEN": _plaintext(c.jwt), "KEY": _ciphertext(c)},
            "inputs": {"data": {"jobInputType": "uri_folder", "uri": _plaintext(c.sas_url)}},
            "limits": {"timeout": _plaintext(f"PT{c.number}H")}}}),
        res(f"{ml}:DataVersion", "data", {"name": "d", "version": _plaintext("latest"),
                                          "properties": {"dataUri": _plaintext(c.sas_url)}}),
        res(f"{ml}:EnvironmentVersion", "env", {"name": "e", "version": "1",
                                                "properties": {"image": _plaintext(f"reg{c.hex}.azurecr.io/img:{c.hex}")}}),
        res(f"{ml}:FeaturesetVersion", "fs", {"name": "f", "version": "1", "properties": {
            "properties": {"dataVersionId": _plaintext(c.sas_url)}, "specification": {"path": _ciphertext(c)},
            "entities": [_plaintext(f"azureml:{c.hex}@latest")]}}),
        res(t.CLASSIC_WORKSPACE, "classic", {"skuName": _plaintext("Sku-" + c.hex), "location": _plaintext("West" + c.hex),
                                             "highBusinessImpact": _ciphertext(c)}),
    ]
    return {"version": 3, "deployment": {"manifest": {"version": "v3.210.0"}, "resources": resources}}


@pytest.mark.process
def test_state_file_secrets_never_printed(canaries: Canaries, tmp_path: Path) -> None:
    state = tmp_path / "stack-export.json"
    state.write_text(json.dumps(_state(canaries)))
    tokens = [*canaries.tokens(), base64.b64encode(canaries.plain.encode()).decode()]  # the ciphertext too
    data = json.loads(_run_all_formats(state, tmp_path, tokens)[0])
    assert data["resources"] == 10  # every resource of the state, the root stack too (policy analyze)
    policies = {v["policy"] for v in data["violations"]}
    assert {"no-secret-exports", "workspace-allowed-sku", "datastore-no-inline-credentials"} <= policies, policies


# ---------------------------------------------------------------------------------------------
# (c) every rule's non-compliant samples, canaried, through the pack


def _token(value: str) -> str:
    return MARK + hashlib.sha1(value.encode()).hexdigest()[:10] + MARK_END


def _has_token(text: str) -> bool:
    lowered = text.lower()
    return MARK in lowered or MARK_END in lowered


def canaried(value: Any, vocabulary: frozenset[str], mode: str) -> Any:
    """``value`` with every string leaf outside ``vocabulary`` a secret holding a canary (keys kept).
    A token is derived from the value (equal values stay equal, so references still resolve):
    ``suffix`` appends it, keeping the value's shape and mostly its verdict; ``segments`` appends
    it to every alphanumeric run, so any part of the value a rule might quote (a host, a registry,
    a path segment, a name) carries a token."""
    if isinstance(value, str):
        if value in UNKNOWN_SENTINELS or value.strip().lower() in vocabulary:
            return value
        token = _token(value)
        if mode == "suffix":
            return {SIG_KEY: SECRET_SIG, "value": value + token}
        return {SIG_KEY: SECRET_SIG, "value": re.sub(r"[A-Za-z0-9]+", lambda m: m.group(0) + token, value) or token}
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return {SIG_KEY: SECRET_SIG, "value": canaried(value.get("value"), vocabulary, mode)}
        return {k: canaried(v, vocabulary, mode) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canaried(v, vocabulary, mode) for v in value]
    return value


def _valid_config(rule: Rule, config: Mapping[str, Any]) -> bool:
    schema = {"type": "object", "properties": {o.name: dict(o.schema) for o in rule.config_options}}
    return not list(jsonschema.Draft7Validator(schema).iter_errors(dict(config)))


def _config_key(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


@dataclass
class Run:
    """One pack run: a capture, the config for it, and the rules whose samples it holds."""

    stack: Capture
    config: dict[str, Any]
    rules: set[str]
    label: str


def _resource_runs(mode: str) -> list[Run]:
    """Layer j holds, for every resource rule, its non-compliant samples of its j-th config, all
    in one stack: every rule judges every rule's canaried resources."""
    layers: dict[int, tuple[list[tuple[str, str, Any]], dict[str, Any], set[str]]] = defaultdict(lambda: ([], {}, set()))
    for rule in RULES:
        if not isinstance(rule, ResourceRule):
            continue
        vocabulary = rule_vocabulary(rule)
        groups: dict[str, list[tuple[int, Sample]]] = defaultdict(list)
        for index, sample in enumerate(rule.samples):
            if sample.violations and _valid_config(rule, sample.config):
                groups[_config_key(sample.config)].append((index, sample))
        for layer, (key, members) in enumerate(sorted(groups.items())):
            resources, config, rules = layers[layer]
            config[rule.name] = turned_on(rule, json.loads(key))
            rules.add(rule.name)
            resources.extend((sample.type or rule.types[0], f"{rule.name}-{index}", canaried(sample.props, vocabulary, mode))
                             for index, sample in members)
    return [Run(capture(resources), config, rules, f"resource layer {i}") for i, (resources, config, rules) in sorted(layers.items())]


def _stack_runs(mode: str) -> list[Run]:
    runs = []
    for rule in RULES:
        if not isinstance(rule, StackRule):
            continue
        vocabulary = rule_vocabulary(rule)
        for sample in rule.samples:
            if not sample.violations or not _valid_config(rule, sample.config):
                continue
            resources = tuple(replace(r, props=canaried(r.props, vocabulary, mode)) for r in sample.resources)
            if not any(r.type == t.STACK for r in resources):
                resources = (SampleResource(t.STACK, "sample-dev", {}), *resources)
            runs.append(Run(from_samples(resources), {rule.name: turned_on(rule, sample.config)}, {rule.name},
                            f"{rule.name}: {sample.name}"))
    return runs


def _rendered(outcome: Outcome, stack: Capture) -> dict[str, str]:
    no_redaction = Redactor(())
    return {fmt: render(fmt, outcome, stack, no_redaction) for fmt in FORMATS}


def _leaks(outcome: Outcome, stack: Capture) -> list[str]:
    """Every place of the outcome holding a canary token, as 'policy: where: text'."""
    found = []
    for v in outcome.violations:
        if _has_token(v.message):
            found.append(f"{v.policy}: violation on {v.urn.rsplit('::', 1)[-1]}: {v.message}")
    for d in outcome.diagnostics:
        if _has_token(d.message):
            found.append(f"{d.policy or '(pack log)'}: {d.kind} diagnostic: {d.message}")
    for n in outcome.not_applicable:
        if _has_token(n.reason):
            found.append(f"{n.policy}: not applicable on {n.urn.rsplit('::', 1)[-1]}: {n.reason}")
    for fmt, text in _rendered(outcome, stack).items():
        if _has_token(text) and not found:
            found.append(f"(report) {fmt} rendering holds a canary token")
    return found


def _cases(mode: str) -> list[Run]:
    return _resource_runs(mode) + _stack_runs(mode)


@pytest.mark.process
@pytest.mark.parametrize("mode", ["suffix", "segments"])
def test_no_rule_quotes_a_secret(mode: str) -> None:
    runs = _cases(mode)
    assert runs

    def one(run: Run) -> tuple[Run, Outcome]:
        return run, analyze(run.stack, PACK, run.config)

    with ThreadPoolExecutor(max_workers=2) as executor:
        outcomes = list(executor.map(one, runs))
    leaks = [f"[{run.label}] {leak}" for run, outcome in outcomes for leak in _leaks(outcome, run.stack)]
    assert leaks == [], "rules quote secret values:\n" + "\n".join(leaks)
    crashed = [f"[{run.label}] {n.policy}: {n.reason}" for run, outcome in outcomes for n in outcome.not_applicable
               if "internal error" in n.reason]
    assert crashed == [], "rules needed the internal-error guard:\n" + "\n".join(crashed)
    if mode == "suffix":
        # Not vacuous: the canaried samples still make every rule with non-compliant samples report.
        judged = {v.policy for _, outcome in outcomes for v in outcome.violations}
        expected = {name for run, _ in outcomes for name in run.rules}
        assert expected - judged == set(), f"rules that reported nothing on canaried samples: {sorted(expected - judged)}"


def test_canaried_bags_keep_their_shape() -> None:
    """The helper itself: vocabulary kept, other strings secret canaries, structure and keys unchanged."""
    bag = {"sku": {"name": "Basic"}, "uri": "https://x", "list": ["a", 1.0, None], "s": {SIG_KEY: SECRET_SIG, "value": "v"}}
    out = canaried(bag, frozenset({"basic"}), "suffix")
    assert out["sku"] == {"name": "Basic"}
    assert out["uri"] == {SIG_KEY: SECRET_SIG, "value": "https://x" + _token("https://x")}
    assert out["list"][1:] == [1.0, None] and out["list"][0]["value"].startswith("a" + MARK)
    assert out["s"] == {SIG_KEY: SECRET_SIG, "value": {SIG_KEY: SECRET_SIG, "value": "v" + _token("v")}}
    token = _token("https://x")
    assert canaried(bag, frozenset(), "segments")["uri"]["value"] == f"https{token}://x{token}"
    assert _has_token(token[-6:].upper()) and _has_token(token[:6])
