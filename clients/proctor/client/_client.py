"""``Client`` and ``AsyncClient``: authorize, authorize in batches, and
``require`` — return on ALLOW, raise on DENY, wait for a human on
NEEDS_APPROVAL (``WatchApproval``, no polling) and proceed once with the grant.

Channels retry only UNAVAILABLE (the gRPC service config), carry deadlines on
every call, TLS and bearer-token credentials when given, and the caller's
OpenTelemetry trace context (``traceparent``) so Proctor's decision span
joins the agent's trace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
import grpc.aio

from proctor.client._errors import (
    ApprovalDenied,
    ApprovalTimeout,
    Denied,
    InvalidRequest,
    ServerError,
    Unauthenticated,
    Unavailable,
)
from proctor.client._values import EntityLike, entity, json_to_entity, json_to_record
from proctor.v1 import (
    approval_pb2,
    approval_pb2_grpc,
    decision_pb2,
    decision_pb2_grpc,
    value_pb2,
)

DEFAULT_ADDRESS = "127.0.0.1:7391"
DEFAULT_TIMEOUT = 5.0
DEFAULT_APPROVAL_WAIT = 900.0

# Retry UNAVAILABLE only: a decision is never retried after it was made.
SERVICE_CONFIG = json.dumps(
    {
        "methodConfig": [
            {
                "name": [{"service": "proctor.v1.DecisionService"}],
                "retryPolicy": {
                    "maxAttempts": 4,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "1s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    }
)

_STATUS = {v: k for k, v in decision_pb2.ApprovalStatus.items()}
_FINAL = {"APPROVED", "DENIED", "EXPIRED", "CONSUMED"}


@dataclass(frozen=True, slots=True)
class Mask:
    """One masking directive to apply to the action's result."""

    selector: str
    operator: str
    params: Mapping[str, str]
    rule_id: str = ""


@dataclass(frozen=True, slots=True)
class Approval:
    """The approval a NEEDS_APPROVAL decision waits for."""

    id: str
    status: str  # PENDING, APPROVED, DENIED, EXPIRED, CONSUMED
    requirements: tuple[tuple[str, int, int], ...]  # (group, quorum, approvals so far)
    expires_at: float
    retry_after: float


@dataclass(frozen=True, slots=True)
class Decision:
    """Proctor's answer."""

    decision: str  # ALLOW, DENY, NEEDS_APPROVAL
    decision_id: str
    reason_code: str
    reason: str
    policy_ids: tuple[str, ...]
    bundle_version: str
    masks: tuple[Mask, ...] = ()
    approval: Approval | None = None

    @property
    def allowed(self) -> bool:
        """True for ALLOW."""
        return self.decision == "ALLOW"


@dataclass(frozen=True, slots=True)
class Ask:
    """One request, for ``authorize_batch``."""

    principal: EntityLike
    action: EntityLike
    resource: EntityLike
    context: Mapping[str, Any] = field(default_factory=dict)
    entities: Sequence[Mapping[str, Any]] = ()
    approval_id: str = ""
    payload: str | Mapping[str, Any] | None = None


def build_request(ask: Ask) -> decision_pb2.AuthorizeRequest:
    """An :class:`Ask` → the wire request (InvalidRequest names the field)."""
    action = ask.action
    if isinstance(action, str) and "::" not in action:
        action = ("Action", action)
    request = decision_pb2.AuthorizeRequest(
        principal=entity(ask.principal, "principal"),
        action=entity(action, "action"),
        resource=entity(ask.resource, "resource"),
        context=value_pb2.Record(attributes=json_to_record(ask.context, "context")),
        entities=[json_to_entity(e, f"entities[{i}]") for i, e in enumerate(ask.entities)],
        approval_id=ask.approval_id,
    )
    if isinstance(ask.payload, str):
        request.payload.text = ask.payload
    elif ask.payload is not None:
        request.payload.json = json.dumps(ask.payload)
    return request


