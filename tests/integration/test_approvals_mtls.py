"""Reviewers identified by mTLS client certificates: the certificate's
common name names the reviewer; agents and reviewers share the TLS port."""

from __future__ import annotations

import datetime
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from proctor.service.testing import InProcessServer
from proctor.v1 import approval_pb2, approval_pb2_grpc, decision_pb2, decision_pb2_grpc

from .approval_support import EXPORT
from .conftest import authz

pytestmark = pytest.mark.integration


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert(cn: str, key, issuer_cn: str, issuer_key, ca: bool = False, san: bool = False) -> bytes:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_cn)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False
        )
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, bytes | Path]:
    d: Path = tmp_path_factory.mktemp("pki")
    ca_key = _key()
    ca = _cert("proctor-test-ca", ca_key, "proctor-test-ca", ca_key, ca=True)
    server_key = _key()
    files = {
        "ca": ca,
        "server.crt": _cert("localhost", server_key, "proctor-test-ca", ca_key, san=True),
        "server.key": _pem_key(server_key),
    }
    for name, data in files.items():
        (d / name).write_bytes(data)
    out: dict[str, bytes | Path] = {"dir": d, "ca": ca, "ca_key": _pem_key(ca_key)}
    for cn in ("ivan", "dr-lee", "care-assistant"):
        key = _key()
        out[f"{cn}.crt"] = _cert(cn, key, "proctor-test-ca", ca_key)
        out[f"{cn}.key"] = _pem_key(key)
    return out


def _channel(port: int, pki, who: str | None) -> grpc.Channel:
    creds = grpc.ssl_channel_credentials(
        root_certificates=pki["ca"],
        private_key=pki[f"{who}.key"] if who else None,
        certificate_chain=pki[f"{who}.crt"] if who else None,
    )
    # A channel of its own: gRPC would otherwise reuse another channel's
    # connection (with another certificate) to the same address.
    return grpc.secure_channel(
        f"localhost:{port}", creds, options=[("grpc.use_local_subchannel_pool", 1)]
    )


def test_a_client_certificate_names_the_reviewer(
    example_bundle_dir, redis_server_url, redis_prefix, pki
) -> None:
    d: Path = pki["dir"]
    with InProcessServer(
        example_bundle_dir,
        approvals=True,
        redis_url=redis_server_url,
        store_prefix=redis_prefix,
        tls=(d / "server.crt", d / "server.key", d / "ca"),
    ) as server:
        request = authz(*EXPORT, rows=120, destination="s3://hospital-research/cohort-2026")
        with _channel(server.port, pki, None) as anonymous:  # mutual TLS: no certificate, no call
            with pytest.raises(grpc.RpcError) as info:
                decision_pb2_grpc.DecisionServiceStub(anonymous).Authorize(request, timeout=5)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        with _channel(server.port, pki, "care-assistant") as agent:
            ticket = (
                decision_pb2_grpc.DecisionServiceStub(agent).Authorize(request, timeout=10).approval
            )
            assert ticket.status == decision_pb2.APPROVAL_STATUS_PENDING
            review = approval_pb2.ReviewRequest(
                approval_id=ticket.id,
                verdict=approval_pb2.REVIEW_VERDICT_APPROVE,
                reason="IRB protocol covers it",
            )
            with pytest.raises(grpc.RpcError) as info:  # the agent's own certificate
                approval_pb2_grpc.ApprovalServiceStub(agent).Review(review, timeout=10)
            assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with _channel(server.port, pki, "dr-lee") as human:
            with pytest.raises(grpc.RpcError) as info:
                approval_pb2_grpc.ApprovalServiceStub(human).Review(review, timeout=10)
            assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
            assert "acts for" in (info.value.details() or "")
        with _channel(server.port, pki, "ivan") as officer:
            done = approval_pb2_grpc.ApprovalServiceStub(officer).Review(review, timeout=10)
            assert done.approval.status == decision_pb2.APPROVAL_STATUS_APPROVED
            assert done.approval.reviews[0].reviewer.id == "ivan"
