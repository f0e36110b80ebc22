"""The ``PolicyPack`` as Pulumi Cloud and the CLI show it: name, display name, description, the
README as its readme, tags and repository, and the policies built from the registry.

``__main__.py`` passes ``arguments()`` to ``PolicyPack``; tests read the same dictionary, and the
pack's GetAnalyzerInfo answer over the protocol (tests/test_protocol.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

import policies

from .core import links

DISPLAY_NAME: Final = "Azure ML governance"
BASE_TAGS: Final = ("azure", "azure-machine-learning", "governance")
README: Final = Path(__file__).resolve().parent.parent / "README.md"

# A Markdown link whose target is relative to the repository: [text](docs/ci.md#anchor).
_RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)", re.IGNORECASE)


def tags() -> list[str]:
    """The pack's tags: what it governs, and every framework source its rules cite."""
    sources = sorted({f.slug for rule in policies.RULES for f in rule.frameworks})
    return [*BASE_TAGS, *sources]


def readme(path: Path = README) -> str | None:
    """README.md, its repository-relative links made absolute from the documentation base (Pulumi
    Cloud shows the text away from the repository). None when the file is absent: a pack that
    starts without its readme beats one that does not start."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return _RELATIVE_LINK.sub(lambda m: f"]({links.doc_url(m.group(1))})", text)


def arguments() -> dict[str, Any]:
    """Keyword arguments for ``pulumi_policy.PolicyPack``."""
    return {
        "name": policies.PACK_NAME,
        "display_name": DISPLAY_NAME,
        "description": policies.PACK_DESCRIPTION,
        "readme": readme(),
        "provider": "azure",
        "tags": tags(),
        "repository": links.REPOSITORY,
        "policies": policies.build_policies(),
    }
