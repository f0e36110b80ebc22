"""no-preview-api-versions: no resource declared with a preview API version of azure-native."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import types as t
from ..core.options import flag, strings
from ..core.rule import ResourceRule, Subject
from ..core.samples import Sample

AZURE_NATIVE_TYPES: Final = ("azure-native:*",)

# ML types whose default API version (the unversioned token) is a preview version in
# pulumi-azure-native 3.29. The pack cannot see which provider version a program uses, so
# judging unversioned tokens by this table is opt-in (flagPreviewDefaults).
PREVIEW_DEFAULT_TYPES: Final = frozenset(f"{t.ML}:{name}" for name in (
    "CapacityReservationGroup", "ConnectionDeployment", "ConnectionRaiBlocklist", "ConnectionRaiBlocklistItem",
    "ConnectionRaiPolicy", "EndpointDeployment", "EnvironmentSpecificationVersion", "InferenceEndpoint",
    "InferenceGroup", "InferencePool", "LabelingJob", "LinkedService", "LinkedWorkspace", "MachineLearningDataset",
    "MachineLearningDatastore", "OutboundRule", "RaiPolicy",
))


def _module(type_token: str) -> str | None:
    """``machinelearningservices`` for any spelling of an azure-native token, else None."""
    parts = t.canonical(type_token).split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "azure-native" else None


def _preview_api(subject: Subject) -> Iterator[str]:
    module = _module(subject.type)
    modules = {m.strip().lower() for m in subject.config["modules"] if isinstance(m, str)}
    if module is None or not ({"*", module.lower()} & modules):
        return
    version = t.api_version(subject.type)
    stable = t.canonical(subject.type)
    if version is not None:
        if "preview" in version.lower():
            yield (f"The type token pins API version {version} of azure-native {module}, a preview API; use a stable "
                   f"API version or the unversioned token {stable}.")
    elif subject.config["flagPreviewDefaults"] and stable in PREVIEW_DEFAULT_TYPES:
        yield (f"{stable} has no stable API version: its default API version in pulumi-azure-native 3.29 is a "
               "preview version.")


no_preview_api_versions = ResourceRule(
    name="no-preview-api-versions",
    title="No preview API versions",
    description="Azure ML resources must not be declared with a preview API version of azure-native.",
    details="Azure ML resources must not be declared with a preview API version (a versioned azure-native "
    "type token such as machinelearningservices/v20230401preview, as azure-native 2.x's versioned modules declare "
    "them). An unversioned token uses the provider's default API version, which the token does not show and which "
    "depends on the installed provider; such tokens pass unless flagPreviewDefaults is set.",
    severity=Severity.LOW,
    level=EnforcementLevel.MANDATORY,
    remediation="Use the unversioned token (e.g. azure-native.machinelearningservices.Workspace) or a local SDK "
    "package generated for a stable API version instead of a preview one. Extend or narrow the checked provider "
    "modules with this policy's modules config ('*' for every azure-native module).",
    unknowns="Judges only the type token, which is always known: never unknown during preview.",
    topics=("api", "preview", "unstable"),
    enforce={"modules": ["*"]},
    frameworks=(fw.PULUMI_NO_PREVIEW,),
    types=AZURE_NATIVE_TYPES,
    not_covered={t.ALL_CLASSIC_ML: "a classic token carries no API version: the classic provider picks its own"},
    options=(
        strings("modules", ["machinelearningservices"], "azure-native modules whose resources are checked ('*' for all)."),
        flag("flagPreviewDefaults", False, "Also flag unversioned tokens of ML types whose default API version in "
             "pulumi-azure-native 3.29 is a preview version (they have no stable API version to switch to)."),
    ),
    check=_preview_api,
    samples=(
        Sample("unversioned token", {"sku": {"name": "Basic"}}, type=t.WORKSPACE),
        Sample("stable version", {}, type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("other module not checked by default", {}, type="azure-native:storage/v20230101preview:StorageAccount",
               sdk=False),
        Sample("classic not judged", {"identity": {"type": "SystemAssigned"}}, type=t.CLASSIC_WORKSPACE),
        Sample("preview default passes unless asked", {}, type=f"{t.ML}:OutboundRule"),
        Sample("stable default with flagPreviewDefaults", {}, type=f"{t.ML}:Job", config={"flagPreviewDefaults": True}),
        Sample("preview version", {}, ("pins API version v20230401preview of azure-native machinelearningservices",),
               type="azure-native:machinelearningservices/v20230401preview:Workspace"),
        Sample("private preview", {}, ("v20181102privatepreview",),
               type="azure-native:machinelearningservices/v20181102privatepreview:Compute", sdk=False),
        Sample("2.x preview module", {"jobBaseProperties": {"jobType": "Command", "command": "x",
                                                            "environmentId": "azureml:env:1"}},
               ("pins API version v20240101preview",), type="azure-native:machinelearningservices/v20240101preview:Job"),
        Sample("names the stable replacement", {}, ("unversioned token azure-native:machinelearningservices:Job",),
               type="azure-native:machinelearningservices/v20240101preview:Job"),
        Sample("every module", {}, ("v20230101preview of azure-native storage",),
               type="azure-native:storage/v20230101preview:StorageAccount", config={"modules": ["*"]}, sdk=False),
        Sample("module case-insensitive", {}, ("a preview API",),
               type="azure-native:storage/v20230101preview:StorageAccount", config={"modules": ["Storage"]}, sdk=False),
        Sample("preview default flagged", {}, ("default API version in pulumi-azure-native 3.29 is a preview",),
               type=f"{t.ML}:OutboundRule", config={"flagPreviewDefaults": True}),
    ),
)
