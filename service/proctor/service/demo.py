"""``proctor demo``: the approval loop end to end on the embedded defaults.

It starts a real Proctor (gRPC on a free port, the embedded persistent
store in a temporary data directory, reviewer tokens verified against a key
pair made for the demo), then plays an agent and two humans:

1. the agent asks to export a PHI dataset → NEEDS_APPROVAL, and waits on
   ``WatchApproval`` (no polling);
2. the human the agent acts for tries to approve it → refused;
3. a privacy officer approves it with a signed token → APPROVED;
4. the agent asks again with the approval id → ALLOW, once;
5. a replay of the same grant → DENY.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from proctor.service.audit.setup import build_telemetry
from proctor.service.audit.trail import verify_paths
from proctor.service.testing import InProcessServer
from proctor.v1 import approval_pb2, approval_pb2_grpc, decision_pb2, decision_pb2_grpc, value_pb2

AGENT = ("Agent", "care-assistant")
DATASET = ("Dataset", "oncology-cohort-2026")
CONTEXT = {"rows": 120, "destination": "s3://hospital-research/cohort-2026"}


class DemoFailed(Exception):
    """A step did not go as the demo expects."""


def _ref(kind: str, ident: str) -> value_pb2.EntityRef:
    return value_pb2.EntityRef(type=kind, id=ident)


def _request(approval_id: str = "") -> decision_pb2.AuthorizeRequest:
    return decision_pb2.AuthorizeRequest(
        principal=_ref(*AGENT),
        action=_ref("Action", "export_patient_data"),
        resource=_ref(*DATASET),
        context=value_pb2.Record(
            attributes={
                "rows": value_pb2.Value(long_value=CONTEXT["rows"]),  # type: ignore[arg-type]
                "destination": value_pb2.Value(string_value=str(CONTEXT["destination"])),
            }
        ),
        approval_id=approval_id,
    )


class _Keys:
    def __init__(self, directory: Path) -> None:
        self._key = Ed25519PrivateKey.generate()
        jwk = json.loads(OKPAlgorithm.to_jwk(self._key.public_key()))
        jwk["kid"] = "demo"
        self.jwks = directory / "reviewers.jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk]}), encoding="utf-8")

    def metadata(self, sub: str) -> list[tuple[str, str]]:
        token = jwt.encode(
            {"sub": sub, "aud": "proctor", "exp": int(time.time()) + 300},
            self._key,
            algorithm="EdDSA",
            headers={"kid": "demo"},
        )
        return [("authorization", f"Bearer {token}")]


def run_demo(policies: Path, out: Any, evidence_dir: Path | None = None) -> None:
    """Play the walkthrough, printing each step to ``out``; DemoFailed if a
    step goes differently. Audit evidence goes to ``evidence_dir`` (kept) or
    a temporary directory."""

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    with tempfile.TemporaryDirectory(prefix="proctor-demo-") as tmp:
        keys = _Keys(Path(tmp))
        evidence = evidence_dir or Path(tmp) / "evidence"
        telemetry = build_telemetry(f"demo-{secrets.token_hex(3)}", evidence)
        say("Starting Proctor: gRPC on a free port, embedded persistent approval store,")
        say(f"reviewer tokens verified against {keys.jwks.name} (made for this demo),")
        say(f"audit evidence in {evidence}.")
        try:
            with (
                InProcessServer(
                    policies,
                    approvals=True,
                    reviewer_keys=keys.jwks,
                    data_dir=Path(tmp) / "data",
                    telemetry=telemetry,
                ) as server,
                grpc.insecure_channel(server.address) as channel,
            ):
                grpc.channel_ready_future(channel).result(timeout=10)
                decisions = decision_pb2_grpc.DecisionServiceStub(channel)
                approvals = approval_pb2_grpc.ApprovalServiceStub(channel)
                say(f"  listening on {server.address}" + chr(10))
                _walk(decisions, approvals, keys, say)
        finally:
            telemetry.shutdown()
        key = evidence / "signing-key.pub.pem"
        checked = verify_paths([evidence], [key])
        if not checked.ok:
            raise DemoFailed(f"the evidence does not verify: {checked.problem}")
        records = sum(r.records for r in checked.instances.values())
        say()
        say(f"Audit evidence: {records} chained records, checkpoints signed; verified.")
        if evidence_dir is not None:
            say(f"  proctor audit verify {evidence} --public-key {key}")
            say(f"  proctor audit report {evidence} --format html --out report.html")


def _walk(decisions: Any, approvals: Any, keys: _Keys, say: Any) -> None:
    say('1. Agent::"care-assistant" asks to export Dataset::"oncology-cohort-2026"')
    say(f"   to {CONTEXT['destination']} ({CONTEXT['rows']} rows).")
    first = decisions.Authorize(_request(), timeout=10)
    _expect(
        first.decision == decision_pb2.DECISION_NEEDS_APPROVAL, "expected NEEDS_APPROVAL", first
    )
    ticket = first.approval
    groups = ", ".join(
        f'{r.quorum} from {r.group.type}::"{r.group.id}"' for r in ticket.requirements
    )
    say(f"   → NEEDS_APPROVAL: {first.reason.message}")
    say(f"   ticket {ticket.id}, needs {groups}; the agent now waits on WatchApproval.\n")

    seen: list[str] = []
    watching = threading.Event()

    def watch() -> None:
        stream = approvals.WatchApproval(
            approval_pb2.WatchApprovalRequest(approval_id=ticket.id), timeout=60
        )
        for update in stream:
            seen.append(decision_pb2.ApprovalStatus.Name(update.approval.status))
            watching.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    watching.wait(10)

    say('2. User::"dr-lee", the human this agent acts for, tries to approve it.')
    try:
        approvals.Review(
            _review(ticket.id, "I need this"), timeout=10, metadata=keys.metadata("dr-lee")
        )
    except grpc.RpcError as exc:
        say(f"   → refused ({exc.code().name}): {exc.details()}\n")
    else:
        raise DemoFailed("the agent's own human was allowed to approve")

    say('3. User::"ivan" of the privacy office approves it with a signed token.')
    done = approvals.Review(
        _review(ticket.id, "IRB protocol 2026-114 covers this export"),
        timeout=10,
        metadata=keys.metadata("ivan"),
    ).approval
    say(f"   → {decision_pb2.ApprovalStatus.Name(done.status).removeprefix('APPROVAL_STATUS_')}")
    watcher.join(10)
    path = " → ".join(s.removeprefix("APPROVAL_STATUS_") for s in seen)
    say(f"   the waiting agent saw: {path}\n")

    say("4. The agent asks again, presenting the approval id.")
    granted = decisions.Authorize(_request(ticket.id), timeout=10)
    _expect(granted.decision == decision_pb2.DECISION_ALLOW, "expected ALLOW", granted)
    masks = "; ".join(f"{m.selector}={m.operator}" for m in granted.masks)
    say(f"   → ALLOW ({granted.reason.code}); mask the exported rows: {masks}\n")

    say("5. A replay of the same grant.")
    replay = decisions.Authorize(_request(ticket.id), timeout=10)
    _expect(replay.decision == decision_pb2.DECISION_DENY, "expected DENY", replay)
    say(f"   → DENY ({replay.reason.code}): {replay.reason.message}\n")
    say("Done: the agent proceeded exactly once, with a human's approval on the record.")


def _review(approval_id: str, reason: str) -> approval_pb2.ReviewRequest:
    return approval_pb2.ReviewRequest(
        approval_id=approval_id, verdict=approval_pb2.REVIEW_VERDICT_APPROVE, reason=reason
    )


def _expect(ok: bool, what: str, response: Any) -> None:
    if not ok:
        raise DemoFailed(f"{what}, got {response.reason.code}: {response.reason.message}")
