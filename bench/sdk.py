"""Overhead of the Python SDK per call, against a raw gRPC stub.

    python -m bench.sdk            # prints a Markdown section
    python -m bench.sdk --quick

One `proctor serve` process (example bundle, embedded store); in this
process, sequential calls of the same ALLOW request through (a) a raw
``DecisionServiceStub`` with a prebuilt request and (b) ``proctor.client.Client``
building the request from Python values and returning a ``Decision``.
Interleaved rounds; reported per variant: wall µs per call and client-side CPU
µs per call (this process only, so the server's work is excluded), medians.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import grpc

from bench.served import proctor_serve
from proctor.client import Client
from proctor.v1 import decision_pb2, decision_pb2_grpc, value_pb2


def measure(fn: Callable[[], object], n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        fn()
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, rounds = (300, 2) if args.quick else (3000, 5)
    with proctor_serve() as addr:
        channel = grpc.insecure_channel(addr)
        stub = decision_pb2_grpc.DecisionServiceStub(channel)
        raw_request = decision_pb2.AuthorizeRequest(
            principal=value_pb2.EntityRef(type="Agent", id="care-assistant"),
            action=value_pb2.EntityRef(type="Action", id="read_patient_record"),
            resource=value_pb2.EntityRef(type="PatientRecord", id="pr-1001"),
        )
        client = Client(addr)

        def raw() -> object:
            return stub.Authorize(raw_request, timeout=5)

        def sdk() -> object:
            return client.authorize(
                'Agent::"care-assistant"', "read_patient_record", 'PatientRecord::"pr-1001"'
            )

        for fn in (raw, sdk):
            measure(fn, 200)  # warm-up
        results: dict[str, list[tuple[float, float]]] = {"raw stub": [], "SDK": []}
        for r in range(rounds):
            order = [("raw stub", raw), ("SDK", sdk)]
            for name, fn in order if r % 2 == 0 else reversed(order):
                results[name].append(measure(fn, n))
        client.close()
        channel.close()
    print(f"## Python SDK overhead per call ({datetime.now(UTC):%Y-%m-%d})")
    print()
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}; command: "
        f"`python -m bench.sdk{' --quick' if args.quick else ''}`; {n} sequential calls per "
        f"variant per round, {rounds} rounds interleaved, medians; server: `proctor serve` "
        "in its own process."
    )
    print()
    print("| variant | wall µs/call | client CPU µs/call |")
    print("|---|---|---|")
    med = {
        k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
        for k, v in results.items()
    }
    for name, (wall, cpu) in med.items():
        print(f"| {name} | {wall:.0f} | {cpu:.0f} |")
    print(
        f"| SDK − raw | {med['SDK'][0] - med['raw stub'][0]:+.0f} | "
        f"{med['SDK'][1] - med['raw stub'][1]:+.0f} |"
    )


if __name__ == "__main__":
    main()
