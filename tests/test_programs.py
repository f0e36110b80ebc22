"""The corpus of ``tests/programs/`` through the gate, as a user runs it (``python -m policy_gate
run``): each program is copied to a temporary directory and its ``venv`` (``.venv`` for uv and
poetry) linked to a pinned SDK environment of ``tests/sdk_envs``, as ``python -m venv venv && pip
install -r requirements.txt`` would leave it.

Exactly asserted: the interpreter and pulumi version each program ran with, the resources
captured, the config the program saw, the warnings, and every verdict that does not depend on
provider shapes. The pack's rules read pulumi-azure-native 3.x shapes until issue 11 lands; a
verdict that depends on 2.x or classic shapes is recorded as it should be, strict-xfailed, so
the test flips when the rules are fixed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policy_gate.program import run_program
from policy_gate.wire import SECRET_SIG, SIG_KEY
from tests import sdk_envs

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "programs"
SHAPES = "issue 11: rules read 2.x/classic shapes"
PASSPHRASE = "correct horse battery staple"  # the passphrase secure-config's stack file was encrypted with
SECRET_KEY = "Zm9vYmFyYmF6cXV4LXRyYWluaW5nLWtleQ=="  # secure-config's storageAccountKey, decrypted
SECRET_CLIENT = "9f1c2d3e-client-secret-of-the-registry"  # its servicePrincipal.clientSecret
NO_PASSPHRASE: dict[str, str | None] = {"PULUMI_CONFIG_PASSPHRASE": None, "PULUMI_CONFIG_PASSPHRASE_FILE": None}


@dataclass
class Gate:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        assert self.stdout, self.stderr
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    @property
    def verdicts(self) -> set[tuple[str, str]]:
        """(policy, resource name) of every violation."""
        return {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in self.report["violations"]}

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


def env_dir(name: str) -> Path:
    """The pinned SDK environment ``name`` (built on first use)."""
    return sdk_envs.python(name).parent.parent


def copy_program(name: str, tmp_path: Path, env: str | None = None, link: str = "venv") -> Path:
    target = tmp_path / name
    shutil.copytree(CORPUS / name, target)
    if env is not None:
        (target / link).symlink_to(env_dir(env), target_is_directory=True)
    return target


def environment(path_dirs: tuple[Path, ...] = (), /, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "POLICY_GATE_DEBUG"))}
    env["PATH"] = os.pathsep.join([*(str(d) for d in path_dirs), env.get("PATH", "")])
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def gate(program: Path, *args: str, env: dict[str, str] | None = None, fmt: str = "json") -> Gate:
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(program), "--format", fmt, *args],
                            cwd=ROOT, capture_output=True, text=True, timeout=600, env=env or environment())
    return Gate(result.returncode, result.stdout, result.stderr)


def captured(program: Path, stack: str = "dev", /, **env: str | None) -> Any:
    """The capture of a program run in-process (the runner is still its own process)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            if value is None:
                patch.delenv(key, raising=False)
            else:
                patch.setenv(key, value)
        return run_program(program, stack, False, 600)


def custom_resources(capture: Any) -> set[tuple[str, str]]:
    return {(r.type, r.name) for r in capture.resources if r.custom and not r.is_provider}


def exports(capture: Any) -> dict[str, Any]:
    return next(r.outputs for r in capture.resources if r.is_root_stack)


# -- pulumi-azure-native 2.x in its own virtualenv --------------------------------------------------

AN2_RESOURCES = {
    ("random:index/randomString:RandomString", "suffix"),
    ("azure-native:resources:ResourceGroup", "mlops-rg"),
    ("azure-native:storage:StorageAccount", "mlstorage"),
    ("azure-native:keyvault:Vault", "mlvault"),
    ("azure-native:insights:Component", "mlinsights"),
    ("azure-native:machinelearningservices:Workspace", "workspace"),
    ("azure-native:machinelearningservices:Compute", "cpu-cluster"),
    ("azure-native:machinelearningservices:Datastore", "training-data"),
}
AN2_VERDICTS = {
    ("workspace-public-network-disabled", "workspace"), ("workspace-managed-network-isolation", "workspace"),
    ("workspace-system-datastores-identity", "workspace"), ("workspace-customer-managed-key", "workspace"),
    ("ml-required-tags", "workspace"), ("compute-local-auth-disabled", "cpu-cluster"),
    ("compute-no-public-ip", "cpu-cluster"), ("compute-ssh-not-public", "cpu-cluster"),
    ("compute-in-virtual-network", "cpu-cluster"), ("ml-required-tags", "cpu-cluster"),
    ("ml-required-tags", "training-data"), ("ml-no-inline-credentials", "training-data"),
}
# 2.x datastores carry their body under datastoreProperties: the storage key is inline there.
AN2_SHAPE_VERDICTS = {("datastore-no-inline-credentials", "training-data")}


