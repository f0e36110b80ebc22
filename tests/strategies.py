"""Hypothesis strategies: property bags shaped like each rule's resources, then broken.

A bag starts as one of the rule's own samples (``Sample.props``; for stack rules the
``SampleResource``s of a ``StackSample``) and is mutated a few times. A mutation picks a node
(mostly a leaf) and replaces it with a wrong-typed value, a float, null, an empty or huge (100k
characters) string, a deep (50 to 120 levels) dict/list chain, one of the seven unknown
sentinels, a string from the rule's own vocabulary or a canary; or wraps it in a secret
envelope (at any depth, also twice); or respells its key (snake_case, camelCase, PascalCase,
kebab, UPPER), deletes it, or inserts a sibling. Fully random JSON-like trees are mixed in.

Type tokens: the rule's own types; prefix selectors (``azure-native:machinelearningservices:*``,
``azure:machinelearning/*``, ``azure-native:*``) become concrete type names read from the
installed pulumi-azure-native's module table (without importing it); azure-native tokens
also appear versioned (``azure-native:machinelearningservices/v20240401:Workspace``).

Canaries: strings containing ``CANARY_MARK`` are free-form values a rule must never quote;
the property tests assert the mark never appears in a message. ``point_mutations`` lists every
single-point mutation of a bag, for deterministic sweeps. ``rule_vocabulary`` is what a rule may
quote (the strings its own code knows, and its config).
"""

from __future__ import annotations

import copy
import importlib.util
import re
import types as pytypes
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from policies import RULES
from policies.core import types as t
from policies.core.props import SECRET_SIG, SIG_KEY, UNKNOWN_SENTINELS
from policies.core.rule import ResourceRule, Rule, StackRule
from policies.core.samples import Sample, SampleResource, StackSample
from policies.preview.sources import unknown_value_sources

CANARY_MARK = "cnry7q"  # never a word, never a sample value: any message containing it quoted a value
HUGE = 100_000
SENTINELS: tuple[str, ...] = tuple(sorted(UNKNOWN_SENTINELS))
API_VERSIONS = ("v20240401", "v20230401preview", "v20251201", "v20220601preview", "v20240101privatepreview")
CLASSIC_ML_TYPES = (
    t.CLASSIC_WORKSPACE,
    f"{t.CLASSIC_ML}/computeCluster:ComputeCluster",
    f"{t.CLASSIC_ML}/computeInstance:ComputeInstance",
    f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster",
    f"{t.CLASSIC_ML}/synapseSpark:SynapseSpark",
    f"{t.CLASSIC_ML}/datastoreBlobstorage:DatastoreBlobstorage",
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn",
)
OTHER_AZURE_NATIVE_TYPES = (
    "azure-native:storage:StorageAccount", "azure-native:keyvault:Vault", "azure-native:network:PrivateEndpoint",
    "azure-native:resources:ResourceGroup", "azure-native:containerregistry:Registry",
)
_FALLBACK_ML_NAMES = (
    "BatchDeployment", "BatchEndpoint", "CodeVersion", "ComponentVersion", "Compute", "DataVersion", "Datastore",
    "EnvironmentVersion", "FeaturesetVersion", "FeaturestoreEntityVersion", "Job", "ModelVersion", "OnlineDeployment",
    "OnlineEndpoint", "Registry", "RegistryDataVersion", "Schedule", "ServerlessEndpoint", "Workspace",
    "WorkspaceConnection",
)

Path_ = tuple[str | int, ...]


