"""`proctor serve --workers 2`: two processes share one port and one store,
each keeps its own evidence chain, SIGTERM stops them all."""

from __future__ import annotations

import signal
import subprocess

import grpc
import pytest

from proctor.v1 import decision_pb2_grpc, status_pb2, status_pb2_grpc

from .conftest import authz
from .test_cli import PROCTOR, run, start_serve

pytestmark = pytest.mark.integration


def test_two_workers_share_the_port_store_and_signing_key(example_bundle_dir, tmp_path) -> None:
    data = tmp_path / "data"
    proc, addr = start_serve(example_bundle_dir, data, "--workers", "2", "--insecure-dev")
    try:
        instances = set()
        for _ in range(12):  # new channels: the kernel spreads connections over both
            with grpc.insecure_channel(addr, options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
                status = status_pb2_grpc.StatusServiceStub(ch).GetStatus(
                    status_pb2.GetStatusRequest(), timeout=5
                )
                instances.add(status.instance_id)
                decision_pb2_grpc.DecisionServiceStub(ch).Authorize(
                    authz("Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001"),
                    timeout=5,
                )
        assert len(instances) == 2
        # An approval asked through one worker is the same approval through the other.
        context = '{"rows": 3, "destination": "s3://hospital-research/w"}'
        first = run(
            "authorize",
            "--addr",
            addr,
            "--principal",
            'Agent::"care-assistant"',
            "--action",
            'Action::"export_patient_data"',
            "--resource",
            'Dataset::"oncology-cohort-2026"',
            "--context",
            context,
        )
        again = run(
            "authorize",
            "--addr",
            addr,
            "--principal",
            'Agent::"care-assistant"',
            "--action",
            'Action::"export_patient_data"',
            "--resource",
            'Dataset::"oncology-cohort-2026"',
            "--context",
            context,
        )
        assert first.returncode == again.returncode == 4
        assert first.stdout.split('"id": "')[1][:36] == again.stdout.split('"id": "')[1][:36]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    evidence = data / "evidence"
    verified = subprocess.run(
        [
            *PROCTOR,
            "audit",
            "verify",
            str(evidence),
            "--public-key",
            str(evidence / "signing-key.pub.pem"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verified.returncode == 0, verified.stderr
    assert len([line for line in verified.stdout.splitlines() if "records" in line]) == 2
