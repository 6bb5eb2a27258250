"""Approval records: the review, grant and expiry rules as pure transitions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.service.approvals import model
from proctor.service.approvals.model import GrantRefused, Requirement, ReviewEntry, Status
from proctor.service.approvals.notice import ReviewRefused

PRIVACY = ("Group", "privacy-office")
SECURITY = ("Group", "security")
IAM = ("Group", "iam-admins")
AGENT = ("Agent", "care-assistant")
HUMAN = ("User", "dr-lee")


def record(*requirements: Requirement, uses: int = 1, ttl: int = 600) -> model.ApprovalRecord:
    return model.new_record(
        approval_id="apr_0123abcd" + "0" * 24,
        fingerprint="f" * 64,
        bundle_version="sha256:v1",
        principal=AGENT,
        action=("Action", "export_patient_data"),
        resource=("Dataset", "cohort"),
        on_behalf_of=HUMAN,
        decision_id="dec_1",
        requirements=requirements or (Requirement(PRIVACY, 1, ("gate",)),),
        policy_ids=("gate",),
        ttl_seconds=ttl,
        uses=uses,
        review_context_json="{}",
        now=1000.0,
    )


def test_one_approval_from_the_group_grants() -> None:
    after = model.review(record(), ("User", "ivan"), [PRIVACY], "approve", "ok", 1001)
    assert after.status == Status.APPROVED
    assert after.decided_at == 1001 and after.grant_expires_at == 1001 + 600


@pytest.mark.parametrize(
    ("reviewer", "groups", "code", "words"),
    [
        (AGENT, [PRIVACY], "permission_denied", "its own request"),
        (HUMAN, [PRIVACY], "permission_denied", "acts for"),
        (("User", "grace"), [SECURITY], "permission_denied", "not in a required group"),
        (("User", "grace"), [], "permission_denied", "not in a required group"),
    ],
)
def test_who_may_not_review(reviewer, groups, code, words) -> None:
    with pytest.raises(ReviewRefused) as info:
        model.review(record(), reviewer, groups, "approve", "ok", 1001)
    assert info.value.code == code and words in info.value.message


def test_a_reviewer_counts_once_and_a_decided_approval_cannot_change() -> None:
    r = record(Requirement(PRIVACY, 2, ("gate",)))
    r = model.review(r, ("User", "ivan"), [PRIVACY], "approve", "ok", 1001)
    assert r.status == Status.PENDING
    with pytest.raises(ReviewRefused, match="already reviewed"):
        model.review(r, ("User", "ivan"), [PRIVACY], "approve", "again", 1002)
    r = model.review(r, ("User", "priya"), [PRIVACY], "approve", "ok", 1003)
    assert r.status == Status.APPROVED
    with pytest.raises(ReviewRefused) as info:
        model.review(r, ("User", "nina"), [PRIVACY], "deny", "too late", 1004)
    assert info.value.code == "failed_precondition" and "already approved" in info.value.message


def test_one_deny_denies() -> None:
    r = record(Requirement(PRIVACY, 2, ("gate",)))
    r = model.review(r, ("User", "ivan"), [PRIVACY], "approve", "ok", 1001)
    r = model.review(r, ("User", "priya"), [PRIVACY], "deny", "no", 1002)
    assert r.status == Status.DENIED and r.final_reason == "denied"


def test_two_groups_need_two_people_even_if_one_is_in_both() -> None:
    r = record(Requirement(SECURITY, 1, ("a",)), Requirement(IAM, 1, ("b",)))
    r = model.review(r, ("User", "sam"), [SECURITY, IAM], "approve", "ok", 1001)
    assert r.status == Status.PENDING  # dual control: sam fills one slot only
    assert r.approvals_by_group() == {SECURITY: 1, IAM: 1}
    r = model.review(r, ("User", "grace"), [SECURITY], "approve", "ok", 1002)
    assert r.status == Status.APPROVED  # sam → iam-admins, grace → security


def test_expiry_of_pending_and_of_unused_grants() -> None:
    r = record(ttl=60)
    assert model.expire_if_due(r, 1059.9) is r
    expired = model.expire_if_due(r, 1060)
    assert expired.status == Status.EXPIRED and expired.final_reason == "not_reviewed"
    with pytest.raises(ReviewRefused, match="already expired"):
        model.review(r, ("User", "ivan"), [PRIVACY], "approve", "late", 1061)
    granted = model.review(r, ("User", "ivan"), [PRIVACY], "approve", "ok", 1010)
    assert model.expire_if_due(granted, 1069.9).status == Status.APPROVED
    assert model.expire_if_due(granted, 1070).status == Status.EXPIRED


def test_a_grant_is_bound_to_the_request_and_bundle_and_single_use() -> None:
    granted = model.review(record(), ("User", "ivan"), [PRIVACY], "approve", "ok", 1001)
    with pytest.raises(GrantRefused, match="different request"):
        model.check_grant(granted, "e" * 64, "sha256:v1", 1002)
    with pytest.raises(GrantRefused, match="ask again"):
        model.check_grant(granted, "f" * 64, "sha256:v2", 1002)
    used = model.consume(granted, "f" * 64, "sha256:v1", 1002)
    assert used.status == Status.CONSUMED and used.uses_remaining == 0
    with pytest.raises(GrantRefused) as info:
        model.consume(used, "f" * 64, "sha256:v1", 1003)
    assert info.value.code == "approval_consumed"


def test_uses_allow_more_than_one() -> None:
    granted = model.review(record(uses=2), ("User", "ivan"), [PRIVACY], "approve", "ok", 1001)
    once = model.consume(granted, "f" * 64, "sha256:v1", 1002)
    assert once.status == Status.APPROVED and once.uses_remaining == 1
    assert model.consume(once, "f" * 64, "sha256:v1", 1003).status == Status.CONSUMED


@pytest.mark.parametrize(
    ("status_record", "code"),
    [
        (record(), "approval_pending"),
        (
            model.review(record(), ("User", "ivan"), [PRIVACY], "deny", "no", 1001),
            "approval_denied",
        ),
        (model.expire_if_due(record(), 10_000), "approval_expired"),
    ],
)
def test_grant_refusals_say_why(status_record, code) -> None:
    with pytest.raises(GrantRefused) as info:
        model.check_grant(status_record, "f" * 64, "sha256:v1", 1002)
    assert info.value.code == code


def test_records_round_trip_through_msgpack() -> None:
    r = record(Requirement(SECURITY, 2, ("a",)), Requirement(IAM, 1, ("b", "c")))
    r = model.review(r, ("User", "sam"), [SECURITY, IAM], "approve", "fine: ticket 42", 1001)
    assert model.decode(model.encode(r)) == r
    with pytest.raises(ValueError, match="not an approval record"):
        model.decode(b"\x93\x01\x02")


groups = st.sampled_from([PRIVACY, SECURITY, IAM])


@given(
    quorums=st.dictionaries(groups, st.integers(1, 3), min_size=1),
    reviewers=st.lists(st.frozensets(groups, min_size=1), max_size=7),
)
def test_quorum_matches_a_brute_force_assignment(quorums, reviewers) -> None:
    """Approved exactly when distinct reviewers can be assigned to every
    group's slots, each reviewer to one group they belong to."""
    requirements = [Requirement(g, q, ()) for g, q in quorums.items()]
    reviews = [
        ReviewEntry(("User", f"u{i}"), "approve", "", 0.0, tuple(sorted(gs)))
        for i, gs in enumerate(reviewers)
    ]

    def brute(i: int, need: dict[tuple[str, str], int]) -> bool:
        if all(v <= 0 for v in need.values()):
            return True
        if i == len(reviewers):
            return False
        if brute(i + 1, need):
            return True
        for g in reviewers[i]:
            if need.get(g, 0) > 0 and brute(i + 1, {**need, g: need[g] - 1}):
                return True
        return False

    assert model.quorum_met(requirements, reviews) == brute(0, dict(quorums))


def test_entity_references_parse_and_print() -> None:
    assert model.parse_ref('User::"iv\\"an"') == ("User", 'iv"an')
    assert model.ref_str(("User", 'iv"an')) == 'User::"iv\\"an"'
    with pytest.raises(ValueError, match="expected an entity"):
        model.parse_ref("ivan")
