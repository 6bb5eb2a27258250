"""Fingerprints: same meaning to Cedar, same fingerprint; anything else differs."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.service.fingerprint import canonical, fingerprint

P = {"type": "Agent", "id": "a"}
A = {"type": "Action", "id": "x"}
R = {"type": "Dataset", "id": "d"}

SCALARS = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=8))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _shuffled(value):
    if isinstance(value, dict):
        items = list(value.items())
        random.Random(len(items)).shuffle(items)
        return {k: _shuffled(v) for k, v in items}
    if isinstance(value, list):
        items = [_shuffled(v) for v in value] * 2  # repeated set elements
        random.Random(len(items)).shuffle(items)
        return items
    return value


@given(st.dictionaries(st.text(max_size=6), VALUES, max_size=5))
def test_order_and_repetition_do_not_matter(context) -> None:
    assert fingerprint(P, A, R, context) == fingerprint(P, A, R, _shuffled(context))


@given(st.dictionaries(st.text(max_size=6), VALUES, min_size=1, max_size=5), st.data())
def test_changing_a_value_changes_the_fingerprint(context, data) -> None:
    key = data.draw(st.sampled_from(sorted(context)))
    changed = {**context, key: {"changed": [context[key]]}}
    assert canonical(changed) != canonical(context)
    assert fingerprint(P, A, R, context) != fingerprint(P, A, R, changed)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(({"type": "Agent", "id": "b"}, A, R, {}), id="principal"),
        pytest.param((P, {"type": "Action", "id": "y"}, R, {}), id="action"),
        pytest.param((P, A, {"type": "Dataset", "id": "e"}, {}), id="resource"),
        pytest.param((P, A, R, {"rows": 1}), id="context"),
        pytest.param((P, A, R, {"rows": True}), id="long-vs-bool"),
        pytest.param((P, A, R, {"rows": "1"}), id="long-vs-string"),
    ],
)
def test_each_part_counts(other) -> None:
    assert fingerprint(P, A, R, {}) != fingerprint(*other)


def test_approval_is_never_part_of_a_fingerprint() -> None:
    with pytest.raises(ValueError, match="approval"):
        fingerprint(P, A, R, {"approval": {"granted": True}})
