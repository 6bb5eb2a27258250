"""The Python SDK against a real Proctor: decisions, batches, errors,
``require`` waiting for a human, trace propagation, and ``@guard``."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import grpc
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from proctor.client import (
    ApprovalDenied,
    ApprovalTimeout,
    Ask,
    AsyncClient,
    Client,
    Denied,
    Entity,
    GuardDenied,
    InvalidRequest,
    Unavailable,
    guard,
)
from proctor.service.approvals.store import ListFilter
from proctor.service.audit.setup import build_telemetry
from proctor.service.testing import InProcessServer

from .approval_support import Client as ReviewingClient

pytestmark = pytest.mark.integration

AGENT = 'Agent::"care-assistant"'
DATASET = 'Dataset::"oncology-cohort-2026"'
EXPORT = {"rows": 120, "destination": "s3://hospital-research/cohort-2026"}
SSN = "078-05-1120"


@pytest.fixture
def proctor(example_bundle_dir, redis_server_url, redis_prefix):
    spans = InMemorySpanExporter()
    telemetry = build_telemetry("sdk-test", None, extra_processors=[SimpleSpanProcessor(spans)])
    with InProcessServer(
        example_bundle_dir,
        approvals=True,
        redis_url=redis_server_url,
        store_prefix=redis_prefix,
        insecure_dev=True,
        telemetry=telemetry,
    ) as server:
        yield server, spans
    telemetry.shutdown()


def approve_soon(
    server: InProcessServer, approval_id_of: Any, verdict: str = "approve"
) -> threading.Thread:
    """A reviewer who approves (or denies) whatever is pending, shortly."""

    def review() -> None:
        with grpc.insecure_channel(server.address) as channel:
            reviewer = ReviewingClient(server, channel)
            for _ in range(100):
                approval_id = approval_id_of()
                if approval_id:
                    reviewer.review(approval_id, verdict, reviewer="User::ivan")
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=review)
    thread.start()
    return thread


def pending_id(server: InProcessServer) -> Any:
    def find() -> str:
        page = server.run(server.approvals.store.list_page(ListFilter()))
        pending = [r.id for r in page.records if r.status.value == "PENDING"]
        return pending[0] if pending else ""

    return find


def test_decisions_batches_and_errors(proctor) -> None:
    server, _ = proctor
    with Client(server.address) as client:
        allowed = client.authorize(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"')
        assert allowed.allowed and allowed.masks
        denied = client.authorize(
            Entity("Agent", "ops-bot"), "delete_repository", ("Repository", "ehr-infra")
        )
        assert denied.decision == "DENY" and denied.reason_code == "forbidden_by_policy"
        batch = client.authorize_batch(
            [
                Ask(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"'),
                Ask(AGENT, "export_patient_data", DATASET, EXPORT),
            ]
        )
        assert [d.decision for d in batch] == ["ALLOW", "NEEDS_APPROVAL"]
        with pytest.raises(InvalidRequest) as info:
            client.authorize(AGENT, "export_patient_data", DATASET, {"rows": 1.5})
        assert info.value.field == "context.rows" and info.value.code == "invalid_argument"
        with pytest.raises(InvalidRequest) as info:
            client.authorize(AGENT, "exprot_patient_data", DATASET, EXPORT)
        assert info.value.field == "action" and "did you mean" in str(info.value)
    with Client("127.0.0.1:1", timeout=1) as nowhere, pytest.raises(Unavailable):
        nowhere.authorize(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"')


def test_require_waits_for_a_human_and_proceeds_once(proctor) -> None:
    server, _ = proctor
    with Client(server.address) as client:
        assert client.require(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"').allowed
        with pytest.raises(Denied) as info:
            client.require('Agent::"ops-bot"', "delete_repository", 'Repository::"ehr-infra"')
        assert info.value.code == "denied"
        reviewer = approve_soon(server, pending_id(server))
        granted = client.require(AGENT, "export_patient_data", DATASET, EXPORT, wait=20)
        reviewer.join()
        assert granted.allowed and granted.reason_code == "allowed_with_approval"
        with pytest.raises(ApprovalTimeout) as timeout:
            client.require(AGENT, "export_patient_data", DATASET, {**EXPORT, "rows": 7}, wait=0.5)
        assert timeout.value.approval_id.startswith("apr_")
        reviewer = approve_soon(server, lambda: timeout.value.approval_id, verdict="deny")
        with pytest.raises(ApprovalDenied):
            client.require(AGENT, "export_patient_data", DATASET, {**EXPORT, "rows": 7}, wait=20)
        reviewer.join()


def test_async_client_does_the_same_without_blocking(proctor) -> None:
    server, _ = proctor

    async def scenario() -> None:
        async with AsyncClient(server.address) as client:
            assert (
                await client.authorize(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"')
            ).allowed
            reviewer = approve_soon(server, pending_id(server))
            granted = await client.require(
                AGENT, "export_patient_data", DATASET, {**EXPORT, "rows": 9}, wait=20
            )
            await asyncio.to_thread(reviewer.join)
            assert granted.allowed
            with pytest.raises(Denied):
                await client.require(
                    'Agent::"ops-bot"', "delete_repository", 'Repository::"ehr-infra"'
                )

    asyncio.run(scenario())


def test_the_callers_trace_continues_into_proctor(proctor) -> None:
    server, spans = proctor
    tracer = TracerProvider().get_tracer("agent")
    with Client(server.address) as client, tracer.start_as_current_span("agent-step") as step:
        client.authorize(AGENT, "read_patient_record", 'PatientRecord::"pr-1001"')
    (decision,) = [s for s in spans.get_finished_spans() if s.name == "proctor.authorize"]
    assert decision.context.trace_id == step.get_span_context().trace_id
    assert decision.parent.span_id == step.get_span_context().span_id


def test_guard_authorizes_and_masks_tool_results(proctor) -> None:
    server, _ = proctor
    client = Client(server.address)

    @guard(
        "read_patient_record",
        resource=lambda a: ("PatientRecord", a["record_id"]),
        principal=AGENT,
        client=client,
    )
    def read_record(record_id: str) -> dict[str, Any]:
        return {"name": "Jane Q. Doe", "ssn": SSN, "dob": "1950-03-04", "diagnosis": "I10"}

    record = read_record("pr-1001")
    assert record["ssn"] != SSN and record["name"] != "Jane Q. Doe"
    assert record["dob"] == "1950" and record["diagnosis"] == "I10"

    ran: list[str] = []

    @guard(
        "delete_repository",
        resource=lambda a: ("Repository", a["name"]),
        principal='Agent::"ops-bot"',
        client=client,
    )
    def delete(name: str) -> str:
        ran.append(name)
        return "deleted"

    with pytest.raises(GuardDenied) as info:
        delete("ehr-infra")
    assert not ran and "did not run" in str(info.value) and "forbidden_by_policy" in str(info.value)

    @guard(
        "export_patient_data",
        resource=lambda a: ("Dataset", a["dataset"]),
        context=lambda a: {"rows": a["rows"], "destination": a["dest"]},
        principal=AGENT,
        client=client,
        on_deny="return",
    )
    def export(dataset: str, rows: int, dest: str) -> str:
        ran.append(dataset)
        return "exported"

    message = export("oncology-cohort-2026", 3, "s3://hospital-research/x")
    assert not ran and "needs human approval" in message and "apr_" in message
    client.close()


def test_guard_on_async_tools_waits_for_approval(proctor) -> None:
    server, _ = proctor

    async def scenario() -> None:
        async with AsyncClient(server.address) as client:

            @guard(
                "export_patient_data",
                resource=lambda a: ("Dataset", a["dataset"]),
                context=lambda a: {"rows": a["rows"], "destination": "s3://hospital-research/y"},
                principal=AGENT,
                client=client,
                wait=20,
            )
            async def export(dataset: str, rows: int) -> list[dict[str, str]]:
                return [{"ssn": SSN, "value": "ok"}]

            reviewer = approve_soon(server, pending_id(server))
            rows = await export("oncology-cohort-2026", 11)
            await asyncio.to_thread(reviewer.join)
            assert rows == [{"value": "ok"}]  # $..ssn=drop on exports

    asyncio.run(scenario())
