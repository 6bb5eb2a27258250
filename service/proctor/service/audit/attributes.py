"""Every span and metric name and every ``proctor.*`` attribute, in one place.
Attributes carry identifiers, codes and counts — never context or payload
values."""

from __future__ import annotations

# Spans
SPAN_AUTHORIZE = "proctor.authorize"
SPAN_APPROVAL = "proctor.approval.{transition}"  # created, reviewed, granted, ...
SPAN_REVIEW_REFUSED = "proctor.approval.review_refused"
SPAN_REVEAL = "proctor.reveal"

# Decision attributes
DECISION = "proctor.decision"
DECISION_ID = "proctor.decision_id"
PRINCIPAL = "proctor.principal"
ACTION = "proctor.action"
RESOURCE = "proctor.resource"
POLICY_IDS = "proctor.policy_ids"
BUNDLE_VERSION = "proctor.bundle_version"
REASON = "proctor.reason"
MASKED_FIELDS = "proctor.masked_fields"  # selectors the caller must mask, "; "-separated
PAYLOAD_CATEGORIES = "proctor.payload.phi_categories"
INSTANCE = "proctor.instance"

# Approval attributes
APPROVAL_ID = "proctor.approval_id"
APPROVAL_STATUS = "proctor.approval.status"
REQUIRED_GROUPS = "proctor.approval.required_groups"
REVIEWERS = "proctor.approval.reviewers"
REVIEWER = "proctor.approval.reviewer"
VERDICT = "proctor.approval.verdict"
ON_BEHALF_OF = "proctor.approval.on_behalf_of"
USES_REMAINING = "proctor.approval.uses_remaining"
TIME_TO_DECISION_S = "proctor.approval.time_to_decision_s"
REFUSAL = "proctor.approval.refusal"
NOTIFY_DESTINATION = "proctor.approval.notify.destination"  # slack, teams or webhook
NOTIFY_EVENT = "proctor.approval.notify.event"  # created or decided

# Reveal (counts and a digest of the scope; never tokens or values)
REVEAL_SCOPE = "proctor.reveal.scope_digest"
REVEAL_REQUESTED = "proctor.reveal.tokens_requested"
REVEAL_REVEALED = "proctor.reveal.tokens_revealed"

# Metrics
M_DECISIONS = "proctor.decisions"
M_DECISION_LATENCY = "proctor.decision.duration"
M_APPROVALS = "proctor.approvals.final"
M_APPROVAL_TIME = "proctor.approvals.time_to_decision"
M_EVIDENCE_DROPPED = "proctor.evidence.dropped"
M_BUNDLE_RELOADS = "proctor.bundle.reloads"
M_EXPORT_FAILURES = "proctor.evidence.export_failures"
