"""Authorize and AuthorizeBatch through a real gRPC server and client."""

from __future__ import annotations

import json
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from proctor.v1 import decision_pb2, status_pb2, status_pb2_grpc

from .conftest import authz

D = decision_pb2
EXPORT = ("Agent::care-assistant", "export_patient_data", "Dataset::oncology-cohort-2026")


@pytest.mark.parametrize(
    ("request_", "decision", "policy_ids"),
    [
        pytest.param(
            authz("Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001"),
            D.DECISION_ALLOW,
            ["clinical-agents-read-own-department"],
            id="read-record-allowed",
        ),
        pytest.param(
            authz(*EXPORT, rows=120, destination="s3://hospital-research/cohort-2026"),
            D.DECISION_NEEDS_APPROVAL,
            ["export-phi-needs-privacy-office"],
            id="export-needs-privacy-office",
        ),
        pytest.param(
            authz("Agent::ops-bot", "reset_admin_password", "Account::domain-admin"),
            D.DECISION_NEEDS_APPROVAL,
            ["privileged-reset-needs-two-security-approvers"],
            id="admin-reset-needs-two",
        ),
        pytest.param(
            authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=40),
            D.DECISION_NEEDS_APPROVAL,
            ["scale-beyond-10-replicas-needs-sre"],
            id="scale-40-needs-sre",
        ),
        pytest.param(
            authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=4),
            D.DECISION_ALLOW,
            ["sre-agents-scale-deployments"],
            id="scale-4-allowed",
        ),
        pytest.param(
            authz("Agent::ops-bot", "delete_repository", "Repository::ehr-infra"),
            D.DECISION_DENY,
            ["agents-never-delete-repositories"],
            id="delete-repo-forbidden",
        ),
        pytest.param(
            authz("Agent::ops-bot", "change_iam", "IamRole::org-admin", change="attach-policy"),
            D.DECISION_NEEDS_APPROVAL,
            ["agent-iam-change-needs-iam-admin", "privileged-iam-change-needs-security"],
            id="iam-needs-two-groups",
        ),
        pytest.param(
            authz(
                "Agent::care-assistant", "send_email", "Mailbox::outbound", external_recipients=3
            ),
            D.DECISION_NEEDS_APPROVAL,
            ["outbound-phi-email-needs-privacy-office"],
            id="unscanned-external-email",
        ),
    ],
)
def test_scenarios(stub, request_, decision, policy_ids) -> None:
    resp = stub.Authorize(request_, timeout=5)
    assert resp.decision == decision, resp.reason
    assert sorted(resp.policy_ids) == policy_ids
    assert resp.bundle_version.startswith("sha256:")
    assert resp.decision_id.startswith("dec_")
    assert resp.reason.code
    if decision == D.DECISION_NEEDS_APPROVAL:
        assert resp.approval.id.startswith("apr_")
        assert resp.approval.status == D.APPROVAL_STATUS_PENDING
        assert resp.approval.requirements
    else:
        assert not resp.HasField("approval")


def test_ticket_describes_requirements_and_is_stable(stub) -> None:
    req = authz("Agent::ops-bot", "change_iam", "IamRole::org-admin", change="attach-policy")
    first, second = stub.Authorize(req, timeout=5), stub.Authorize(req, timeout=5)
    assert first.decision_id != second.decision_id
    assert first.approval.id == second.approval.id  # a retried request gets the same ticket
    groups = {(r.group.type, r.group.id): r.quorum for r in first.approval.requirements}
    assert groups == {("Group", "iam-admins"): 1, ("Group", "security"): 1}
    expires = first.approval.expires_at.ToNanoseconds() / 1e9
    assert time.time() + 3500 < expires < time.time() + 3700  # the shorter ttl (1h) wins
    assert 0 < first.approval.retry_after.ToNanoseconds() / 1e9 <= 5
    other = stub.Authorize(
        authz("Agent::ops-bot", "change_iam", "IamRole::org-admin", change="detach"), timeout=5
    )
    assert other.approval.id != first.approval.id


def test_masks_on_allow_and_needs_approval(stub) -> None:
    read = stub.Authorize(
        authz("Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001"), timeout=5
    )
    masks = {m.selector: (m.operator, dict(m.params), m.rule_id) for m in read.masks}
    assert masks["$.ssn"] == ("redact", {}, "agents-see-no-direct-identifiers")
    assert masks["$.phone"] == ("partial", {"keep": "4"}, "agents-see-no-direct-identifiers")
    assert masks["$.notes"][1] == {"categories": "DATE,MRN,NAME,PHONE,SSN"}
    export = stub.Authorize(
        authz(*EXPORT, rows=1, destination="s3://hospital-research/x"), timeout=5
    )
    assert ("$..ssn", "drop") in {(m.selector, m.operator) for m in export.masks}
    deny = stub.Authorize(
        authz("Agent::ops-bot", "delete_repository", "Repository::ehr-infra"), timeout=5
    )
    assert not deny.masks


def test_presented_approval_is_denied_until_approvals_are_stored(stub) -> None:
    req = authz(*EXPORT, rows=120, destination="s3://hospital-research/cohort-2026")
    req.approval_id = stub.Authorize(req, timeout=5).approval.id
    resp = stub.Authorize(req, timeout=5)
    assert resp.decision == D.DECISION_DENY
    assert resp.reason.code == "approval_store_unavailable"


