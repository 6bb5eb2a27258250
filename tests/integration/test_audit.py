"""Audit evidence with the real OpenTelemetry SDK: spans and their
attributes, trace context from the agent, approval transitions linked to
their decision, export to a real OTLP receiver, the signed evidence file and
`proctor audit verify|report`, mandatory evidence, and no PHI anywhere."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import grpc
import pytest
import redis.asyncio as aioredis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from proctor.masking import detect
from proctor.service.approvals.backend import ReviewContextMasker
from proctor.service.approvals.notify import Notifier, load_notify_config
from proctor.service.audit import attributes as A
from proctor.service.audit.setup import Telemetry, build_telemetry
from proctor.service.testing import InProcessServer
from proctor.v1 import decision_pb2, decision_pb2_grpc, status_pb2, status_pb2_grpc

from .approval_support import Client
from .conftest import authz
from .test_cli import PROCTOR
from .test_notify import Receiver, _never, notice

pytestmark = pytest.mark.integration

D = decision_pb2
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


class Recorded:
    """A telemetry set-up whose spans and metrics a test can read."""

    def __init__(self, evidence_dir: Path | None, **options: Any) -> None:
        self.spans = InMemorySpanExporter()
        self.metrics = InMemoryMetricReader()
        self.telemetry: Telemetry = build_telemetry(
            "test-instance",
            evidence_dir,
            extra_processors=[SimpleSpanProcessor(self.spans)],
            metric_readers=[self.metrics],
            **options,
        )

    def finished(self, name: str) -> list[Any]:
        return [s for s in self.spans.get_finished_spans() if s.name == name]


@pytest.fixture
def audited(example_bundle_dir, redis_server_url, redis_prefix, tmp_path) -> Iterator[Any]:
    # Entity ids are scrubbed by the PHI detector, as `proctor serve` does.
    masker = ReviewContextMasker(functools.partial(detect, mode="fast"))
    recorded = Recorded(tmp_path / "evidence", scrub=masker.text)
    with (
        InProcessServer(
            example_bundle_dir,
            approvals=True,
            redis_url=redis_server_url,
            store_prefix=redis_prefix,
            insecure_dev=True,
            telemetry=recorded.telemetry,
        ) as server,
        grpc.insecure_channel(server.address) as channel,
    ):
        yield Client(server, channel), recorded, channel
    recorded.telemetry.shutdown()


def test_each_decision_is_a_server_span_in_the_agents_trace(audited) -> None:
    _, recorded, channel = audited
    stub = decision_pb2_grpc.DecisionServiceStub(channel)
    request = authz("Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001")
    answer = stub.Authorize(
        request, timeout=10, metadata=[("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-01")]
    )
    (span,) = recorded.finished(A.SPAN_AUTHORIZE)
    assert f"{span.context.trace_id:032x}" == TRACE_ID
    assert f"{span.parent.span_id:016x}" == PARENT_ID
    attrs = dict(span.attributes)
    assert attrs[A.DECISION] == "ALLOW" and attrs[A.DECISION_ID] == answer.decision_id
    assert attrs[A.PRINCIPAL] == 'Agent::"care-assistant"'
    assert attrs[A.ACTION] == 'Action::"read_patient_record"'
    assert attrs[A.RESOURCE] == 'PatientRecord::"pr-1001"'
    assert list(attrs[A.POLICY_IDS]) == list(answer.policy_ids)
    assert attrs[A.BUNDLE_VERSION] == answer.bundle_version
    assert set(attrs[A.MASKED_FIELDS].split("; ")) == {m.selector for m in answer.masks}
    assert span.end_time > span.start_time
    # Unsampled callers are recorded all the same: evidence is not optional.
    stub.Authorize(request, timeout=10, metadata=[("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-00")])
    assert len(recorded.finished(A.SPAN_AUTHORIZE)) == 2
    metrics = recorded.metrics.get_metrics_data()
    names = {
        m.name for rm in metrics.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
    }
    assert {A.M_DECISIONS, A.M_DECISION_LATENCY} <= names


def test_approval_transitions_are_spans_linked_to_their_decision(audited) -> None:
    client, recorded, _ = audited
    asked = client.export()
    with pytest.raises(grpc.RpcError):
        client.review(asked.approval.id, reviewer="User::dr-lee")
    client.review(asked.approval.id, reviewer="User::ivan")
    client.export(approval_id=asked.approval.id)
    (decision,) = [
        s
        for s in recorded.finished(A.SPAN_AUTHORIZE)
        if s.attributes[A.DECISION] == "NEEDS_APPROVAL"
    ]
    names = [s.name for s in recorded.spans.get_finished_spans() if "approval." in s.name]
    assert names == [
        "proctor.approval.created",
        "proctor.approval.review_refused",
        "proctor.approval.reviewed",
        "proctor.approval.granted",
        "proctor.approval.consumed",
    ]
    for span in recorded.spans.get_finished_spans():
        if span.name in ("proctor.approval.created", "proctor.approval.granted"):
            assert [lk.context.span_id for lk in span.links] == [decision.context.span_id]
            assert span.attributes[A.APPROVAL_ID] == asked.approval.id
    (refused,) = recorded.finished(A.SPAN_REVIEW_REFUSED)
    assert refused.attributes[A.REVIEWER] == 'User::"dr-lee"'
    assert "acts for" in refused.attributes[A.REASON]
    (granted,) = recorded.finished("proctor.approval.granted")
    assert list(granted.attributes[A.REVIEWERS]) == ['User::"ivan"']
    assert granted.attributes[A.TIME_TO_DECISION_S] >= 0


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """A real OTLP/gRPC trace receiver."""

    def __init__(self) -> None:
        self.requests: list[trace_service_pb2.ExportTraceServiceRequest] = []

    def Export(self, request, context):
        self.requests.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()


def test_spans_reach_an_otlp_collector(example_bundle_dir, tmp_path) -> None:
    collector = Collector()
    server = grpc.server(concurrent.futures.ThreadPoolExecutor(2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        telemetry = build_telemetry(
            "otlp-test", tmp_path / "evidence", otlp_endpoint=f"http://127.0.0.1:{port}"
        )
        with (
            InProcessServer(example_bundle_dir, telemetry=telemetry) as proctor,
            grpc.insecure_channel(proctor.address) as channel,
        ):
            decision_pb2_grpc.DecisionServiceStub(channel).Authorize(
                authz("Agent::ops-bot", "delete_repository", "Repository::ehr-infra"), timeout=10
            )
        telemetry.tracer_provider.force_flush()
        telemetry.shutdown()
        exported = [
            span
            for request in collector.requests
            for rs in request.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]
        (span,) = [s for s in exported if s.name == A.SPAN_AUTHORIZE]
        attrs = {a.key: a.value for a in span.attributes}
        assert attrs[A.DECISION].string_value == "DENY"
        assert telemetry.export_failures() == 0
    finally:
        server.stop(None)


def test_the_evidence_file_verifies_and_tampering_is_named(example_bundle_dir, tmp_path) -> None:
    evidence = tmp_path / "evidence"
    telemetry = build_telemetry("file-test", evidence)
    with (
        InProcessServer(example_bundle_dir, telemetry=telemetry) as proctor,
        grpc.insecure_channel(proctor.address) as channel,
    ):
        stub = decision_pb2_grpc.DecisionServiceStub(channel)
        for rows in range(5):
            stub.Authorize(
                authz("Agent::care-assistant", "read_patient_record", f"PatientRecord::pr-{rows}"),
                timeout=10,
            )
        status = status_pb2_grpc.StatusServiceStub(channel).GetStatus(
            status_pb2.GetStatusRequest(), timeout=5
        )
    telemetry.shutdown()
    assert status.evidence_healthy
    key = evidence / "signing-key.pub.pem"
    ok = subprocess.run(
        [*PROCTOR, "audit", "verify", str(evidence), "--public-key", str(key)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "5 records" not in ok.stdout and "6 records, 1 checkpoints" in ok.stdout
    (log_file,) = evidence.glob("*.jsonl")
    lines = log_file.read_text().splitlines()
    edited = json.loads(lines[2])
    edited["attributes"][A.DECISION] = (
        "ALLOW" if edited["attributes"][A.DECISION] != "ALLOW" else "DENY"
    )
    lines[2] = json.dumps(edited, sort_keys=True)
    log_file.write_text("\n".join(lines) + "\n")
    bad = subprocess.run(
        [*PROCTOR, "audit", "verify", str(evidence), "--public-key", str(key)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert f"{log_file}:3" in bad.stderr and "edited" in bad.stderr
    report = subprocess.run(
        [*PROCTOR, "audit", "report", str(evidence), "--format", "html"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert report.returncode == 1 and "BROKEN" in report.stdout and "<svg" in report.stdout


def test_required_evidence_denies_when_it_cannot_be_written(example_bundle_dir, tmp_path) -> None:
    evidence = tmp_path / "evidence"
    telemetry = build_telemetry("required-test", evidence)
    assert telemetry.evidence is not None
    telemetry.evidence._max_bytes = 1  # every batch opens a new file
    with (
        InProcessServer(example_bundle_dir, telemetry=telemetry) as proctor,
        grpc.insecure_channel(proctor.address) as channel,
    ):
        proctor.server.point._evidence_required = True
        stub = decision_pb2_grpc.DecisionServiceStub(channel)
        request = authz("Agent::care-assistant", "read_patient_record", "PatientRecord::pr-1001")
        assert stub.Authorize(request, timeout=10).decision == D.DECISION_ALLOW
        telemetry.evidence.force_flush()
        # The disk goes away: the evidence directory becomes a plain file.
        for _ in range(50):
            shutil.rmtree(evidence, ignore_errors=True)
            try:
                evidence.write_text("not a directory any more")
                break
            except (IsADirectoryError, FileExistsError):
                time.sleep(0.01)
        stub.Authorize(request, timeout=10)  # queued; its write fails
        for _ in range(200):
            if not telemetry.evidence.healthy():
                break
            time.sleep(0.01)
        denied = stub.Authorize(request, timeout=10)
        assert denied.decision == D.DECISION_DENY and denied.reason.code == "evidence_unavailable"
        status = status_pb2_grpc.StatusServiceStub(channel).GetStatus(
            status_pb2.GetStatusRequest(), timeout=5
        )
        assert not status.evidence_healthy and status.evidence_write_failures >= 1
        evidence.unlink()  # the disk is back: writes resume, nothing was lost
        for _ in range(300):
            if telemetry.evidence.healthy():
                break
            time.sleep(0.01)
        assert stub.Authorize(request, timeout=10).decision == D.DECISION_ALLOW
    telemetry.shutdown()
    assert telemetry.evidence.stats.dropped == 0


PHI = st.sampled_from(
    ["078-05-1120", "Jane Q. Doe", "jane.doe@example.com", "(617) 555-0147", "MRN 00482913"]
)
NOISE = st.text(st.characters(codec="ascii", categories=("L", "N")), max_size=6)


DETECTABLE = st.sampled_from(["078-05-1120", "jane.doe@example.com", "(617) 555-0147"])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    phi=PHI,
    id_phi=DETECTABLE,
    noise=NOISE,
    where=st.sampled_from(["context", "payload", "entity", "id"]),
)
def test_no_planted_phi_reaches_spans_logs_or_errors(
    audited, caplog, phi, id_phi, noise, where
) -> None:
    _, recorded, channel = audited
    if where == "id":  # entity ids are recorded, scrubbed by the PHI detector
        phi = id_phi
    secret = f"{noise} {phi}"
    stub = decision_pb2_grpc.DecisionServiceStub(channel)
    caplog.set_level(logging.DEBUG)
    if where == "context":
        request = authz(
            "Agent::ops-bot", "change_iam", "IamRole::org-admin", change=f"for {secret}"
        )
    elif where == "payload":
        request = authz(
            "Agent::care-assistant", "send_email", "Mailbox::outbound", external_recipients=1
        )
        request.payload.text = f"Patient {secret} was discharged"
    elif where == "entity":
        request = authz("Agent::temp", "read_patient_record", "PatientRecord::pr-1001")
        request.entities.add().CopyFrom(_agent_with(secret))
    else:
        request = authz("Agent::care-assistant", "read_patient_record", f"PatientRecord::{phi}")
    error = ""
    try:
        stub.Authorize(request, timeout=10)
    except grpc.RpcError as exc:
        error = exc.details() or ""
    assert phi not in error
    recorded.telemetry.tracer_provider.force_flush()
    dumped = json.dumps(
        [
            {"name": s.name, "attributes": {k: str(v) for k, v in (s.attributes or {}).items()}}
            for s in recorded.spans.get_finished_spans()
        ]
    )
    leaks = [
        (span.name, key)
        for span in recorded.spans.get_finished_spans()
        for key, value in (span.attributes or {}).items()
        if phi in str(value)
    ]
    assert not leaks
    assert phi not in dumped
    assert phi not in caplog.text
    evidence = recorded.telemetry.evidence
    assert evidence is not None
    evidence.force_flush()
    for f in evidence.directory.glob("*.jsonl"):
        assert phi not in f.read_text()


def _agent_with(secret: str) -> Any:
    from proctor.service.wire import json_to_entity

    return json_to_entity(
        {
            "uid": {"type": "Agent", "id": "temp"},
            "attrs": {
                "model_id": secret,
                "roles": ["clinical"],
                "phi_clearance": True,
                "department": secret,
            },
            "parents": [],
        },
        "entities[0]",
    )


def test_spans_reach_an_otlp_http_collector(example_bundle_dir, tmp_path) -> None:
    async def scenario() -> list[Any]:
        async with Receiver() as collector:
            telemetry = build_telemetry(
                "otlp-http-test",
                None,
                otlp_endpoint=collector.url,
                otlp_protocol="http",
            )
            with (
                InProcessServer(example_bundle_dir, telemetry=telemetry) as proctor,
                grpc.insecure_channel(proctor.address) as channel,
            ):
                await asyncio.to_thread(
                    decision_pb2_grpc.DecisionServiceStub(channel).Authorize,
                    authz("Agent::ops-bot", "delete_repository", "Repository::ehr-infra"),
                    timeout=10,
                )
            await asyncio.to_thread(telemetry.shutdown)
            return collector.requests

    requests = asyncio.run(scenario())
    traces = [body for path, _, body in requests if path == "/v1/traces"]
    assert traces
    names = set()
    for body in traces:
        message = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
        names |= {
            s.name for rs in message.resource_spans for ss in rs.scope_spans for s in ss.spans
        }
    assert A.SPAN_AUTHORIZE in names


def test_delivered_notifications_are_audited(redis_server_url, redis_prefix, tmp_path) -> None:
    recorded = Recorded(None)

    async def scenario() -> None:
        async with Receiver() as hook:
            config = tmp_path / "notify.yaml"
            config.write_text(
                "routes:\n  - group: '*'\n"
                f"    webhook: {{url: '{hook.url}/hook', secret_env: HOOK_SECRET}}\n"
            )
            client = aioredis.Redis.from_url(redis_server_url)
            notifier = Notifier(
                load_notify_config(config, {"HOOK_SECRET": "s" * 20}), client, redis_prefix, _never
            )
            notifier.on_sent = recorded.telemetry.auditor.notified
            await notifier.notify(
                replace(notice(), trace_id=TRACE_ID, span_id=PARENT_ID), "created"
            )
            assert await notifier.outbox.run_once() == 1
            assert notifier._session is not None
            await notifier._session.close()
            await client.aclose()

    asyncio.run(scenario())
    (span,) = recorded.finished("proctor.approval.notified")
    assert span.attributes[A.NOTIFY_DESTINATION] == "webhook"
    assert [f"{lk.context.span_id:016x}" for lk in span.links] == [PARENT_ID]