@pytest.fixture(scope="module")
def an2(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Gate]:
    program = copy_program("an2-own-venv", tmp_path_factory.mktemp("an2"), "an2")
    return program, captured(program), gate(program)


def test_an2_runs_in_its_own_virtualenv_with_its_own_sdks(an2: tuple[Path, Any, Gate]) -> None:
    program, capture, _ = an2
    assert capture.runtime == {"python": str(program / "venv" / "bin" / "python"), "pulumi": "3.142.0"}
    assert custom_resources(capture) == AN2_RESOURCES
    assert exports(capture)["workspace_name"] == "mlops-workspace" and set(exports(capture)) == {"workspace_name",
                                                                                                "storage_account"}
    assert capture.warnings == []


def test_an2_verdicts(an2: tuple[Path, Any, Gate]) -> None:
    result = an2[2]
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts >= AN2_VERDICTS
    assert result.verdicts - AN2_VERDICTS - AN2_SHAPE_VERDICTS == set()


@pytest.mark.xfail(strict=True, reason=SHAPES)
def test_an2_shape_dependent_verdicts(an2: tuple[Path, Any, Gate]) -> None:
    assert an2[2].verdicts >= AN2_SHAPE_VERDICTS


# -- pulumi-azure-native 3.x with `virtualenv: venv` (a minimal venv: no pulumi-policy) -------------

def test_an3_runs_in_a_minimal_virtualenv(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path, "an3")
    capture = captured(program)
    assert capture.runtime == {"python": str(program / "venv" / "bin" / "python"), "pulumi": "3.272.0"}
    assert custom_resources(capture) == {
        ("azure-native:resources:ResourceGroup", "aml-rg"), ("azure-native:machinelearningservices:Workspace", "workspace"),
        ("azure-native:machinelearningservices:Compute", "notebook"),
        ("azure-native:machinelearningservices:OnlineEndpoint", "scoring")}
    result = gate(program)
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts == {("workspace-customer-managed-key", "workspace"), ("workspace-private-endpoint", "workspace"),
                               ("online-endpoint-aad-auth", "scoring"), ("online-endpoint-no-public-access", "scoring")}


# -- classic pulumi-azure 6.x ------------------------------------------------------------------------

CLASSIC_VERDICTS = {
    ("workspace-managed-network-isolation", "workspace"), ("workspace-customer-managed-key", "workspace"),
    ("workspace-private-endpoint", "workspace"), ("ml-required-tags", "workspace"),
    ("compute-allowed-vm-sizes", "cpu-cluster"), ("compute-local-auth-disabled", "cpu-cluster"),
    ("compute-no-public-ip", "cpu-cluster"), ("compute-in-virtual-network", "cpu-cluster"),
    ("ml-required-tags", "cpu-cluster"),
}
# The classic workspace's sku_name defaults to "Basic" (the provider's schema default): allowed.
CLASSIC_WRONG_VERDICTS = {("workspace-allowed-sku", "workspace")}


@pytest.fixture(scope="module")
def classic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Gate]:
    program = copy_program("classic", tmp_path_factory.mktemp("classic"), "classic")
    return program, captured(program), gate(program)


def test_classic_runs_in_its_own_virtualenv(classic: tuple[Path, Any, Gate]) -> None:
    program, capture, result = classic
    assert capture.runtime["python"] == str(program / "venv" / "bin" / "python")
    assert custom_resources(capture) == {
        ("azure:core/resourceGroup:ResourceGroup", "ml-rg"), ("azure:appinsights/insights:Insights", "ml-insights"),
        ("azure:keyvault/keyVault:KeyVault", "mlvault"), ("azure:storage/account:Account", "mlstorage"),
        ("azure:machinelearning/workspace:Workspace", "workspace"),
        ("azure:machinelearning/computeCluster:ComputeCluster", "cpu-cluster")}
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts >= CLASSIC_VERDICTS
    assert result.verdicts - CLASSIC_VERDICTS - CLASSIC_WRONG_VERDICTS == set()


