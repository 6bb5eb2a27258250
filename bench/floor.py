"""The floor: what grpcio costs before Proctor does any work.

    python -m bench.floor --listen 127.0.0.1:PORT [--workers N]

Serves ``proctor.v1.DecisionService/Authorize`` the way ``proctor serve`` is
built (grpc.aio on uvloop, one process per worker sharing the port with
SO_REUSEPORT, health service), but the handler parses nothing beyond what
grpcio does and returns one fixed NEEDS_APPROVAL answer of the usual size.
``bench.loadgen run --servers cerbos,proctor,floor`` measures it in the same
interleaved run as the real servers, so the table shows how much of the gap
to Cerbos is grpcio's own per-call cost, which no Proctor code can remove.
Not a product: no policies, no evidence, no store.

With ``--policies DIR`` it is the *decision floor* instead: each request is
converted and decided by Proctor's own engine against the bundle (the same
``request_from_wire``, ``engine.decide`` and ``response_to_wire`` as the
product) and nothing else happens — no approval store, no evidence, no
spans, no payload scan. ``--servers floor-decide`` in ``bench.loadgen``
runs it, so the table shows what grpcio plus one Cedar evaluation cost on
their own, the least any Cedar-in-Python server can spend per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

import grpc
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from proctor.service.bundle import Bundle, load_bundle
from proctor.service.decisions import Decision, new_decision_id
from proctor.service.engine import decide
from proctor.service.servicer import request_from_wire, response_to_wire
from proctor.v1 import decision_pb2, decision_pb2_grpc, value_pb2

ANSWER = decision_pb2.AuthorizeResponse(
    decision=decision_pb2.DECISION_NEEDS_APPROVAL,
    decision_id="dec_0195f0a1b2c3d4e5f60718293a4b5c6d",
    policy_ids=["export-needs-privacy-office"],
    bundle_version="sha256:79aeadb987d5aa11",
    reason=decision_pb2.Reason(
        code="approval_required", message="privacy-office must approve (1 of 1)"
    ),
    approval=decision_pb2.ApprovalTicket(
        id="apr_0123456789abcdef0123456789abcdef",
        status=decision_pb2.APPROVAL_STATUS_PENDING,
        requirements=[
            decision_pb2.ApprovalRequirement(
                group=value_pb2.EntityRef(type="Group", id="privacy-office"), quorum=1
            )
        ],
    ),
)


class Floor(decision_pb2_grpc.DecisionServiceServicer):
    """Answers every request with :data:`ANSWER`."""

    async def Authorize(
        self, request: decision_pb2.AuthorizeRequest, context: Any
    ) -> decision_pb2.AuthorizeResponse:
        """The fixed answer."""
        return ANSWER


class DecideOnly(decision_pb2_grpc.DecisionServiceServicer):
    """Converts and decides each request with Proctor's engine; nothing else."""

    def __init__(self, bundle: Bundle) -> None:
        self._bundle = bundle

    async def Authorize(
        self, request: decision_pb2.AuthorizeRequest, context: Any
    ) -> decision_pb2.AuthorizeResponse:
        """The engine's decision, without approvals, evidence or payload scan."""
        outcome = decide(self._bundle, request_from_wire(request))
        return response_to_wire(Decision(new_decision_id(), self._bundle.version, outcome))


async def serve(listen: str, policies: str | None = None) -> None:
    """One worker."""
    server = grpc.aio.server(options=[("grpc.so_reuseport", 1)])
    servicer = DecideOnly(load_bundle(policies)) if policies else Floor()
    decision_pb2_grpc.add_DecisionServiceServicer_to_server(servicer, server)
    checker = health.aio.HealthServicer()  # type: ignore[attr-defined]
    health_pb2_grpc.add_HealthServicer_to_server(checker, server)
    server.add_insecure_port(listen)
    await server.start()
    await checker.set("", health_pb2.HealthCheckResponse.SERVING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop(0)


def main() -> None:
    """Start ``--workers`` processes on one port and wait for them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--policies", help="decide with this bundle (the decision floor)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child or args.workers <= 1:
        uvloop.run(serve(args.listen, args.policies))
        return
    extra = ["--policies", args.policies] if args.policies else []
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.floor", "--listen", args.listen, "--child", *extra]
        )
        for _ in range(args.workers)
    ]

    def forward(signum: int, _frame: Any) -> None:
        for child in children:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for child in children:
        child.wait()


if __name__ == "__main__":
    main()
