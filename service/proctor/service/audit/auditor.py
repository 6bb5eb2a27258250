"""Spans and metrics for decisions and approval transitions.

One ``proctor.authorize`` server span per decision, a child of the agent's
span when the call carries W3C ``traceparent`` metadata; one
``proctor.approval.<transition>`` span per approval transition (created,
reviewed, granted, denied, expired, consumed), linked to the decision that
opened the approval; a ``proctor.approval.review_refused`` span for every
refused review. Attributes are identifiers, codes and counts only; entity
ids pass through a scrubber that redacts anything the PHI detector finds.
"""

from __future__ import annotations

import contextlib
import functools
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.metrics import Meter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import (
    Link,
    NonRecordingSpan,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from proctor.service.approvals.model import ApprovalRecord, Ref, ref_str
from proctor.service.approvals.model import Status as ApprovalStatus
from proctor.service.approvals.notice import Notice
from proctor.service.audit import attributes as A

_PROPAGATOR = TraceContextTextMapPropagator()


def parent_from_metadata(metadata: Iterable[tuple[str, Any]] | None) -> Context | None:
    """The caller's trace context from gRPC metadata (``traceparent``)."""
    carrier = {k.lower(): v for k, v in (metadata or ()) if isinstance(v, str)}
    if "traceparent" not in carrier:
        return None
    return _PROPAGATOR.extract(carrier)


def transitions(before: ApprovalRecord | None, after: ApprovalRecord) -> list[str]:
    """What happened between two versions of a record."""
    if before is None:
        return ["created"]
    happened = ["reviewed"] * (len(after.reviews) - len(before.reviews))
    if before.status != after.status:
        happened.append(
            {
                ApprovalStatus.APPROVED: "granted",
                ApprovalStatus.DENIED: "denied",
                ApprovalStatus.EXPIRED: "expired",
                ApprovalStatus.CONSUMED: "consumed",
            }.get(after.status, after.status.value.lower())
        )
    elif after.uses_remaining < before.uses_remaining:
        happened.append("consumed")
    return happened


_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_UNSET = Status(StatusCode.UNSET)
SCOPE = InstrumentationScope("proctor")


@dataclass(slots=True)
class DecisionSpan:
    """The ``proctor.authorize`` span of one decision while it is made.

    Decisions are the hot path, so their span is not an SDK ``Span`` (whose
    start, attribute checks and end cost more than the decision itself): ids
    come from the same generator the SDK uses, attributes are set once, and
    the finished span goes to the same processors (evidence file, OTLP, any
    extra) as a ``ReadableSpan``. Other spans are made by the SDK.
    """

    context: SpanContext
    parent: SpanContext | None
    start_ns: int
    attributes: dict[str, Any] = field(default_factory=dict)
    status: Status = _UNSET

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        """Add attributes (identifiers, codes, counts: already valid OTel values)."""
        self.attributes.update(attributes)

    def set_status(self, status: Status) -> None:
        """Mark the span's outcome."""
        self.status = status


def _new_ids(parent: SpanContext | None) -> SpanContext:
    # As the SDK's RandomIdGenerator: random non-zero ids, the parent's trace.
    trace_id = parent.trace_id if parent is not None else 0
    while trace_id == 0:
        trace_id = random.getrandbits(128)
    span_id = 0
    while span_id == 0:
        span_id = random.getrandbits(64)
    return SpanContext(trace_id, span_id, is_remote=False, trace_flags=_SAMPLED)


class Auditor:
    """Emits the audit spans and metrics of one instance."""

    def __init__(
        self,
        tracer: Tracer,
        meter: Meter,
        instance: str,
        scrub: Callable[[str], str] = lambda text: text,
        evidence_ok: Callable[[], bool] = lambda: True,
        decision_sink: SpanProcessor | None = None,
        resource: Resource | None = None,
    ) -> None:
        self._tracer = tracer
        self._instance = instance
        # Where finished decision spans go: the tracer provider's processors.
        self._sink = decision_sink
        self._resource = resource or Resource.create({})
        # Entity ids repeat: scrub each distinct one once.
        self._scrub = functools.lru_cache(maxsize=8192)(scrub)
        self.evidence_ok = evidence_ok
        self._decisions = meter.create_counter(A.M_DECISIONS, description="decisions by outcome")
        self._latency = meter.create_histogram(
            A.M_DECISION_LATENCY, unit="ms", description="time to decide"
        )
        self._approvals = meter.create_counter(
            A.M_APPROVALS, description="approvals by final state"
        )
        self._time_to_decision = meter.create_histogram(
            A.M_APPROVAL_TIME, unit="s", description="from request to a reviewer's decision"
        )

    def _entity(self, ref: Ref) -> str:
        return self._scrub(ref_str(ref))

    @contextlib.contextmanager
    def authorize_span(self, parent: Context | None) -> Iterator[DecisionSpan]:
        """The decision's span, current while the decision is made (approval
        records take its ids), ended and handed to the processors on exit."""
        parent_ctx: SpanContext | None = None
        if parent is not None:
            found = trace.get_current_span(parent).get_span_context()
            parent_ctx = found if found.is_valid else None
        span = DecisionSpan(_new_ids(parent_ctx), parent_ctx, time.time_ns())
        token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(span.context)))
        try:
            yield span
        except BaseException as exc:
            span.status = Status(StatusCode.ERROR, f"{type(exc).__name__}")
            raise
        finally:
            otel_context.detach(token)
            self._end(span)

    def _end(self, span: DecisionSpan) -> None:
        if self._sink is None:
            return
        self._sink.on_end(
            ReadableSpan(
                A.SPAN_AUTHORIZE,
                context=span.context,
                parent=span.parent,
                resource=self._resource,
                attributes=span.attributes,
                kind=SpanKind.SERVER,
                status=span.status,
                start_time=span.start_ns,
                end_time=time.time_ns(),
                instrumentation_scope=SCOPE,
            )
        )

    def record_decision(
        self,
        span: DecisionSpan,
        *,
        principal: Ref,
        action: Ref,
        resource: Ref,
        decision: str,
        decision_id: str,
        reason: str,
        policy_ids: Sequence[str],
        bundle_version: str,
        masked_fields: Sequence[str],
        approval_id: str,
        payload_categories: Sequence[str],
        seconds: float,
    ) -> None:
        """Attributes of a decision and its metrics."""
        attrs: dict[str, Any] = {
            A.DECISION: decision,
            A.DECISION_ID: decision_id,
            A.PRINCIPAL: self._entity(principal),
            A.ACTION: self._entity(action),
            A.RESOURCE: self._entity(resource),
            A.REASON: reason,
            A.POLICY_IDS: list(policy_ids),
            A.BUNDLE_VERSION: bundle_version,
        }
        if masked_fields:
            # One string, not a list: the SDK checks list attributes item by item.
            attrs[A.MASKED_FIELDS] = "; ".join(masked_fields)
        if approval_id:
            attrs[A.APPROVAL_ID] = approval_id
        if payload_categories:
            attrs[A.PAYLOAD_CATEGORIES] = list(payload_categories)
        span.set_attributes(attrs)
        labels = {"decision": decision, "action": action[1]}
        self._decisions.add(1, labels)
        self._latency.record(seconds * 1000, labels)

    def record_failure(self, span: DecisionSpan, field: str) -> None:
        """A request that could not be evaluated (INVALID_ARGUMENT)."""
        span.set_attributes({A.REASON: "invalid_argument", "proctor.invalid_field": field})
        span.set_status(Status(StatusCode.ERROR, "invalid argument"))

    async def approval_changed(self, before: ApprovalRecord | None, after: ApprovalRecord) -> None:
        """One span per transition, linked to the originating decision."""
        links = _links(after.trace_id, after.span_id)
        base = self._approval_attributes(after)
        for name in transitions(before, after):
            attrs = dict(base)
            if name == "reviewed":
                review = after.reviews[-1]
                attrs[A.REVIEWER] = self._entity(review.reviewer)
                attrs[A.VERDICT] = review.verdict
            if name in ("granted", "denied"):
                waited = max(0.0, after.decided_at - after.created_at)
                attrs[A.TIME_TO_DECISION_S] = round(waited, 3)
                self._time_to_decision.record(waited, {"outcome": name})
            if name in ("denied", "expired", "consumed", "granted"):
                self._approvals.add(1, {"state": after.status.value})
            span = self._tracer.start_span(
                A.SPAN_APPROVAL.format(transition=name), links=links, attributes=attrs
            )
            span.end()

    def notified(self, notice: Notice, destination: str, event: str) -> None:
        """A notification was delivered (Slack, Teams or a webhook)."""
        span = self._tracer.start_span(
            A.SPAN_APPROVAL.format(transition="notified"),
            links=_links(notice.trace_id, notice.span_id),
            attributes={
                A.APPROVAL_ID: notice.approval_id,
                A.APPROVAL_STATUS: notice.status,
                A.NOTIFY_DESTINATION: destination,
                A.NOTIFY_EVENT: event,
                A.INSTANCE: self._instance,
            },
        )
        span.end()

    def revealed(
        self, record: ApprovalRecord, scope_digest: str, requested: int, revealed: int
    ) -> None:
        """Tokens were turned back into originals under a grant (counts only)."""
        attrs = dict(self._approval_attributes(record))
        attrs.update(
            {
                A.REVEAL_SCOPE: scope_digest,
                A.REVEAL_REQUESTED: requested,
                A.REVEAL_REVEALED: revealed,
            }
        )
        span = self._tracer.start_span(
            A.SPAN_REVEAL, links=_links(record.trace_id, record.span_id), attributes=attrs
        )
        span.end()

    def review_refused(
        self,
        approval_id: str,
        reviewer: Ref,
        code: str,
        message: str,
        record: ApprovalRecord | None,
    ) -> None:
        """A refused review: who tried, why (the message names no values)."""
        attrs: dict[str, Any] = {
            A.APPROVAL_ID: approval_id[:64],
            A.REVIEWER: self._entity(reviewer),
            A.REFUSAL: code,
            A.REASON: message[:300],
            A.INSTANCE: self._instance,
        }
        if record is not None:
            attrs.update(self._approval_attributes(record))
        span = self._tracer.start_span(A.SPAN_REVIEW_REFUSED, attributes=attrs)
        span.set_status(Status(StatusCode.ERROR, code))
        span.end()

    def _approval_attributes(self, record: ApprovalRecord) -> Mapping[str, Any]:
        attrs: dict[str, Any] = {
            A.APPROVAL_ID: record.id,
            A.APPROVAL_STATUS: record.status.value,
            A.DECISION_ID: record.decision_id,
            A.PRINCIPAL: self._entity(record.principal),
            A.ACTION: self._entity(record.action),
            A.RESOURCE: self._entity(record.resource),
            A.BUNDLE_VERSION: record.bundle_version,
            A.POLICY_IDS: list(record.policy_ids),
            A.REQUIRED_GROUPS: [ref_str(g) for g in sorted(record.required_groups)],
            A.REVIEWERS: [self._entity(r.reviewer) for r in record.reviews],
            A.USES_REMAINING: record.uses_remaining,
            A.INSTANCE: self._instance,
        }
        if record.on_behalf_of is not None:
            attrs[A.ON_BEHALF_OF] = self._entity(record.on_behalf_of)
        if record.final_reason:
            attrs[A.REASON] = record.final_reason
        return attrs


def _links(trace_id: str, span_id: str) -> list[Link]:
    if not trace_id or not span_id:
        return []
    return [
        Link(
            SpanContext(
                int(trace_id, 16),
                int(span_id, 16),
                is_remote=True,
                trace_flags=TraceFlags(TraceFlags.SAMPLED),
            )
        )
    ]
