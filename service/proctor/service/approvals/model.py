"""Approval records and their transitions, as pure functions.

No network and no clock: every transition takes ``now`` and returns the new
record, or raises :class:`~proctor.service.approvals.notice.ReviewRefused` /
:class:`GrantRefused`. The store applies them atomically (DESIGN §4), so the
rules live here once and are tested without Redis.

Life cycle::

    PENDING ──(every group's quorum met)──▶ APPROVED ──(uses run out)──▶ CONSUMED
       │  └──(one reviewer denies)──▶ DENIED            │
       └──(nobody decided by expires_at)──▶ EXPIRED ◀───┘ (grant unused by grant_expires_at)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import msgpack

from proctor.service.approvals.notice import ReviewRefused, Verdict

RECORD_VERSION = 1


class Status(StrEnum):
    """Where an approval is in its life cycle."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    EXPIRED = "EXPIRED"
    CONSUMED = "CONSUMED"


# No transition leaves these.
FINAL = frozenset({Status.DENIED, Status.EXPIRED, Status.CONSUMED})
# A watcher waiting for a decision stops at these.
SETTLED = FINAL | {Status.APPROVED}

Ref = tuple[str, str]  # a Cedar entity reference: (type, id)


def ref_str(ref: Ref) -> str:
    """Cedar's written form: ``Group::"privacy-office"``."""
    escaped = ref[1].replace("\\", "\\\\").replace('"', '\\"')
    return f'{ref[0]}::"{escaped}"'


def parse_ref(text: str) -> Ref:
    """``Type::"id"`` → (type, id); raises ValueError naming the expected form."""
    kind, sep, rest = text.strip().partition("::")
    if not sep or not kind or len(rest) < 2 or rest[0] != '"' or rest[-1] != '"':
        raise ValueError('expected an entity like User::"ivan"')
    return kind, rest[1:-1].replace('\\"', '"').replace("\\\\", "\\")


class GrantRefused(Exception):
    """A presented approval id that does not grant this request."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Requirement:
    """One approver group's part: ``quorum`` distinct reviewers from ``group``."""

    group: Ref
    quorum: int
    policy_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """One reviewer's verdict; ``groups`` are the required groups they belong to."""

    reviewer: Ref
    verdict: Verdict
    reason: str
    at: float
    groups: tuple[Ref, ...]


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """An approval as stored. Holds no request values: the review context is
    masked before it gets here, and the request itself is only a fingerprint."""

    id: str
    status: Status
    fingerprint: str
    bundle_version: str
    principal: Ref
    action: Ref
    resource: Ref
    on_behalf_of: Ref | None
    decision_id: str
    requirements: tuple[Requirement, ...]
    policy_ids: tuple[str, ...]
    created_at: float
    expires_at: float
    ttl_seconds: int
    uses_total: int
    uses_remaining: int
    review_context_json: str = "{}"
    reviews: tuple[ReviewEntry, ...] = ()
    decided_at: float = 0.0
    grant_expires_at: float = 0.0
    # Why it ended, for EXPIRED/CONSUMED/DENIED: a stable code.
    final_reason: str = ""
    # The originating decision's span (hex), so approval spans link to it.
    trace_id: str = ""
    span_id: str = ""

    @property
    def required_groups(self) -> frozenset[Ref]:
        """Every group named by a requirement."""
        return frozenset(r.group for r in self.requirements)

    def approvals_by_group(self) -> dict[Ref, int]:
        """Approving reviewers so far, per required group (a reviewer in two
        groups shows in both; quorum is checked with each counted once)."""
        counts = {r.group: 0 for r in self.requirements}
        for review in self.reviews:
            if review.verdict == "approve":
                for group in review.groups:
                    if group in counts:
                        counts[group] += 1
        return counts

    def living_until(self) -> float:
        """When the record stops mattering to decisions (before retention)."""
        return max(self.expires_at, self.grant_expires_at, self.decided_at)


def new_approval_id(slot: str) -> str:
    """``apr_<slot><random>``: the slot (hex) keeps all of one approval's keys
    in one Redis Cluster hash slot; the random part makes it unguessable."""
    return f"apr_{slot}{secrets.token_hex(12)}"


def new_record(
    *,
    approval_id: str,
    fingerprint: str,
    bundle_version: str,
    principal: Ref,
    action: Ref,
    resource: Ref,
    on_behalf_of: Ref | None,
    decision_id: str,
    requirements: Sequence[Requirement],
    policy_ids: Sequence[str],
    ttl_seconds: int,
    uses: int,
    review_context_json: str,
    now: float,
    trace: tuple[str, str] = ("", ""),
) -> ApprovalRecord:
    """A fresh PENDING approval."""
    if ttl_seconds <= 0 or uses <= 0 or not requirements:
        raise ValueError("an approval needs a positive ttl, uses and at least one requirement")
    return ApprovalRecord(
        id=approval_id,
        status=Status.PENDING,
        fingerprint=fingerprint,
        bundle_version=bundle_version,
        principal=principal,
        action=action,
        resource=resource,
        on_behalf_of=on_behalf_of,
        decision_id=decision_id,
        requirements=tuple(requirements),
        policy_ids=tuple(policy_ids),
        created_at=now,
        expires_at=now + ttl_seconds,
        ttl_seconds=ttl_seconds,
        uses_total=uses,
        uses_remaining=uses,
        review_context_json=review_context_json,
        trace_id=trace[0],
        span_id=trace[1],
    )


