"""What Pulumi Cloud and the CLI show of the pack, built from the declarations: each policy's
display name, catalogue url, tags and compliance framework, and the pack's display name, readme,
tags and repository. (The same metadata over the protocol: tests/test_protocol.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pulumi_policy import Policy

import policies
from policies import catalogue, pack
from policies.core import frameworks as fw
from policies.core import links
from policies.core.rule import primary_framework

ROOT = Path(__file__).resolve().parent.parent
RELATIVE_LINK = re.compile(r"\]\((?!https?://|#)[^)]+\)")


def _built() -> dict[str, Policy]:
    return {p.name: p for p in policies.build_policies()}


def test_every_policy_carries_its_title_url_and_every_framework() -> None:
    built = _built()
    for rule in policies.RULES:
        policy = built[rule.name]
        assert policy.display_name == rule.title
        assert policy.url == f"{links.DOCS_BASE}/docs/catalogue.md#{rule.name}"
        assert policy.description == rule.description
        assert {f.tag for f in rule.frameworks} <= set(policy.tags or [])
        primary = primary_framework(rule.frameworks)
        if primary is None:
            assert policy.framework is None
            continue
        assert policy.framework is not None
        assert (policy.framework.name, policy.framework.reference, policy.framework.version) == (
            primary.source, primary.id, primary.version or None)


def test_the_benchmark_is_published_with_its_version_in_framework_and_tags() -> None:
    built = _built()
    cited = [r for r in policies.RULES if any(f.source == "MCSB" for f in r.frameworks)]
    assert len(cited) >= 10
    for rule in cited:
        policy = built[rule.name]
        assert policy.framework is not None and policy.framework.name == "MCSB"
        assert policy.framework.version == fw.MCSB_VERSION == "v1"
        assert all(t.startswith("mcsb-v1:") for t in policy.tags or [] if t.startswith("mcsb"))
    # A rule citing Azure Policy first and the benchmark after publishes both as tags.
    public = built["workspace-public-network-disabled"]
    assert {"azure-policy:438c38d2-3772-465a-a9cc-7a6666a275ce", "checkov:CKV_AZURE_144", "checkov:CKV2_AZURE_49",
            "mcsb-v1:NS-2"} <= set(public.tags or [])


def test_the_pack_carries_display_name_readme_tags_and_repository() -> None:
    arguments = pack.arguments()
    assert arguments["name"] == policies.PACK_NAME and arguments["display_name"] == pack.DISPLAY_NAME
    assert arguments["repository"] == links.REPOSITORY and links.DOCS_BASE.startswith(links.REPOSITORY)
    assert {"azure-policy", "checkov", "mcsb-v1"} <= set(arguments["tags"])
    readme = arguments["readme"]
    assert readme is not None and readme.startswith("# Azure ML governance for Pulumi")
    assert RELATIVE_LINK.findall(readme) == []  # Pulumi Cloud shows it away from the repository
    assert f"]({links.DOCS_BASE}/docs/catalogue.md#workspace-allowed-sku)" in readme
    assert RELATIVE_LINK.findall((ROOT / "README.md").read_text(encoding="utf-8"))  # not vacuous


def test_a_missing_readme_leaves_the_pack_without_one(tmp_path: Path) -> None:
    assert pack.readme(tmp_path / "README.md") is None


def test_pulumipolicy_yaml_and_the_pack_agree_on_the_description() -> None:
    """The SDK's description replaces PulumiPolicy.yaml's: keep them one text."""
    manifest = yaml.safe_load((ROOT / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert manifest["description"] == policies.PACK_DESCRIPTION


def test_each_url_is_a_catalogue_heading_with_title_description_and_details() -> None:
    text = catalogue.catalogue()
    for rule in policies.RULES:
        anchor = links.rule_url(rule.name).rsplit("#", 1)[1]
        section = text.split(f"\n## {anchor}\n", 1)[1].split("\n## ", 1)[0]
        assert f"**{rule.title}.** {rule.description}" in section
        assert rule.details in section
