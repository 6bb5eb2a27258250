"""Hot reload under concurrent load: every answer comes from exactly one
bundle version (never a half-loaded or mixed bundle), no call fails, and a
bad edit keeps the last good bundle serving and is reported."""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import grpc

from proctor.service.testing import InProcessServer
from proctor.v1 import decision_pb2, decision_pb2_grpc, status_pb2, status_pb2_grpc

from .conftest import authz

SCALE = authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=8)


def _wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_reload_under_load_never_mixes_versions(tmp_path: Path, example_bundle_dir: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(example_bundle_dir, bundle)
    infra = bundle / "infrastructure.cedar"
    original = infra.read_text()
    with InProcessServer(bundle, watch=True) as srv, grpc.insecure_channel(srv.address) as ch:
        stub = decision_pb2_grpc.DecisionServiceStub(ch)
        status = status_pb2_grpc.StatusServiceStub(ch)
        v1 = srv.store.current().version
        seen: Counter[tuple[str, int]] = Counter()
        errors: list[str] = []
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                try:
                    r = stub.Authorize(SCALE, timeout=5)
                    seen[(r.bundle_version, r.decision)] += 1
                except grpc.RpcError as exc:
                    errors.append(f"{exc.code()}: {exc.details()}")

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        try:
            time.sleep(0.3)
            # Edit 1: the SRE gate now starts above 5 replicas, so 8 needs approval.
            infra.write_text(original.replace("context.replicas > 10", "context.replicas > 5"))
            _wait_for(lambda: srv.store.current().version != v1)
            v2 = srv.store.current().version
            time.sleep(0.3)
            # Edit 2: a broken policy; the last good bundle keeps serving.
            infra.write_text(original.replace("context.replicas > 10", "context.replicas >"))
            _wait_for(
                lambda: (
                    status.GetStatus(status_pb2.GetStatusRequest(), timeout=5).last_reload_error
                    != ""
                )
            )
            time.sleep(0.3)
        finally:
            stop.set()
            for t in threads:
                t.join()
        st = status.GetStatus(status_pb2.GetStatusRequest(), timeout=5)
        assert st.bundle_version == v2
        assert "infrastructure.cedar" in st.last_reload_error and st.reload_failures >= 1
        assert not errors, errors[:3]
        assert set(seen) == {
            (v1, decision_pb2.DECISION_ALLOW),
            (v2, decision_pb2.DECISION_NEEDS_APPROVAL),
        }, seen
        assert sum(seen.values()) > 50
        # Fixing the file clears the error.
        infra.write_text(original)
        _wait_for(
            lambda: (
                status.GetStatus(status_pb2.GetStatusRequest(), timeout=5).last_reload_error == ""
            )
        )
        assert stub.Authorize(SCALE, timeout=5).decision == decision_pb2.DECISION_ALLOW


def test_no_bundle_means_not_serving_and_deny(tmp_path: Path, example_bundle_dir: Path) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    bundle = tmp_path / "bundle"
    shutil.copytree(example_bundle_dir, bundle)
    (bundle / "broken.cedar").write_text(
        '@id("x") permit (principal, action, resource) when { 1 + };\n'
    )
    with InProcessServer(bundle, watch=True) as srv, grpc.insecure_channel(srv.address) as ch:
        health = health_pb2_grpc.HealthStub(ch)
        check = lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=5).status  # noqa: E731
        assert check() == health_pb2.HealthCheckResponse.NOT_SERVING
        resp = decision_pb2_grpc.DecisionServiceStub(ch).Authorize(SCALE, timeout=5)
        assert resp.decision == decision_pb2.DECISION_DENY and resp.reason.code == "no_bundle"
        (bundle / "broken.cedar").unlink()
        _wait_for(lambda: check() == health_pb2.HealthCheckResponse.SERVING)
