"""Payload scanning: a summary for policies, a digest for approvals, never the content."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import pytest

from proctor.service.bundle import load_bundle
from proctor.service.decisions import ComputedTickets, DecisionPoint
from proctor.service.engine import EntityUid, Request
from proctor.service.errors import InvalidRequestError
from proctor.service.payload import Payload, scan_payload

SSN = "123-45-6789"


@dataclass(frozen=True)
class _Span:
    category: str


def fake_detector(text: str) -> list[_Span]:
    """Stands in for the real detector: SSNs, and emails."""
    return [_Span("SSN") for _ in re.finditer(r"\b\d{3}-\d{2}-\d{4}\b", text)] + [
        _Span("EMAIL") for _ in re.finditer(r"\b\S+@\S+\.\w+\b", text)
    ]


@pytest.mark.parametrize(
    ("payload", "findings"),
    [
        pytest.param(
            Payload("text", f"patient SSN {SSN}"),
            {"phi_detected": True, "phi_categories": ["SSN"], "finding_count": 1},
            id="text-with-ssn",
        ),
        pytest.param(
            Payload("text", "lunch at noon?"),
            {"phi_detected": False, "phi_categories": [], "finding_count": 0},
            id="clean-text",
        ),
        pytest.param(
            Payload(
                "json",
                f'{{"rows": [{{"ssn": "{SSN}", "contact": "a@b.org"}}, {{"ssn": "{SSN}"}}]}}',
            ),
            {"phi_detected": True, "phi_categories": ["EMAIL", "SSN"], "finding_count": 3},
            id="json-leaves",
        ),
        pytest.param(
            Payload("json", "[1, true, null, 2.5]"),
            {"phi_detected": False, "phi_categories": [], "finding_count": 0},
            id="json-scalars",
        ),
    ],
)
def test_scan_summary(payload: Payload, findings: dict[str, object]) -> None:
    assert scan_payload(payload, fake_detector).findings == findings


def test_invalid_json_names_the_position_not_the_content() -> None:
    with pytest.raises(InvalidRequestError) as info:
        scan_payload(Payload("json", f'{{"ssn": "{SSN}" oops}}'), fake_detector)
    assert info.value.field == "payload.json" and "line 1 column" in str(info.value)
    assert SSN not in str(info.value)


def test_the_payload_gates_email_and_binds_the_ticket(example_bundle_dir) -> None:
    bundle = load_bundle(example_bundle_dir)
    point = DecisionPoint(lambda: bundle, ComputedTickets(), detector=fake_detector)
    email = Request(
        EntityUid("Agent", "care-assistant"),
        EntityUid("Action", "send_email"),
        EntityUid("Mailbox", "outbound"),
        {"external_recipients": 1},
    )
    clean = asyncio.run(point.authorize(email, payload=Payload("text", "see you at 3")))
    assert clean.outcome.decision == "ALLOW"
    phi = asyncio.run(point.authorize(email, payload=Payload("text", f"his SSN is {SSN}")))
    assert phi.outcome.decision == "NEEDS_APPROVAL"
    other = asyncio.run(point.authorize(email, payload=Payload("text", "SSN 987-65-4321")))
    assert phi.ticket is not None and other.ticket is not None
    assert phi.ticket.id != other.ticket.id  # an approval covers one payload only
    again = asyncio.run(point.authorize(email, payload=Payload("text", f"his SSN is {SSN}")))
    assert again.ticket is not None and again.ticket.id == phi.ticket.id