def decision_from_wire(resp: decision_pb2.AuthorizeResponse) -> Decision:
    """Wire response → :class:`Decision`."""
    approval = None
    if resp.HasField("approval"):
        a = resp.approval
        approval = Approval(
            id=a.id,
            status=_STATUS.get(a.status, "").removeprefix("APPROVAL_STATUS_"),
            requirements=tuple(
                (f'{r.group.type}::"{r.group.id}"', r.quorum, r.approvals) for r in a.requirements
            ),
            expires_at=a.expires_at.ToNanoseconds() / 1e9,
            retry_after=a.retry_after.ToNanoseconds() / 1e9,
        )
    return Decision(
        decision=decision_pb2.Decision.Name(resp.decision).removeprefix("DECISION_"),
        decision_id=resp.decision_id,
        reason_code=resp.reason.code,
        reason=resp.reason.message,
        policy_ids=tuple(resp.policy_ids),
        bundle_version=resp.bundle_version,
        masks=tuple(Mask(m.selector, m.operator, dict(m.params), m.rule_id) for m in resp.masks),
        approval=approval,
    )


def translate(exc: grpc.RpcError) -> Exception:
    """A gRPC failure → the client's error."""
    code = exc.code() if hasattr(exc, "code") else grpc.StatusCode.UNKNOWN
    details = (exc.details() if hasattr(exc, "details") else "") or ""
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        field_name, sep, message = details.partition(": ")
        return InvalidRequest(field_name if sep else "", message if sep else details)
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return Unavailable(f"proctor is not answering ({code.name.lower()})")
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return Unauthenticated(details)
    return ServerError(code.name, details)


def _trace_metadata() -> list[tuple[str, str]]:
    """The caller's W3C trace context, if OpenTelemetry is installed."""
    try:
        from opentelemetry.propagate import inject  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover - opentelemetry-api ships with the server
        return []
    carrier: dict[str, str] = {}
    inject(carrier)
    return list(carrier.items())


@dataclass(frozen=True, slots=True)
class Settings:
    """How to reach Proctor."""

    address: str = DEFAULT_ADDRESS
    timeout: float = DEFAULT_TIMEOUT
    # PEM root certificates (TLS when set, or when ``tls`` is True).
    root_certificates: bytes | None = None
    tls: bool = False
    # mTLS client certificate and key (PEM).
    certificate_chain: bytes | None = None
    private_key: bytes | None = None
    # A bearer token sent with every call (reviewers, or agents behind a gateway).
    token: str | None = None

    def channel_options(self) -> list[tuple[str, Any]]:
        """Retries on UNAVAILABLE via the service config."""
        return [("grpc.service_config", SERVICE_CONFIG), ("grpc.enable_retries", 1)]

    def credentials(self) -> grpc.ChannelCredentials | None:
        """TLS credentials, with the token as call credentials."""
        if not (self.tls or self.root_certificates or self.certificate_chain):
            return None
        creds = grpc.ssl_channel_credentials(
            self.root_certificates, self.private_key, self.certificate_chain
        )
        if self.token:
            creds = grpc.composite_channel_credentials(
                creds, grpc.access_token_call_credentials(self.token)
            )
        return creds

    def metadata(self) -> list[tuple[str, str]]:
        """Per-call metadata: trace context, and the token on plaintext channels."""
        md = _trace_metadata()
        if self.token and self.credentials() is None:
            md.append(("authorization", f"Bearer {self.token}"))
        return md


