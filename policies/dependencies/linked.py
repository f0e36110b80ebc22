"""The resources a workspace stands on, found in the stack, and the stack check that judges each
one once with resource checks (``core.checks``) as if it were the subject of a resource rule.

A workspace names its storage account, key vault, container registry and Application Insights
component by ARM id (``storageAccount``, ``keyVault``, ``containerRegistry``,
``applicationInsights``; classic ``*_id``); ``core.linking`` finds them by property dependency, by
id or by name. One not declared in this stack cannot be judged and is not reported (as
hbi-workspace-storage-private does). A resource several workspaces name is judged once, and the
violation is reported on it, naming the first workspace that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import shape
from ..core.linking import Linker, linker_of
from ..core.resources import dependencies as dx
from ..core.resources import workspace as ws
from ..core.rule import ResourceCheck, StackCheck, Subject
from ..core.shape import Setting
from ..core.stack import StackItem, derived


@dataclass(frozen=True)
class Dependency:
    """One kind of resource a workspace stands on: what it is called, its types, where the
    workspace names it and how a program passes it so that the link is known during preview."""

    what: str
    types: tuple[str, ...]
    reference: Setting
    fix: str


STORAGE: Final = Dependency("storage account", dx.STORAGE_TYPES, dx.WORKSPACE_STORAGE, "storage_account=account.id")
KEY_VAULT: Final = Dependency("key vault", dx.KEY_VAULT_TYPES, dx.WORKSPACE_KEY_VAULT, "key_vault=vault.id")
REGISTRY: Final = Dependency("container registry", dx.REGISTRY_TYPES, dx.WORKSPACE_REGISTRY,
                             "container_registry=registry.id")
APP_INSIGHTS: Final = Dependency("Application Insights component", dx.APP_INSIGHTS_TYPES, dx.WORKSPACE_APP_INSIGHTS,
                                 "application_insights=component.id")

# Which workspaces' dependencies a check judges (all of them unless told).
WorkspaceFilter = Callable[[StackItem], bool]


def linked(workspace: StackItem, dependency: Dependency, linker: Linker) -> list[StackItem]:
    """The resources of ``dependency`` the workspace names, when declared in this stack; raises
    ``Unlinked`` when that cannot be told during preview. Nothing when the workspace names none."""
    key = shape.path_of(workspace.type, workspace.props, dependency.reference) or ""
    if not key or (not workspace.built_from(key) and not p.present(p.get_or_unknown(workspace.props, key))):
        return []
    fix = f"pass the {dependency.what}'s output instead of a string ({dependency.fix})"
    return linker.find(workspace, dependency.types, key=key, what=dependency.what, fix=fix).require()


def dependency_check(*parts: tuple[Dependency, tuple[ResourceCheck, ...], WorkspaceFilter | None]) -> StackCheck:
    """A stack check: for each (dependency, checks, workspace filter), every resource of that kind
    a (filtered) workspace names is judged once by the checks. A value unknown during preview skips
    what it decides and is raised after everything else is reported."""

    def check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
        linker = derived(items, linker_of)
        index = linker.index
        workspaces = index.of_type(*ws.TYPES)
        pending: UnknownValueError | None = None
        for dependency, checks, wanted in parts:
            seen: set[str] = set()
            for workspace in workspaces:
                try:
                    # The resources first: with none of them in the stack there is nothing to judge, whatever the
                    # workspace's own settings (which may be unknown during preview).
                    targets = linked(workspace, dependency, linker)
                    if targets and wanted is not None and not wanted(workspace):
                        continue
                except UnknownValueError as exc:
                    pending = pending or exc
                    continue
                for target in targets:
                    if target.urn in seen:
                        continue
                    seen.add(target.urn)
                    subject = Subject(target.type, target.name, target.urn, target.props, config)
                    for part in checks:
                        try:
                            for message in part(subject):
                                yield f"The {dependency.what} of workspace '{workspace.name}': {message}", target.urn
                        except UnknownValueError as exc:
                            pending = pending or exc
        if pending is not None:
            raise pending

    return check
