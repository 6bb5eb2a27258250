"""Cost of audit evidence per decision, in process.

    python -m bench.evidence            # prints a Markdown section
    python -m bench.evidence --quick

The same decision point decides the same mix of requests (the example
bundle's agent scenarios) with: no telemetry at all; spans + the chained,
signed evidence file (fsync per batch, the default); and the same with fsync
on every record. Variants are interleaved over rounds so machine noise hits
all alike. Reported per variant: wall and CPU microseconds per decision (CPU
over all threads, so the evidence writer thread is counted; the log is
flushed before the clock stops), medians over rounds, and the ratio to no
telemetry.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from proctor.service.audit.setup import Telemetry, build_telemetry
from proctor.service.bundle import load_bundle
from proctor.service.decisions import ComputedTickets, DecisionPoint
from proctor.service.engine import EntityUid, Request

ROOT = Path(__file__).resolve().parent.parent

REQUESTS = [
    Request(
        EntityUid("Agent", "care-assistant"),
        EntityUid("Action", "read_patient_record"),
        EntityUid("PatientRecord", "pr-1001"),
    ),
    Request(
        EntityUid("Agent", "care-assistant"),
        EntityUid("Action", "export_patient_data"),
        EntityUid("Dataset", "oncology-cohort-2026"),
        {"rows": 120, "destination": "s3://hospital-research/cohort-2026"},
    ),
    Request(
        EntityUid("Agent", "ops-bot"),
        EntityUid("Action", "delete_repository"),
        EntityUid("Repository", "ehr-infra"),
    ),
    Request(
        EntityUid("Agent", "ops-bot"),
        EntityUid("Action", "scale_deployment"),
        EntityUid("Deployment", "ehr-api"),
        {"replicas": 8},
    ),
]


async def _run(point: DecisionPoint, n: int) -> None:
    for i in range(n):
        await point.authorize(REQUESTS[i % len(REQUESTS)])


def measure(variant: str, n: int, tmp: Path) -> tuple[float, float]:
    bundle = load_bundle(ROOT / "policies")
    telemetry: Telemetry | None = None
    if variant != "off":
        fsync = "always" if variant == "fsync-always" else "batch"
        telemetry = build_telemetry(f"bench-{variant}", tmp / variant, fsync=fsync)
    point = DecisionPoint(
        lambda: bundle,
        ComputedTickets(),
        auditor=telemetry.auditor if telemetry else None,
    )
    asyncio.run(_run(point, 200))  # warm-up
    wall0, cpu0 = time.perf_counter(), time.process_time()
    asyncio.run(_run(point, n))
    if telemetry is not None and telemetry.evidence is not None:
        telemetry.evidence.force_flush()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    if telemetry is not None:
        telemetry.shutdown()
    return wall / n * 1e6, cpu / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, rounds = (2000, 2) if args.quick else (20000, 5)
    variants = ["off", "evidence (fsync batch)", "fsync-always"]
    results: dict[str, list[tuple[float, float]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            order = variants if r % 2 == 0 else list(reversed(variants))
            for v in order:
                results[v].append(measure(v, n, Path(tmp) / f"r{r}"))
    base_wall = statistics.median(w for w, _ in results["off"])
    base_cpu = statistics.median(c for _, c in results["off"])
    print(f"## Audit evidence cost per decision ({datetime.now(UTC):%Y-%m-%d})")
    print()
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}; command: "
        f"`python -m bench.evidence{' --quick' if args.quick else ''}`; {n} decisions per "
        f"variant per round, {rounds} rounds interleaved, medians."
    )
    print()
    print("| variant | wall µs/decision | CPU µs/decision | CPU ratio to off |")
    print("|---|---|---|---|")
    for v in variants:
        wall = statistics.median(w for w, _ in results[v])
        cpu = statistics.median(c for _, c in results[v])
        name = (
            "no telemetry" if v == "off" else v.replace("fsync-always", "evidence (fsync always)")
        )
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / base_cpu:.2f}x |")
    del base_wall


if __name__ == "__main__":
    main()