def secret(value: Any) -> dict[str, Any]:
    """The wire form of a Pulumi secret."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def is_envelope(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG and "value" in value


# ---------------------------------------------------------------------------------------------
# Type tokens


@cache
def ml_type_names() -> tuple[str, ...]:
    """Every azure-native machinelearningservices resource name the installed SDK knows, read
    from its module table as text (importing pulumi_azure_native takes seconds)."""
    spec = importlib.util.find_spec("pulumi_azure_native")
    names: set[str] = set()
    if spec is not None and spec.origin:
        text = Path(spec.origin).read_text(encoding="utf-8")
        names = set(re.findall(r'"azure-native:machinelearningservices:(\w+)"', text))
    return tuple(sorted(names or _FALLBACK_ML_NAMES))


def versioned(token: str, version: str) -> str:
    """``azure-native:mod:Name`` -> ``azure-native:mod/<version>:Name`` (other tokens unchanged)."""
    match = re.match(r"^(azure-native:[A-Za-z0-9]+)(:.+)$", token)
    return f"{match.group(1)}/{version}{match.group(2)}" if match else token


@cache
def concrete_types(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """Concrete canonical tokens for a rule's selectors (prefix selectors expanded)."""
    found: list[str] = []
    for selector in selectors:
        if not selector.endswith("*"):
            found.append(selector)
            continue
        prefix = selector[:-1]
        candidates = [f"{t.ML}:{n}" for n in ml_type_names()] + list(CLASSIC_ML_TYPES) + list(OTHER_AZURE_NATIVE_TYPES)
        found.extend(c for c in candidates if c.startswith(prefix))
    return tuple(dict.fromkeys(found))


@cache
def type_tokens(pool: tuple[str, ...]) -> st.SearchStrategy[str]:
    """One of the tokens in ``pool``, sometimes versioned."""
    return st.tuples(st.sampled_from(pool), st.none() | st.sampled_from(API_VERSIONS)).map(
        lambda pair: versioned(pair[0], pair[1]) if pair[1] else pair[0])


def rule_types(rule: ResourceRule) -> tuple[str, ...]:
    sample_types = tuple(s.type for s in rule.samples if s.type)
    return tuple(dict.fromkeys((*concrete_types(rule.types), *sample_types)))


# ---------------------------------------------------------------------------------------------
# Vocabulary: the strings a rule may quote (enum members, its config)


