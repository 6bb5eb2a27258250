"""Thin gRPC servicers: wire → domain → decision point → wire.

A DENY is a normal response. gRPC errors are only for requests that cannot
be evaluated (INVALID_ARGUMENT, naming the field) and for failures of the
server itself (INTERNAL, with a generic message; the detail goes to the log,
never request values).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from proctor.masking import (
    Directive,
)
from proctor.service.audit.auditor import parent_from_metadata
from proctor.service.audit.setup import Telemetry
from proctor.service.bundle_store import BundleStore
from proctor.service.decisions import Decision, DecisionPoint, Ticket
from proctor.service.engine import EntityList, Request
from proctor.service.errors import InvalidRequestError, StoreUnavailable
from proctor.service.payload import Payload
from proctor.service.wire import entities_to_json, entity_uid, record_to_json
from proctor.v1 import (
    decision_pb2,
    decision_pb2_grpc,
    status_pb2,
    status_pb2_grpc,
    value_pb2,
)

log = logging.getLogger("proctor.grpc")

MAX_BATCH = 100

_DECISIONS = {
    "ALLOW": decision_pb2.DECISION_ALLOW,
    "DENY": decision_pb2.DECISION_DENY,
    "NEEDS_APPROVAL": decision_pb2.DECISION_NEEDS_APPROVAL,
}
_STATUSES = {
    "PENDING": decision_pb2.APPROVAL_STATUS_PENDING,
    "APPROVED": decision_pb2.APPROVAL_STATUS_APPROVED,
    "DENIED": decision_pb2.APPROVAL_STATUS_DENIED,
    "EXPIRED": decision_pb2.APPROVAL_STATUS_EXPIRED,
    "CONSUMED": decision_pb2.APPROVAL_STATUS_CONSUMED,
}

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Handler = Callable[[Any, Req, grpc.aio.ServicerContext[Any, Any]], Awaitable[Resp]]


def guarded(method: Handler[Req, Resp]) -> Handler[Req, Resp]:
    """Map domain errors to status codes; never let a traceback reach the
    caller or a value reach the log."""

    @functools.wraps(method)
    async def wrapper(self: Any, request: Req, context: grpc.aio.ServicerContext[Any, Any]) -> Resp:
        try:
            return await method(self, request, context)
        except InvalidRequestError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except StoreUnavailable:
            await context.abort(
                grpc.StatusCode.UNAVAILABLE, "the approval store cannot be reached; try again"
            )
        except (grpc.aio.AbortError, AssertionError):
            raise
        except Exception as exc:
            # The exception text may quote request data: log its type only.
            log.error("%s failed: %s", method.__name__, type(exc).__name__)
            await context.abort(
                grpc.StatusCode.INTERNAL, "internal error; the request was not decided"
            )
        raise AssertionError("unreachable")  # abort() always raises

    return wrapper


def payload_from_wire(msg: decision_pb2.AuthorizeRequest) -> Payload | None:
    """The request's payload, if it carries one."""
    kind = msg.payload.WhichOneof("kind") if msg.HasField("payload") else None
    if kind == "json":
        return Payload("json", msg.payload.json)
    if kind == "text":
        return Payload("text", msg.payload.text)
    return None


def request_from_wire(msg: decision_pb2.AuthorizeRequest, prefix: str = "") -> Request:
    """Check and convert one AuthorizeRequest (field names get ``prefix``)."""
    try:
        return Request(
            principal=entity_uid(msg.principal, "principal", msg.HasField("principal")),
            action=entity_uid(msg.action, "action", msg.HasField("action")),
            resource=entity_uid(msg.resource, "resource", msg.HasField("resource")),
            context=record_to_json(msg.context.attributes, "context"),
            entities=_entities(msg.entities),
        )
    except InvalidRequestError as exc:
        raise exc.within(prefix) if prefix else exc from None


# Requests up to this size of serialised entities have their conversion cached.
CACHED_ENTITIES_BYTES = 8 * 1024


def _entities(wire: Any) -> Sequence[Mapping[str, Any]]:
    """The request's entities as Cedar JSON. Agents send the same principal
    and resource entities call after call, and converting them field by
    field costs ≈ 15 µs per entity, so the result is cached by the entities'
    wire bytes (small ones only; a failed conversion raises, uncached)."""
    if not wire:
        return ()
    if len(wire) > 16:
        return EntityList(entities_to_json(wire))
    key = tuple(e.SerializeToString() for e in wire)
    if sum(map(len, key)) > CACHED_ENTITIES_BYTES:
        return EntityList(entities_to_json(wire))
    return _converted_entities(key)


@functools.lru_cache(maxsize=4096)
def _converted_entities(key: tuple[bytes, ...]) -> EntityList:
    return EntityList(entities_to_json([value_pb2.Entity.FromString(b) for b in key]))


def timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    """Unix seconds → protobuf Timestamp."""
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(seconds * 1e9))
    return ts


