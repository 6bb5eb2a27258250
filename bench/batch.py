"""Decisions per second through ``AuthorizeBatch`` at batch sizes 1, 10, 100.

    python -m bench.batch            # prints a Markdown section
    python -m bench.batch --quick

One `proctor serve` (example bundle, embedded store, evidence on, one worker);
a Python client with 8 threads sends batches of ALLOW/DENY requests of the
example bundle for a fixed time per size; sizes are interleaved over rounds.
The client shares the 2 cores with the server, so absolute numbers are low;
the ratios between sizes show what batching amortises (one gRPC call, one
span context, per batch instead of per decision).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import threading
import time
from datetime import UTC, datetime

import grpc

from bench.served import proctor_serve
from proctor.v1 import decision_pb2, decision_pb2_grpc, value_pb2

THREADS = 8


def _ref(kind: str, ident: str) -> value_pb2.EntityRef:
    return value_pb2.EntityRef(type=kind, id=ident)


MIX = [
    decision_pb2.AuthorizeRequest(
        principal=_ref("Agent", "care-assistant"),
        action=_ref("Action", "read_patient_record"),
        resource=_ref("PatientRecord", "pr-1001"),
    ),
    decision_pb2.AuthorizeRequest(
        principal=_ref("Agent", "ops-bot"),
        action=_ref("Action", "delete_repository"),
        resource=_ref("Repository", "ehr-infra"),
    ),
]


def run_size(stub: decision_pb2_grpc.DecisionServiceStub, size: int, seconds: float) -> float:
    batch = decision_pb2.AuthorizeBatchRequest(requests=[MIX[i % 2] for i in range(size)])
    done = [0] * THREADS
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        while time.perf_counter() < stop:
            stub.AuthorizeBatch(batch, timeout=30)
            done[k] += size

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds, rounds = (2.0, 1) if args.quick else (5.0, 3)
    sizes = [1, 10, 100]
    results: dict[int, list[float]] = {n: [] for n in sizes}
    with proctor_serve() as addr, grpc.insecure_channel(addr) as channel:
        stub = decision_pb2_grpc.DecisionServiceStub(channel)
        run_size(stub, 10, 1.0)  # warm-up
        for r in range(rounds):
            for n in sizes if r % 2 == 0 else list(reversed(sizes)):
                results[n].append(run_size(stub, n, seconds))
    base = statistics.median(results[1])
    print(f"## AuthorizeBatch: decisions per second by batch size ({datetime.now(UTC):%Y-%m-%d})")
    print()
    print(
        f"Machine: {platform.machine()}, Python {platform.python_version()}; command: "
        f"`python -m bench.batch{' --quick' if args.quick else ''}`; {THREADS} client threads, "
        f"{seconds:g} s per size per round, {rounds} rounds interleaved, medians; one worker, "
        "evidence on."
    )
    print()
    print("| batch size | decisions/s | ÷ size 1 |")
    print("|---:|---:|---:|")
    for n in sizes:
        value = statistics.median(results[n])
        print(f"| {n} | {value:.0f} | {value / base:.2f}x |")


if __name__ == "__main__":
    main()