class Client:
    """A blocking client. Use as a context manager or call ``close()``."""

    def __init__(self, address: str = DEFAULT_ADDRESS, **settings: Any) -> None:
        self.settings = Settings(address=address, **settings)
        creds = self.settings.credentials()
        options = self.settings.channel_options()
        self._channel = (
            grpc.secure_channel(address, creds, options=options)
            if creds is not None
            else grpc.insecure_channel(address, options=options)
        )
        self._decisions = decision_pb2_grpc.DecisionServiceStub(self._channel)
        self._approvals = approval_pb2_grpc.ApprovalServiceStub(self._channel)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel."""
        self._channel.close()

    def authorize(
        self,
        principal: EntityLike,
        action: EntityLike,
        resource: EntityLike,
        context: Mapping[str, Any] | None = None,
        *,
        entities: Sequence[Mapping[str, Any]] = (),
        approval_id: str = "",
        payload: str | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Decision:
        """Decide one request."""
        ask = Ask(principal, action, resource, context or {}, entities, approval_id, payload)
        try:
            resp = self._decisions.Authorize(
                build_request(ask),
                timeout=timeout or self.settings.timeout,
                metadata=self.settings.metadata(),
            )
        except grpc.RpcError as exc:
            raise translate(exc) from None
        return decision_from_wire(resp)

    def authorize_batch(
        self, asks: Sequence[Ask], *, timeout: float | None = None
    ) -> list[Decision]:
        """Decide up to 100 requests in one call, answers in order."""
        request = decision_pb2.AuthorizeBatchRequest(requests=[build_request(a) for a in asks])
        try:
            resp = self._decisions.AuthorizeBatch(
                request, timeout=timeout or self.settings.timeout, metadata=self.settings.metadata()
            )
        except grpc.RpcError as exc:
            raise translate(exc) from None
        return [decision_from_wire(r) for r in resp.responses]

    def watch(self, approval_id: str, wait: float = DEFAULT_APPROVAL_WAIT) -> Iterator[str]:
        """The approval's status on every change, until it settles or ``wait`` ends."""
        try:
            for update in self._approvals.WatchApproval(
                approval_pb2.WatchApprovalRequest(approval_id=approval_id),
                timeout=wait,
                metadata=self.settings.metadata(),
            ):
                yield _STATUS.get(update.approval.status, "").removeprefix("APPROVAL_STATUS_")
        except grpc.RpcError as exc:
            if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                return
            raise translate(exc) from None

    def require(
        self,
        principal: EntityLike,
        action: EntityLike,
        resource: EntityLike,
        context: Mapping[str, Any] | None = None,
        *,
        entities: Sequence[Mapping[str, Any]] = (),
        payload: str | Mapping[str, Any] | None = None,
        wait: float = DEFAULT_APPROVAL_WAIT,
    ) -> Decision:
        """ALLOW → the decision; DENY → :class:`Denied`; NEEDS_APPROVAL → wait
        for reviewers (up to ``wait`` seconds), then proceed with the grant
        (:class:`ApprovalDenied`, :class:`ApprovalTimeout` otherwise)."""
        args = (principal, action, resource, context)
        decision = self.authorize(*args, entities=entities, payload=payload)
        return _settle(
            decision,
            lambda approval_id, remaining: _final_status(self.watch(approval_id, remaining)),
            lambda approval_id: self.authorize(
                *args, entities=entities, payload=payload, approval_id=approval_id
            ),
            wait,
        )


def _final_status(statuses: Iterator[str]) -> str:
    last = ""
    for last in statuses:
        if last in _FINAL:
            break
    return last


def _settle(
    decision: Decision,
    wait_for: Any,
    proceed: Any,
    wait: float,
) -> Decision:
    """The shared logic of ``require`` (sync form)."""
    if decision.decision == "ALLOW":
        return decision
    if decision.decision == "DENY" or decision.approval is None:
        if decision.reason_code == "approval_denied":
            raise ApprovalDenied(decision)
        raise Denied(decision)
    approval = decision.approval
    status = approval.status
    if status != "APPROVED":
        status = wait_for(approval.id, wait)
    return _after_wait(decision, status, proceed)


