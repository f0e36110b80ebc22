"""The differential check of ``policies/core/convert_once.py``: every request through the SDK's own
analyzer servicer and through ``ConvertOnceServicer``, with identical responses required (violations
with their messages, levels and URNs, diagnostics, not-applicable entries, remediations), or the same
exception when the SDK's servicer raises.

Two packs go through it: the rules (``policies.build_policies``) and ``probe_policies``, policies
that observe everything a policy can see (every value, its unknowns, iteration order, options,
provider, config, stack tags, parents and dependencies), write to what they were given through
every door the SDK leaves open, mark themselves not applicable, run async, remediate or fail, so
that a view shared between policies or a difference in what a policy sees shows up as a different
response.

This module imports only the pack, pulumi_policy, pulumi and protobuf, so that an interpreter with
another pulumi-policy (the floor's) runs it: ``python -m tests.differential CORPUS`` reads a corpus
that ``tests/test_convert_once.py`` wrote (``Corpus.dump``) and prints a JSON summary.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import text_format
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    ResourceValidationPolicy,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy
from pulumi_policy.version import VERSION

from policies import build_policies
from policies.core.convert_once import SDK_SERVICER, ConvertOnceServicer

PACKS = ("rules", "probes")
STACK_TAGS = {"team": "ml-platform", "env": "dev"}
_REQUEST: dict[str, Any] = {"Analyze": analyzer_pb2.AnalyzeRequest, "Remediate": analyzer_pb2.AnalyzeRequest,
            "AnalyzeStack": analyzer_pb2.AnalyzeStackRequest}


# -- what a policy can observe -------------------------------------------------------------------

def observe(value: Any) -> Any:
    """Everything a policy can read from ``value``, as JSON: keys in iteration order, leaves with
    their types, each unknown as the error it raises (path and message), proxy kinds, lengths,
    negative indices, slices, membership and child identity."""
    if isinstance(value, Mapping):
        items = []
        for key in value:
            try:
                child = value[key]
                items.append([key, observe(child), isinstance(child, (Mapping, list, _ListProxy)) and value[key] is child])
            except UnknownValueError as exc:
                items.append([key, ["unknown", exc.props, exc.message]])
        return ["map", isinstance(value, _DictProxy), len(value), "absent-key" in value, value.get("absent-key", 0), items]
    if isinstance(value, (list, _ListProxy)):
        elements = []
        for index in range(len(value)):
            try:
                elements.append(observe(value[index]))
            except UnknownValueError as exc:
                elements.append(["unknown", exc.props, exc.message])
        try:
            last = observe(value[-1]) if len(value) else None
        except UnknownValueError as exc:
            last = ["unknown", exc.props, exc.message]
        return ["list", isinstance(value, _ListProxy), len(value), elements, last, [observe_raw(v) for v in value[:3]]]
    return observe_raw(value)


def observe_raw(value: Any) -> Any:
    """A value as stored, without reading through it (slices and targets hold unknowns raw)."""
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return ["asset", type(value).__name__, {k: observe_raw(v) for k, v in sorted(vars(value).items())}]
    if isinstance(value, (Mapping, list, _ListProxy)):
        return ["map" if isinstance(value, Mapping) else "list", isinstance(value, (_DictProxy, _ListProxy)), len(value)]
    return [type(value).__name__, repr(value)]


def _options(opts: Any) -> Any:
    timeouts = opts.custom_timeouts
    return [opts.protect, list(opts.ignore_changes), opts.delete_before_replace, list(opts.aliases),
            [timeouts.create_seconds, timeouts.update_seconds, timeouts.delete_seconds], list(opts.additional_secret_outputs),
            opts.parent]


def _provider(provider: Any) -> Any:
    return None if provider is None else [provider.resource_type, provider.urn, provider.name, observe(provider.props)]


def _resource_view(args: Any) -> str:
    return json.dumps([args.resource_type, args.urn, args.name, observe(args.props), _options(args.opts), _provider(args.provider),
                       dict(args.get_config()), dict(getattr(args, "stack_tags", {}))])


def _stack_view(args: Any) -> str:
    position = {id(r): i for i, r in enumerate(args.resources)}
    return json.dumps([[r.resource_type, r.urn, r.name, observe(r.props), _options(r.opts), _provider(r.provider),
                        position.get(id(r.parent), r.parent and "elsewhere"), [position.get(id(d)) for d in r.dependencies],
                        {k: [position.get(id(d)) for d in v] for k, v in r.property_dependencies.items()}]
                       for r in args.resources] + [dict(args.get_config()), dict(getattr(args, "stack_tags", {}))])


# -- probe policies ------------------------------------------------------------------------------

def _write_everywhere(props: Any) -> None:
    """Write through every door the SDK leaves open: item assignment at each level, the
    ``__target`` of maps and lists, and assets' attributes."""
    props["probe-written"] = "top"
    target = props["__target"]
    target["probe-target"] = True
    for value in list(target.values()):
        if isinstance(value, _DictProxy):
            value["probe-written"] = 1
            value["__target"].pop(next(iter(value["__target"]), None), None)
        elif isinstance(value, _ListProxy):
            value["__target"].append("probe-appended")
            value["__target"].reverse()
        elif isinstance(value, (pulumi.FileAsset, pulumi.FileArchive)):
            value.path = "probe-changed"


