"""Bad input gets INVALID_ARGUMENT naming the field; never a traceback, never
ALLOW, and never the offending value (it may be PHI) in the error or the log."""

from __future__ import annotations

import logging

import grpc
import pytest

from proctor.v1 import decision_pb2, value_pb2

from .conftest import authz, ref, val

SSN = "123-45-6789"


def _bad(**changes):
    req = authz(
        "Agent::care-assistant",
        "export_patient_data",
        "Dataset::oncology-cohort-2026",
        rows=1,
        destination="s3://hospital-research/a",
    )
    for key, value in changes.items():
        if value is None:
            req.ClearField(key)
        elif key == "context":
            req.context.attributes.clear()
            for k, v in value.items():
                req.context.attributes[k].CopyFrom(v)
        else:
            getattr(req, key).CopyFrom(value) if hasattr(value, "DESCRIPTOR") else setattr(
                req, key, value
            )
    return req


@pytest.mark.parametrize(
    ("request_", "field", "words"),
    [
        pytest.param(_bad(principal=None), "principal", "is required", id="missing-principal"),
        pytest.param(
            _bad(resource=value_pb2.EntityRef(id="x")),
            "resource.type",
            "is required",
            id="missing-type",
        ),
        pytest.param(
            _bad(principal=value_pb2.EntityRef(type="Agent:", id="x")),
            "principal.type",
            "not a Cedar entity type",
            id="malformed-type",
        ),
        pytest.param(
            _bad(principal=value_pb2.EntityRef(type="Agent", id="")),
            "principal.id",
            "is required",
            id="empty-id",
        ),
        pytest.param(
            _bad(principal=value_pb2.EntityRef(type="Agent", id="x" * 2000)),
            "principal.id",
            "longer than",
            id="huge-id",
        ),
        pytest.param(
            _bad(action=ref("Action::export_patient_dta")),
            "action",
            "did you mean",
            id="unknown-action",
        ),
        pytest.param(
            _bad(principal=ref("Dataset::d")),
            "principal.type",
            "not a valid principal type",
            id="wrong-principal-type",
        ),
        pytest.param(
            _bad(context={"rows": val(SSN), "destination": val("s3://hospital-research/a")}),
            "context.rows",
            "expected Long",
            id="context-type-mismatch",
        ),
        pytest.param(
            _bad(context={"rows": val(1)}),
            "context.destination",
            "missing",
            id="context-missing-attr",
        ),
        pytest.param(
            _bad(context={"rows": val(1), "destination": val("s3://x"), "ssn": val(SSN)}),
            "context.ssn",
            "not declared",
            id="context-extra-attr",
        ),
        pytest.param(
            _bad(context={"rows": value_pb2.Value(), "destination": val("x")}),
            "context.rows",
            "has no value",
            id="value-without-kind",
        ),
        pytest.param(
            _bad(
                context={
                    "rows": val(1),
                    "destination": val("x"),
                    "approval": val({"granted": True}),
                }
            ),
            "context.approval",
            "reserved",
            id="self-granted-approval",
        ),
        pytest.param(
            _bad(payload=decision_pb2.Payload(json='{"ssn": "' + SSN + '" oops}')),
            "payload.json",
            "is not valid JSON",
            id="payload-bad-json",
        ),
        pytest.param(
            _bad(
                context={
                    "rows": val(1),
                    "destination": value_pb2.Value(
                        extension_value=value_pb2.ExtensionValue(fn="evil", arg=SSN)
                    ),
                }
            ),
            "context.destination.fn",
            "unknown extension function",
            id="unknown-extension",
        ),
    ],
)
def test_invalid_argument_names_the_field(stub, caplog, request_, field, words) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(grpc.RpcError) as info:
        stub.Authorize(request_, timeout=5)
    err = info.value
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err.details()
    assert err.details().startswith(field + ":"), err.details()
    assert words in err.details()
    assert SSN not in err.details()
    assert SSN not in caplog.text
    assert "Traceback" not in caplog.text


def test_entities_that_break_the_schema_are_named_without_values(stub, caplog) -> None:
    req = authz("Agent::triage", "read_patient_record", "PatientRecord::pr-1001")
    req.entities.append(
        value_pb2.Entity(
            uid=ref("Agent::triage"),
            attributes={"model_id": val(SSN), "roles": val([]), "phi_clearance": val(SSN)},
        )
    )
    with pytest.raises(grpc.RpcError) as info:
        stub.Authorize(req, timeout=5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith("entities[0].attrs.phi_clearance: expected Bool")
    assert SSN not in info.value.details() and SSN not in caplog.text


def test_oversize_request_is_invalid_argument(stub) -> None:
    req = authz(
        "Agent::care-assistant",
        "read_patient_record",
        "PatientRecord::pr-1001",
        purpose="x" * 60_000,
    )
    for i in range(20):
        req.entities.append(
            value_pb2.Entity(uid=ref(f"User::u{i}"), attributes={"department": val("y" * 60_000)})
        )
    with pytest.raises(grpc.RpcError) as info:
        stub.Authorize(req, timeout=5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "the limit is 1048576" in info.value.details()


def test_unknown_principal_is_a_normal_deny(stub) -> None:
    resp = stub.Authorize(
        authz("Agent::nobody", "read_patient_record", "PatientRecord::pr-1001"), timeout=5
    )
    assert resp.decision == decision_pb2.DECISION_DENY
    assert resp.reason.code in ("no_matching_permit", "evaluation_error")


@pytest.mark.parametrize(
    ("entity", "field", "words"),
    [
        pytest.param(
            value_pb2.Entity(uid=ref("User::mallory"), parents=[ref("Group::privacy-office")]),
            "entities[0].uid.type",
            "come only from the bundle",
            id="supplying-a-human",
        ),
        pytest.param(
            value_pb2.Entity(
                uid=ref("Agent::impostor"),
                attributes={"model_id": val("m"), "roles": val([]), "phi_clearance": val(False)},
                parents=[ref("Group::clinicians")],
            ),
            "entities[0].parents[0]",
            "cannot claim membership in a `Group`",
            id="claiming-a-group",
        ),
    ],
)
def test_identity_comes_only_from_the_bundle(stub, entity, field, words) -> None:
    req = authz("Agent::impostor", "read_patient_record", "PatientRecord::pr-2002")
    req.entities.append(entity)
    with pytest.raises(grpc.RpcError) as info:
        stub.Authorize(req, timeout=5)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith(field + ":") and words in info.value.details()
