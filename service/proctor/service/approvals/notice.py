"""What notifiers and review front ends (Slack, Teams, webhooks) get to see
and do. Everything here is already masked: no PHI, no request values beyond
the masked review context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["approve", "deny"]


@dataclass(frozen=True, slots=True)
class NoticeRequirement:
    """One approver group's part: e.g. ``Group::"privacy-office"``, quorum 1."""

    group: str
    quorum: int
    approvals: int
    policy_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """One approval as humans are told about it."""

    approval_id: str
    status: str  # PENDING, APPROVED, DENIED, EXPIRED, CONSUMED
    principal: str  # Cedar form, e.g. Agent::"care-assistant"
    action: str  # e.g. Action::"export_patient_data"
    resource: str
    on_behalf_of: str  # "" when the principal acts for nobody
    requirements: tuple[NoticeRequirement, ...]
    policy_ids: tuple[str, ...]
    review_context_json: str  # masked Cedar JSON of the request context
    decision_id: str
    bundle_version: str
    created_at: float  # unix seconds
    expires_at: float
    # The originating decision's span (hex), for the audit trail.
    trace_id: str = ""
    span_id: str = ""


class ReviewRefused(Exception):
    """A review the rules do not allow. ``code`` is ``permission_denied``
    (who may not review) or ``failed_precondition`` (the approval's state);
    the message is one line, safe to show the reviewer."""

    def __init__(
        self, code: Literal["permission_denied", "failed_precondition", "not_found"], message: str
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Apply a review on behalf of an already-authenticated reviewer, e.g. the
# Slack user a signed callback maps to: (approval_id, reviewer in Cedar form
# such as User::"ivan", verdict, reason) -> the approval afterwards. Raises
# ReviewRefused when the review rules refuse it.
ReviewFn = Callable[[str, str, Verdict, str], Awaitable[Notice]]