@pytest.mark.xfail(strict=True, reason=f"{SHAPES} (classic skuName defaults to Basic)")
def test_classic_shape_dependent_verdicts(classic: tuple[Path, Any, Gate]) -> None:
    assert not CLASSIC_WRONG_VERDICTS & classic[2].verdicts


# -- toolchains: uv, poetry -------------------------------------------------------------------------

def _tool_dir(name: str) -> Path:
    """The directory of ``name``'s executable: uv comes with the dev requirements, poetry
    with its own pinned environment."""
    if name == "poetry":
        return env_dir("poetry") / "bin"
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    assert found, f"{name} is not installed (requirements-dev.txt)"
    return Path(found).parent


def test_uv_project_runs_in_the_venv_beside_uv_lock(tmp_path: Path) -> None:
    program = copy_program("uv-project", tmp_path, "an3", link=".venv")
    result = gate(program, env=environment((_tool_dir("uv"),)))
    assert result.returncode == 1 and result.stderr == ""
    assert result.verdicts == {("workspace-customer-managed-key", "feature-store"), ("workspace-private-endpoint", "feature-store"),
                               ("data-version-explicit", "transactions"), ("ml-required-tags", "transactions")}


def test_poetry_project_on_the_oldest_pulumi_sdk(tmp_path: Path) -> None:
    """`poetry env info --path` names the in-project .venv (pulumi 3.100); the stack reference's
    outputs read as unset, and that warning goes through the gate's channel."""
    program = copy_program("poetry-project", tmp_path, "pulumi-old", link=".venv")
    env = environment((_tool_dir("poetry"),))
    result = gate(program, env=env)
    warning = "stack reference acme/ml-network/dev: its outputs are not available offline; every output reads as unset"
    assert (result.returncode, result.stderr_lines) == (0, [f"warning: {warning}"])
    assert result.report["warnings"] == [warning] and result.report["violations"] == []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", env["PATH"])
        capture = captured(program)
    assert capture.runtime == {"python": str(program / ".venv" / "bin" / "python"), "pulumi": "3.100.0"}
    assert exports(capture) == {"subnet_known": False, "pulumi_stack": "dev"}
    assert {(r.type, r.name) for r in capture.resources if not r.custom} >= {("acme:ml:TeamSpace", "fraud-team")}


@pytest.mark.parametrize(("name", "link", "tool", "fragment"), [
    ("an3-venv", "", "", "The 'virtualenv' option in Pulumi.yaml is set to 'venv', but"),
    ("uv-project", "", "uv", "is not a virtualenv (toolchain: uv); create it with `uv sync`"),
    ("uv-project", ".venv", "", "Could not find `uv` executable (Pulumi.yaml sets toolchain: uv)"),
    ("poetry-project", "", "poetry", "poetry has no virtualenv for"),
    ("poetry-project", ".venv", "", "Could not find `poetry` executable (Pulumi.yaml sets toolchain: poetry)"),
])
def test_a_missing_environment_is_one_line_that_says_how_to_create_it(tmp_path: Path, name: str, link: str, tool: str,
                                                                      fragment: str) -> None:
    program = copy_program(name, tmp_path, "an3" if link else None, link=link or "venv")
    tools = (_tool_dir(tool),) if tool else ()
    # Only this interpreter's directory and the system's: no uv or poetry unless the case adds one.
    result = gate(program, env=environment(tools, PATH=os.pathsep.join([*(str(t) for t in tools), "/usr/bin", "/bin"])))
    assert result.returncode == 2 and len(result.stderr_lines) == 1, result.stderr
    assert result.stderr.startswith("error: ") and fragment in result.stderr


