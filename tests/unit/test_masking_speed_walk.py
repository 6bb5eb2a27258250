"""The compiled fast path's walk: the order it reports masked paths in.

The walk takes named members by name and array elements by index, so the
leaves of each depth come in path order, and a sort by (rank, depth) alone
puts the paths in the general algorithm's order. Members no selector names
come in the document's order; then the walk sorts by the whole path. These
tests mix both on wide, shuffled objects and compare with the general
algorithm.
"""

from __future__ import annotations

import json
import time
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.masking import (
    Directive,
    Drop,
    Hash,
    InMemoryVault,
    MaskContext,
    Partial,
    Redact,
    Tokenize,
    parse_directives,
    parse_selector,
)
from proctor.masking import apply as apply_module
from proctor.masking.apply import _apply_general, _plan_for, apply_directives
from proctor.masking.directives import Operator

# Names that hold leaves and names that hold objects and arrays, so most
# selectors pick leaves (the fast path) and `..` walks into members no
# selector names. The names sort before, between and after one another
# ("_x" < "a" < "m"), so members no selector names land between named ones.
_LEAF_NAMES = st.sampled_from(["a", "b", "ssn", "B"])
_BOX_NAMES = st.sampled_from(["m", "z", "aa", "_x"])
_LEAVES = st.sampled_from(["123-45-6789", "2021-03-04", "Ann Lee", "x", 95, None])
_LEAF_MEMBERS = st.tuples(_LEAF_NAMES, _LEAVES)
# Insertion order is the document's order: shuffled, not sorted.
_DOCUMENTS = st.recursive(
    st.lists(_LEAF_MEMBERS, min_size=1, max_size=4).map(dict),
    lambda kids: (
        st.lists(_LEAF_MEMBERS | st.tuples(_BOX_NAMES, kids), min_size=2, max_size=8).map(dict)
        | st.lists(kids, min_size=1, max_size=3)
    ),
    max_leaves=40,
)
_SELECTORS = [
    "$.a",
    "$.b",
    "$.ssn",
    "$..ssn",
    "$..B",
    "$.m.a",
    "$.m[*].b",
    "$.z[*].a",
    "$.aa[*].ssn",
    "$.m..b",
    "$.z.z.a",
    "$..aa[*].B",
    "$.m[*]",
]
# Few operators, so that leaves of one rank are common.
_OPERATORS = [Drop(), Redact(), Tokenize(), Partial(keep=2)]
_DIRECTIVES = st.lists(
    st.builds(
        Directive,
        st.sampled_from(_SELECTORS).map(parse_selector),
        st.sampled_from(_OPERATORS),
    ),
    min_size=2,
    max_size=7,
)


def _ctx() -> MaskContext:
    return MaskContext(
        hash_key=b"test-key-0123456789abcdef",
        vault=InMemoryVault(time.monotonic),
        scope="tenant-a",
        subject="patient-1",
    )


def _fast(doc: Any, directives: list[Directive]) -> Any:
    start = _plan_for(directives).start
    if start is None:
        return None
    try:
        return apply_module._apply_fast(doc, start, _ctx())
    except apply_module._Fallback:
        return None


@settings(max_examples=300)
@given(_DOCUMENTS, _DIRECTIVES)
def test_paths_come_in_the_general_algorithms_order(doc: Any, directives: list[Directive]) -> None:
    expected = _apply_general(doc, directives, _ctx())
    fast = _fast(doc, directives)
    if fast is not None:
        assert fast.masked_paths == expected.masked_paths
        assert json.dumps(fast.document) == json.dumps(expected.document)
    got = apply_directives(doc, directives, _ctx())
    assert got.masked_paths == expected.masked_paths


def test_ranks_then_depths_then_paths() -> None:
    doc = {
        "z": "2021-03-04",
        "m": [{"b": "1", "a": "2"}, {"a": "3", "b": "4"}],
        "a": {"z": "x", "ssn": "123-45-6789", "y": {"ssn": "987-65-4321"}},
        "ssn": "111-22-3333",
    }
    ds = parse_directives("$.z=generalize(year); $.m[*].b=drop; $.m[*].a=hash; $..ssn=redact")
    fast = _fast(doc, list(ds))
    assert fast is not None
    assert fast.masked_paths == (
        "$.m[0].b",
        "$.m[1].b",
        "$.ssn",
        "$.a.ssn",
        "$.a.y.ssn",
        "$.m[0].a",
        "$.m[1].a",
        "$.z",
    )
    assert fast == _apply_general(doc, ds, _ctx())


def test_a_document_deeper_than_the_order_allows_takes_the_general_algorithm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apply_module, "_DEPTHS", 4)
    monkeypatch.setattr(apply_module, "_PLANS", {})
    monkeypatch.setattr(apply_module, "_PLANS_BY_IDS", {})
    monkeypatch.setattr(apply_module, "_last_plan", (None, None))
    ds = list(parse_directives("$..ssn=redact; $..b=hash"))
    shallow = {"a": {"ssn": "1", "b": "2"}}
    assert _fast(shallow, ds) == _apply_general(shallow, ds, _ctx())
    deep: Any = {"ssn": "1"}
    for _ in range(5):
        deep = {"a": deep, "b": "x"}
    assert _fast(deep, ds) is None
    assert _fast([[[[[{"ssn": "1"}]]]]], ds) is None
    assert apply_directives(deep, ds, _ctx()) == _apply_general(deep, ds, _ctx())


class _DropNamedRedact(Drop):
    name: ClassVar[str] = "redact"


class _RedactNamedDrop(Redact):
    name: ClassVar[str] = "drop"


@pytest.mark.parametrize("op", [_DropNamedRedact(), _RedactNamedDrop()])
def test_an_operator_renamed_across_drop_takes_the_general_algorithm(op: Operator) -> None:
    # The walk drops exactly the Drop operators; the general algorithm goes
    # by name for the function and by type for keeping REDACTED.
    ds = [Directive(parse_selector("$.a"), op), Directive(parse_selector("$.b"), Hash())]
    assert _plan_for(ds).start is None
    for doc in ({"a": "x", "b": "y"}, {"a": "[REDACTED]", "b": "y"}):
        assert apply_directives(doc, ds, _ctx()) == _apply_general(doc, ds, _ctx())
