"""Payload scanning: what PHI the data an action carries holds.

A request may carry the data its action will send out or return (an email
body, an export's rows). Proctor scans it and exposes only a summary to
policies as ``context.payload`` — whether PHI was found, which categories,
how many findings — so a policy can gate an outbound email that carries a
social security number. The payload itself is never stored, logged or
echoed; only its SHA-256 digest is kept, to bind an approval to it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from proctor.masking.detect import detect
from proctor.service.errors import InvalidRequestError


class Span(Protocol):
    """What a detector reports: a category for a span of text."""

    @property
    def category(self) -> str:
        """The PHI category, e.g. ``SSN``."""
        ...


Detector = Callable[[str], Sequence[Span]]


@dataclass(frozen=True, slots=True)
class Payload:
    """The payload as the request carried it."""

    kind: Literal["json", "text"]
    content: str


@dataclass(frozen=True, slots=True)
class PayloadScan:
    """The summary policies see, and the digest approvals bind to."""

    findings: dict[str, Any]
    digest: str


def default_detector() -> Detector:
    """Proctor's own detector (fast mode, every category)."""
    return detect


def _strings(value: Any, key: str = "") -> Iterator[str]:
    """Every leaf of a JSON document as text, with its key for context: a
    detector recognises ``"ssn": "123456789"`` more surely than the bare
    digits."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif value is not None and not isinstance(value, bool):
        yield f"{key}: {value}" if key else str(value)


def scan_payload(payload: Payload, detector: Detector, max_findings: int = 10_000) -> PayloadScan:
    """Scan a payload; raise InvalidRequestError for a JSON payload that is not JSON."""
    digest = hashlib.sha256(f"{payload.kind}\0{payload.content}".encode()).hexdigest()
    if payload.kind == "json":
        try:
            document = json.loads(payload.content)
        except json.JSONDecodeError as exc:
            # Position only: the message must not quote the payload.
            raise InvalidRequestError(
                "payload.json", f"is not valid JSON (line {exc.lineno} column {exc.colno})"
            ) from None
        texts: Iterator[str] = _strings(document)
    else:
        texts = iter((payload.content,))
    categories: set[str] = set()
    count = 0
    for text in texts:
        for span in detector(text):
            categories.add(span.category)
            count += 1
        if count >= max_findings:
            break
    return PayloadScan(
        findings={
            "phi_detected": count > 0,
            "phi_categories": sorted(categories),
            "finding_count": count,
        },
        digest=digest,
    )
