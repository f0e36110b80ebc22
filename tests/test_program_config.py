"""Config of the corpus programs as the CLI reads it, through the gate: project declarations on
the oldest and the newest pulumi SDK, a declared key the stack does not set, an undeclared one the
program requires, a stack without a file, and a passphrase-encrypted secure value decrypted (kept
secret, never printed) or left unset with a warning in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_gate.wire import SECRET_SIG, SIG_KEY
from tests.corpus import captured, copy_program, environment, exports, gate, line_of

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

PASSPHRASE = "correct horse battery staple"  # the passphrase secure-config's stack file was encrypted with
SECRET_KEY = "Zm9vYmFyYmF6cXV4LXRyYWluaW5nLWtleQ=="  # secure-config's storageAccountKey, decrypted
SECRET_CLIENT = "9f1c2d3e-client-secret-of-the-registry"  # its servicePrincipal.clientSecret
NO_PASSPHRASE: dict[str, str | None] = {"PULUMI_CONFIG_PASSPHRASE": None, "PULUMI_CONFIG_PASSPHRASE_FILE": None}


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
    main = (declared[0] / "__main__.py").resolve()
    line = line_of(main, 'config.require("auditWorkspaceId")')
    assert result.stderr_lines[0].startswith(f"error: program failed at {main}:{line}: ConfigMissingError: Missing required "
                                             "configuration variable 'aml-config:auditWorkspaceId'")


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