def test_a_missing_virtualenv_names_the_commands_that_create_it(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path)
    venv = program / "venv"
    result = gate(program)
    assert result.stderr_lines == [
        f"error: The 'virtualenv' option in Pulumi.yaml is set to 'venv', but '{venv}' doesn't exist; create it: "
        f"python3 -m venv {venv} && {venv}/bin/python -m pip install -r requirements.txt"]
    venv.mkdir()
    assert "doesn't appear to be a virtual environment" in gate(program).stderr


def test_a_virtualenv_without_pulumi_is_one_line(tmp_path: Path) -> None:
    program = copy_program("an3-venv", tmp_path)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(program / "venv")], check=True)
    result = gate(program)
    assert result.returncode == 3 and len(result.stderr_lines) == 1
    assert result.stderr_lines[0] == (f"error: program failed: the program's Python ({program}/venv/bin/python) has no "
                                      "pulumi package; install the program's requirements into it")


# -- declared config, on the oldest and the newest pulumi SDK ---------------------------------------

DECLARED = {"tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47", "region": "westeurope", "maxNodes": 8.0,
            "allowedSkus": ["Basic", "Standard"], "environment": "dev", "costCenter": "CC-4711",
            "labels": {"team": "ml-platform"}, "location": "northeurope", "undeclared": None}


