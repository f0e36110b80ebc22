"""The gate on a large Pulumi program: wall time and peak memory (docs/security.md, "Resource limits").

    .venv/bin/python bench/program_limits.py --resources 10000

Writes a temporary program of ``resources`` azure-native resources (half workspaces, half data
versions) into a temporary directory, runs ``python -m policy_gate run`` on it under the
benchmark's memory wrapper (``memory.measure``: a fresh parent process, so ``RUSAGE_CHILDREN``
covers exactly that run: the gate, the program runner and the pack), prints the figures and
removes the directory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.memory import measure  # noqa: E402

_PROGRAM = '''import pulumi
from pulumi_azure_native import machinelearningservices as ml

for i in range({pairs}):
    ml.Workspace(f"ws{{i}}", resource_group_name="rg", workspace_name=f"ws{{i}}", sku=ml.SkuArgs(name="Basic"),
                 identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"), public_network_access="Disabled")
    ml.DataVersion(f"d{{i}}", resource_group_name="rg", workspace_name=f"ws{{i}}", name="data", version="1",
                   properties=ml.UriFolderDataVersionArgs(data_type="uri_folder",
                                                          data_uri="azureml://datastores/d/paths/p/"))
pulumi.export("count", {count})
'''

def write_program(directory: Path, resources: int) -> Path:
    """The generated program of ``resources`` resources in ``directory`` (created)."""
    directory.mkdir(parents=True)
    (directory / "Pulumi.yaml").write_text("name: limits\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config: {}\n")
    (directory / "__main__.py").write_text(_PROGRAM.format(pairs=resources // 2, count=resources))
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/program_limits.py")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds the program may run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="policy-gate-limits-") as scratch:
        program = write_program(Path(scratch) / "program", args.resources)
        report = Path(scratch) / "report.json"
        result = measure([sys.executable, "-m", "policy_gate", "run", str(program), "--format", "json", "--output",
                          str(report), "--timeout", str(args.timeout)], ROOT)
        analysed = json.loads(report.read_text())["resources"] if report.exists() else 0
    print(f"resources analysed: {analysed}; gate exit {result.rc}; wall {result.wall:.1f} s; "
          f"peak resident memory of the largest process {result.peak_rss_mib:.0f} MiB")
    return 0 if analysed == args.resources + 2 else 1  # the root stack and the default provider are analysed too


if __name__ == "__main__":
    sys.exit(main())