# --- transitions ---------------------------------------------------------------


def expire_if_due(record: ApprovalRecord, now: float) -> ApprovalRecord:
    """PENDING past its expiry, or APPROVED past its grant's lifetime → EXPIRED."""
    if record.status == Status.PENDING and now >= record.expires_at:
        return replace(
            record, status=Status.EXPIRED, decided_at=record.expires_at, final_reason="not_reviewed"
        )
    if record.status == Status.APPROVED and now >= record.grant_expires_at:
        return replace(record, status=Status.EXPIRED, final_reason="grant_unused")
    return record


def review(
    record: ApprovalRecord,
    reviewer: Ref,
    reviewer_groups: Iterable[Ref],
    verdict: Verdict,
    reason: str,
    now: float,
) -> ApprovalRecord:
    """Record one review. ``reviewer_groups`` are the groups the reviewer is
    known (from the bundle or a verified token) to belong to."""
    record = expire_if_due(record, now)
    if record.status != Status.PENDING:
        raise ReviewRefused(
            "failed_precondition",
            f"approval {record.id} is already {record.status.lower()}; a decided approval "
            "cannot change",
        )
    if reviewer == record.principal:
        raise ReviewRefused("permission_denied", "a principal cannot review its own request")
    if record.on_behalf_of is not None and reviewer == record.on_behalf_of:
        raise ReviewRefused(
            "permission_denied",
            f"{ref_str(reviewer)} is the human this agent acts for and cannot approve its request",
        )
    if any(r.reviewer == reviewer for r in record.reviews):
        raise ReviewRefused(
            "failed_precondition", f"{ref_str(reviewer)} has already reviewed {record.id}"
        )
    counted = tuple(sorted(record.required_groups & frozenset(reviewer_groups)))
    if not counted:
        groups = ", ".join(ref_str(g) for g in sorted(record.required_groups))
        raise ReviewRefused(
            "permission_denied", f"{ref_str(reviewer)} is not in a required group ({groups})"
        )
    entry = ReviewEntry(reviewer, verdict, reason, now, counted)
    record = replace(record, reviews=(*record.reviews, entry))
    if verdict == "deny":
        return replace(record, status=Status.DENIED, decided_at=now, final_reason="denied")
    if quorum_met(record.requirements, record.reviews):
        return replace(
            record,
            status=Status.APPROVED,
            decided_at=now,
            grant_expires_at=now + record.ttl_seconds,
        )
    return record


def check_grant(
    record: ApprovalRecord, fingerprint: str, bundle_version: str, now: float
) -> ApprovalRecord:
    """The record if it grants exactly this request now; else GrantRefused."""
    record = _usable(record, bundle_version, now)
    if not secrets.compare_digest(record.fingerprint, fingerprint):
        raise GrantRefused(
            "approval_invalid",
            f"approval {record.id} was granted for a different request; it covers only the "
            "identical principal, action, resource, context, entities and payload",
        )
    return record


def consume_reveal(
    record: ApprovalRecord, action_id: str, scope: str, bundle_version: str, now: float
) -> ApprovalRecord:
    """Use a grant to reveal tokens of ``scope``: the approval must have been
    asked for ``Action::"<action_id>"`` on a resource whose id is the scope."""
    record = _usable(record, bundle_version, now)
    if record.action[1] != action_id or record.resource[1] != scope:
        raise GrantRefused(
            "approval_invalid",
            f"approval {record.id} does not grant revealing tokens of this scope (it was asked "
            f"for {ref_str(record.action)} on {ref_str(record.resource)}; ask for "
            f'Action::"{action_id}" on the scope)',
        )
    return _use(record)


def _usable(record: ApprovalRecord, bundle_version: str, now: float) -> ApprovalRecord:
    record = expire_if_due(record, now)
    if record.status == Status.PENDING:
        raise GrantRefused("approval_pending", f"approval {record.id} has not been approved yet")
    if record.status == Status.DENIED:
        raise GrantRefused("approval_denied", f"approval {record.id} was denied by a reviewer")
    if record.status == Status.EXPIRED:
        raise GrantRefused("approval_expired", f"approval {record.id} has expired")
    if record.status == Status.CONSUMED:
        raise GrantRefused(
            "approval_consumed",
            f"approval {record.id} has been used {record.uses_total} time"
            f"{'' if record.uses_total == 1 else 's'}, all it allows",
        )
    if record.bundle_version != bundle_version:
        raise GrantRefused(
            "approval_invalid",
            f"approval {record.id} was granted under policy bundle {record.bundle_version[:12]}; "
            f"{bundle_version[:12]} is in force now, so ask again",
        )
    return record


