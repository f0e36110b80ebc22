"""Where the pack and its documentation live, for the links Pulumi Cloud and the CLI show.

``REPOSITORY`` is the pack's ``repository``; ``DOCS_BASE`` is the one documentation base every
link is built from: each rule's ``url`` (its entry in ``docs/catalogue.md``) and the relative
links of the README the pack publishes as its ``readme``. A fork points both at itself by
setting ``REPOSITORY`` (and ``DOCS_BASE`` when its documentation lives elsewhere or its default
branch is not ``main``); nothing else names the repository (README.md, "Publishing").
"""

from __future__ import annotations

from typing import Final

REPOSITORY: Final = "https://github.com/azure-ml-governance/azure-ml-governance"
DOCS_BASE: Final = f"{REPOSITORY}/blob/main"
CATALOGUE_PATH: Final = "docs/catalogue.md"


def doc_url(path: str) -> str:
    """The documentation URL of a repository-relative ``path`` (``docs/ci.md#anchor``)."""
    return f"{DOCS_BASE}/{path.lstrip('/')}"


def rule_url(name: str) -> str:
    """A rule's entry in the catalogue (whose heading is the rule's name)."""
    return doc_url(f"{CATALOGUE_PATH}#{name}")
