"""Masking directives: grammar, wire round trip, most-restrictive merge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.masking import (
    Detect,
    Directive,
    DirectiveError,
    Drop,
    Generalize,
    Hash,
    Partial,
    Redact,
    Tokenize,
    directive_from_wire,
    merge_directives,
    parse_directives,
    parse_selector,
)
from proctor.masking.directives import DateShift, Operator


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        pytest.param("$.ssn", "$.ssn", id="child"),
        pytest.param("$.a.b", "$.a.b", id="nested"),
        pytest.param("$.a[*].b", "$.a[*].b", id="wildcard"),
        pytest.param("$..name", "$..name", id="descendant"),
        pytest.param('$["first name"]', '$["first name"]', id="quoted"),
        pytest.param("$['x']", "$.x", id="single-quoted-plain"),
        pytest.param(" $.a ", "$.a", id="whitespace"),
    ],
)
def test_selectors(text: str, canonical: str) -> None:
    assert str(parse_selector(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("ssn", "must start with `\\$`", id="no-dollar"),
        pytest.param("$", "whole document", id="root-only"),
        pytest.param("$.a[0]", "not supported", id="index"),
        pytest.param("$.a.", "not supported", id="trailing-dot"),
        pytest.param("$.a b", "not supported", id="space"),
    ],
)
def test_bad_selectors(text: str, message: str) -> None:
    with pytest.raises(DirectiveError, match=message):
        parse_selector(text)


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        pytest.param("$.a=redact", Redact(), id="redact"),
        pytest.param("$.a=drop", Drop(), id="drop"),
        pytest.param("$.a=hash", Hash(), id="hash"),
        pytest.param("$.a=tokenize", Tokenize(), id="tokenize"),
        pytest.param("$.a=partial(keep=2)", Partial(2), id="partial-named"),
        pytest.param("$.a=partial(3)", Partial(3), id="partial-positional"),
        pytest.param("$.a=partial", Partial(4), id="partial-default"),
        pytest.param("$.a=generalize(zip3)", Generalize("zip3"), id="generalize"),
        pytest.param("$.a=date_shift(days=7)", DateShift(7), id="date-shift"),
        pytest.param(
            "$.a=detect(name, ssn)", Detect(frozenset({"NAME", "SSN"})), id="detect-lowercase"
        ),
        pytest.param("$.a=detect", Detect(frozenset({"ALL"})), id="detect-all"),
    ],
)
def test_operators(text: str, operator: Operator) -> None:
    (d,) = parse_directives(text, rule_id="r")
    assert d.operator == operator
    assert d.rule_id == "r"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "empty @mask", id="empty"),
        pytest.param("$.a", "selector=operator", id="no-operator"),
        pytest.param("$.a=", "selector=operator", id="empty-operator"),
        pytest.param("$.a=redactt", "did you mean `redact`", id="typo"),
        pytest.param("$.a=redact(1)", "takes no arguments", id="args-on-redact"),
        pytest.param("$.a=partial(keep=x)", "whole number", id="partial-word"),
        pytest.param("$.a=partial(keep=99)", "whole number from 0 to 16", id="partial-too-big"),
        pytest.param("$.a=partial(kept=2)", "no parameter `kept`", id="partial-bad-key"),
        pytest.param("$.a=generalize(decade)", "needs one of", id="generalize-bad"),
        pytest.param("$.a=detect(NAMES)", "did you mean `NAME`", id="detect-typo"),
        pytest.param("$.a=redact; $.a=drop", "appears twice", id="duplicate-selector"),
    ],
)
def test_bad_directives(text: str, message: str) -> None:
    with pytest.raises(DirectiveError, match=message):
        parse_directives(text)


OPERATORS = st.one_of(
    st.just(Redact()),
    st.just(Drop()),
    st.just(Hash()),
    st.just(Tokenize()),
    st.builds(Partial, st.integers(0, 16)),
    st.builds(Generalize, st.sampled_from(["year", "month", "zip3", "age90"])),
    st.builds(DateShift, st.integers(1, 3650)),
    st.builds(Detect, st.frozensets(st.sampled_from(["NAME", "SSN", "MRN", "PHONE"]), min_size=1)),
)
SELECTORS = st.sampled_from(["$.ssn", "$.a.b", "$.rows[*].name", "$..dob", '$["first name"]'])


@given(SELECTORS, OPERATORS)
def test_wire_round_trip(selector: str, op: Operator) -> None:
    d = Directive(parse_selector(selector), op, "rule")
    assert directive_from_wire(str(d.selector), op.name, op.params(), "rule") == d


@given(st.lists(st.tuples(SELECTORS, OPERATORS, st.sampled_from(["r1", "r2", "r3"])), max_size=12))
def test_merge_is_most_restrictive_and_order_free(items: list[tuple[str, Operator, str]]) -> None:
    ds = [Directive(parse_selector(s), op, r) for s, op, r in items]
    merged = merge_directives(ds)
    assert merged == merge_directives(list(reversed(ds)))
    assert merge_directives(merged) == merged  # idempotent
    by_sel = {str(d.selector): d for d in merged}
    assert set(by_sel) == {str(d.selector) for d in ds}
    for d in ds:
        assert by_sel[str(d.selector)].operator.rank >= d.operator.rank


@pytest.mark.parametrize(
    ("a", "b", "winner"),
    [
        pytest.param(Redact(), Partial(4), Redact(), id="redact-beats-partial"),
        pytest.param(Drop(), Redact(), Drop(), id="drop-beats-redact"),
        pytest.param(Hash(), Tokenize(), Hash(), id="hash-beats-tokenize"),
        pytest.param(Partial(4), Partial(2), Partial(2), id="fewer-kept-chars"),
        pytest.param(
            Generalize("month"), Generalize("year"), Generalize("year"), id="year-beats-month"
        ),
        pytest.param(Generalize("zip3"), Generalize("year"), Redact(), id="incomparable-redacts"),
        pytest.param(
            Detect(frozenset({"NAME"})),
            Detect(frozenset({"SSN"})),
            Detect(frozenset({"NAME", "SSN"})),
            id="detect-union",
        ),
    ],
)
def test_merge_table(a: Operator, b: Operator, winner: Operator) -> None:
    sel = parse_selector("$.x")
    (merged,) = merge_directives([Directive(sel, a, "a"), Directive(sel, b, "b")])
    assert merged.operator == winner
