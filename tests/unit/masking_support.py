"""What the structured-masking tests share: a key, a frozen clock, a
stand-in detector (SSNs by one regex) and a context built from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from proctor.masking import InMemoryVault, MaskContext

KEY = b"test-key-0123456789abcdef"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str


SSN_RE = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")


def ssn_detector(text: str, categories: frozenset[str]) -> list[Span]:
    """Stands in for proctor.masking.detect: SSNs only, whatever is asked."""
    return [Span(m.start(), m.end(), "SSN") for m in SSN_RE.finditer(text)]


class Clock:
    """A clock that moves only when a test sets ``now``."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_ctx(**overrides: Any) -> MaskContext:
    """A context with the test key, a fresh vault on a frozen clock, scope
    ``tenant-a``, subject ``patient-1`` and :func:`ssn_detector`."""
    values: dict[str, Any] = {
        "hash_key": KEY,
        "vault": InMemoryVault(Clock()),
        "scope": "tenant-a",
        "subject": "patient-1",
        "detector": ssn_detector,
    }
    values.update(overrides)
    return MaskContext(**values)
