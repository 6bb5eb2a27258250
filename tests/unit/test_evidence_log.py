"""The evidence file: rotation keeps one verifiable chain, shutdown signs
the tail, fsync policies are accepted or refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from opentelemetry.sdk.trace import TracerProvider

from proctor.service.audit.log import EvidenceLog
from proctor.service.audit.trail import verify_paths
from proctor.service.config import ConfigError


def test_rotated_files_verify_as_one_chain(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    log = EvidenceLog(tmp_path, "rot-1", key, max_bytes=2000, checkpoint_every=7)
    provider = TracerProvider()
    provider.add_span_processor(log)
    tracer = provider.get_tracer("t")
    for i in range(60):
        with tracer.start_as_current_span("proctor.authorize", attributes={"proctor.n": i}):
            pass
        with tracer.start_as_current_span("not.evidence"):
            pass
    provider.shutdown()
    files = sorted(tmp_path.glob("*.jsonl"))
    assert len(files) > 2
    pub = tmp_path / "k.pub.pem"
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    pub.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    result = verify_paths([tmp_path], [pub])
    assert result.ok, result.problem
    (report,) = result.instances.values()
    assert report.records - report.checkpoints == 60  # only proctor.* spans
    assert report.unsigned_tail == 0  # shutdown wrote the final checkpoint
    assert log.stats.written == 60 and log.stats.dropped == 0


def test_unknown_fsync_policy_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--evidence-fsync"):
        EvidenceLog(tmp_path, "x", Ed25519PrivateKey.generate(), fsync="sometimes")
