"""A stack's config as the Pulumi CLI hands it to the program: the project's declarations in
``Pulumi.yaml`` merged into ``Pulumi.<stack>.yaml``, validated, secure values decrypted.

Upstream (pulumi/pulumi):
- ``sdk/go/common/workspace/project.go`` ``RewriteShorthandConfigValues``: a string, integer,
  boolean or list under a project key is ``{default: v}``, under another namespace ``{value: v}``;
  ``Project.Validate`` rejects ``default`` with ``value``, a typed array without ``items``, a typed
  default of the wrong type, and a type, a default or a missing ``value`` outside the project's
  namespace. ``ValidateConfigValue`` is the type check.
- ``sdk/go/common/workspace/config.go`` ``mergeConfig``: a declared project key that the stack
  does not set and that has neither ``value`` nor ``default`` stops the run ("Stack 'dev' is
  missing configuration value 'x'"); otherwise the default or value is added. Then
  ``validateStackConfigValues`` checks explicitly typed keys: ``secret: true`` needs a secure
  value, the value must have the type.
- ``sdk/go/common/resource/config/value.go``: a scalar is kept as its YAML text; a mapping or
  list is an object value, JSON with sorted keys and no spaces; ``{secure: v}`` is a secret,
  and an object holding one anywhere is secret as a whole.

Secure values are decrypted with the passphrase provider (``passphrase``) when a passphrase is
set; otherwise, or for another secrets provider, the key reaches the program unset and a
warning says so. ESC ``environment`` imports need Pulumi Cloud: a warning says they were not read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError
from .passphrase import Crypter, DecryptError, passphrase_from_environment
from .yamlfile import YAML_NODE_BUDGET, BudgetExceeded, compose_mapping, construct, scalar_text

_INCORRECT = ("failed to decrypt: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase "
              "or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase")


@dataclass
class StackConfig:
    values: dict[str, str] = field(default_factory=dict)  # "project:key" -> text, as PULUMI_CONFIG carries it
    secret_keys: list[str] = field(default_factory=list)  # as PULUMI_CONFIG_SECRET_KEYS
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Value:
    text: str | None  # None: present on the stack, but cannot be read offline
    secure: bool = False
    obj: Any = None  # the decoded object of an object value (for type checks)
    is_object: bool = False


def stack_file(directory: Path, stack: str) -> Path:
    return directory / f"Pulumi.{stack}.yaml"


def load(project: str, declarations: Mapping[str, Any], stack_dir: Path, stack: str,
         allow_missing_file: bool) -> StackConfig:
    """The merged config of ``stack``; raises ``UsageError`` (one line) where the CLI refuses."""
    path = stack_file(stack_dir, stack)
    if path.is_file():
        stack_yaml = compose_mapping(path)
    elif allow_missing_file:
        stack_yaml = {}
    else:
        others = sorted(p.name for p in stack_dir.glob("Pulumi.*.yaml"))
        hint = f" (stack files here: {', '.join(others)})" if others else ""
        raise UsageError(f"no {path.name} for stack '{stack}' in {stack_dir}{hint}; pass --stack NAME, or "
                         f"--allow-missing-stack-file when the stack exists in your backend without a file")
    declared = _declarations(project, declarations)
    result = StackConfig()
    if "environment" in stack_yaml:  # config.go mergeConfig merges ESC environments first; they need Pulumi Cloud
        result.warnings.append(f"{path.name} imports Pulumi ESC environments; their values are not available offline "
                               "and the program sees only the stack file's config")
    values = _stack_values(project, stack_yaml, path, result.warnings)
    _merge(project, stack, declared, values)
    _validate(stack, project, declared, values)
    for key in sorted(values):
        value = values[key]
        if value.text is None:
            continue
        result.values[key] = value.text
        if value.secure:
            result.secret_keys.append(key)
    return result


# -- Pulumi.yaml declarations ---------------------------------------------------------------------

def _declarations(project: str, raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    declared: dict[str, dict[str, Any]] = {}
    for key, spec in raw.items():
        key = str(key)
        if _primitive(spec) or isinstance(spec, list):
            spec = {"default": spec} if _in_project(project, key) else {"value": spec}
        if not isinstance(spec, Mapping):
            raise UsageError(f"Pulumi.yaml: config '{key}' must be a value or a declaration")
        declared[key] = dict(spec)
    for key, spec in declared.items():
        _validate_declaration(project, key, spec)
    return declared


def _validate_declaration(project: str, key: str, spec: Mapping[str, Any]) -> None:
    """project.go ``Project.Validate``, its messages."""
    if spec.get("default") is not None and spec.get("value") is not None:
        raise UsageError(f"project config '{key}' cannot have both a 'default' and 'value' attribute")
    typed = spec.get("type") is not None
    if _in_project(project, key):
        if typed and spec["type"] == "array" and spec.get("items") is None:
            raise UsageError(f"The configuration key '{key}' declares an array but does not specify the underlying "
                             "type via the 'items' attribute")
        if typed and spec.get("default") is not None and not _has_type(spec["type"], spec.get("items"), spec["default"]):
            raise UsageError(f"The default value specified for configuration key '{key}' is not of the expected type "
                             f"'{_type_name(spec['type'], spec.get('items'))}'")
    elif typed:
        raise UsageError(f"Configuration key '{key}' is not namespaced by the project and should not define a type")
    elif spec.get("default") is not None:
        raise UsageError(f"Configuration key '{key}' is not namespaced by the project and should not define a default "
                         "value. Did you mean to use the 'value' attribute instead of 'default'?")
    elif spec.get("value") is None:
        raise UsageError(f"Configuration key '{key}' is namespaced and must provide an attribute 'value'")


# -- Pulumi.<stack>.yaml values -------------------------------------------------------------------

def _stack_values(project: str, stack_yaml: Mapping[str, yaml.Node], path: Path, warnings: list[str]) -> dict[str, _Value]:
    node = stack_yaml.get("config")
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise UsageError(f"{path.name}: `config` must be a mapping")
    crypter: list[Crypter | None] = []  # built on the first secure value only (PBKDF2 is slow on purpose)
    values: dict[str, _Value] = {}
    for key_node, value_node in node.value:
        key = _full_key(project, scalar_text(key_node))
        values[key] = _stack_value(key, value_node, path, stack_yaml, crypter, warnings)
    return values


def _stack_value(key: str, node: yaml.Node, path: Path, stack_yaml: Mapping[str, yaml.Node],
                 crypter: list[Crypter | None], warnings: list[str]) -> _Value:
    if isinstance(node, yaml.ScalarNode):
        return _Value(scalar_text(node))
    try:
        obj = construct(node)
    except BudgetExceeded:
        raise UsageError(f"{path.name}: config {key} expands to more than {YAML_NODE_BUDGET} values") from None
    secure = _secure_text(obj)
    if secure is None and not _has_secure(obj):
        return _Value(_json(obj), obj=obj, is_object=True)
    if not crypter:
        crypter.append(_crypter(path, stack_yaml, warnings))
    if crypter[0] is None:
        warnings.append(f"config {key} is encrypted and cannot be read offline; treated as unset "
                        f"({_why_unreadable(stack_yaml)})")
        return _Value(None, secure=True)
    try:
        if secure is not None:
            return _Value(crypter[0].decrypt(secure), secure=True)
        decrypted = _decrypt_object(obj, crypter[0])
    except DecryptError:
        raise UsageError(f"{path.name}: config {key}: {_INCORRECT}") from None
    return _Value(_json(decrypted), secure=True, obj=decrypted, is_object=True)


def _crypter(path: Path, stack_yaml: Mapping[str, yaml.Node], warnings: list[str]) -> Crypter | None:
    salt_node = stack_yaml.get("encryptionsalt")
    phrase = passphrase_from_environment()
    if salt_node is None or phrase is None:
        return None
    try:
        return Crypter(phrase, scalar_text(salt_node))
    except DecryptError as exc:
        message = _INCORRECT if str(exc) == "incorrect passphrase" else f"encryptionsalt: {exc}"
        raise UsageError(f"{path.name}: {message}") from None


def _why_unreadable(stack_yaml: Mapping[str, yaml.Node]) -> str:
    if "encryptionsalt" not in stack_yaml:
        provider = stack_yaml.get("secretsprovider")
        named = f" ({scalar_text(provider)})" if isinstance(provider, yaml.ScalarNode) else ""
        return f"the stack's secrets provider{named} is not the passphrase provider"
    return "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to decrypt it"


def _secure_text(obj: Any) -> str | None:
    """value.go ``isSecureValue``: a one-key mapping ``{secure: <string>}``."""
    if isinstance(obj, dict) and len(obj) == 1 and isinstance(obj.get("secure"), str):
        return str(obj["secure"])
    return None


def _has_secure(obj: Any) -> bool:
    if _secure_text(obj) is not None:
        return True
    children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()
    return any(_has_secure(child) for child in children)


def _decrypt_object(obj: Any, crypter: Crypter) -> Any:
    secure = _secure_text(obj)
    if secure is not None:
        return crypter.decrypt(secure)
    if isinstance(obj, dict):
        return {k: _decrypt_object(v, crypter) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decrypt_object(v, crypter) for v in obj]
    return obj


# -- merge and validation (config.go) ---------------------------------------------------------------

def _merge(project: str, stack: str, declared: Mapping[str, Mapping[str, Any]], values: dict[str, _Value]) -> None:
    missing: list[str] = []
    for key in sorted(declared):
        spec, full = declared[key], _full_key(project, key)
        if full in values:
            continue
        default = spec.get("default") if spec.get("default") is not None else spec.get("value")
        if default is None:
            if _in_project(project, key):
                missing.append(key)
            continue
        values[full] = _Value(_go_text(default)) if _primitive(default) else _Value(_json(default), obj=default,
                                                                                     is_object=True)
    if missing:
        raise UsageError(f"Stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} "
                         f"{_listed(missing)}")


def _listed(keys: list[str]) -> str:
    """config.go ``formatMissingKeys``: 'a'; 'a' and 'b'; 'a', 'b' and 'c' (sorted)."""
    quoted = [f"'{k}'" for k in sorted(keys)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


def _validate(stack: str, project: str, declared: Mapping[str, Mapping[str, Any]], values: Mapping[str, _Value]) -> None:
    for key in sorted(declared):
        spec = declared[key]
        value = values.get(_full_key(project, key))
        if spec.get("type") is None or value is None or value.text is None:
            continue  # untyped, not set, or not readable offline (the CLI would have decrypted it)
        if spec.get("secret") and not value.secure:
            raise UsageError(f"Stack '{stack}' with configuration key '{key}' must be encrypted as it's secret")
        content = value.obj if value.is_object else value.text
        if not _has_type(spec["type"], spec.get("items"), content):
            raise UsageError(f"Stack '{stack}' with configuration key '{key}' must be of type "
                             f"'{_type_name(spec['type'], spec.get('items'))}'")


def _has_type(type_name: Any, items: Any, value: Any) -> bool:
    """project.go ``ValidateConfigValue``."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        if isinstance(value, str):
            try:
                int(value, 10)
            except ValueError:
                return False
            return value.strip() == value and "_" not in value
        return False
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if not isinstance(value, list) or not isinstance(items, Mapping):
        return False
    return all(_has_type(items.get("type"), items.get("items"), item) for item in value)


def _type_name(type_name: Any, items: Any) -> str:
    if isinstance(items, Mapping):
        return f"array<{_type_name(items.get('type'), items.get('items'))}>"
    return str(type_name)


# -- helpers ------------------------------------------------------------------------------------------

def _in_project(project: str, key: str) -> bool:
    return ":" not in key or key.startswith(project + ":")


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _primitive(value: Any) -> bool:
    """project.go ``isPrimitiveValue``: string, integer, boolean (not a float)."""
    return isinstance(value, (str, int, bool))


def _go_text(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v", v)`` for a string, integer or boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(value: Any) -> str:
    """Go's ``json.Marshal``: sorted keys, no spaces, map keys as ``%v`` text."""
    return json.dumps(_string_keys(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def _string_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_go_text(k) if _primitive(k) else str(k): _string_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string_keys(v) for v in value]
    return value
