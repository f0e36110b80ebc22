"""environment-image-pinned: environment versions, and environments defined inline in job
definitions, use an image from an allowed registry pinned by tag or digest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.credentials import credential_value_reason
from ..core.options import flag, strings
from ..core.resources import assets as av
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read
from . import samples as js
from .model import JOB_TYPES, JobNode, per_node

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$", re.IGNORECASE)
DOCKER_HUB: Final = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    registry: str  # lower-cased host[:port]; docker.io when the image names none
    repository: str  # lower-cased path without tag
    tag: str | None
    digest: str | None


def parse_image(image: str) -> ImageRef:
    """Split a container image reference (``[registry/]repo[:tag][@digest]``) the way Docker does:
    the first component is a registry only when it has a dot or a port, or is ``localhost``."""
    text = image.strip()
    name, _, digest = text.partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first.lower() == "localhost"):
        registry, path = first.lower(), rest
    else:
        registry, path = DOCKER_HUB, name
    head, _, last = path.rpartition("/")
    repo_last, colon, tag = last.partition(":")
    repository = f"{head}/{repo_last}" if head else repo_last
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(registry, repository.lower(), tag if colon else None, digest or None)


def registry_allowed(ref: ImageRef, allowed: Iterable[str]) -> bool:
    """Entries are a registry host (``myacr.azurecr.io``), a wildcard host (``*.azurecr.io``) or a
    host with a repository prefix (``myacr.azurecr.io/team``, as Azure Policy 5853517a accepts)."""
    for entry in allowed:
        host, _, prefix = entry.strip().lower().rstrip("/").partition("/")
        if host.startswith("*."):
            host_ok = ref.registry.endswith(host[1:]) and len(ref.registry) > len(host) - 1
        else:
            host_ok = ref.registry == host
        if host_ok and (not prefix or ref.repository == prefix or ref.repository.startswith(f"{prefix}/")):
            return True
    return False


def _image(path: str, image: Any, config: Mapping[str, Any]) -> Iterator[str]:
    if not isinstance(image, str):
        yield f"{path} is {p.type_name(image)}, not a container image reference."
        return
    if not image.strip():
        yield f"{path} is empty; name a container image."
        return
    ref = parse_image(image)
    allowed = [r for r in config["allowedRegistries"] if isinstance(r, str)]
    if not registry_allowed(ref, allowed):
        yield f"{path} comes from a registry that is not in allowedRegistries (allowed: {', '.join(allowed) or 'none'})."
    if ref.digest is not None:
        if not _DIGEST.match(ref.digest):
            yield f"{path} has a digest that is not sha256:<64 hex digits>."
        return
    if config["requireDigest"]:
        yield f"{path} is not pinned by digest (@sha256:...), which requireDigest demands."
    elif ref.tag is None or not ref.tag.strip():
        yield f"{path} names no tag, which means 'latest'; pin a version tag or a digest."
    elif ref.tag.strip().lower() == "latest":
        yield f"{path} uses the tag 'latest'; pin a version tag or a digest."


def _build_context(path: str, build: Mapping[str, Any]) -> Iterator[str]:
    for key in p.keys_named(build, "contextUri", "path"):
        value = p.get(build, [key])
        reason = credential_value_reason(value) if isinstance(value, str) else None
        if reason:
            yield f"{path}.{key} carries a credential ({reason}); let the workspace identity read the build context."


def _environment(path: str, body: Mapping[str, Any] | None, config: Mapping[str, Any]) -> Iterator[str]:
    """An environment definition (EnvironmentVersion properties, or an inline job environment)."""
    image_key = p.first_key(body, "image")
    build_key = p.first_key(body, "build")
    image = p.get(body, [image_key]) if body is not None and image_key else p.MISSING
    build = p.get(body, [build_key]) if body is not None and build_key else p.MISSING
    if p.present(image):
        yield from _image(f"{path}.{image_key}", image, config)
    if isinstance(build, Mapping):
        yield from _build_context(f"{path}.{build_key}", build)
    elif not p.present(image):
        yield f"{path} declares neither an image nor a build context."


def _inline_environments(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    for key in p.keys_named(node.body, "environment", "environmentId"):
        value = p.get(node.body, [key])
        if isinstance(value, Mapping):
            yield from _environment(node.child_path(key), value, config)


def _environment_image(subject: Subject) -> Iterator[str]:
    if t.canonical(subject.type) in av.ENVIRONMENT_VERSIONS:
        body = read(subject.type, subject.props, av.BODY)
        if body is not None:
            yield from _environment(body.path, body.raw if isinstance(body.raw, Mapping) else None, subject.config)
    else:
        yield from per_node(_inline_environments)(subject)


_MCR_IMAGE: Final = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1"
_SHA: Final = "sha256:" + "ab12" * 16


def _env(**properties: Any) -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "name": "train-env", "version": "3",
            "properties": {"osType": "Linux", "isAnonymous": False, **properties}}


environment_image_pinned = ResourceRule(
    name="environment-image-pinned",
    title="Environment images are pinned and approved",
    description="Environments must use an image from an allowed registry pinned by tag or digest, or a build context without a SAS token.",
    details="Environment versions (and environments defined inline in job definitions) must use an image from an "
    "allowed registry, pinned by a version tag or a sha256 digest; an image without a tag means 'latest'. An "
    "environment built from a build context instead must not carry a SAS token in its context URI. An environment "
    "with neither an image nor a build context is a violation.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Use an image from an allowed registry (allowedRegistries; e.g. mcr.microsoft.com or your own "
    "*.azurecr.io registry) with a version tag or @sha256:<digest> (requireDigest demands a digest). For build "
    "contexts, remove the SAS token from properties.build.contextUri and grant the workspace identity read access.",
    unknowns=f"An image or context URI unknown during preview (e.g. built from a registry's login server output): {SDK_ADVISORY}.",
    topics=("supply-chain", "reproducibility"),
    frameworks=(fw.AZ_ALLOWED_REGISTRIES,),
    types=(*av.ENVIRONMENT_VERSIONS, *JOB_TYPES),
    enforce={"requireDigest": True},
    options=(
        strings("allowedRegistries", ["mcr.microsoft.com"], "Registries images may come from: a host (myacr.azurecr.io), a "
                "wildcard host (*.azurecr.io) or a host with a repository prefix (myacr.azurecr.io/team); compared "
                "case-insensitively. Images without a registry come from docker.io."),
        flag("requireDigest", False, "Require a sha256 digest rather than a version tag."),
    ),
    check=_environment_image,
    samples=(
        Sample("mcr tagged", _env(image=_MCR_IMAGE)),
        Sample("digest, own registry by wildcard", _env(image=f"Myacr.azurecr.io/team/train@{_SHA}"),
               config={"allowedRegistries": ["*.azurecr.io"], "requireDigest": True}),
        Sample("registry with repository prefix", {"properties": {"image": "myacr.azurecr.io/team/x:1.2"}},
               config={"allowedRegistries": ["myacr.azurecr.io/team"]}),
        Sample("build context, snake_case", {"properties": {"build": {"context_uri": "https://a.blob.core.windows.net/c/"}}}),
        Sample("registry environment version", {"environmentName": "e", "registryName": "r", "version": "1",
                                                "properties": {"image": _MCR_IMAGE}}, type=t.REGISTRY_ENVIRONMENT_VERSION),
        Sample("build context without SAS", _env(build={"contextUri": "https://acct.blob.core.windows.net/ctx/",
                                                         "dockerfilePath": "Dockerfile"})),
        Sample("job with registered environment only", js.job(js.command()), type=t.JOB),
        Sample("inline step environment pinned, 2.x versioned module", js.job_an2(js.pipeline({"s": js.step(
            environment={"image": _MCR_IMAGE, "conda_file": "conda.yml"})})), type=js.VERSIONED_JOB),
        Sample("2.x environment version", {"workspaceName": "ws", "name": "e", "version": "1",
                                           "environmentVersionProperties": {"image": _MCR_IMAGE}}, type=t.ENVIRONMENT_VERSION),
        Sample("no tag", _env(image="mcr.microsoft.com/azureml/curated"), ("properties.image names no tag",)),
        Sample("latest and docker hub", _env(image="python:latest"),
               ("properties.image comes from a registry that is not in allowedRegistries", "uses the tag 'latest'")),
        Sample("digest required", _env(image=_MCR_IMAGE), ("is not pinned by digest",), config={"requireDigest": True}),
        Sample("bad digest", _env(image="mcr.microsoft.com/x@sha256:1234"), ("digest that is not sha256",)),
        Sample("wildcard does not match the bare domain", _env(image="azurecr.io/x:1"),
               ("not in allowedRegistries (allowed: *.azurecr.io)",), config={"allowedRegistries": ["*.azurecr.io"]}),
        Sample("prefix is a path boundary", _env(image="myacr.azurecr.io/teamx/x:1"),
               ("not in allowedRegistries",), config={"allowedRegistries": ["myacr.azurecr.io/team"]}),
        Sample("SAS build context", _env(build={"contextUri": "https://a.blob.core.windows.net/ctx?sv=2022-11-02&sig=abcdefghijklmnopqrstuvwx"}),
               ("properties.build.contextUri carries a credential",)),
        Sample("neither image nor build", _env(), ("declares neither an image nor a build context",)),
        Sample("2.x latest image", {"workspaceName": "ws", "name": "e", "version": "1",
                                    "environmentVersionProperties": {"image": "mcr.microsoft.com/azureml/curated:latest"}},
               ("environmentVersionProperties.image uses the tag 'latest'",), type=t.ENVIRONMENT_VERSION),
        Sample("2.x schedule, inline environment", js.schedule_an2(js.pipeline({"a": js.step(environment={"image": "ubuntu:22.04"})})),
               ("scheduleProperties.action.jobBaseProperties.jobs.a.environment.image comes from a registry",),
               type=t.SCHEDULE),
        Sample("image wrong type", _env(image=3.0), ("properties.image is a number",)),
        Sample("inline environments in jobs", js.schedule(js.pipeline({
            "a": js.step(environment={"image": "ubuntu"}),
            "b": js.step(environment={"build": {"path": "https://a.blob.core.windows.net/c?sp=r&sig=abcdefghijklmnopqrstuvwx"}}),
        })), ("properties.action.jobDefinition.jobs.a.environment.image comes from a registry",
              "properties.action.jobDefinition.jobs.a.environment.image names no tag",
              "properties.action.jobDefinition.jobs.b.environment.build.path carries a credential"), type=t.SCHEDULE),
    ),
)
