"""Reading resource properties safely.

Every rule reads properties through this module, so that key spelling (camelCase from
the provider schema, snake_case from untyped dicts), secret envelopes, floats for
integers, wrong types and unknown preview values are handled in one place and no rule
can crash a user's preview.

Unknowns: reading an unknown value raises the SDK's ``UnknownValueError``, which the SDK
turns into an advisory "can't run policy during preview" diagnostic. The SDK's own
proxy raises it on access; for plain dicts (samples, tests) this module detects the
sentinel itself, so both paths behave the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from pulumi_policy import Secret
from pulumi_policy.proxy import UnknownValueError

# Sentinels the engine uses for values that are unknown during preview (pulumi-policy proxy.py).
UNKNOWN_SENTINELS: Final = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
UNKNOWN_STRING: Final = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SIG_KEY: Final = "4dabf18193072939515e22adb298388d"
SECRET_SIG: Final = "1b47061264138c4ac30d75fd1eb44270"


class _Missing:
    """The value of an absent property (distinct from an explicit null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@lru_cache(maxsize=8192)
def norm_key(key: str) -> str:
    """The spelling-independent form of a key: ``primary_key`` == ``primaryKey``."""
    return key.replace("_", "").replace("-", "").lower()


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


LEAF, MAP, SEQ = 0, 1, 2


def kind_of(value: Any) -> int:
    """``MAP``, ``SEQ`` (a sequence other than a string) or ``LEAF``, by the value's class: as
    ``isinstance`` against the ABCs, cached per class (walks ask it of every node)."""
    cls: Any = type(value)  # mypy takes type[Any] for unhashable
    return _kind_of_class(cls)


@lru_cache(maxsize=256)
def _kind_of_class(cls: type) -> int:
    if issubclass(cls, Mapping):
        return MAP
    return SEQ if issubclass(cls, Sequence) and not issubclass(cls, (str, bytes)) else LEAF


def unwrap(value: Any) -> Any:
    """Strip secret envelopes (wire form or the SDK's ``Secret``); policies judge the value."""
    while True:
        if isinstance(value, Secret):
            value = value.value
        elif kind_of(value) == MAP and SIG_KEY in value and _raw(value, SIG_KEY) == SECRET_SIG:
            value = _raw(value, "value")
        else:
            return value


def _raw(mapping: Mapping[str, Any], key: str) -> Any:
    try:
        return mapping[key]
    except KeyError:
        return MISSING


def _split(path: str | Sequence[str]) -> Sequence[str]:
    return path.split(".") if isinstance(path, str) else path


def get(obj: Any, path: str | Sequence[str]) -> Any:
    """The value at a dotted path, or ``MISSING``.

    Keys match in any spelling; secrets are unwrapped; an unknown value raises
    ``UnknownValueError`` naming the path; a non-mapping on the way yields ``MISSING``.
    """
    keys = _split(path)
    walked: list[str] = []
    value = unwrap(obj)
    for key in keys:
        walked.append(key)
        if kind_of(value) != MAP:
            return MISSING
        value = _child(value, key, walked)
        if value is MISSING:
            return MISSING
    return value


def _child(mapping: Mapping[str, Any], key: str, walked: list[str]) -> Any:
    try:
        raw = mapping[key]  # the SDK's proxy raises UnknownValueError here
    except KeyError:
        wanted = norm_key(key)
        actual = next((k for k in mapping if isinstance(k, str) and norm_key(k) == wanted), None)
        if actual is None:
            return MISSING
        walked[-1] = actual  # an unknown's path names the keys as the resource spells them (as the SDK's proxy does)
        raw = mapping[actual]
    value = unwrap(raw)
    if is_unknown(value):
        raise UnknownValueError(value, list(walked))
    return value


class UnknownValues(UnknownValueError):
    """Several unknown values one check met after judging what was known (the SDK, which sees
    only one, reads the first one's message)."""

    def __init__(self, errors: Sequence[UnknownValueError]):
        super().__init__(errors[0].unknown_type_sentinel, list(errors[0].props))
        self.message = errors[0].message  # the SDK's advisory text: the first one's
        self.errors = tuple(errors)


def each_unknown(exc: UnknownValueError) -> list[UnknownValueError]:
    """The single unknowns ``exc`` stands for."""
    return [e for inner in exc.errors for e in each_unknown(inner)] if isinstance(exc, UnknownValues) else [exc]


def raise_unknowns(*values: Any) -> None:
    """Raise the unknowns among ``values`` (as ``get_or_unknown`` returns them), if any."""
    errors = [v for v in values if isinstance(v, UnknownValueError)]
    if errors:
        raise errors[0] if len(errors) == 1 else UnknownValues(errors)


def present(value: Any) -> bool:
    """Set to something: neither absent nor an explicit null (generated dicts write ``None``)."""
    return value is not MISSING and value is not None


def get_or_unknown(obj: Any, path: str | Sequence[str]) -> Any:
    """``get``, returning an unknown value as its ``UnknownValueError`` instead of raising it, so
    a check can report the other values first and raise after."""
    try:
        return get(obj, path)
    except UnknownValueError as exc:
        return exc


def keys_named(mapping: Any, *names: str) -> list[str]:
    """The keys of ``mapping`` spelled as any of ``names`` (``component_id`` == ``componentId``),
    as the user wrote them, so a message can name the path the user knows."""
    if not isinstance(mapping, Mapping):
        return []
    wanted = {norm_key(n) for n in names}
    return [k for k in mapping if isinstance(k, str) and norm_key(k) in wanted]


def first_key(mapping: Any, *names: str) -> str | None:
    found = keys_named(mapping, *names)
    return found[0] if found else None


def get_str(obj: Any, path: str | Sequence[str]) -> str | None:
    """A string value, or None when absent or not a string."""
    value = get(obj, path)
    return value if isinstance(value, str) else None


def get_lower(obj: Any, path: str | Sequence[str]) -> str | None:
    """A string stripped and lower-cased (ids and enum values compare case-insensitively), or
    None when absent, blank or not a string."""
    value = get_str(obj, path)
    return value.strip().lower() if value and value.strip() else None


def get_bool(obj: Any, path: str | Sequence[str]) -> bool | None:
    """A boolean; ``"true"``/``"false"`` strings count (ARM templates write them)."""
    value = get(obj, path)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def get_number(obj: Any, path: str | Sequence[str]) -> float | None:
    """A number (every number arrives as a float over the wire); numeric strings count."""
    value = get(obj, path)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def known_str(obj: Any, *paths: str) -> str | None:
    """The first known, non-empty string among ``paths``, stripped; an unknown one is skipped
    (for building indexes, where an unknown key means "cannot be found that way")."""
    for path in paths:
        try:
            value = get_str(obj, path)
        except UnknownValueError:
            continue
        if value and value.strip():
            return value.strip()
    return None


def as_number(value: Any) -> float | None:
    """A value read already, as ``get_number`` would read it (floats, numeric strings)."""
    return get_number({"value": value}, "value")


def get_map(obj: Any, path: str | Sequence[str]) -> Mapping[str, Any] | None:
    value = get(obj, path)
    return value if isinstance(value, Mapping) else None


def get_list(obj: Any, path: str | Sequence[str]) -> Sequence[Any] | None:
    value = get(obj, path)
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return value
    return None


def elements(seq: Sequence[Any], path: str | Sequence[str] = ()) -> list[Any]:
    """List elements with secrets unwrapped; an unknown element raises ``UnknownValueError``."""
    result = []
    for index in range(len(seq)):
        value = unwrap(seq[index])  # the SDK's proxy raises UnknownValueError here
        if is_unknown(value):
            raise UnknownValueError(value, [*_split(path), str(index)])
        result.append(value)
    return result


def walk(obj: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every node of a value tree as (path, value), parents before children, secrets unwrapped.
    Unknown values are yielded as their sentinel (check with ``is_unknown``) rather than raised,
    so a caller judging a whole tree can decide per node."""
    value = walked(obj)
    yield path, value
    if isinstance(value, Mapping):
        for key in list(value):
            yield from walk(_unknown_as_sentinel(value, key), (*path, key))
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        for index in range(len(value)):
            yield from walk(_unknown_as_sentinel(value, index), (*path, index))


def walked(value: Any) -> Any:
    """A node as ``walk`` yields it: secrets unwrapped, an unknown value as its sentinel."""
    try:
        return unwrap(value)
    except UnknownValueError as exc:  # an SDK-proxied envelope whose value is unknown
        return exc.unknown_type_sentinel


def walk_child(container: Any, key: Any) -> Any:
    """The child ``container[key]`` as ``walk`` yields it."""
    return walked(_unknown_as_sentinel(container, key))


def path_text(path: Sequence[str | int]) -> str:
    """A ``walk`` path for messages: ``config.list[0].conn``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _unknown_as_sentinel(container: Any, key: Any) -> Any:
    try:
        return container[key]
    except UnknownValueError as exc:
        return exc.unknown_type_sentinel


def type_name(value: Any) -> str:
    """A short JSON-ish name of a value's type, for messages (never the value itself)."""
    if value is MISSING:
        return "absent"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return "an unsupported value"


def plain_copy(obj: Any) -> Any:
    """A deep copy of a property bag as plain dicts and lists, keeping ``Secret`` markers and
    unknown sentinels, so a remediation can return it (the SDK re-serialises both)."""
    if type(obj).__name__ in ("_DictProxy", "_ListProxy", "_DictSecretsProxy", "_ListSecretsProxy"):
        obj = obj["__target"]
    if isinstance(obj, Secret):
        return Secret(plain_copy(obj.value))
    if isinstance(obj, Mapping):
        return {key: plain_copy(obj[key]) for key in obj}
    if isinstance(obj, (list, tuple)):
        return [plain_copy(value) for value in obj]
    return obj


def set_path(bag: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a plain bag, reusing the bag's own key spelling and creating
    missing objects (and unwrapping secret markers on the way: a value set inside a secret
    object stays inside it)."""
    keys = path.split(".")
    node: Any = bag
    for key in keys[:-1]:
        existing = next((k for k in node if isinstance(k, str) and norm_key(k) == norm_key(key)), key)
        child = node.get(existing)
        holder = child.value if isinstance(child, Secret) else child
        if not isinstance(holder, dict):
            holder = {}
            node[existing] = holder
        node = holder
    last = next((k for k in node if isinstance(k, str) and norm_key(k) == norm_key(keys[-1])), keys[-1])
    node[last] = value


def with_changes(bag: Any, changes: Mapping[str, Any]) -> dict[str, Any]:
    """A remediation's result: a plain copy of ``bag`` with each dotted path set."""
    fixed: dict[str, Any] = plain_copy(bag)
    for path, value in changes.items():
        set_path(fixed, path, value)
    return fixed