def test_batch_answers_each_in_order(stub) -> None:
    reqs = [
        authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=n)
        for n in range(1, 31)
    ] + [authz("Agent::ops-bot", "delete_repository", "Repository::ehr-infra")]
    resp = stub.AuthorizeBatch(D.AuthorizeBatchRequest(requests=reqs), timeout=10)
    got = [r.decision for r in resp.responses]
    assert got == [D.DECISION_ALLOW] * 10 + [D.DECISION_NEEDS_APPROVAL] * 20 + [D.DECISION_DENY]
    assert len({r.decision_id for r in resp.responses}) == len(reqs)


def test_batch_limits_and_names_the_bad_request(stub) -> None:
    ok = authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=1)
    with pytest.raises(grpc.RpcError) as info:
        stub.AuthorizeBatch(D.AuthorizeBatchRequest(requests=[ok] * 101), timeout=5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "at most 100" in info.value.details()
    bad = authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas="forty")
    with pytest.raises(grpc.RpcError) as info:
        stub.AuthorizeBatch(D.AuthorizeBatchRequest(requests=[ok, ok, bad]), timeout=5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith("requests[2].context.replicas")
    assert stub.AuthorizeBatch(D.AuthorizeBatchRequest(), timeout=5).responses == []


def test_health_reflection_and_status(channel, server) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "proctor.v1.DecisionService"):
        resp = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
    refl = reflection_pb2_grpc.ServerReflectionStub(channel)
    answers = refl.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
    )
    names = {s.name for a in answers for s in a.list_services_response.service}
    assert {
        "proctor.v1.DecisionService",
        "proctor.v1.StatusService",
        "grpc.health.v1.Health",
    } <= names
    status = status_pb2_grpc.StatusServiceStub(channel).GetStatus(
        status_pb2.GetStatusRequest(), timeout=5
    )
    assert status.bundle_version == server.store.current().version
    assert (status.access_policies, status.masking_policies) == (20, 2)
    assert status.instance_id and not status.last_reload_error


def test_unimplemented_services_say_so(channel) -> None:
    from proctor.v1 import approval_pb2, approval_pb2_grpc

    with pytest.raises(grpc.RpcError) as info:
        approval_pb2_grpc.ApprovalServiceStub(channel).GetApproval(
            approval_pb2.GetApprovalRequest(approval_id="x"), timeout=5
        )
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


@pytest.mark.parametrize(
    ("payload", "decision"),
    [
        pytest.param(
            D.Payload(text="Lunch moved to 1pm, see you there."), D.DECISION_ALLOW, id="clean-text"
        ),
        pytest.param(
            D.Payload(text="Patient SSN 123-45-6789, call 617-555-0142."),
            D.DECISION_NEEDS_APPROVAL,
            id="ssn-in-text",
        ),
        pytest.param(
            D.Payload(json='{"rows": [{"ssn": "123-45-6789"}]}'),
            D.DECISION_NEEDS_APPROVAL,
            id="ssn-in-json",
        ),
    ],
)
def test_the_payload_is_scanned_for_phi(stub, payload, decision) -> None:
    req = authz("Agent::care-assistant", "send_email", "Mailbox::outbound", external_recipients=1)
    req.payload.CopyFrom(payload)
    resp = stub.Authorize(req, timeout=5)
    assert resp.decision == decision, resp.reason
    assert "123-45-6789" not in str(resp)


def test_masking_service_masks_documents_and_text(channel) -> None:
    from proctor.v1 import masking_pb2, masking_pb2_grpc

    masking = masking_pb2_grpc.MaskingServiceStub(channel)
    directives = [
        D.MaskDirective(selector="$.ssn", operator="redact"),
        D.MaskDirective(selector="$.visits[*].dob", operator="generalize", params={"to": "year"}),
        D.MaskDirective(selector="$.mrn", operator="tokenize"),
    ]
    doc = (
        '{"ssn": "123-45-6789", "mrn": "MRN-00424242", "visits": [{"dob": "1950-03-04"}], "ok": 1}'
    )
    resp = masking.Mask(
        masking_pb2.MaskRequest(json=doc, directives=directives, scope="t"), timeout=5
    )
    out = json.loads(resp.json)
    assert out["ssn"] == "[REDACTED]" and out["visits"][0]["dob"] == "1950" and out["ok"] == 1
    assert out["mrn"] != "MRN-00424242"
    assert sorted(resp.masked_paths) == ["$.mrn", "$.ssn", "$.visits[0].dob"]
    again = masking.Mask(
        masking_pb2.MaskRequest(json=doc, directives=directives, scope="t"), timeout=5
    )
    assert json.loads(again.json)["mrn"] == out["mrn"]  # stable within a scope
    text = masking.Mask(
        masking_pb2.MaskRequest(
            text="Call 617-555-0142 about SSN 123-45-6789.",
            directives=[
                D.MaskDirective(
                    selector="$.notes", operator="detect", params={"categories": "PHONE,SSN"}
                )
            ],
        ),
        timeout=5,
    )
    assert "617-555-0142" not in text.text and "123-45-6789" not in text.text
    with pytest.raises(grpc.RpcError) as info:
        masking.Mask(
            masking_pb2.MaskRequest(
                json="{}", directives=[D.MaskDirective(selector="ssn", operator="redact")]
            ),
            timeout=5,
        )
    assert (
        info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        and info.value.details().startswith("directives[0]:")
    )
    with pytest.raises(grpc.RpcError) as info:
        masking.Reveal(masking_pb2.RevealRequest(tokens=[out["mrn"]], scope="t"), timeout=5)
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