@pytest.fixture(scope="module", params=[("pulumi-old", "3.100.0"), ("an3", "3.272.0")], ids=["pulumi-3.100", "pulumi-newest"])
def declared(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    env, version = request.param
    return copy_program("declared-config", tmp_path_factory.mktemp(env), env), version


def test_declared_config_reaches_the_program_as_the_cli_passes_it(declared: tuple[Path, str]) -> None:
    program, version = declared
    capture = captured(program)
    assert capture.runtime["pulumi"] == version
    assert exports(capture) == {"settings": DECLARED}
    assert capture.config == {
        "aml-config:tenantId": DECLARED["tenantId"], "aml-config:maxNodes": "8", "aml-config:costCenter": "CC-4711",
        "aml-config:region": "westeurope", "aml-config:allowedSkus": '["Basic","Standard"]',
        "aml-config:environment": "dev", "aml-config:labels": '{"team":"ml-platform"}',
        "azure-native:location": "northeurope"}


def test_a_declared_key_the_stack_does_not_set_stops_the_run(declared: tuple[Path, str]) -> None:
    result = gate(declared[0], "--stack", "notenant")
    assert (result.returncode, result.stderr_lines) == (2, ["error: Stack 'notenant' is missing configuration value 'tenantId'"])


def test_an_undeclared_missing_key_fails_with_the_sdks_wording(declared: tuple[Path, str]) -> None:
    result = gate(declared[0], "--stack", "strict")
    assert result.returncode == 3 and len(result.stderr_lines) == 1
    assert result.stderr_lines[0].startswith(
        "error: program failed: ConfigMissingError: Missing required configuration variable 'aml-config:auditWorkspaceId'")


def test_a_stack_without_a_file_needs_the_opt_in(declared: tuple[Path, str]) -> None:
    program = declared[0]
    result = gate(program, "--stack", "staging")
    assert result.returncode == 2 and len(result.stderr_lines) == 1
    assert result.stderr_lines[0].startswith(f"error: no Pulumi.staging.yaml for stack 'staging' in {program} (stack files "
                                             "here: Pulumi.dev.yaml, Pulumi.notenant.yaml, Pulumi.strict.yaml)")
    # With the opt-in the stack has no config, and the declaration without a default stops it.
    opted = gate(program, "--stack", "staging", "--allow-missing-stack-file")
    assert opted.stderr_lines == ["error: Stack 'staging' is missing configuration value 'tenantId'"]


# -- a passphrase-encrypted secure value ------------------------------------------------------------

def _secure(tmp_path: Path) -> Path:
    return copy_program("secure-config", tmp_path)


def _never_printed(*texts: str) -> None:
    for text in texts:
        assert SECRET_KEY not in text and SECRET_CLIENT not in text


@pytest.mark.parametrize("via", ["variable", "file"])
def test_secure_config_is_decrypted_and_stays_secret(tmp_path: Path, via: str) -> None:
    program = _secure(tmp_path)
    phrase_file = tmp_path / "passphrase"
    phrase_file.write_text(PASSPHRASE + "\n")
    env = ({"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE} if via == "variable"
           else {"PULUMI_CONFIG_PASSPHRASE": None, "PULUMI_CONFIG_PASSPHRASE_FILE": str(phrase_file)})
    capture = captured(program, **env)
    assert exports(capture) == {"datastore_access": "account key", "principal_fields": ["clientId", "clientSecret"],
                                "secret_config": ["storageAccountKey", "servicePrincipal"]}
    datastore = next(r for r in capture.resources if r.name == "training")
    assert datastore.inputs["properties"]["credentials"]["secrets"]["key"] == {SIG_KEY: SECRET_SIG, "value": SECRET_KEY}
    assert sorted(capture.config_secret_keys) == ["aml-datastores:servicePrincipal", "aml-datastores:storageAccountKey"]
    assert capture.warnings == []
    for fmt in ("json", "text", "sarif", "junit"):
        result = gate(program, env=environment(**env), fmt=fmt)
        assert result.returncode == 1 and result.stderr == ""
        _never_printed(result.stdout, result.stderr)
        if fmt == "json":
            assert result.verdicts == {("datastore-no-inline-credentials", "training")}


def test_a_wrong_passphrase_stops_the_run(tmp_path: Path) -> None:
    result = gate(_secure(tmp_path), env=environment(PULUMI_CONFIG_PASSPHRASE="not the passphrase"))
    assert result.returncode == 2 and result.stderr_lines == [
        "error: Pulumi.dev.yaml: failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the "
        "correct passphrase or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase"]


UNREAD = [f"config aml-datastores:{key} is encrypted and cannot be read offline; treated as unset (set "
          "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to decrypt it)"
          for key in ("storageAccountKey", "servicePrincipal")]


def _warnings_in(fmt: str, report: str) -> list[str]:
    if fmt == "json":
        return list(json.loads(report)["warnings"])
    if fmt == "sarif":
        notes = json.loads(report)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        return [n["message"]["text"] for n in notes if n["level"] == "warning"]
    if fmt == "junit":
        from xml.etree import ElementTree

        suite = ElementTree.fromstring(report).find("testsuite[@name='policy-gate warnings']")
        assert suite is not None and suite.get("tests") == "0"
        return (suite.findtext("system-err") or "").splitlines()
    lines = report.splitlines()
    start = lines.index("Warnings (not checked as written):")
    return [line.strip() for line in lines[start + 1:start + 1 + len(UNREAD)]]


@pytest.mark.parametrize("fmt", ["json", "text", "sarif", "junit"])
def test_secure_config_without_a_passphrase_is_unset_with_a_warning_everywhere(tmp_path: Path, fmt: str) -> None:
    result = gate(_secure(tmp_path), env=environment(**NO_PASSPHRASE), fmt=fmt)
    assert result.returncode == 0  # identity-based access: the branch the program takes without the key
    assert result.stderr_lines == [f"warning: {w}" for w in UNREAD]
    assert _warnings_in(fmt, result.stdout) == UNREAD
    if fmt in ("json", "text"):
        summary = result.report["summary"] if fmt == "json" else result.stdout.strip().splitlines()[-1]
        assert summary.endswith(", 2 warning(s)")


def test_secure_config_unset_reaches_the_program_unset(tmp_path: Path) -> None:
    capture = captured(_secure(tmp_path), **NO_PASSPHRASE)
    assert exports(capture) == {"datastore_access": "identity", "principal_fields": [], "secret_config": []}
    assert capture.config == {"azure-native:location": "westeurope"}



def test_the_passphrase_stays_in_the_gate(tmp_path: Path) -> None:
    """The gate decrypts; neither the program nor anything it starts sees the passphrase."""
    program = tmp_path / "p"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(  # /proc/self/environ: what the process was started with
        "import pulumi\nwith open('/proc/self/environ', 'rb') as f:\n    start = f.read().split(b'\\0')\n"
        "pulumi.export('seen', sorted(v.split(b'=')[0].decode() for v in start if v.startswith(b'PULUMI_CONFIG_PASS')))\n")
    phrase_file = tmp_path / "phrase"
    phrase_file.write_text(PASSPHRASE)
    capture = captured(program, PULUMI_CONFIG_PASSPHRASE=PASSPHRASE, PULUMI_CONFIG_PASSPHRASE_FILE=str(phrase_file))
    assert exports(capture) == {"seen": []}
