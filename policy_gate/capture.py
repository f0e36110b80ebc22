"""What the gate analyses: the resources of one stack, in the engine's wire form.

The program runner (``policy_gate.runner``) writes a capture as JSON (``policy_gate.program``
adds the stack's config); other inputs are converted into the same shape. Property bags stay
in wire form (camelCase keys, floats, secret envelopes, unknown sentinels) because that is
what the engine sends the pack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import redaction
from .wire import PROVIDER_TYPE_PREFIX, STACK_TYPE, root_stack_urn


@dataclass
class Resource:
    urn: str
    type: str
    name: str
    custom: bool = True
    id: str = ""
    parent: str = ""
    provider: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    additional_secret_outputs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    delete_before_replace: bool | None = None
    custom_timeouts: dict[str, str] | None = None
    source: dict[str, Any] | None = None
    # The output properties the type really has (the program runner knows them from the SDK);
    # the runner's outputs also echo inputs that are none of them. None when unknown.
    output_names: list[str] | None = None
    external: bool = False  # a read (``Resource.get``): the program does not manage it

    @property
    def is_root_stack(self) -> bool:
        return self.type == STACK_TYPE and not self.parent

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Resource:
        return cls(
            urn=data["urn"], type=data["type"], name=data.get("name", ""), custom=bool(data.get("custom", True)),
            id=data.get("id") or "", parent=data.get("parent") or "", provider=data.get("provider") or "",
            inputs=dict(data.get("inputs") or {}), outputs=dict(data.get("outputs") or {}),
            dependencies=list(data.get("dependencies") or []),
            property_dependencies={k: list(v) for k, v in (data.get("propertyDependencies") or {}).items()},
            protect=bool(data.get("protect", False)), ignore_changes=list(data.get("ignoreChanges") or []),
            additional_secret_outputs=list(data.get("additionalSecretOutputs") or []),
            aliases=list(data.get("aliases") or []), delete_before_replace=data.get("deleteBeforeReplace"),
            custom_timeouts=data.get("customTimeouts"), source=data.get("source"),
            output_names=list(data["outputNames"]) if isinstance(data.get("outputNames"), list) else None,
            external=bool(data.get("external", False)),
        )


# What a capture came from; it decides which engine path the analysis follows
# (``analyzer.session``): a program or a preview file as ``pulumi preview``/``up``, a state
# file as ``pulumi policy analyze``.
KINDS = ("program", "preview", "state")


@dataclass
class Capture:
    project: str
    stack: str
    organization: str = "organization"
    dry_run: bool = False
    resources: list[Resource] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # "project:key" -> value, as PULUMI_CONFIG carries it
    config_secret_keys: list[str] = field(default_factory=list)  # the config keys whose values are secret
    source_dir: str | None = None  # the program directory, when the gate ran a program
    description: str | None = None  # the program's Pulumi.yaml description, when the gate ran a program
    warnings: list[str] = field(default_factory=list)  # what was not checked as written (printed, reported)
    program_errors: list[str] = field(default_factory=list)  # the program's pulumi.log.error messages
    runtime: dict[str, str] = field(default_factory=dict)  # the program's interpreter and pulumi version
    export_sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # export name -> its pulumi.export line
    # Export name -> what the export is, from the program's own capture (runner.exports): sent as the
    # root stack's property dependencies in AnalyzeStack. Empty for a state or preview file.
    export_provenance: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "program"  # one of KINDS
    # The secret strings of every property bag, when the reader collected them as it read (a state
    # or preview file: inputs._opaque_secrets); else secret_strings walks the bags.
    bag_secrets: set[str] | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Capture:
        return cls(
            project=data.get("project", "project"), stack=data.get("stack", "dev"),
            organization=data.get("organization", "organization"), dry_run=bool(data.get("dryRun", False)),
            resources=[Resource.from_json(r) for r in data.get("resources", [])],
            config=dict(data.get("config") or {}), export_sources=dict(data.get("exportSources") or {}),
            export_provenance={str(k): [str(u) for u in v] for k, v in (data.get("exportProvenance") or {}).items()},
            warnings=[str(w) for w in data.get("warnings") or []],
            program_errors=[str(e) for e in data.get("programErrors") or []],
            runtime={str(k): str(v) for k, v in (data.get("runtime") or {}).items()},
        )

    def by_urn(self) -> dict[str, Resource]:
        return {r.urn: r for r in self.resources}

    def analysed(self) -> list[Resource]:
        """The resources the engine sends to analyzers. For a program or a preview: every
        registered resource, the root stack and providers included, but no read, which reaches
        neither Analyze nor AnalyzeStack (pulumi/pulumi ``pkg/resource/deploy/step_generator.go``
        ``GenerateReadSteps``: no analyzer call; ``step_executor.go``: a read has no goal, so it
        is not in the deployment's resources). For state: every resource the file holds, reads
        included (``pkg/resource/deploy/analyze_snapshot.go``; deleted ones were never loaded)."""
        return self.resources if self.kind == "state" else [r for r in self.resources if not r.external]

    @property
    def root_urn(self) -> str:
        """The root stack's URN: its resource's, else the one the engine would give it."""
        root = next((r for r in self.resources if r.is_root_stack), None)
        return root.urn if root else root_stack_urn(self.stack, self.project)

    def secret_strings(self) -> set[str]:
        """Every secret value of the capture as a message would show it (``redaction``): the
        gate redacts these from everything it prints, whatever a policy wrote."""
        found = redaction.config_secrets(self.config, self.config_secret_keys)
        if self.bag_secrets is not None:
            found |= self.bag_secrets
        else:
            for resource in self.resources:
                for bag in (resource.inputs, resource.outputs):
                    redaction.collect(bag, found)
        return {s for s in found if len(s) >= redaction.MIN_LENGTH}