def _strings_in(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 4:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            yield from _strings_in(item, depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                yield key
            yield from _strings_in(item, depth + 1)


def _function_vocabulary(func: Any, seen: set[int]) -> Iterator[str]:
    """Strings a check knows: string constants in its code (nested code included), in its
    closure cells, in module-level string collections of its module, and the same for every
    function, class (methods, properties) and helper of the ``policies`` package it refers to."""
    if id(func) in seen:
        return
    seen.add(id(func))
    if isinstance(func, type):
        for member in vars(func).values():
            target = member.fget if isinstance(member, property) else getattr(member, "__func__", member)
            if callable(target):
                yield from _function_vocabulary(target, seen)
        return
    func = getattr(func, "__wrapped__", func)  # lru_cache and friends
    code = getattr(func, "__code__", None)
    module_globals: Mapping[str, Any] = getattr(func, "__globals__", None) or {}
    if code is not None:
        stack: list[pytypes.CodeType] = [code]
        while stack:
            current = stack.pop()
            for const in current.co_consts:
                if isinstance(const, pytypes.CodeType):
                    stack.append(const)
                else:
                    yield from _strings_in(const)
            for name in current.co_names:
                target = module_globals.get(name)
                if isinstance(target, pytypes.ModuleType):
                    continue
                if callable(target) and str(getattr(target, "__module__", "")).startswith("policies"):
                    yield from _function_vocabulary(target, seen)
                elif isinstance(target, (str, tuple, list, set, frozenset, Mapping)):
                    yield from _strings_in(target)
    for cell in getattr(func, "__closure__", None) or ():
        try:
            content = cell.cell_contents
        except ValueError:
            continue
        if callable(content):
            yield from _function_vocabulary(content, seen)
        else:
            yield from _strings_in(content)
    for value in list(module_globals.values()):
        if isinstance(value, (tuple, list, set, frozenset)) and value and all(isinstance(v, str) for v in value):
            yield from value


def rule_vocabulary(rule: Rule) -> frozenset[str]:
    """Lower-cased, stripped strings the rule may legitimately quote: every string its check
    code knows (enum vocabularies, fixed words such as 'latest'), its config defaults and every
    sample config. Anything else in a bag is a free-form value the rule must not quote."""
    assert isinstance(rule, (ResourceRule, StackRule))
    found: set[str] = set()
    checks = rule.check if isinstance(rule.check, tuple) else (rule.check,)
    seen: set[int] = set()
    for check in checks:
        found.update(_function_vocabulary(check, seen))
    found.update(_strings_in(rule.defaults()))
    for sample in rule.samples:
        found.update(_strings_in(dict(sample.config)))
    if rule is unknown_value_sources:  # it judges what the rules declaring sources met: their words too
        found.update(*(rule_vocabulary(r) for r in RULES if isinstance(r, ResourceRule) and r.sources))
    return frozenset(s.strip().lower() for s in found if s.strip())


def sample_strings(rule: Rule) -> tuple[str, ...]:
    """Every string value in the rule's samples (to steer mutations into known branches)."""
    found: set[str] = set()
    for bag in sample_bags(rule):
        found.update(s for s in _leaf_strings(bag))
    return tuple(sorted(found)) or ("x",)


def _leaf_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _leaf_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaf_strings(item)


def sample_bags(rule: Rule) -> list[Mapping[str, Any]]:
    if isinstance(rule, ResourceRule):
        return [s.props for s in rule.samples]
    assert isinstance(rule, StackRule)
    return [r.props for s in rule.samples for r in s.resources]


def _keys_in(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str) and key != SIG_KEY:
                yield key
            yield from _keys_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _keys_in(item)


@cache
def all_keys() -> tuple[str, ...]:
    """Property names from every sample of every rule: random trees use them, so they reach
    the paths rules read."""
    found: set[str] = set()
    for rule in RULES:
        for bag in sample_bags(rule):
            found.update(_keys_in(bag))
    return tuple(sorted(found))


# ---------------------------------------------------------------------------------------------
# Key spellings


def _words(key: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", key)] or [key]


def respell(key: str, style: str) -> str:
    words = _words(key)
    if style == "snake":
        return "_".join(words)
    if style == "kebab":
        return "-".join(words)
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if style == "pascal":
        return "".join(w.capitalize() for w in words)
    if style == "upper":
        return "_".join(words).upper()
    return key


SPELLINGS = ("snake", "kebab", "camel", "pascal", "upper")


def respell_all(tree: Any, style: str) -> Any:
    """Every key of the tree respelled (secret envelopes kept intact)."""
    if is_envelope(tree):
        return secret(respell_all(tree["value"], style))
    if isinstance(tree, dict):
        result: dict[str, Any] = {}
        for key, value in tree.items():
            result[respell(key, style) if isinstance(key, str) else key] = respell_all(value, style)
        return result
    if isinstance(tree, list):
        return [respell_all(v, style) for v in tree]
    return tree


# ---------------------------------------------------------------------------------------------
# Leaves and trees


@cache
def canaries() -> st.SearchStrategy[str]:
    """Distinctive free-form values, alone or inside realistic shapes. (Strategy factories are
    cached: building a strategy inside every draw costs more than running the rule.)"""
    token = st.text(alphabet="0123456789abcdef", min_size=6, max_size=12).map(lambda h: f"{CANARY_MARK}{h}")
    shapes: list[Callable[[str], str]] = [
        lambda c: c,
        lambda c: f"azureml:{c}:1",
        lambda c: f"azureml:{c}@latest",
        lambda c: f"azureml://registries/{c}/models/m/versions/1",
        lambda c: f"azureml://datastores/{c}/paths/p",
        lambda c: f"https://{c}.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig={c}AAAAAAAAAAAAAAAA",
        lambda c: f"/subscriptions/{c}/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/{c}",
        lambda c: f"{c}.azurecr.io/img:{c}",
        lambda c: f"mcr.microsoft.com/{c}@sha256:{'0' * 64}",
        lambda c: f"DefaultEndpointsProtocol=https;AccountName={c};AccountKey={c}",
        lambda c: f"{c} SystemAssigned",
        lambda c: f"West{c}",
        lambda c: f"P{c}T1H",
    ]
    return st.tuples(token, st.sampled_from(shapes)).map(lambda pair: pair[1](pair[0]))


SPECIAL_STRINGS = (
    "", " ", "\t\n", "latest", "@latest", "LATEST", "None", "none", "null", "true", "False", "TRUE", "yes", "0", "1", "-1",
    "1.5", "1e309", "-1e309", "nan", "NaN", "inf", "Infinity", "0x10", "PT1H", "P1DT2H", "PT0S", "P", "PT", "PT-1H",
    "P999999999999D", "PT1.5H", "P1Y", "00:30:00", "1.02:03:04", "3600", "azureml:x:1", "azureml:x", "azureml:x:latest",
    "azureml:", "azureml://datastores/ds/paths/p", "azureml://registries/r/data/d/versions/1", "azureml://locations/l/workspaces/w/data/d/versions/1",
    "https://a.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=abcdefghijklmnopqrstuv", "abfss://c@a.dfs.core.windows.net/p",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/data/d/versions/1",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/c",
    "${{parent.inputs.x}}", "${{", "}}", "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240101.v1", "image@sha256:",
    "a:b:c:d", "::", "/", "//", "?", "sig=", "=", ";", ",", ",,,", "SystemAssigned,", ",UserAssigned", "%", "%s", "{}", "{0}",
    "\x00", "\ud7ff", "é", "𝔘", "West Europe", "westeurope", "Standard_DS3_v2", "Enabled", "Disabled", "Identity",
)


@cache
def huge_strings() -> st.SearchStrategy[str]:
    """100k-character strings of shapes rules parse (ids, URIs, durations, images, lists)."""
    shapes = (
        "a" * HUGE, "a" * HUGE + "!", "/" * HUGE, "," * HUGE, " " * HUGE, "0" * HUGE,
        "/subscriptions/" + "s/" * (HUGE // 2), "azureml:" + "x" * HUGE + ":1", "azureml://" + "a/" * (HUGE // 2),
        "https://a.blob.core.windows.net/c?" + "sig=" + "A" * HUGE, "P" + "1" * HUGE + "D", "PT" + "9" * HUGE + "H",
        "eyJ" + "a" * HUGE + ".eyJ" + "b" * 10 + ".", "-----BEGIN " + "A " * (HUGE // 2), "${{" * (HUGE // 3),
        "img:" + "1" * HUGE, "img@sha256:" + "f" * HUGE, "A" * (HUGE - 2) + "==", "x;" * (HUGE // 2) + "AccountKey=",
    )
    return st.sampled_from(shapes)


@cache
def plain_leaves(strings: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """JSON-ish scalars of every type (floats include nan, infinities and -0.0)."""
    text = strings if strings is not None else st.text(max_size=30)
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from((0.0, -0.0, 1.0, 0.5, 3.0, 1e308, -1e-308, 2.0**63)),
        text, st.sampled_from(SPECIAL_STRINGS), st.sampled_from(SENTINELS), canaries(),
    )


def nest(leaf: Any, depth: int, keys: tuple[str, ...], shape: int) -> Any:
    """``leaf`` at the bottom of a ``depth``-level chain of dicts (keyed from ``keys``) and/or lists."""
    value = leaf
    for level in range(depth):
        key = keys[level % len(keys)] if keys else "a"
        if shape == 0 or (shape == 2 and level % 2):
            value = {key: value}
        else:
            value = [value]
    return value


@cache
def json_trees(keys: st.SearchStrategy[str] | None = None, leaves: st.SearchStrategy[Any] | None = None,
               max_leaves: int = 25) -> st.SearchStrategy[Any]:
    """Random JSON-like trees whose keys are mostly real property names, with secret envelopes."""
    key_strategy = keys if keys is not None else st.one_of(st.sampled_from(all_keys()), st.text(max_size=12))
    base = leaves if leaves is not None else plain_leaves()
    return st.recursive(
        base,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(key_strategy, children, max_size=5),
            children.map(secret),
        ),
        max_leaves=max_leaves,
    )


@cache
def random_bags() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.one_of(st.sampled_from(all_keys()), st.text(max_size=12)), json_trees(), max_size=8)


# ---------------------------------------------------------------------------------------------
# Mutation


def node_paths(tree: Any, limit: int = 300, max_depth: int = 24) -> list[Path_]:
    """Paths to every node below the root (into a secret envelope: only its value), breadth-first."""
    found: list[Path_] = []
    queue: list[tuple[Any, Path_]] = [(tree, ())]
    while queue and len(found) < limit:
        value, path = queue.pop(0)
        if path:
            found.append(path)
        if len(path) >= max_depth:
            continue
        if is_envelope(value):
            queue.append((value["value"], (*path, "value")))
        elif isinstance(value, dict):
            queue.extend((child, (*path, key)) for key, child in value.items())
        elif isinstance(value, list):
            queue.extend((child, (*path, index)) for index, child in enumerate(value))
    return found


def get_at(tree: Any, path: Path_) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def _parent(tree: Any, path: Path_) -> Any:
    return get_at(tree, path[:-1])


def set_at(tree: Any, path: Path_, value: Any) -> None:
    _parent(tree, path)[path[-1]] = value


def _in_envelope(tree: Any, path: Path_) -> bool:
    """Whether ``path`` is the value slot of a secret envelope (it must stay)."""
    return is_envelope(_parent(tree, path))


MUTATIONS = ("replace", "float", "null", "empty", "huge", "deep", "unknown", "secret", "respell", "delete", "insert",
             "vocab", "canary", "listify", "dictify", "respell_all", "random_tree")


_COUNTS = st.integers(min_value=0, max_value=5)
_KINDS = st.sampled_from(MUTATIONS)
_STYLES = st.sampled_from(SPELLINGS)
_EMPTIES: st.SearchStrategy[Any] = st.one_of(st.just(""), st.builds(list), st.builds(dict))  # fresh containers: never share one
_SENTINEL_VALUES = st.sampled_from(SENTINELS)
_DEPTHS = st.integers(min_value=50, max_value=120)
_SHAPES = st.integers(min_value=0, max_value=2)
_SHORT_TEXT = st.text(max_size=10)
_MOSTLY: st.SearchStrategy[bool] = st.sampled_from((True, True, True, False))


@dataclass(frozen=True)
class Pools:
    """What mutations draw from, per rule (strategies built once: building one per draw costs
    more than running the rule)."""

    strings: tuple[str, ...]
    keys: tuple[str, ...] = field(default_factory=all_keys)

    @cached_property
    def leaves(self) -> st.SearchStrategy[Any]:
        return plain_leaves(st.one_of(st.text(max_size=30), st.sampled_from(self.strings)))

    @cached_property
    def replacements(self) -> st.SearchStrategy[Any]:
        return st.one_of(self.leaves, json_trees(max_leaves=6), st.builds(list), st.builds(dict))

    @cached_property
    def key_names(self) -> st.SearchStrategy[str]:
        return st.sampled_from(self.keys)

    @cached_property
    def any_keys(self) -> st.SearchStrategy[str]:
        return st.one_of(self.key_names, _SHORT_TEXT)

    @cached_property
    def vocabulary(self) -> st.SearchStrategy[str]:
        return st.sampled_from(self.strings)


_POOLS: dict[str, Pools] = {}


def pools_for(rule: Rule) -> Pools:
    if rule.name not in _POOLS:  # rules hold dicts: not hashable, so cached by name
        _POOLS[rule.name] = Pools(sample_strings(rule))
    return _POOLS[rule.name]


def _floaty(value: Any) -> Any:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value) + 0.5
    if isinstance(value, str):
        return 3.0
    return 1.5


@st.composite
def mutated(draw: st.DrawFn, base: Mapping[str, Any], pools: Pools) -> dict[str, Any]:
    """``base`` (deep-copied) after 0 to 5 random mutations."""
    tree: Any = copy.deepcopy(dict(base))
    for _ in range(draw(_COUNTS)):
        kind = draw(_KINDS)
        if kind == "respell_all":
            tree = respell_all(tree, draw(_STYLES))
            continue
        if kind == "random_tree":
            tree[draw(pools.key_names)] = draw(json_trees())
            continue
        if kind == "insert":
            holders: list[Path_] = [()] + [p for p in node_paths(tree) if isinstance(get_at(tree, p), dict)
                                          and not is_envelope(get_at(tree, p))]
            target = get_at(tree, draw(st.sampled_from(holders)))
            target[draw(pools.any_keys)] = draw(pools.leaves)
            continue
        paths = node_paths(tree)
        if not paths:
            tree = draw(random_bags())
            continue
        # Mostly a leaf: replacing a parent throws its whole subtree away and the rule stops
        # early, so leaves are where the rule's own parsing gets exercised.
        leaves = [q for q in paths if not isinstance(get_at(tree, q), (dict, list))]
        prefer_leaf: bool = draw(_MOSTLY)
        path = draw(st.sampled_from(leaves if leaves and prefer_leaf else paths))
        node = get_at(tree, path)
        pinned = _in_envelope(tree, path)
        if kind in ("respell", "delete") and (pinned or not isinstance(path[-1], str)):
            kind = "null" if pinned else "delete"
        if kind == "replace":
            set_at(tree, path, draw(pools.replacements))
        elif kind == "float":
            set_at(tree, path, _floaty(node))
        elif kind == "null":
            set_at(tree, path, None)
        elif kind == "empty":
            set_at(tree, path, draw(_EMPTIES))
        elif kind == "huge":
            set_at(tree, path, draw(huge_strings()))
        elif kind == "deep":
            keys = tuple(str(k) for k in path if isinstance(k, str)) or pools.keys[:3]
            leaf = node if draw(st.booleans()) else draw(pools.leaves)
            set_at(tree, path, nest(leaf, draw(_DEPTHS), keys, draw(_SHAPES)))
        elif kind == "unknown":
            set_at(tree, path, draw(_SENTINEL_VALUES))
        elif kind == "secret":
            wrapped = secret(node)
            set_at(tree, path, secret(wrapped) if draw(st.booleans()) else wrapped)
        elif kind == "respell":
            parent = _parent(tree, path)
            key = path[-1]
            assert isinstance(key, str)
            parent[respell(key, draw(_STYLES))] = parent.pop(key)
        elif kind == "delete":
            del _parent(tree, path)[path[-1]]
        elif kind == "vocab":
            set_at(tree, path, draw(pools.vocabulary))
        elif kind == "canary":
            set_at(tree, path, draw(canaries()))
        elif kind == "listify":
            set_at(tree, path, [node, copy.deepcopy(node)] if draw(st.booleans()) else [node])
        elif kind == "dictify":
            set_at(tree, path, {draw(pools.key_names): node})
    return tree


# ---------------------------------------------------------------------------------------------
# Cases


@dataclass(frozen=True)
class ResourceCase:
    type: str
    props: dict[str, Any]
    config: dict[str, Any]

    def __repr__(self) -> str:  # hypothesis prints falsifying examples: keep 100k strings readable
        return f"ResourceCase(type={self.type!r}, config={self.config!r}, props={_short(self.props)})"


@dataclass(frozen=True)
class StackCase:
    resources: tuple[SampleResource, ...]
    config: dict[str, Any]

    def __repr__(self) -> str:
        body = ", ".join(f"({r.type!r}, {r.name!r}, {_short(r.props)}, deps={dict(r.depends_on)!r})" for r in self.resources)
        return f"StackCase(config={self.config!r}, resources=[{body}])"


def _short(value: Any) -> str:
    text = repr(value)
    return re.sub(r"(.)\1{40,}", lambda m: f"{m.group(1)}*{len(m.group(0))}", text)


_CONFIGS: dict[tuple[str, str], st.SearchStrategy[dict[str, Any]]] = {}


def configs(rule: Rule, sample_config: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Mostly the sample's own config; sometimes the defaults, or a config whose values have
    the schema's type but odd contents (non-string list items, negative or huge numbers)."""
    key = (rule.name, repr(sorted(sample_config.items())))
    if key not in _CONFIGS:
        _CONFIGS[key] = _configs(rule, sample_config)
    return _CONFIGS[key]


def _configs(rule: Rule, sample_config: Mapping[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    def odd(option_index: int, value: Any) -> dict[str, Any]:
        option = rule.config_options[option_index]
        return {**dict(sample_config), option.name: value}

    options = rule.config_options
    # Config values are the user's own and may be quoted: no canaries here.
    config_leaves = plain_leaves().filter(lambda v: not (isinstance(v, str) and CANARY_MARK in v.lower()))
    odd_values = st.one_of(
        st.lists(st.one_of(config_leaves, st.sampled_from(sample_strings(rule))), max_size=4),
        st.sampled_from((0, -1, 0.5, 1e300, 10**30, True, False, "", "x")),
    )
    branches: list[st.SearchStrategy[dict[str, Any]]] = [st.just(dict(sample_config)), st.just(dict(sample_config)),
                                                          st.builds(dict)]
    if options:
        branches.append(st.builds(odd, st.integers(min_value=0, max_value=len(options) - 1), odd_values))
    return st.one_of(*branches)


def _sample_type(rule: ResourceRule, sample: Sample) -> str:
    return sample.type or rule.types[0]


def resource_cases(rule: ResourceRule) -> st.SearchStrategy[ResourceCase]:
    """Bags for ``rule``: its samples mutated (mostly), or random bags, under its types."""
    pools = pools_for(rule)
    samples = rule.samples or (Sample("empty", {}),)
    own_types = rule_types(rule)
    foreign = tuple(x for x in (*concrete_types((t.ALL_ML,)), *CLASSIC_ML_TYPES, *OTHER_AZURE_NATIVE_TYPES)
                    if not rule.applies_to(x))

    def from_sample(sample: Sample) -> st.SearchStrategy[ResourceCase]:
        types = st.one_of(st.just(_sample_type(rule, sample)), st.just(_sample_type(rule, sample)), type_tokens(own_types))
        return st.builds(ResourceCase, types, mutated(sample.props, pools), configs(rule, sample.config))

    mutated_samples = st.one_of(*(from_sample(s) for s in samples))
    random_types = type_tokens(own_types + foreign[:10]) if foreign else type_tokens(own_types)
    random_cases = st.builds(ResourceCase, random_types, random_bags(), configs(rule, {}))
    return st.one_of(mutated_samples, mutated_samples, mutated_samples, random_cases)


def _prefixed(sample: StackSample, prefix: str) -> tuple[SampleResource, ...]:
    """The sample's resources renamed ``<prefix><name>`` (dependencies follow), root stack dropped."""
    return tuple(replace(r, name=f"{prefix}{r.name}", depends_on={k: tuple(f"{prefix}{n}" for n in v) for k, v in r.depends_on.items()})
                 for r in sample.resources if r.type != t.STACK)


@st.composite
def _stack_from_sample(draw: st.DrawFn, rule: StackRule, sample: StackSample, pools: Pools) -> StackCase:
    resources = list(sample.resources)
    if not any(r.type == t.STACK for r in resources):
        resources.insert(0, SampleResource(t.STACK, "sample-dev", {}))
    names = {r.name for r in resources}
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(resources) - 1))
        resource = resources[index]
        new_type = resource.type
        if resource.type != t.STACK and draw(st.booleans()):
            new_type = versioned(resource.type, draw(st.sampled_from(API_VERSIONS)))
        resources[index] = replace(resource, type=new_type, props=draw(mutated(resource.props, pools)))
    if draw(st.integers(min_value=0, max_value=4)) == 0 and len(rule.samples) > 1:
        other = draw(st.sampled_from(rule.samples))
        resources.extend(_prefixed(other, "b-"))
    if draw(st.integers(min_value=0, max_value=4)) == 0:
        extra_type = draw(type_tokens(concrete_types((t.ALL_ML,))))  # cached strategy
        name = "extra"
        if name not in names:
            resources.append(SampleResource(extra_type, name, draw(random_bags())))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        root = resources[0]
        resources = [root, *draw(st.permutations(resources[1:]))]
    return StackCase(tuple(resources), draw(configs(rule, sample.config)))


def stack_cases(rule: StackRule) -> st.SearchStrategy[StackCase]:
    """Stacks for ``rule``: one of its samples with resources mutated, retyped, merged with
    another sample, extended or reordered; or a stack of random resources."""
    pools = pools_for(rule)
    samples = rule.samples or (StackSample("empty", (SampleResource(t.STACK, "sample-dev", {}),)),)
    from_samples = st.one_of(*(_stack_from_sample(rule, s, pools) for s in samples))
    random_resources = st.lists(
        st.builds(lambda ty, bag: (ty, bag), type_tokens(concrete_types((t.ALL_ML,)) + CLASSIC_ML_TYPES), random_bags()),
        max_size=5)
    random_stack = st.builds(
        lambda root, items, config: StackCase(
            (SampleResource(t.STACK, "sample-dev", root), *(SampleResource(ty, f"r{i}", bag) for i, (ty, bag) in enumerate(items))),
            config),
        random_bags(), random_resources, configs(rule, {}))
    return st.one_of(from_samples, from_samples, from_samples, random_stack)


def contains_unknown(value: Any) -> bool:
    """Whether a sentinel appears anywhere in ``value`` (keys included)."""
    if isinstance(value, str):
        return value in UNKNOWN_SENTINELS
    if isinstance(value, Mapping):
        return any(contains_unknown(k) or contains_unknown(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_unknown(v) for v in value)
    return False


# ---------------------------------------------------------------------------------------------
# Every single-point mutation (deterministic, complements the random combinations above)

POINT_CANARY = f"{CANARY_MARK}0point0"
POINT_VALUES: tuple[tuple[str, Any], ...] = (
    ("null", None), ("float", 3.5), ("integer", 3), ("bool", True), ("empty", ""), ("blank", "  "), ("latest", "latest"),
    ("huge", "a" * HUGE + "!"), ("huge list-ish", "," * HUGE), ("huge uri", "https://a.blob.core.windows.net/c?sig=" + "A" * HUGE),
    ("empty list", []), ("empty object", {}), ("nan", float("nan")), ("infinity", float("inf")),
    ("canary", POINT_CANARY), ("canary uri", f"azureml://registries/{POINT_CANARY}/models/{POINT_CANARY}/versions/1"),
    *((f"unknown {s[:8]}", s) for s in SENTINELS),
)


def point_mutations(bag: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, bag) for every node of ``bag`` replaced by each of ``POINT_VALUES``, wrapped in a
    secret envelope, put in a list, nested 60 levels deep; every key respelled and deleted."""
    base = copy.deepcopy(dict(bag))
    for path in node_paths(base):
        node = get_at(base, path)
        where = ".".join(str(k) for k in path)
        variants: list[tuple[str, Any]] = [*POINT_VALUES, ("secret", secret(node)), ("secret twice", secret(secret(node))),
                                           ("listed", [node]), ("deep", nest(node, 60, ("a",), 2))]
        for label, value in variants:
            tree = copy.deepcopy(base)
            set_at(tree, path, copy.deepcopy(value) if isinstance(value, (list, dict)) else value)
            yield f"{where} = {label}", tree
        if isinstance(path[-1], str) and not _in_envelope(base, path):
            for style in ("snake", "upper"):
                tree = copy.deepcopy(base)
                parent = _parent(tree, path)
                parent[respell(str(path[-1]), style)] = parent.pop(path[-1])
                yield f"{where} respelled {style}", tree
            tree = copy.deepcopy(base)
            del _parent(tree, path)[path[-1]]
            yield f"{where} deleted", tree

