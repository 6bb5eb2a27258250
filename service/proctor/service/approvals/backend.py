"""The decision point's approval backend over the Redis store: opens
tickets for NEEDS_APPROVAL, verifies and consumes grants."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace

from proctor.masking import Detect, Detector, MaskContext
from proctor.masking.operators import detect as detect_operator
from proctor.service.annotations import GroupRef
from proctor.service.approvals import model
from proctor.service.approvals.model import ApprovalRecord, GrantRefused, Ref, Status
from proctor.service.approvals.store import ApprovalStore
from proctor.service.bundle import Bundle
from proctor.service.decisions import GrantCheck, Ticket
from proctor.service.engine import Outcome, Request, Requirement

ON_BEHALF_OF = "on_behalf_of"


class ReviewContextMasker:
    """What reviewers see of a request: its context with every identifier the
    detector finds redacted, and the payload's findings (never the payload)."""

    def __init__(self, detector: Detector) -> None:
        # Detection redacts; no keyed operator runs, so a throwaway key is fine.
        self._ctx = MaskContext(hash_key=secrets.token_bytes(32), detector=detector)

    def __call__(self, request: Request) -> str:
        """Masked review context as JSON text."""
        doc: dict[str, Any] = {"context": self.mask(dict(request.context))}
        if request.payload_findings is not None:
            doc["payload"] = dict(request.payload_findings)
        return json.dumps(doc, sort_keys=True, ensure_ascii=False)

    def mask(self, value: Any) -> Any:
        """Any JSON value with detected identifiers redacted."""
        return detect_operator(value, Detect(), self._ctx)

    def text(self, text: str) -> str:
        """Free text (a reviewer's reason) with detected identifiers redacted."""
        masked = self.mask(text)
        return masked if isinstance(masked, str) else ""


class StoreBackend:
    """:class:`~proctor.service.decisions.ApprovalBackend` over :class:`ApprovalStore`."""

    def __init__(
        self,
        store: ApprovalStore,
        masker: ReviewContextMasker,
        retry_after_seconds: float = 5.0,
    ) -> None:
        self.store = store
        self._masker = masker
        self._retry_after = retry_after_seconds

    async def open(
        self,
        request: Request,
        request_fingerprint: str,
        bundle: Bundle,
        outcome: Outcome,
        decision_id: str,
    ) -> Ticket:
        """Find or create the approval for this request."""

        def make(approval_id: str, now: float) -> ApprovalRecord:
            return model.new_record(
                approval_id=approval_id,
                fingerprint=request_fingerprint,
                bundle_version=bundle.version,
                principal=(request.principal.type, request.principal.id),
                action=(request.action.type, request.action.id),
                resource=(request.resource.type, request.resource.id),
                on_behalf_of=on_behalf_of(bundle, request),
                decision_id=decision_id,
                requirements=[
                    model.Requirement(_ref(r.group), r.quorum, r.policy_ids)
                    for r in outcome.requirements
                ],
                policy_ids=outcome.policy_ids,
                ttl_seconds=outcome.ttl_seconds,
                uses=outcome.uses or 1,
                review_context_json=self._masker(request),
                now=now,
                trace=_current_trace(),
            )

        record, _created = await self.store.open(request_fingerprint, bundle.version, make)
        return self.ticket(record)

    async def check_grant(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """Read-only check of a presented grant."""
        try:
            record = await self.store.check_grant(approval_id, request_fingerprint, bundle_version)
        except GrantRefused as refused:
            return GrantCheck(
                False, refused.code, refused.message, await self._ticket_of(approval_id)
            )
        return GrantCheck(True, ticket=self.ticket(record), facts=grant_facts(record))

    async def consume(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """Use the grant once, atomically."""
        try:
            record = await self.store.consume(approval_id, request_fingerprint, bundle_version)
        except GrantRefused as refused:
            return GrantCheck(
                False, refused.code, refused.message, await self._ticket_of(approval_id)
            )
        return GrantCheck(True, ticket=self.ticket(record), facts=grant_facts(record))

    async def _ticket_of(self, approval_id: str) -> Ticket | None:
        record = await self.store.get(approval_id)
        return self.ticket(record) if record is not None else None

    def ticket(self, record: ApprovalRecord) -> Ticket:
        """The caller's view of a record."""
        approvals = record.approvals_by_group()
        deny_code = deny_message = ""
        if record.status == Status.DENIED:
            deny_code = "approval_denied"
            deny_message = (
                f"a reviewer denied approval {record.id}; the identical request cannot be asked "
                "again until its ttl has passed"
            )
        return Ticket(
            id=record.id,
            status=record.status.value,
            requirements=tuple(
                Requirement(GroupRef(*r.group), r.quorum, r.policy_ids) for r in record.requirements
            ),
            expires_at=record.grant_expires_at
            if record.status == Status.APPROVED
            else record.expires_at,
            retry_after_seconds=min(self._retry_after, float(record.ttl_seconds)),
            approvals={model.ref_str(g): n for g, n in approvals.items()},
            deny_code=deny_code,
            deny_message=deny_message,
        )


def grant_facts(record: ApprovalRecord) -> Mapping[str, tuple[Ref, ...]]:
    """context.approval.reviewers / .groups for a verified grant."""
    approving = [r for r in record.reviews if r.verdict == "approve"]
    return {
        "reviewers": tuple(r.reviewer for r in approving),
        "groups": tuple(sorted({g for r in approving for g in r.groups})),
    }


def on_behalf_of(bundle: Bundle, request: Request) -> Ref | None:
    """The human the principal acts for: its ``on_behalf_of`` attribute, from
    the request's entities or else the bundle's."""
    principal = (request.principal.type, request.principal.id)
    for entity in request.entities:
        uid = entity.get("uid")
        if isinstance(uid, Mapping) and (uid.get("type"), uid.get("id")) == principal:
            attrs = entity.get("attrs")
            value = attrs.get(ON_BEHALF_OF) if isinstance(attrs, Mapping) else None
            return _entity_ref(value)
    return bundle.directory_index.ref(principal, ON_BEHALF_OF)


def _entity_ref(value: Any) -> Ref | None:
    if isinstance(value, Mapping) and isinstance(value.get("__entity"), Mapping):
        value = value["__entity"]
    if isinstance(value, Mapping):
        kind, ident = value.get("type"), value.get("id")
        if isinstance(kind, str) and isinstance(ident, str):
            return kind, ident
    return None


def _ref(group: GroupRef) -> Ref:
    return group.type, group.id


def _current_trace() -> tuple[str, str]:
    """The current span (the decision's), as hex ids; empty when none."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return "", ""
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"