def _writer(args: Any, report: Callable[..., None]) -> None:
    _write_everywhere(args.props)
    args.opts.protect = not args.opts.protect
    args.opts.custom_timeouts.create_seconds = 99.0
    if args.provider is not None:
        _write_everywhere(args.provider.props)
        args.provider.urn = "probe-changed"
    args.get_config()["probe"] = "written"
    args.urn = "probe-changed"
    report(_resource_view(args))


def _reader(args: Any, report: Callable[..., None]) -> None:
    report(_resource_view(args))


async def _async_reader(args: Any, report: Callable[..., None]) -> None:
    report(_resource_view(args))


def _strict(args: Any, report: Callable[..., None]) -> None:
    """Reads every top-level value without catching: the first unknown ends the policy."""
    report(f"keys {list(args.props)}")
    for key in args.props:
        if isinstance(args.props[key], Mapping):
            dict(args.props[key])


def _not_applicable(args: Any, report: Callable[..., None]) -> None:
    if len(args.props) % 2:
        args.not_applicable(f"odd number of properties ({len(args.props)})")
    report("even")


def _remediate(args: Any) -> Any:
    if "probe-fixed" in args.props:
        return None
    fixed = {key: args.props[key] for key in args.props if isinstance(key, str) and not key.startswith("a")}
    return {**fixed, "probe-fixed": args.name}


def _boom(args: Any, report: Callable[..., None]) -> None:
    raise RuntimeError(f"boom on {args.name if hasattr(args, 'name') else 'the stack'}")


def _stack_writer(args: Any, report: Callable[..., None]) -> None:
    for resource in args.resources:
        _write_everywhere(resource.props)
        resource.parent = None
        resource.dependencies.clear()
        resource.property_dependencies.clear()
        resource.opts.protect = True
    args.resources.reverse()
    report(_stack_view(args), args.resources[0].urn if args.resources else None)


def _stack_reader(args: Any, report: Callable[..., None]) -> None:
    report(_stack_view(args), args.resources[-1].urn if args.resources else None)


def _stack_strict(args: Any, report: Callable[..., None]) -> None:
    for resource in args.resources:
        for key in resource.props:
            resource.props[key]
    report("no unknown")


def probe_policies() -> list[Any]:
    """The probe pack: writers run before readers, so a shared view would leak into a reader's report."""
    resource = ResourceValidationPolicy
    stack = StackValidationPolicy
    return [
        resource("probe-writer", "writes everywhere", validate=_writer),
        resource("probe-reader", "reads everything", validate=_reader, enforcement_level=EnforcementLevel.MANDATORY),
        resource("probe-async", "reads everything, async", validate=_async_reader),
        resource("probe-strict", "stops at the first unknown", validate=_strict),
        resource("probe-not-applicable", "not applicable on odd", validate=_not_applicable),
        resource("probe-remediate-only", "remediates", remediate=_remediate),
        resource("probe-validate-remediate", "both", validate_remediate=lambda args, report: _remediate(args)),
        resource("probe-boom", "raises", validate=_boom, enforcement_level=EnforcementLevel.DISABLED),
        stack("probe-stack-writer", "writes everywhere", validate=_stack_writer),
        stack("probe-stack-reader", "reads everything", validate=_stack_reader),
        stack("probe-stack-strict", "stops at the first unknown", validate=_stack_strict),
        stack("probe-stack-boom", "raises", validate=_boom, enforcement_level=EnforcementLevel.DISABLED),
    ]


# -- running both servicers ------------------------------------------------------------------------