def _after_wait(decision: Decision, status: str, proceed: Any) -> Decision:
    assert decision.approval is not None
    approval_id = decision.approval.id
    if status == "APPROVED":
        granted: Decision = proceed(approval_id)
        if granted.decision == "ALLOW":
            return granted
        raise Denied(granted)
    if status == "DENIED":
        raise ApprovalDenied(decision)
    raise ApprovalTimeout(
        approval_id,
        f"approval {approval_id} was not granted in time ({status.lower() or 'still pending'})",
    )


class AsyncClient:
    """The asyncio client (grpc.aio). Use ``async with`` or ``await close()``."""

    def __init__(self, address: str = DEFAULT_ADDRESS, **settings: Any) -> None:
        self.settings = Settings(address=address, **settings)
        creds = self.settings.credentials()
        options = self.settings.channel_options()
        self._channel = (
            grpc.aio.secure_channel(address, creds, options=options)
            if creds is not None
            else grpc.aio.insecure_channel(address, options=options)
        )
        self._decisions = decision_pb2_grpc.DecisionServiceStub(self._channel)
        self._approvals = approval_pb2_grpc.ApprovalServiceStub(self._channel)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close(None)

    async def authorize(
        self,
        principal: EntityLike,
        action: EntityLike,
        resource: EntityLike,
        context: Mapping[str, Any] | None = None,
        *,
        entities: Sequence[Mapping[str, Any]] = (),
        approval_id: str = "",
        payload: str | Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Decision:
        """Decide one request."""
        ask = Ask(principal, action, resource, context or {}, entities, approval_id, payload)
        try:
            resp = await self._decisions.Authorize(
                build_request(ask),
                timeout=timeout or self.settings.timeout,
                metadata=self.settings.metadata(),
            )
        except grpc.RpcError as exc:
            raise translate(exc) from None
        return decision_from_wire(resp)

    async def authorize_batch(
        self, asks: Sequence[Ask], *, timeout: float | None = None
    ) -> list[Decision]:
        """Decide up to 100 requests in one call, answers in order."""
        request = decision_pb2.AuthorizeBatchRequest(requests=[build_request(a) for a in asks])
        try:
            resp = await self._decisions.AuthorizeBatch(
                request, timeout=timeout or self.settings.timeout, metadata=self.settings.metadata()
            )
        except grpc.RpcError as exc:
            raise translate(exc) from None
        return [decision_from_wire(r) for r in resp.responses]

    async def wait_for(self, approval_id: str, wait: float = DEFAULT_APPROVAL_WAIT) -> str:
        """The approval's status once it settles, or its last status at ``wait``."""
        last = ""
        call = self._approvals.WatchApproval(
            approval_pb2.WatchApprovalRequest(approval_id=approval_id),
            timeout=wait,
            metadata=self.settings.metadata(),
        )
        try:
            async for update in call:
                last = _STATUS.get(update.approval.status, "").removeprefix("APPROVAL_STATUS_")
                if last in _FINAL:
                    break
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                raise translate(exc) from None
        finally:
            call.cancel()
        return last

    async def require(
        self,
        principal: EntityLike,
        action: EntityLike,
        resource: EntityLike,
        context: Mapping[str, Any] | None = None,
        *,
        entities: Sequence[Mapping[str, Any]] = (),
        payload: str | Mapping[str, Any] | None = None,
        wait: float = DEFAULT_APPROVAL_WAIT,
    ) -> Decision:
        """As :meth:`Client.require`, awaiting the reviewers without blocking."""
        args = (principal, action, resource, context)
        decision = await self.authorize(*args, entities=entities, payload=payload)
        if decision.decision != "NEEDS_APPROVAL" or decision.approval is None:
            return _settle(decision, None, None, wait)
        status = decision.approval.status
        if status != "APPROVED":
            status = await self.wait_for(decision.approval.id, wait)
        if status != "APPROVED":
            return _after_wait(decision, status, None)
        granted = await self.authorize(
            *args, entities=entities, payload=payload, approval_id=decision.approval.id
        )
        if granted.decision == "ALLOW":
            return granted
        raise Denied(granted)
