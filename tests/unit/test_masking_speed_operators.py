"""The operators' faster forms against the straightforward ones.

``leaf_function`` gives the compiled fast path shortcuts for the commonest
leaves (ISO dates, strings to scan); tokens are written with bytes tables and
a base32 written out. Each must give exactly what the reference gives, for
every input the strategies can think of.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.masking import (
    DateShift,
    Detect,
    Drop,
    Generalize,
    Hash,
    Partial,
    Redact,
    Tokenize,
)
from proctor.masking.directives import Operator
from proctor.masking.operators import (
    REDACTED,
    _opaque_candidate,
    _shaped_digits,
    leaf_function,
    operator_function,
)

from .masking_support import make_ctx, ssn_detector

_OPERATORS: list[Operator] = [
    Drop(),
    Redact(),
    Hash(),
    Tokenize(),
    Generalize(to="year"),
    Generalize(to="month"),
    Generalize(to="zip3"),
    Generalize(to="age90"),
    DateShift(days=30),
    DateShift(days=3650),
    Partial(keep=4),
    Detect(categories=frozenset({"SSN"})),
]
_DATE_LIKE = st.builds(
    lambda y, a, m, b, d: f"{y}{a}{m}{b}{d}",
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.sampled_from(["-", "/", "."]),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.sampled_from(["-", "/", "."]),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
) | st.text(alphabet="0123456789-W٠١ T:Z", min_size=8, max_size=12)
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-5, 20_000_000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.dates().map(lambda d: d.isoformat())
    | _DATE_LIKE
    | st.text(max_size=20)
    | st.sampled_from(
        [
            REDACTED,
            "0001-01-01",
            "9999-12-31",
            "2021-02-30",
            "03/04/2021",
            "note: SSN 123-45-6789 and 987-65-4321",
            "SSN 123-45-6789",
            "02139",
            "95",
            "hash:0123456789abcdef",
        ]
    )
)


@settings(max_examples=300)
@given(_LEAVES, st.sampled_from(_OPERATORS), st.sampled_from(["", "patient-2"]), st.booleans())
def test_leaf_functions_give_what_the_operators_give(
    value: Any, op: Operator, subject: str, with_detector: bool
) -> None:
    detector = ssn_detector if with_detector else None
    # Each side gets its own vault: tokenize's claims are the same calls.
    got = leaf_function(op)(value, op, make_ctx(subject=subject, detector=detector))
    expected = operator_function(op)(value, op, make_ctx(subject=subject, detector=detector))
    assert type(got) is type(expected)
    assert got == expected


def test_only_dates_and_detect_have_shortcuts() -> None:
    shortcuts = [op for op in _OPERATORS if leaf_function(op) is not operator_function(op)]
    assert shortcuts == [
        Generalize(to="year"),
        Generalize(to="month"),
        DateShift(days=30),
        DateShift(days=3650),
        Detect(categories=frozenset({"SSN"})),
    ]


@given(st.text(max_size=8), st.binary(min_size=10, max_size=40))
def test_opaque_tokens_are_base32(prefix: str, mac: bytes) -> None:
    expected = prefix + base64.b32encode(mac[:10]).decode().lower()
    assert _opaque_candidate(prefix, mac) == expected


_OLD_DIGIT_SHAPE = re.compile(r"[0-9 ().+/-]+\Z")


def _old_shaped_digits(value: str) -> str | None:
    if not _OLD_DIGIT_SHAPE.match(value):
        return None
    digits = value.translate(str.maketrans("", "", " ().+/-"))
    return digits if 6 <= len(digits) <= 30 else None


@given(st.text(max_size=40) | st.text(alphabet="0123456789 ().+/-٣x", max_size=40))
def test_shaped_digits_of_any_text(value: str) -> None:
    assert _shaped_digits(value) == _old_shaped_digits(value)
