"""A stack's config as the CLI reads it (``policy_gate.stack_config``) and the passphrase
provider (``policy_gate.passphrase``), in process: declarations, shorthand, typed validation,
stack values as their YAML text, secure values decrypted or left unset with a warning, and the
upstream test vector of the passphrase format. Whole programs: ``tests/test_program_config.py``."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from policy_gate import stack_config
from policy_gate.errors import UsageError
from policy_gate.passphrase import Crypter, DecryptError, passphrase_from_environment

PROJECT = "proj"
# pulumi/pulumi pkg/secrets/passphrase/manager_test.go: this state opens with "password" only.
UPSTREAM_STATE = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ=="
PHRASE = "correct horse battery staple"
# tests/programs/secure-config: made with PHRASE.
SALT = "v1:6fs29ophxRU=:v1:JCuWTpUie0nK33Yz:zQeaWjJPCQCsipmYEcsExi+c9SmDig=="
SECURE = "v1:SreZpMd/mwpW5bpX:cIyt0+IoYxsQQ+zYWq0QCzk0ZdWGWNQMVTHG2vMyPmIIfjNqpVIUbQ7wJDmOOjpa1ICXjQ=="
SECURE_PLAIN = "Zm9vYmFyYmF6cXV4LXRyYWluaW5nLWtleQ=="


@pytest.fixture(autouse=True)
def _no_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)


def load(tmp_path: Path, declarations: dict | None = None, stack: str | None = "", name: str = "dev",
         allow_missing: bool = False) -> stack_config.StackConfig:
    if stack is not None:
        (tmp_path / f"Pulumi.{name}.yaml").write_text(stack)
    return stack_config.load(PROJECT, declarations or {}, tmp_path, name, allow_missing)


def failure(tmp_path: Path, declarations: dict | None = None, stack: str | None = "", name: str = "dev") -> str:
    with pytest.raises(UsageError) as caught:
        load(tmp_path, declarations, stack, name)
    assert "\n" not in caught.value.message
    return caught.value.message


def test_declarations_shorthand_defaults_and_values(tmp_path: Path) -> None:
    declarations = {
        "size": {"type": "integer", "default": 3}, "flag": True, "name": "ml", "zones": [1, 2],
        "tags": {"default": {"b": 1, "a": "x"}}, "described": {"description": "no default", "default": "d"},
        "aws:region": "us-west-2", "azure-native:location": {"value": "westeurope"}, "proj:qualified": 7,
    }
    config = load(tmp_path, declarations, "config:\n  proj:size: 5\n")
    assert config.values == {
        "proj:size": "5", "proj:flag": "true", "proj:name": "ml", "proj:zones": "[1,2]", "proj:tags": '{"a":"x","b":1}',
        "proj:described": "d", "aws:region": "us-west-2", "azure-native:location": "westeurope", "proj:qualified": "7"}
    assert (config.secret_keys, config.warnings) == ([], [])


def test_stack_values_are_their_yaml_text(tmp_path: Path) -> None:
    """value.go: a scalar is unmarshalled into a string as written; objects are JSON."""
    stack = ("config:\n  proj:price: 1.50\n  proj:on: on\n  proj:quoted: '007'\n  proj:empty:\n  proj:unqualified: v\n"
             "  proj:nested:\n    z: [1, {b: 2, a: true}]\n    a: null\n")
    assert load(tmp_path, stack=stack).values == {
        "proj:price": "1.50", "proj:on": "on", "proj:quoted": "007", "proj:empty": "", "proj:unqualified": "v",
        "proj:nested": '{"a":null,"z":[1,{"a":true,"b":2}]}'}


@pytest.mark.parametrize(("missing", "message"), [
    (["tenantId"], "Stack 'dev' is missing configuration value 'tenantId'"),
    (["b", "a"], "Stack 'dev' is missing configuration values 'a' and 'b'"),
    (["c", "a", "b"], "Stack 'dev' is missing configuration values 'a', 'b' and 'c'"),
])
def test_declared_keys_without_default_must_be_set(tmp_path: Path, missing: list[str], message: str) -> None:
    declarations = {k: {"description": "required", "secret": False} for k in missing}
    declarations["other:key"] = {"value": "x"}  # another namespace's declaration needs no stack value
    assert failure(tmp_path, declarations) == message
    stack = "config:\n" + "".join(f"  proj:{k}: set\n" for k in missing)
    assert load(tmp_path, declarations, stack).values == {**{f"proj:{k}": "set" for k in missing}, "other:key": "x"}


@pytest.mark.parametrize(("declarations", "stack", "message"), [
    ({"n": {"type": "integer"}}, "config:\n  proj:n: lots\n", "Stack 'dev' with configuration key 'n' must be of type 'integer'"),
    ({"b": {"type": "boolean"}}, "config:\n  proj:b: yes\n", "Stack 'dev' with configuration key 'b' must be of type 'boolean'"),
    ({"l": {"type": "array", "items": {"type": "string"}}}, "config:\n  proj:l: [1]\n",
     "Stack 'dev' with configuration key 'l' must be of type 'array<string>'"),
    ({"s": {"type": "string", "secret": True}}, "config:\n  proj:s: plain\n",
     "Stack 'dev' with configuration key 's' must be encrypted as it's secret"),
    ({"s": {"type": "string", "default": 1}}, "", "The default value specified for configuration key 's' is not of the "
     "expected type 'string'"),
    ({"a": {"type": "array"}}, "", "The configuration key 'a' declares an array but does not specify the underlying type "
     "via the 'items' attribute"),
    ({"k": {"default": 1, "value": 2}}, "", "project config 'k' cannot have both a 'default' and 'value' attribute"),
    ({"aws:region": {"type": "string", "value": "x"}}, "", "Configuration key 'aws:region' is not namespaced by the project "
     "and should not define a type"),
    ({"aws:region": {"default": "x"}}, "", "Configuration key 'aws:region' is not namespaced by the project and should not "
     "define a default value. Did you mean to use the 'value' attribute instead of 'default'?"),
    ({"aws:region": {"description": "d"}}, "", "Configuration key 'aws:region' is namespaced and must provide an attribute "
     "'value'"),
])
def test_what_the_cli_refuses(tmp_path: Path, declarations: dict, stack: str, message: str) -> None:
    assert failure(tmp_path, declarations, stack) == message


def test_typed_values_the_cli_accepts(tmp_path: Path) -> None:
    declarations = {"n": {"type": "integer"}, "b": {"type": "boolean"}, "l": {"type": "array", "items": {"type": "integer"}},
                    "u": {"secret": True}}  # untyped: `secret` is not enforced
    config = load(tmp_path, declarations, "config:\n  proj:n: '12'\n  proj:b: 'false'\n  proj:l: [1, 2.0]\n  proj:u: plain\n")
    assert config.values == {"proj:n": "12", "proj:b": "false", "proj:l": "[1,2.0]", "proj:u": "plain"}


def test_a_missing_stack_file_needs_the_opt_in(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text("config: {}\n")
    assert failure(tmp_path, stack=None) == (
        f"no Pulumi.dev.yaml for stack 'dev' in {tmp_path} (stack files here: Pulumi.prod.yaml); pass --stack NAME, or "
        "--allow-missing-stack-file when the stack exists in your backend without a file")
    assert load(tmp_path, {"d": {"default": "x"}}, stack=None, allow_missing=True).values == {"proj:d": "x"}


def test_secure_values_decrypt_with_the_passphrase(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stack = (f"encryptionsalt: {SALT}\nconfig:\n  proj:key:\n    secure: {SECURE}\n"
             f"  proj:sp:\n    id: app\n    secret:\n      secure: {SECURE}\n  proj:plain: p\n")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PHRASE)
    config = load(tmp_path, {"key": {"type": "string", "secret": True}}, stack)
    assert config.values == {"proj:key": SECURE_PLAIN, "proj:sp": f'{{"id":"app","secret":"{SECURE_PLAIN}"}}',
                             "proj:plain": "p"}
    assert config.secret_keys == ["proj:key", "proj:sp"] and config.warnings == []


def test_decrypted_config_is_redacted_whole_and_leaf_by_leaf() -> None:
    from policy_gate.capture import Capture

    capture = Capture(project=PROJECT, stack="dev", config={"proj:sp": f'{{"id":"app-id","secret":"{SECURE_PLAIN}"}}',
                                                           "proj:plain": "visible"},
                      config_secret_keys=["proj:sp"])
    assert capture.secret_strings() == {f'{{"id":"app-id","secret":"{SECURE_PLAIN}"}}', "app-id", SECURE_PLAIN}


def test_secure_values_without_a_passphrase_are_unset_with_a_warning(tmp_path: Path) -> None:
    stack = f"encryptionsalt: {SALT}\nconfig:\n  proj:key:\n    secure: {SECURE}\n  proj:plain: p\n"
    config = load(tmp_path, {"key": {"description": "declared, no default", "secret": True}}, stack)
    assert config.values == {"proj:plain": "p"} and config.secret_keys == []
    assert config.warnings == ["config proj:key is encrypted and cannot be read offline; treated as unset (set "
                               "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to decrypt it)"]


def test_another_secrets_provider_is_named_in_the_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PHRASE)
    stack = (f"secretsprovider: azurekeyvault://vault.vault.azure.net/keys/pulumi\nencryptedkey: abc\n"
             f"config:\n  proj:key:\n    secure: {SECURE}\n")
    assert load(tmp_path, stack=stack).warnings == [
        "config proj:key is encrypted and cannot be read offline; treated as unset (the stack's secrets provider "
        "(azurekeyvault://vault.vault.azure.net/keys/pulumi) is not the passphrase provider)"]


def test_esc_environments_are_a_warning(tmp_path: Path) -> None:
    config = load(tmp_path, stack="environment:\n  - ml/prod\nconfig:\n  proj:k: v\n")
    assert config.values == {"proj:k": "v"}
    assert config.warnings == ["Pulumi.dev.yaml imports Pulumi ESC environments; their values are not available offline "
                               "and the program sees only the stack file's config"]


def test_a_wrong_passphrase_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "wrong")
    assert failure(tmp_path, stack=f"encryptionsalt: {SALT}\nconfig:\n  proj:key:\n    secure: {SECURE}\n") == (
        "Pulumi.dev.yaml: failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct "
        "passphrase or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase")


def test_a_stack_config_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9)
                                                       + "]" for i in range(8)]
    stack = "anchors:\n" + "".join(f"  {line}\n" for line in levels) + "config:\n  proj:bomb: *i\n"
    assert "expands to more than" in failure(tmp_path, stack=stack)


def test_the_upstream_passphrase_test_vector() -> None:
    Crypter("password", UPSTREAM_STATE)
    with pytest.raises(DecryptError, match="incorrect passphrase"):
        Crypter("password123", UPSTREAM_STATE)
    with pytest.raises(DecryptError, match="malformed state value"):
        Crypter("password", "fozI5u6B030=")


def test_values_decrypt_and_tampering_is_detected() -> None:
    crypter = Crypter(PHRASE, SALT)
    assert crypter.decrypt(SECURE) == SECURE_PLAIN
    _, nonce, sealed = SECURE.split(":")
    tampered = base64.b64encode(bytes([base64.b64decode(sealed)[0] ^ 1]) + base64.b64decode(sealed)[1:]).decode()
    for bad, message in [(f"v1:{nonce}:{tampered}", "does not decrypt"), (f"v2:{nonce}:{sealed}", "unknown value version"),
                         (f"v1:AAAA:{sealed}", "nonce size is incorrect"), ("v1:***:x", "not base64")]:
        with pytest.raises(DecryptError, match=message):
            crypter.decrypt(bad)


def test_the_passphrase_comes_from_the_variable_even_empty_then_the_file(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert passphrase_from_environment() is None
    phrase_file = tmp_path / "phrase"
    phrase_file.write_text(f"  {PHRASE}\n")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(phrase_file))
    assert passphrase_from_environment() == PHRASE
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    assert passphrase_from_environment() == ""
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", os.fspath(tmp_path / "absent"))
    with pytest.raises(UsageError, match="unable to read PULUMI_CONFIG_PASSPHRASE_FILE"):
        passphrase_from_environment()
