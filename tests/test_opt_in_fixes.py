"""The opt-in fixes (storage-account-fixes, registry-admin-user-fix) through the real pack: silent at
their default level, reporting every account or registry of the stack when turned on, and, at
``remediate``, fixing what the program deploys so that the stack rules on a workspace's storage and
registry (workspace-storage-hardened, workspace-registry-hardened) then pass. Each fix sample also
goes through Remediate in tests/test_protocol.py (``test_fixes_through_remediate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from policies.core import types as t
from policy_gate.analyzer import PackOptions, analyze
from policy_gate.capture import Capture
from policy_gate.program import run_program
from policy_gate.results import Outcome
from tests.captures import capture
from tests.probe import ROOT, write_program

pytestmark = pytest.mark.process  # starts a subprocess: the pack or a program run

FIXES = ("storage-account-fixes", "registry-admin-user-fix")
HARDENED = ("workspace-storage-hardened", "workspace-registry-hardened")

# A workspace whose storage account allows public blobs over TLS 1.0 and whose registry has its
# admin user on; everything else the stack rules read is hardened.
PROGRAM = """
from pulumi_azure_native import containerregistry, storage
from pulumi_azure_native import machinelearningservices as ml

st = storage.StorageAccount("st", resource_group_name="rg", location="westeurope", kind="StorageV2",
                            sku=storage.SkuArgs(name="Standard_ZRS"), allow_shared_key_access=False,
                            allow_blob_public_access=True, minimum_tls_version="TLS1_0",
                            enable_https_traffic_only=True, public_network_access="Disabled")
acr = containerregistry.Registry("acr", resource_group_name="rg", location="westeurope",
                                 sku=containerregistry.SkuArgs(name="Premium"), admin_user_enabled=True,
                                 anonymous_pull_enabled=False, public_network_access="Disabled")
ml.Workspace("ws", resource_group_name="rg", location="westeurope", public_network_access="Disabled",
             storage_account=st.id, container_registry=acr.id)
"""


def _found(outcome: Outcome, policies: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(v.policy, v.urn.rsplit("::", 1)[-1]) for v in outcome.violations if v.policy in policies}


def _run(tmp_path: Path, config: dict[str, Any], preview: bool = False) -> tuple[Outcome, list[Capture]]:
    program = write_program(tmp_path / "p", PROGRAM)
    runs: list[Capture] = []

    def rerun(changes: dict[str, dict[str, Any]]) -> Capture:
        runs.append(run_program(program, "dev", preview, 300, remediations=changes))
        return runs[-1]

    return analyze(run_program(program, "dev", preview, 300), PackOptions(ROOT), config, rerun=rerun), runs


@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_off_by_default(tmp_path: Path, preview: bool) -> None:
    """At their default level (disabled) the fixes neither report nor remediate: the stack rules
    report the workspace's storage and registry, once each."""
    outcome, runs = _run(tmp_path, {}, preview)
    assert runs == [] and outcome.remediations == []
    assert _found(outcome, FIXES) == set()
    assert _found(outcome, HARDENED) == {("workspace-storage-hardened", "st"), ("workspace-registry-hardened", "acr")}


@pytest.mark.parametrize("preview", [False, True], ids=["full", "preview"])
def test_at_remediate_the_program_reruns_and_the_stack_rules_pass(tmp_path: Path, preview: bool) -> None:
    outcome, runs = _run(tmp_path, {name: "remediate" for name in FIXES}, preview)
    assert len(runs) == 1  # one more run, with the fixes applied; after it nothing changes
    deployed = {r.name: r for r in runs[0].resources}
    assert deployed["st"].outputs["allowBlobPublicAccess"] is False
    assert deployed["st"].outputs["minimumTlsVersion"] == "TLS1_2"
    assert deployed["acr"].outputs["adminUserEnabled"] is False
    assert sorted((r.policy, r.urn.rsplit("::", 1)[-1]) for r in outcome.remediations) == [
        ("registry-admin-user-fix", "acr"), ("storage-account-fixes", "st")]
    assert _found(outcome, FIXES + HARDENED) == set()
    assert [d for d in outcome.diagnostics if d.policy in FIXES + HARDENED] == []  # judged, not skipped


def test_turned_on_it_reports_every_account_and_registry_of_the_stack() -> None:
    """Unlike the stack rules, which judge only what a workspace names: here no workspace names them."""
    stack = capture([
        (t.STORAGE_ACCOUNT, "public-blobs", {"kind": "StorageV2", "allowBlobPublicAccess": True, "minimumTlsVersion": "TLS1_2"}),
        (t.CLASSIC_STORAGE_ACCOUNT, "old-tls", {"allowNestedItemsToBePublic": False, "minTlsVersion": "TLS1_0"}),
        (t.STORAGE_ACCOUNT, "hardened", {"kind": "StorageV2", "allowBlobPublicAccess": False, "minimumTlsVersion": "TLS1_2"}),
        ("azure-native:containerregistry:Registry", "admin", {"sku": {"name": "Basic"}, "adminUserEnabled": True}),
    ])
    outcome = analyze(stack, PackOptions(ROOT), {name: "advisory" for name in FIXES})
    assert _found(outcome, FIXES + HARDENED) == {("storage-account-fixes", "public-blobs"), ("storage-account-fixes", "old-tls"),
                                                 ("registry-admin-user-fix", "admin")}
    assert {v.level for v in outcome.violations if v.policy in FIXES} == {"advisory"}
    assert analyze(stack, PackOptions(ROOT), {}).violations == []  # nothing else in the pack judges them
