"""Helpers shared by the table-driven detector tests."""

from __future__ import annotations

from proctor.masking.detect import detect

Spans = list[tuple[str, str]]


def found(text: str, *categories: str, mode: str = "fast") -> Spans:
    """(category, matched text) of every finding, in order; every category
    when none is named."""
    return [
        (f.category, text[f.start : f.end])
        for f in detect(text, set(categories) or {"ALL"}, mode=mode)  # type: ignore[arg-type]
    ]


def check(text: str, expected: Spans, categories: tuple[str, ...] = ()) -> None:
    """``fast`` finds exactly ``expected``; ``thorough`` finds at least it."""
    assert found(text, *categories) == expected
    thorough = found(text, *categories, mode="thorough")
    assert all(span in thorough for span in expected), thorough
