"""What the access rules read of one role assignment, each read once and only when a rule needs it
(a value unknown during preview then decides only what it must: ``estate.all_hold``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import shape
from ..core.options import flag
from ..core.resources import access as ra
from ..core.stack import StackItem, derived, judge_each
from .estate import Estate, Target, estate_of

_GUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)  # an object id
WORKSPACE_CONTRIBUTOR: Final = flag(
    "workspaceIdentityContributor", True,
    "Let a workspace's own managed identity hold Contributor on the resources that workspace depends on (storage, "
    "key vault, container registry, Application Insights), as Microsoft Learn requires of a user-assigned workspace "
    "identity ('Set up authentication between Azure Machine Learning and other services').")
WORKSPACE_CONTRIBUTOR_NOTE: Final = (
    "A workspace's own managed identity may hold Contributor on the resources that workspace depends on "
    "(workspaceIdentityContributor, on by default): Microsoft Learn ('Set up authentication between Azure Machine "
    "Learning and other services') requires it of a user-assigned workspace identity.")


@dataclass
class Facts:
    item: StackItem  # the assignment
    estate: Estate
    _role: ra.Role | None = None
    _target: Target | None = None
    _served: set[str] | None = None

    @property
    def role(self) -> ra.Role:
        if self._role is None:
            self._role = ra.read_role(self.item.type, self.item.props)
        return self._role

    @property
    def target(self) -> Target:
        if self._target is None:
            self._target = self.estate.target(self.item)
        return self._target

    @property
    def served(self) -> set[str]:
        """The ML resources whose managed identity the principal is."""
        if self._served is None:
            self._served = self.estate.identities(self.item)
        return self._served

    def workspace_contributor(self, config: Mapping[str, Any]) -> bool:
        """Contributor held by a workspace's own identity on a resource that workspace depends on."""
        return (config.get("workspaceIdentityContributor") is True and self.role.guid == ra.CONTRIBUTOR
                and self.target.kind == "workspace dependency" and bool(self.served & self.target.workspaces))

    def principal(self) -> str:
        """The principal, for a message: its id and type as far as they are known."""
        key = shape.path_of(self.item.type, self.item.props, ra.PRINCIPAL_ID) or "principalId"
        value = p.get_or_unknown(self.item.props, key)
        ident = f"principal {value.strip()}" if isinstance(value, str) and _GUID.match(value.strip()) else "the principal"
        try:
            served = self.served
        except UnknownValueError:  # the verdict did not need it: the message says less
            served = set()
        if served:
            ident += " (the managed identity of " + ", ".join(sorted(_short(u) for u in served)) + ")"
        try:
            _, said = ra.principal_type(self.item.type, self.item.props)
        except UnknownValueError:
            said = "principalType unknown"
        return f"{ident}, {said}"

    def where(self) -> str:
        target = self.target
        return f"{target.what} ({target.kind})" if target.what else target.kind

    def role_text(self) -> str:
        role = self.role
        if role.readable:
            return role.label()
        return f"{role.path} ({role.written}) naming no role" if role.written else f"no role ({role.path} absent)"


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


def entries(config: Mapping[str, Any], key: str) -> frozenset[str]:
    values = config.get(key)
    return ra.role_entries(values if isinstance(values, Sequence) and not isinstance(values, str) else ())


def each_assignment(judge: Callable[[Facts, Mapping[str, Any]], str | None]
                    ) -> Callable[[Sequence[StackItem], Mapping[str, Any]], Iterator[tuple[str, str | None]]]:
    """A stack check that judges every role assignment of the stack against the estate, indexed once."""

    def check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
        estate = derived(items, estate_of)
        index = estate.index
        yield from judge_each(index.of_type(*ra.TYPES), lambda item: judge(Facts(item, estate), config))

    return check
