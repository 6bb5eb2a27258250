"""proctor.v1.ApprovalService: a thin servicer over the store and the desk.

Access: an approval id is an unguessable capability, so GetApproval and
WatchApproval answer whoever presents one (the agent that asked waits on
its own ticket). ListApprovals and Review need an authenticated reviewer,
except on a server started with ``--insecure-dev``, where Review names the
reviewer in the request body.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc

from proctor.service.approvals.auth import Authenticator, AuthError, Identity
from proctor.service.approvals.desk import ReviewDesk
from proctor.service.approvals.events import EventHub
from proctor.service.approvals.model import SETTLED, ApprovalRecord, Ref, Status
from proctor.service.approvals.notice import ReviewRefused, Verdict
from proctor.service.approvals.store import ApprovalStore, ListFilter
from proctor.service.errors import InvalidRequestError, StoreUnavailable
from proctor.service.servicer import guarded, timestamp
from proctor.v1 import approval_pb2, approval_pb2_grpc, decision_pb2, value_pb2

log = logging.getLogger("proctor.grpc")

WATCH_RECHECK_SECONDS = 5.0

STATUS_TO_WIRE = {
    Status.PENDING: decision_pb2.APPROVAL_STATUS_PENDING,
    Status.APPROVED: decision_pb2.APPROVAL_STATUS_APPROVED,
    Status.DENIED: decision_pb2.APPROVAL_STATUS_DENIED,
    Status.EXPIRED: decision_pb2.APPROVAL_STATUS_EXPIRED,
    Status.CONSUMED: decision_pb2.APPROVAL_STATUS_CONSUMED,
}
STATUS_FROM_WIRE = {v: k for k, v in STATUS_TO_WIRE.items()}
VERDICTS: dict[int, Verdict] = {
    approval_pb2.REVIEW_VERDICT_APPROVE: "approve",
    approval_pb2.REVIEW_VERDICT_DENY: "deny",
}
REFUSALS = {
    "permission_denied": grpc.StatusCode.PERMISSION_DENIED,
    "failed_precondition": grpc.StatusCode.FAILED_PRECONDITION,
    "not_found": grpc.StatusCode.NOT_FOUND,
}


def _ref(ref: Ref) -> value_pb2.EntityRef:
    return value_pb2.EntityRef(type=ref[0], id=ref[1])


def approval_to_wire(record: ApprovalRecord) -> approval_pb2.Approval:
    """Record → wire. Holds nothing the record does not: no PHI."""
    approvals = record.approvals_by_group()
    msg = approval_pb2.Approval(
        id=record.id,
        status=STATUS_TO_WIRE[record.status],
        principal=_ref(record.principal),
        action=_ref(record.action),
        resource=_ref(record.resource),
        decision_id=record.decision_id,
        bundle_version=record.bundle_version,
        requirements=[
            decision_pb2.ApprovalRequirement(
                group=_ref(r.group),
                quorum=r.quorum,
                policy_ids=r.policy_ids,
                approvals=approvals.get(r.group, 0),
            )
            for r in record.requirements
        ],
        reviews=[
            approval_pb2.Review(
                reviewer=_ref(r.reviewer),
                verdict=approval_pb2.REVIEW_VERDICT_APPROVE
                if r.verdict == "approve"
                else approval_pb2.REVIEW_VERDICT_DENY,
                reason=r.reason,
                reviewed_at=timestamp(r.at),
                groups=[_ref(g) for g in r.groups],
            )
            for r in record.reviews
        ],
        created_at=timestamp(record.created_at),
        expires_at=timestamp(
            record.grant_expires_at if record.status == Status.APPROVED else record.expires_at
        ),
        review_context_json=record.review_context_json,
        uses_remaining=record.uses_remaining,
        policy_ids=record.policy_ids,
    )
    if record.on_behalf_of is not None:
        msg.on_behalf_of.CopyFrom(_ref(record.on_behalf_of))
    if record.decided_at:
        msg.decided_at.CopyFrom(timestamp(record.decided_at))
    return msg


def _optional_ref(msg: approval_pb2.ListApprovalsRequest, name: str) -> Ref | None:
    if not msg.HasField(name):
        return None
    ref: value_pb2.EntityRef = getattr(msg, name)
    if not ref.type or not ref.id:
        raise InvalidRequestError(name, "needs both `type` and `id`")
    return ref.type, ref.id


class ApprovalServicer(approval_pb2_grpc.ApprovalServiceServicer):
    """proctor.v1.ApprovalService."""

    def __init__(
        self,
        store: ApprovalStore,
        desk: ReviewDesk,
        hub: EventHub,
        authenticator: Authenticator,
        insecure_dev: bool = False,
    ) -> None:
        self._store = store
        self._desk = desk
        self._hub = hub
        self._auth = authenticator
        self._insecure_dev = insecure_dev

    async def _caller(self, context: grpc.aio.ServicerContext[Any, Any]) -> Identity:
        try:
            identity = self._auth.identify(
                context.invocation_metadata() or (), context.auth_context() or {}
            )
        except AuthError as exc:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, str(exc))
            raise AssertionError("unreachable") from None
        if identity is None:
            await context.abort(
                grpc.StatusCode.UNAUTHENTICATED,
                "reviewing needs credentials: `authorization: Bearer <JWT>` metadata"
                + (" or a client certificate" if self._auth.mtls_reviewer_type else ""),
            )
        assert identity is not None
        return identity

    @guarded
    async def GetApproval(
        self, request: approval_pb2.GetApprovalRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> approval_pb2.GetApprovalResponse:
        """One approval by id."""
        record = await self._get(request.approval_id, context)
        return approval_pb2.GetApprovalResponse(approval=approval_to_wire(record))

    async def _get(
        self, approval_id: str, context: grpc.aio.ServicerContext[Any, Any]
    ) -> ApprovalRecord:
        if not approval_id:
            raise InvalidRequestError("approval_id", "is required")
        record = await self._store.get(approval_id)
        if record is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no approval {approval_id[:64]}")
        assert record is not None
        return record

    @guarded
    async def ListApprovals(
        self,
        request: approval_pb2.ListApprovalsRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> approval_pb2.ListApprovalsResponse:
        """Approvals matching the filters, newest first."""
        if not self._insecure_dev:
            await self._caller(context)
        if not 0 <= request.page_size <= 500:
            raise InvalidRequestError("page_size", "must be between 0 and 500")
        status = None
        if request.status:
            if request.status not in STATUS_FROM_WIRE:
                raise InvalidRequestError("status", "is not an ApprovalStatus")
            status = STATUS_FROM_WIRE[request.status]
        filt = ListFilter(
            status=status,
            group=_optional_ref(request, "group"),
            principal=_optional_ref(request, "principal"),
            action=_optional_ref(request, "action"),
        )
        try:
            page = await self._store.list_page(filt, request.page_size, request.page_token)
        except ValueError as exc:
            raise InvalidRequestError("page_token", str(exc)) from None
        return approval_pb2.ListApprovalsResponse(
            approvals=[approval_to_wire(r) for r in page.records],
            next_page_token=page.next_token,
        )

    @guarded
    async def Review(
        self, request: approval_pb2.ReviewRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> approval_pb2.ReviewResponse:
        """Approve or deny, as the authenticated caller."""
        if not request.approval_id:
            raise InvalidRequestError("approval_id", "is required")
        verdict = VERDICTS.get(request.verdict)
        if verdict is None:
            raise InvalidRequestError("verdict", "must be REVIEW_VERDICT_APPROVE or _DENY")
        if self._insecure_dev:
            if not request.HasField("reviewer") or not request.reviewer.type:
                raise InvalidRequestError(
                    "reviewer", 'is required in --insecure-dev mode (e.g. User::"ivan")'
                )
            if not request.reviewer.id:
                raise InvalidRequestError("reviewer.id", "is required")
            identity = Identity((request.reviewer.type, request.reviewer.id), method="insecure-dev")
        else:
            if request.HasField("reviewer"):
                raise InvalidRequestError(
                    "reviewer",
                    "must be unset: the reviewer is the authenticated caller (only a server "
                    "started with --insecure-dev takes it from the request)",
                )
            identity = await self._caller(context)
        try:
            record = await self._desk.review(request.approval_id, identity, verdict, request.reason)
        except ReviewRefused as refused:
            await context.abort(REFUSALS[refused.code], refused.message)
            raise AssertionError("unreachable") from None
        return approval_pb2.ReviewResponse(approval=approval_to_wire(record))

    async def WatchApproval(
        self,
        request: approval_pb2.WatchApprovalRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> AsyncIterator[approval_pb2.WatchApprovalResponse]:
        """The approval now and on every change, until it settles (approved,
        denied, expired or consumed) or the caller's deadline."""
        try:
            record = await self._get(request.approval_id, context)
            sent: ApprovalRecord | None = None
            while True:
                if record != sent:
                    yield approval_pb2.WatchApprovalResponse(approval=approval_to_wire(record))
                    sent = record
                if record.status in SETTLED:
                    return
                due = (
                    record.grant_expires_at
                    if record.status == Status.APPROVED
                    else record.expires_at
                )
                wait = min(WATCH_RECHECK_SECONDS, max(0.05, due - self._store.clock()))
                await self._hub.wait(record.id, wait)
                record = await self._get(request.approval_id, context)
        except InvalidRequestError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except StoreUnavailable:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "the approval store cannot be reached")
