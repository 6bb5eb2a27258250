"""The decision point: one decision id per call, the bundle in force, the
engine, and the approval backend, wired together.

Collaborators are passed in (bundle source, approval backend, clock, id
source) so tests build a decision point without globals. The gRPC servicer
only translates wire types to and from this.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from opentelemetry.context import Context

from proctor.service.audit.auditor import Auditor
from proctor.service.bundle import Bundle
from proctor.service.engine import (
    EVALUATION_ERROR,
    Outcome,
    Request,
    Requirement,
    decide,
    deny,
)
from proctor.service.errors import InvalidRequestError, StoreUnavailable
from proctor.service.fingerprint import fingerprint
from proctor.service.payload import Detector, Payload, default_detector, scan_payload

log = logging.getLogger("proctor.decisions")

APPROVAL_INVALID = "approval_invalid"
EVIDENCE_UNAVAILABLE = "evidence_unavailable"
APPROVAL_STORE_UNAVAILABLE = "approval_store_unavailable"
INTERNAL_ERROR = "internal_error"
NO_BUNDLE = "no_bundle"


def new_decision_id() -> str:
    """A unique id that sorts by time: 48-bit milliseconds + 80 random bits, hex."""
    return f"dec_{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


@dataclass(frozen=True, slots=True)
class Ticket:
    """An approval ticket as the caller sees it."""

    id: str
    status: str  # PENDING, APPROVED, DENIED, EXPIRED, CONSUMED
    requirements: tuple[Requirement, ...]
    expires_at: float
    retry_after_seconds: float
    approvals: dict[str, int] = field(default_factory=dict)  # group -> approvals so far
    # Set when the status makes the request a DENY (a reviewer said no).
    deny_code: str = ""
    deny_message: str = ""


@dataclass(frozen=True, slots=True)
class GrantCheck:
    """What the approval backend says about a presented approval id."""

    granted: bool
    reason_code: str = ""
    reason_message: str = ""
    ticket: Ticket | None = None
    # For a grant: who approved and for which groups, as (type, id), to fill
    # context.approval.reviewers / .groups where the schema declares them.
    facts: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


class ApprovalBackend(Protocol):
    """Where approval tickets live: :class:`~proctor.service.approvals.backend.StoreBackend`
    (Redis) in the server; :class:`ComputedTickets` where nothing is stored.
    Raise :class:`StoreUnavailable` when the store cannot be reached: the
    request is then denied with ``approval_store_unavailable``."""

    async def open(
        self,
        request: Request,
        request_fingerprint: str,
        bundle: Bundle,
        outcome: Outcome,
        decision_id: str,
    ) -> Ticket:
        """Create, or find, the approval for a request."""
        ...

    async def check_grant(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """Whether ``approval_id`` is a usable grant for exactly this request."""
        ...

    async def consume(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """Use the grant once, atomically (granted False if it was used up,
        expired or changed meanwhile)."""
        ...


@dataclass
class ComputedTickets:
    """Tickets computed from the request, not stored: the id is derived from
    the request fingerprint and bundle version, so a retried request gets the
    same ticket; grants cannot be presented (nothing is stored to check).
    For tools that decide without a server (`proctor test`, benchmarks)."""

    clock: Callable[[], float] = time.time
    retry_after_seconds: float = 5.0

    async def open(
        self,
        request: Request,
        request_fingerprint: str,
        bundle: Bundle,
        outcome: Outcome,
        decision_id: str,
    ) -> Ticket:
        """Describe the ticket the request needs."""
        digest = fingerprint(
            {"type": "Bundle", "id": bundle.version},
            {"type": "Fingerprint", "id": request_fingerprint},
            {"type": "Proctor", "id": "approval"},
            {},
        )
        return Ticket(
            id="apr_" + digest[:32],
            status="PENDING",
            requirements=outcome.requirements,
            expires_at=self.clock() + outcome.ttl_seconds,
            retry_after_seconds=min(self.retry_after_seconds, float(outcome.ttl_seconds)),
        )

    async def check_grant(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """No grant can be verified without a store."""
        return _NO_STORE

    async def consume(
        self, approval_id: str, request_fingerprint: str, bundle_version: str
    ) -> GrantCheck:
        """Nothing to consume."""
        return _NO_STORE


_NO_STORE = GrantCheck(
    False,
    APPROVAL_STORE_UNAVAILABLE,
    "this server keeps no approvals (no approval store is configured), "
    "so approval_id cannot be verified",
)


@dataclass(frozen=True, slots=True)
class Decision:
    """One answered request."""

    decision_id: str
    bundle_version: str
    outcome: Outcome
    ticket: Ticket | None = None


class DecisionPoint:
    """Decides requests against whatever bundle is in force."""

    def __init__(
        self,
        bundles: Callable[[], Bundle | None],
        approvals: ApprovalBackend,
        new_id: Callable[[], str] = new_decision_id,
        detector: Detector | None = None,
        auditor: Auditor | None = None,
        evidence_required: bool = False,
    ) -> None:
        self._bundles = bundles
        self._approvals = approvals
        self._new_id = new_id
        self._detector = detector
        self._auditor = auditor
        self._evidence_required = evidence_required

    async def authorize(
        self,
        request: Request,
        approval_id: str = "",
        payload: Payload | None = None,
        parent: Context | None = None,
    ) -> Decision:
        """Decide one request, as a ``proctor.authorize`` span (a child of
        ``parent``, the caller's trace). Raises InvalidRequestError for bad
        input; every other failure is a DENY."""
        if self._auditor is None:
            return await self._decide(request, approval_id, payload)
        started = time.perf_counter()
        with self._auditor.authorize_span(parent) as span:
            try:
                decision = await self._decide(request, approval_id, payload)
            except InvalidRequestError as exc:
                self._auditor.record_failure(span, exc.field)
                raise
            if self._evidence_required and not self._auditor.evidence_ok():
                decision = replace(
                    decision,
                    outcome=deny(
                        EVIDENCE_UNAVAILABLE,
                        "audit evidence cannot be recorded and is required; denying",
                    ),
                    ticket=None,
                )
            o = decision.outcome
            findings = request.payload_findings or {}
            self._auditor.record_decision(
                span,
                principal=(request.principal.type, request.principal.id),
                action=(request.action.type, request.action.id),
                resource=(request.resource.type, request.resource.id),
                decision=o.decision,
                decision_id=decision.decision_id,
                reason=o.reason_code,
                policy_ids=o.policy_ids,
                bundle_version=decision.bundle_version,
                masked_fields=[str(m.selector) for m in o.masks],
                approval_id=decision.ticket.id if decision.ticket else approval_id[:64],
                payload_categories=sorted(findings.get("phi_categories") or ()),
                seconds=time.perf_counter() - started,
            )
            return decision

    async def _decide(
        self, request: Request, approval_id: str, payload: Payload | None
    ) -> Decision:
        payload_digest = ""
        if payload is not None:
            if self._detector is None:
                self._detector = default_detector()
            scan = scan_payload(payload, self._detector)
            request = replace(request, payload_findings=scan.findings)
            payload_digest = scan.digest
        decision_id = self._new_id()
        bundle = self._bundles()  # read once: the whole call sees one bundle
        if bundle is None:
            return Decision(decision_id, "", deny(NO_BUNDLE, "no policy bundle is loaded; denying"))
        try:
            return await self._authorize(bundle, request, approval_id, decision_id, payload_digest)
        except InvalidRequestError:
            raise
        except StoreUnavailable:
            log.warning("decision %s: approval store unavailable; denying", decision_id)
            return Decision(
                decision_id,
                bundle.version,
                deny(
                    APPROVAL_STORE_UNAVAILABLE,
                    "the approval store cannot be reached; requests that need it are denied "
                    "until it is back",
                ),
            )
        except Exception as exc:  # fail closed: an internal failure is never an ALLOW
            # The message may quote request data: log the type and place only.
            where = traceback.extract_tb(exc.__traceback__)[-1]
            log.error(
                "decision %s failed: %s at %s:%s; denying",
                decision_id,
                type(exc).__name__,
                Path(where.filename).name,
                where.lineno,
            )
            return Decision(
                decision_id,
                bundle.version,
                deny(INTERNAL_ERROR, "internal error while deciding; denying"),
            )

    async def _authorize(
        self,
        bundle: Bundle,
        request: Request,
        approval_id: str,
        decision_id: str,
        payload_digest: str,
    ) -> Decision:
        if not approval_id:
            outcome = decide(bundle, request)
            if outcome.decision != "NEEDS_APPROVAL":
                return Decision(decision_id, bundle.version, outcome)
            fp = _fingerprint(request, payload_digest)
            ticket = await self._approvals.open(request, fp, bundle, outcome, decision_id)
            if ticket.deny_code:
                outcome = deny(ticket.deny_code, ticket.deny_message, outcome.policy_ids)
            return Decision(decision_id, bundle.version, outcome, ticket)
        # Validate the request before touching the store: a malformed request
        # with an approval id is INVALID_ARGUMENT, like one without.
        decide(bundle, request)
        fp = _fingerprint(request, payload_digest)
        check = await self._approvals.check_grant(approval_id, fp, bundle.version)
        if not check.granted:
            return Decision(
                decision_id,
                bundle.version,
                deny(check.reason_code or APPROVAL_INVALID, check.reason_message),
                check.ticket,
            )
        outcome = decide(bundle, request, granted=True, approval_facts=check.facts)
        granted_ticket: Ticket | None = check.ticket
        if outcome.decision == "ALLOW":
            used = await self._approvals.consume(approval_id, fp, bundle.version)
            granted_ticket = used.ticket or granted_ticket
            if not used.granted:
                outcome = deny(used.reason_code or APPROVAL_INVALID, used.reason_message)
        elif outcome.decision == "NEEDS_APPROVAL":  # cannot happen with granted=True
            outcome = deny(EVALUATION_ERROR, "approval did not lift the gates")
        return Decision(decision_id, bundle.version, outcome, granted_ticket)


def _fingerprint(request: Request, payload_digest: str) -> str:
    return fingerprint(
        request.principal.to_json(),
        request.action.to_json(),
        request.resource.to_json(),
        request.context,
        request.entities,
        payload_digest,
    )