def consume(
    record: ApprovalRecord, fingerprint: str, bundle_version: str, now: float
) -> ApprovalRecord:
    """Use the grant once (check_grant's rules, then one use fewer)."""
    return _use(check_grant(record, fingerprint, bundle_version, now))


def _use(record: ApprovalRecord) -> ApprovalRecord:
    left = record.uses_remaining - 1
    if left == 0:
        return replace(record, uses_remaining=0, status=Status.CONSUMED, final_reason="consumed")
    return replace(record, uses_remaining=left)


def quorum_met(requirements: Sequence[Requirement], reviews: Sequence[ReviewEntry]) -> bool:
    """Whether distinct approving reviewers can fill every group's quorum,
    each reviewer counting once: with two groups required, two people must
    approve even if one of them belongs to both (dual control)."""
    slots = [r.group for r in requirements for _ in range(r.quorum)]
    approvers = [set(r.groups) for r in reviews if r.verdict == "approve"]
    if len(approvers) < len(slots):
        return False
    # Bipartite matching (Kuhn's augmenting paths): slots → reviewers.
    owner: list[int] = [-1] * len(approvers)

    def assign(slot: int, seen: set[int]) -> bool:
        for who, groups in enumerate(approvers):
            if slots[slot] in groups and who not in seen:
                seen.add(who)
                if owner[who] < 0 or assign(owner[who], seen):
                    owner[who] = slot
                    return True
        return False

    return all(assign(i, set()) for i in range(len(slots)))


# --- encoding -------------------------------------------------------------------


def encode(record: ApprovalRecord) -> bytes:
    """msgpack bytes for Redis."""
    doc: dict[str, Any] = {
        "v": RECORD_VERSION,
        "id": record.id,
        "st": record.status.value,
        "fp": record.fingerprint,
        "bv": record.bundle_version,
        "p": list(record.principal),
        "a": list(record.action),
        "r": list(record.resource),
        "obo": list(record.on_behalf_of) if record.on_behalf_of else None,
        "dec": record.decision_id,
        "req": [[list(q.group), q.quorum, list(q.policy_ids)] for q in record.requirements],
        "pol": list(record.policy_ids),
        "ca": record.created_at,
        "ea": record.expires_at,
        "ttl": record.ttl_seconds,
        "ut": record.uses_total,
        "ur": record.uses_remaining,
        "ctx": record.review_context_json,
        "rv": [
            [list(e.reviewer), e.verdict, e.reason, e.at, [list(g) for g in e.groups]]
            for e in record.reviews
        ],
        "da": record.decided_at,
        "ga": record.grant_expires_at,
        "fr": record.final_reason,
        "tr": [record.trace_id, record.span_id],
    }
    packed: bytes = msgpack.packb(doc, use_bin_type=True)
    return packed


def decode(data: bytes) -> ApprovalRecord:
    """Inverse of :func:`encode`; raises ValueError for anything else."""
    try:
        doc: Mapping[str, Any] = msgpack.unpackb(data, raw=False)
        if doc.get("v") != RECORD_VERSION:
            raise ValueError(f"unknown approval record version {doc.get('v')!r}")
        return ApprovalRecord(
            id=doc["id"],
            status=Status(doc["st"]),
            fingerprint=doc["fp"],
            bundle_version=doc["bv"],
            principal=_ref(doc["p"]),
            action=_ref(doc["a"]),
            resource=_ref(doc["r"]),
            on_behalf_of=_ref(doc["obo"]) if doc["obo"] else None,
            decision_id=doc["dec"],
            requirements=tuple(Requirement(_ref(g), int(q), tuple(p)) for g, q, p in doc["req"]),
            policy_ids=tuple(doc["pol"]),
            created_at=float(doc["ca"]),
            expires_at=float(doc["ea"]),
            ttl_seconds=int(doc["ttl"]),
            uses_total=int(doc["ut"]),
            uses_remaining=int(doc["ur"]),
            review_context_json=doc["ctx"],
            reviews=tuple(
                ReviewEntry(_ref(who), verdict, reason, float(at), tuple(_ref(g) for g in groups))
                for who, verdict, reason, at, groups in doc["rv"]
            ),
            decided_at=float(doc["da"]),
            grant_expires_at=float(doc["ga"]),
            final_reason=doc["fr"],
            trace_id=str((doc.get("tr") or ["", ""])[0]),
            span_id=str((doc.get("tr") or ["", ""])[1]),
        )
    except (KeyError, TypeError, ValueError, msgpack.UnpackException) as exc:
        raise ValueError(f"not an approval record: {type(exc).__name__}") from None


def _ref(value: Any) -> Ref:
    kind, ident = value
    return str(kind), str(ident)
