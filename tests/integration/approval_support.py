"""Helpers for approval tests: reviewer keys and tokens, servers with a
store, and short gRPC calls."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from proctor.service.testing import InProcessServer
from proctor.v1 import approval_pb2, approval_pb2_grpc, decision_pb2, decision_pb2_grpc

from .conftest import authz, ref

EXPORT = ("Agent::care-assistant", "export_patient_data", "Dataset::oncology-cohort-2026")
EXPORT_CONTEXT = {"rows": 120, "destination": "s3://hospital-research/cohort-2026"}


class Reviewers:
    """An Ed25519 signing key, its JWKS file, and tokens for reviewers."""

    def __init__(self, directory: Path, kid: str = "test-key") -> None:
        self.key = Ed25519PrivateKey.generate()
        self.kid = kid
        jwk = json.loads(OKPAlgorithm.to_jwk(self.key.public_key()))
        jwk["kid"] = kid
        self.jwks = directory / f"{kid}.jwks.json"
        self.jwks.write_text(json.dumps({"keys": [jwk]}))

    def token(self, sub: str, groups: list[str] | None = None, **claims: Any) -> str:
        """A valid token for ``sub`` (audience proctor, 5 minutes)."""
        body: dict[str, Any] = {"sub": sub, "aud": "proctor", "exp": int(time.time()) + 300}
        if groups is not None:
            body["groups"] = groups
        body.update(claims)
        return jwt.encode(body, self.key, algorithm="EdDSA", headers={"kid": self.kid})

    def metadata(self, sub: str, groups: list[str] | None = None) -> list[tuple[str, str]]:
        """gRPC metadata carrying a token for ``sub``."""
        return [("authorization", f"Bearer {self.token(sub, groups)}")]


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@contextmanager
def approval_server(
    policies: Path,
    redis_url: str | None,
    prefix: str,
    **options: Any,
) -> Iterator[Client]:
    """A Proctor with an approval store, and a client for it."""
    with (
        InProcessServer(
            policies, approvals=True, redis_url=redis_url, store_prefix=prefix, **options
        ) as server,
        grpc.insecure_channel(server.address) as channel,
    ):
        grpc.channel_ready_future(channel).result(timeout=10)
        yield Client(server, channel)


class Client:
    """Short calls against one server."""

    def __init__(self, server: InProcessServer, channel: grpc.Channel) -> None:
        self.server = server
        self.decisions = decision_pb2_grpc.DecisionServiceStub(channel)
        self.approvals = approval_pb2_grpc.ApprovalServiceStub(channel)

    def authorize(
        self, principal: str, action: str, resource: str, approval_id: str = "", **context: Any
    ) -> decision_pb2.AuthorizeResponse:
        request = authz(principal, action, resource, **context)
        request.approval_id = approval_id
        response: decision_pb2.AuthorizeResponse = self.decisions.Authorize(request, timeout=10)
        return response

    def export(self, approval_id: str = "", **overrides: Any) -> decision_pb2.AuthorizeResponse:
        return self.authorize(*EXPORT, approval_id=approval_id, **{**EXPORT_CONTEXT, **overrides})

    def review(
        self,
        approval_id: str,
        verdict: str = "approve",
        reason: str = "checked the destination and the IRB approval",
        metadata: list[tuple[str, str]] | None = None,
        reviewer: str | None = None,
    ) -> approval_pb2.ReviewResponse:
        request = approval_pb2.ReviewRequest(
            approval_id=approval_id,
            verdict=approval_pb2.REVIEW_VERDICT_APPROVE
            if verdict == "approve"
            else approval_pb2.REVIEW_VERDICT_DENY,
            reason=reason,
        )
        if reviewer is not None:
            request.reviewer.CopyFrom(ref(reviewer))
        response: approval_pb2.ReviewResponse = self.approvals.Review(
            request, timeout=10, metadata=metadata
        )
        return response

    def get(self, approval_id: str) -> approval_pb2.Approval:
        response: approval_pb2.GetApprovalResponse = self.approvals.GetApproval(
            approval_pb2.GetApprovalRequest(approval_id=approval_id), timeout=10
        )
        return response.approval


def refused(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    """The status code and message of a call that must fail."""
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code(), exc.details() or ""
    raise AssertionError("the call succeeded")
