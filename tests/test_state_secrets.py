"""Secrets in a saved stack export, as ``pulumi policy analyze --file`` treats them: decrypted
with the passphrase provider when a passphrase is set, otherwise (or when any one fails)
blinded to ``[secret]`` with the CLI's warning, on stderr and in the report."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from policy_gate.wire import SECRET_SIG, SIG_KEY

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

ROOT = Path(__file__).resolve().parent.parent
PHRASE = "correct horse battery staple"
SALT = "v1:6fs29ophxRU=:v1:JCuWTpUie0nK33Yz:zQeaWjJPCQCsipmYEcsExi+c9SmDig=="  # tests/programs/secure-config's
WS = "urn:pulumi:dev::mlproj::azure-native:machinelearningservices:Workspace::ws"
RULE = ("workspace-public-network-disabled", "ws")


def encrypt(plaintext: str) -> str:
    """Pulumi's passphrase format (crypt.go), written independently of the gate's decrypter."""
    salt = base64.b64decode(SALT.split(":")[1])
    key = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=1_000_000).derive(PHRASE.encode())
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return f"v1:{base64.b64encode(nonce).decode()}:{base64.b64encode(sealed).decode()}"


def export(path: Path, provider: dict[str, Any], ciphertext: str) -> Path:
    secret = {SIG_KEY: SECRET_SIG, "ciphertext": ciphertext}
    props = {"publicNetworkAccess": secret, "workspaceName": "ws"}
    resources = [
        {"urn": "urn:pulumi:dev::mlproj::pulumi:pulumi:Stack::mlproj-dev", "custom": False,
         "type": "pulumi:pulumi:Stack", "outputs": {}},
        {"urn": WS, "custom": True, "id": "/subscriptions/0/ws", "type": "azure-native:machinelearningservices:Workspace",
         "inputs": props, "outputs": props},
    ]
    path.write_text(json.dumps({"version": 3, "deployment": {"secrets_providers": provider, "resources": resources}}))
    return path


def gate(path: Path, passphrase: str | None) -> tuple[int, dict[str, Any], list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    if passphrase is not None:
        env["PULUMI_CONFIG_PASSPHRASE"] = passphrase
    result = subprocess.run([sys.executable, "-m", "policy_gate", "run", str(path), "--format", "json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, json.loads(result.stdout), result.stderr.strip().splitlines()


def verdicts(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v["policy"], v["urn"].rsplit("::", 1)[-1]) for v in report["violations"]}


PASSPHRASE_PROVIDER = {"type": "passphrase", "state": {"salt": SALT}}


def test_passphrase_secrets_are_decrypted(tmp_path: Path) -> None:
    code, report, stderr = gate(export(tmp_path / "state.json", PASSPHRASE_PROVIDER, encrypt('"Disabled"')), PHRASE)
    assert code == 1  # the bare workspace breaks other rules
    assert RULE not in verdicts(report) and report["warnings"] == [] and stderr == []
    assert "Disabled" not in json.dumps(report["violations"])  # a decrypted secret is never printed either


def test_decrypted_secrets_are_collected_while_the_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One walk reveals the secrets and collects what the gate redacts: the same set as walking every bag after."""
    from policy_gate import inputs

    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PHRASE)
    capture = inputs.load(export(tmp_path / "state.json", PASSPHRASE_PROVIDER, encrypt('"Disabled"')))
    assert capture.bag_secrets == {"Disabled"}
    assert capture.secret_strings() == dataclasses.replace(capture, bag_secrets=None).secret_strings() == {"Disabled"}


@pytest.mark.parametrize(("case", "provider", "passphrase", "corrupt"), [
    ("no passphrase", PASSPHRASE_PROVIDER, None, False),
    ("wrong passphrase", PASSPHRASE_PROVIDER, "wrong", False),
    ("one value does not decrypt", PASSPHRASE_PROVIDER, PHRASE, True),
    ("a cloud secrets provider", {"type": "cloud", "state": {"url": "azurekeyvault://v/keys/k"}}, PHRASE, False),
])
def test_otherwise_every_secret_is_blinded_with_the_clis_warning(tmp_path: Path, case: str, provider: dict[str, Any],
                                                                  passphrase: str | None, corrupt: bool) -> None:
    ciphertext = encrypt('"Disabled"')
    if corrupt:
        ciphertext = ciphertext[:-6] + ("AAAA==" if not ciphertext.endswith("AAAA==") else "BBBB==")
    path = export(tmp_path / "state.json", provider, ciphertext)
    code, report, stderr = gate(path, passphrase)
    assert code == 1
    warning = f"could not decrypt secrets in {path}; analyzing with secret values redacted"
    assert stderr == [f"warning: {warning}"] and report["warnings"] == [warning]
    assert RULE in verdicts(report)  # "[secret]" is not "Disabled"