def servicers(pack: str) -> tuple[Any, Any]:
    """The SDK's servicer and the adapter's over separate instances of ``pack``'s policies, with
    the stack's tags configured where the SDK takes them (1.19.0+)."""
    pair = []
    for cls in (SDK_SERVICER, ConvertOnceServicer):
        policies = build_policies() if pack == "rules" else probe_policies()
        servicer = cls(pack, "0.0.1", policies, EnforcementLevel.ADVISORY, None, None, None, None, None, None, None)
        if "ConfigureStack" in vars(SDK_SERVICER):
            servicer.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(tags=STACK_TAGS), None)
        pair.append(servicer)
    return pair[0], pair[1]


def outcome(servicer: Any, method: str, request: Any) -> tuple[str, str]:
    """The response in text form, or the exception the call raised."""
    try:
        return "response", text_format.MessageToString(getattr(servicer, method)(request, None))
    except Exception as exc:  # noqa: BLE001 - a raised call is an outcome to compare
        return "raised", f"{type(exc).__name__}: {exc}"


def difference(pair: tuple[Any, Any], method: str, request: Any) -> str | None:
    """None when both servicers answer alike, else the first differing line of each."""
    stock, fast = outcome(pair[0], method, request), outcome(pair[1], method, request)
    if stock == fast:
        return None
    lines = list(zip(stock[1].splitlines(), fast[1].splitlines()))
    first = next(((a, b) for a, b in lines if a != b), (stock[1][-300:], fast[1][-300:]))
    return f"stock {stock[0]}: {first[0][:300]!r} / convert-once {fast[0]}: {first[1][:300]!r}"


@dataclass(frozen=True)
class Case:
    label: str
    pack: str
    config: int  # index into Corpus.configs
    method: str
    request: Any


@dataclass
class Corpus:
    configs: list[analyzer_pb2.ConfigureAnalyzerRequest] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    def config(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> int:
        self.configs.append(request)
        return len(self.configs) - 1

    def dump(self, path: Path) -> int:
        """Write the corpus; cases whose request cannot be serialised (nested deeper than protobuf
        allows) are left out. Returns how many were written."""
        def encode(message: Any) -> str | None:
            try:
                data = message.SerializeToString(deterministic=True)
                type(message).FromString(data)
            except Exception:  # noqa: BLE001 - protobuf's recursion limit
                return None
            return base64.b64encode(data).decode("ascii")

        cases = [dict(label=c.label, pack=c.pack, config=c.config, method=c.method, request=encode(c.request)) for c in self.cases]
        kept = [c for c in cases if c["request"] is not None]
        path.write_text(json.dumps({"configs": [encode(c) for c in self.configs], "cases": kept}), encoding="utf-8")
        return len(kept)

    @staticmethod
    def load(path: Path) -> Corpus:
        data = json.loads(path.read_text(encoding="utf-8"))
        decode = base64.b64decode
        return Corpus([analyzer_pb2.ConfigureAnalyzerRequest.FromString(decode(c)) for c in data["configs"]],
                      [Case(c["label"], c["pack"], c["config"], c["method"], _REQUEST[c["method"]].FromString(decode(c["request"])))
                       for c in data["cases"]])


def run(corpus: Corpus, cases: Sequence[Case] | None = None) -> list[str]:
    """Every case through both servicers of its pack (configured with its config); the differences."""
    pairs: dict[str, tuple[Any, Any]] = {}
    configured: dict[str, int] = {}
    found = []
    for case in corpus.cases if cases is None else cases:
        pair = pairs.get(case.pack) or pairs.setdefault(case.pack, servicers(case.pack))
        if configured.get(case.pack) != case.config:
            configure = difference(pair, "Configure", corpus.configs[case.config])
            if configure:
                found.append(f"{case.label} [{case.pack} Configure]: {configure}")
            if outcome(pair[0], "Configure", corpus.configs[case.config])[0] == "raised":
                configured.pop(case.pack, None)  # a config the SDK cannot convert (infinity): nothing to analyze
                continue
            configured[case.pack] = case.config
        problem = difference(pair, case.method, case.request)
        if problem:
            found.append(f"{case.label} [{case.pack} {case.method}]: {problem}")
    return found


def main(argv: Sequence[str]) -> int:
    corpus = Corpus.load(Path(argv[0]))
    found = run(corpus)
    print(json.dumps({"pulumi_policy": VERSION, "cases": len(corpus.cases), "differences": found[:20], "count": len(found)}))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