def ticket_to_wire(ticket: Ticket) -> decision_pb2.ApprovalTicket:
    """Domain ticket → wire."""
    retry = duration_pb2.Duration()
    retry.FromNanoseconds(int(ticket.retry_after_seconds * 1e9))
    return decision_pb2.ApprovalTicket(
        id=ticket.id,
        status=_STATUSES[ticket.status],
        requirements=[
            decision_pb2.ApprovalRequirement(
                group=value_pb2.EntityRef(type=r.group.type, id=r.group.id),
                quorum=r.quorum,
                policy_ids=r.policy_ids,
                approvals=ticket.approvals.get(str(r.group), 0),
            )
            for r in ticket.requirements
        ],
        expires_at=timestamp(ticket.expires_at),
        retry_after=retry,
    )


@functools.lru_cache(maxsize=1024)
def masks_to_wire(masks: tuple[Directive, ...]) -> tuple[decision_pb2.MaskDirective, ...]:
    """Directives → wire messages; few distinct mask sets occur, so cached."""
    return tuple(
        decision_pb2.MaskDirective(
            selector=str(m.selector),
            operator=m.operator.name,
            params=m.operator.params(),
            rule_id=m.rule_id,
        )
        for m in masks
    )


def response_to_wire(d: Decision) -> decision_pb2.AuthorizeResponse:
    """Domain decision → wire."""
    o = d.outcome
    resp = decision_pb2.AuthorizeResponse(
        decision=_DECISIONS[o.decision],
        decision_id=d.decision_id,
        policy_ids=o.policy_ids,
        bundle_version=d.bundle_version,
        reason=decision_pb2.Reason(code=o.reason_code, message=o.reason_message),
    )
    if o.masks:
        resp.masks.extend(masks_to_wire(o.masks))
    if d.ticket is not None:
        resp.approval.CopyFrom(ticket_to_wire(d.ticket))
    return resp


class DecisionServicer(decision_pb2_grpc.DecisionServiceServicer):
    """proctor.v1.DecisionService."""

    def __init__(self, point: DecisionPoint, max_request_bytes: int) -> None:
        self._point = point
        self._max_bytes = max_request_bytes

    def _check_size(self, msg: Any) -> None:
        size = msg.ByteSize()
        if size > self._max_bytes:
            raise InvalidRequestError(
                "", f"request is {size} bytes; the limit is {self._max_bytes} (--max-request-bytes)"
            )

    @guarded
    async def Authorize(
        self, request: decision_pb2.AuthorizeRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> decision_pb2.AuthorizeResponse:
        """Decide one request."""
        self._check_size(request)
        decision = await self._point.authorize(
            request_from_wire(request),
            request.approval_id,
            payload_from_wire(request),
            parent_from_metadata(context.invocation_metadata()),
        )
        return response_to_wire(decision)

    @guarded
    async def AuthorizeBatch(
        self,
        request: decision_pb2.AuthorizeBatchRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> decision_pb2.AuthorizeBatchResponse:
        """Decide up to 100 requests, in order; one invalid request rejects the batch."""
        self._check_size(request)
        if len(request.requests) > MAX_BATCH:
            raise InvalidRequestError(
                "requests", f"at most {MAX_BATCH} requests per batch, got {len(request.requests)}"
            )
        converted = [
            (request_from_wire(r, f"requests[{i}]"), r.approval_id, payload_from_wire(r))
            for i, r in enumerate(request.requests)
        ]
        answers = []
        parent = parent_from_metadata(context.invocation_metadata())
        for i, (req, approval_id, payload) in enumerate(converted):
            try:
                answers.append(
                    response_to_wire(await self._point.authorize(req, approval_id, payload, parent))
                )
            except InvalidRequestError as exc:
                raise exc.within(f"requests[{i}]") from None
        return decision_pb2.AuthorizeBatchResponse(responses=answers)


class StatusServicer(status_pb2_grpc.StatusServiceServicer):
    """proctor.v1.StatusService."""

    def __init__(
        self,
        store: BundleStore,
        version: str,
        instance_id: str,
        telemetry: Telemetry | None = None,
    ) -> None:
        self._store = store
        self._version = version
        self._instance_id = instance_id
        self._telemetry = telemetry

    @guarded
    async def GetStatus(
        self, request: status_pb2.GetStatusRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> status_pb2.GetStatusResponse:
        """Describe the bundle in force and the last reload."""
        bundle = self._store.current()
        st = self._store.status()
        resp = status_pb2.GetStatusResponse(
            reloads=st.reloads,
            reload_failures=st.failures,
            last_reload_error=st.last_error,
            version=self._version,
            instance_id=self._instance_id,
        )
        t = self._telemetry
        if t is not None and t.evidence is not None:
            resp.evidence_written = t.evidence.stats.written
            resp.evidence_dropped = t.evidence.stats.dropped
            resp.evidence_write_failures = t.evidence.stats.write_failures
            resp.evidence_healthy = t.evidence.healthy()
        if t is not None:
            resp.evidence_export_failures = t.export_failures()
        if bundle is not None:
            resp.bundle_version = bundle.version
            resp.bundle_loaded_at.CopyFrom(timestamp(bundle.loaded_at))
            resp.access_policies = bundle.access_policy_count
            resp.masking_policies = bundle.masking_policy_count
        return resp
