"""The compiled fast path of structured masking and the operators' fast
paths: each must give exactly what the straightforward version gives.

``apply_directives`` compiles a directive list into an automaton and masks
leaves in one walk; ``_apply_general`` is the general algorithm it falls back
to and is checked against. The operators' shortcuts (ISO dates, ASCII
``partial``, one-span ``detect``, the precomputed HMAC states, the vault's
one-clock ``claim``) are checked against the code they replaced, kept here.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import sys
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.masking import (
    DateShift,
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
    parse_directives,
    parse_selector,
)
from proctor.masking import apply as apply_module
from proctor.masking import directives as directives_module
from proctor.masking.apply import _apply_general, _plan_for, apply_directives, format_path
from proctor.masking.operators import (
    _HASH_LABEL,
    _TOKEN_LABEL,
    REDACTED,
    MaskContext,
    _Hmac,
    _luhn_valid,
    _shaped_candidate,
    _shaped_digits,
    date_shift,
    generalize,
    hash_value,
    parse_date,
    partial,
    replace_spans,
    tokenize,
)
from proctor.masking.vault import InMemoryVault

from .masking_support import KEY, Clock, Span, make_ctx

# --- the fast path against the general algorithm ---------------------------------

_KEYS = ["a", "b", "c", "ssn", "first name"]
_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-5, 200)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(
        [
            "123-45-6789",
            "2021-03-04",
            "2021-02-30",
            "03/04/2021",
            "March 4, 2021",
            "02139",
            "95",
            "Ann Lee",
            f"note: SSN 123-45-6789, {REDACTED}",
            REDACTED,
            "hash:0123456789abcdef",
            "",
            "ä-ü 2021",
        ]
    )
)
_TREES = st.recursive(
    _LEAVES,
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(st.sampled_from(_KEYS), kids, min_size=1, max_size=5)
    ),
    max_leaves=25,
)
# Documents where `b`, `ssn` and `first name` hold leaves and `a` and `c`
# hold objects and arrays, so most selectors pick leaves: the fast path.
_LEAFY = st.recursive(
    st.dictionaries(st.sampled_from(["b", "ssn", "first name"]), _LEAVES, max_size=3),
    lambda kids: st.fixed_dictionaries(
        {},
        optional={
            "a": kids,
            "c": st.lists(kids | _LEAVES, max_size=3),
            "b": _LEAVES,
            "ssn": _LEAVES,
            "first name": _LEAVES,
        },
    ),
    max_leaves=12,
)
_DOCUMENTS = _LEAFY | st.dictionaries(st.sampled_from(_KEYS), _TREES, min_size=2) | _TREES
_SELECTORS = st.sampled_from(
    [
        "$.a",
        "$.b",
        "$.ssn",
        "$.a.b",
        "$.a.ssn",
        "$.c[*]",
        "$.c[*].b",
        "$[*]",
        "$[*].a",
        "$..b",
        "$..ssn",
        "$.a..b",
        "$..a.b",
        "$..a..ssn",
        '$["first name"]',
        "$..c[*]",
    ]
)
_OPERATORS = st.sampled_from(
    [
        Drop(),
        Redact(),
        Hash(),
        Tokenize(),
        Generalize(to="year"),
        Generalize(to="month"),
        Generalize(to="zip3"),
        Generalize(to="age90"),
        DateShift(days=30),
        DateShift(days=7),
        Partial(keep=4),
        Partial(keep=2),
        Detect(categories=frozenset({"SSN"})),
        Detect(categories=frozenset({"NAME"})),
    ]
)
_DIRECTIVES = st.lists(
    st.builds(
        Directive,
        _SELECTORS.map(parse_selector),
        _OPERATORS,
        st.sampled_from(["", "r1", "r2"]),
    ),
    max_size=6,
)


_LEAF_DIRECTIVES = st.lists(
    st.builds(
        Directive,
        st.sampled_from(
            [
                "$.b",
                "$.ssn",
                '$["first name"]',
                "$.a.b",
                "$.a.ssn",
                "$..b",
                "$..ssn",
                "$.a..b",
                "$..a.b",
                "$..a..ssn",
                "$.c[*].b",
                "$..c[*].ssn",
                "$[*].ssn",
                "$.a[*]",
            ]
        ).map(parse_selector),
        _OPERATORS,
        st.sampled_from(["", "r1", "r2"]),
    ),
    min_size=1,
    max_size=8,
)


def _fast_or_none(doc: Any, directives: list[Directive], ctx: MaskContext) -> Any:
    start = _plan_for(directives).start
    if start is None:
        return None
    try:
        return apply_module._apply_fast(doc, start, ctx)
    except apply_module._Fallback:
        return None


@settings(max_examples=300)
@given(_DOCUMENTS, _DIRECTIVES)
def test_the_fast_path_masks_as_the_general_algorithm_does(
    doc: Any, directives: list[Directive]
) -> None:
    _same_as_general(doc, directives)


@settings(max_examples=300)
@given(_LEAFY, _LEAF_DIRECTIVES)
def test_leaf_policies_mask_as_the_general_algorithm_does(
    doc: Any, directives: list[Directive]
) -> None:
    _same_as_general(doc, directives)


def _same_as_general(doc: Any, directives: list[Directive]) -> None:
    before = copy.deepcopy(doc)
    expected = _apply_general(doc, directives, make_ctx())
    got = apply_directives(doc, directives, make_ctx())
    assert got.masked_paths == expected.masked_paths  # same paths, same order
    assert json.dumps(got.document) == json.dumps(expected.document)
    fast = _fast_or_none(doc, directives, make_ctx())
    if fast is not None:
        assert fast.masked_paths == expected.masked_paths
        assert json.dumps(fast.document) == json.dumps(expected.document)
    assert doc == before  # the input is never mutated


def test_a_leaf_policy_takes_the_fast_path() -> None:
    doc: dict[str, Any] = {
        "ssn": "123-45-6789",
        "rows": [{"dob": "1950-03-04", "x": 1}, {"dob": "1961-07-30", "x": 2}],
        "deep": {"ssn": "987-65-4321", "keep": [1, 2]},
    }
    ds = parse_directives("$.ssn=redact; $.rows[*].dob=generalize(year); $..ssn=hash")
    fast = _fast_or_none(doc, list(ds), make_ctx())
    assert fast is not None
    assert fast == _apply_general(doc, ds, make_ctx())
    assert fast.document["rows"][1] == {"dob": "1961", "x": 2}
    assert fast.document["deep"]["keep"] is doc["deep"]["keep"]  # untouched: shared
    assert fast.masked_paths == ("$.ssn", "$.deep.ssn", "$.rows[0].dob", "$.rows[1].dob")


def test_a_container_picked_falls_back_to_the_general_algorithm() -> None:
    doc = {"a": {"ssn": "123-45-6789", "n": 1}}
    ds = parse_directives("$.a=tokenize; $.a.ssn=redact")
    assert _fast_or_none(doc, list(ds), make_ctx()) is None
    assert apply_directives(doc, ds, make_ctx()) == _apply_general(doc, ds, make_ctx())


def test_nothing_picked_returns_the_input() -> None:
    doc = {"a": [1, 2], "b": {"c": "x"}}
    out = apply_directives(doc, parse_directives("$.nope=redact; $..zzz=drop"), make_ctx())
    assert out.document is doc and out.masked_paths == ()
    assert apply_directives("text", parse_directives("$.a=redact"), make_ctx()).document == "text"


def test_drops_in_arrays_keep_reported_input_positions() -> None:
    doc = {"rows": ["a", "b", "c"], "n": [{"s": 1}, {"s": 2}]}
    ds = parse_directives("$.rows[*]=drop; $.n[*].s=drop")
    out = apply_directives(doc, ds, make_ctx())
    assert out.document == {"rows": [], "n": [{}, {}]}
    assert out.masked_paths == ("$.rows[0]", "$.rows[1]", "$.rows[2]", "$.n[0].s", "$.n[1].s")
    assert out == _apply_general(doc, ds, make_ctx())


def test_odd_keys_are_reported_as_format_path_writes_them() -> None:
    doc = {"by": {"a b": "x", 'q"': "y", "ok": "z"}, 7: {"k": "v"}}
    out = apply_directives(doc, parse_directives("$.by[*]=redact"), make_ctx())
    assert out.masked_paths == tuple(format_path(("by", k)) for k in ("a b", "ok", 'q"'))
    # A long array: indexes past the precomputed segments.
    rows = [{"s": str(i)} for i in range(300)]
    out = apply_directives({"r": rows}, parse_directives("$.r[*].s=redact"), make_ctx())
    assert out.masked_paths[-1] == "$.r[299].s"


def test_plans_are_cached_and_give_what_a_fresh_plan_gives() -> None:
    text = "$.a=hash; $..b=partial(keep=2); $.c[*]=generalize(year)"
    ds = parse_directives(text)
    assert _plan_for(ds) is _plan_for(ds)  # by identity
    assert _plan_for(list(ds)) is _plan_for(ds)
    again = parse_directives(text)  # equal directives, other objects
    assert _plan_for(list(again)) is _plan_for(ds)  # by value
    doc = {"a": "Ann", "x": {"b": "123456"}, "c": ["2021-03-04", "x"]}
    first = apply_directives(doc, ds, make_ctx())
    apply_module._PLANS.clear()
    apply_module._PLANS_BY_IDS.clear()
    assert apply_directives(doc, again, make_ctx()) == first
    assert apply_directives(doc, list(again), make_ctx()) == first


def test_the_plan_cache_is_bounded() -> None:
    for i in range(apply_module._MAX_PLANS + 10):
        _plan_for(parse_directives(f"$.f{i}=redact"))
    assert len(apply_module._PLANS) <= apply_module._MAX_PLANS
    assert len(apply_module._PLANS_BY_IDS) <= apply_module._MAX_PLANS


def test_a_policy_that_keeps_picking_containers_rests_the_fast_path() -> None:
    ds = parse_directives("$.a=redact; $.b=hash")
    plan = _plan_for(ds)
    container, leaf = {"a": {"x": 1}, "b": "y"}, {"a": "x", "b": "y"}
    for _ in range(apply_module._TRIES):
        assert apply_directives(container, ds, make_ctx()) == _apply_general(
            container, ds, make_ctx()
        )
    assert plan.misses == apply_module._TRIES  # resting: the general algorithm only
    assert apply_directives(leaf, ds, make_ctx()) == _apply_general(leaf, ds, make_ctx())
    for _ in range(apply_module._RETRY_AFTER):
        apply_directives(container, ds, make_ctx())
        if plan.misses < apply_module._TRIES:
            break  # tries again
    else:
        pytest.fail("the fast path was never tried again")
    apply_directives(leaf, ds, make_ctx())
    assert plan.misses == 0


def test_a_document_nested_past_the_recursion_limit_masks_as_before() -> None:
    doc: Any = "secret"
    for _ in range(sys.getrecursionlimit() + 50):
        doc = {"a": doc, "ssn": "123-45-6789"}
    ds = parse_directives("$..ssn=redact")
    expected = _apply_general(doc, ds, make_ctx())
    got = apply_directives(doc, ds, make_ctx())
    assert got.masked_paths == expected.masked_paths
    a, b = got.document, expected.document
    while isinstance(a, dict):  # compared level by level: == would recurse
        assert isinstance(b, dict) and a["ssn"] == b["ssn"] == REDACTED
        a, b = a["a"], b["a"]
    assert a == b == "secret"


def test_too_many_automaton_states_use_the_general_algorithm() -> None:
    # Nested descendant selectors over many names open many state sets.
    names = [f"n{i}" for i in range(12)]
    ds = tuple(
        Directive(parse_selector(f"$..{a}..{b}"), Redact()) for a in names for b in names[:4]
    )
    assert _plan_for(ds).start is None
    doc = {"n0": {"n1": "x"}}
    assert apply_directives(doc, ds, make_ctx()).document == {"n0": {"n1": REDACTED}}


# --- operators against the code they replaced -----------------------------------


def _old_luhn_valid(digits: str) -> bool:
    doubled = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
    odd = sum(int(c) for c in digits[-1::-2])
    even = sum(doubled[int(c)] for c in digits[-2::-2])
    return (odd + even) % 10 == 0


def _old_shaped_candidate(value: str, digits: str, mac: bytes) -> str:
    body = str(int.from_bytes(mac, "big") % 10 ** (len(digits) - 1)).zfill(len(digits) - 1)
    new = "9" + body
    if _old_luhn_valid(new):
        new = new[:-1] + str((int(new[-1]) + 1) % 10)
    it = iter(new)
    return "".join(next(it) if ch.isdigit() else ch for ch in value)


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_luhn(digits: str) -> None:
    assert _luhn_valid(digits) == _old_luhn_valid(digits)


@given(st.text(alphabet="0123456789 ().+/-", min_size=1, max_size=40), st.binary(min_size=32))
def test_shaped_tokens(value: str, mac: bytes) -> None:
    digits = _shaped_digits(value)
    old = "".join(ch for ch in value if ch.isdigit())
    assert digits == (old if 6 <= len(old) <= 30 else None)
    if digits is not None:
        assert _shaped_candidate(value, digits, mac) == _old_shaped_candidate(value, digits, mac)


def _old_mac(label: bytes, *parts: str) -> bytes:
    msg = [label]
    for part in parts:
        raw = part.encode()
        msg += [len(raw).to_bytes(4, "big"), raw]
    return hmac.digest(KEY, b"".join(msg), hashlib.sha256)


@given(st.text(max_size=30) | st.integers() | st.lists(st.integers(), max_size=3))
def test_hash_and_token_macs_are_the_labelled_hmacs(value: Any) -> None:
    ctx = make_ctx()
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = "hash:" + _old_mac(_HASH_LABEL, text)[:8].hex()
    assert hash_value(value, Hash(), ctx) == expected
    if isinstance(value, str):
        got = ctx._token_digest(0, value)
        assert got == _old_mac(_TOKEN_LABEL, "tenant-a", "0", value)
        assert ctx._token_digest(3, value) == _old_mac(_TOKEN_LABEL, "tenant-a", "3", value)


def test_prefixed_hmac() -> None:
    keyed = _Hmac(KEY)
    for prefix, msg in ((b"", b""), (b"label\0", b"x"), (b"p" * 100, b"m" * 100)):
        assert keyed.prefixed(prefix).digest(msg) == hmac.digest(KEY, prefix + msg, "sha256")


_ISO_LIKE = st.builds(
    lambda y, m, d, a, b: f"{y}{a}{m}{b}{d}",
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=2, max_size=2),
    st.sampled_from(["-", "/", "-"]),
    st.sampled_from(["-", ".", "-"]),
) | st.text(alphabet="0123456789-W٠١ T:Z", min_size=8, max_size=12)


def _old_generalize_date(value: str, to: str) -> Any:
    parsed = parse_date(value)
    if parsed is None:
        return REDACTED
    if to == "month" and parsed.month is not None:
        return f"{parsed.year:04d}-{parsed.month:02d}"
    return f"{parsed.year:04d}"


def _old_date_shift(value: str, ctx: MaskContext, days: int) -> Any:
    parsed = parse_date(value)
    if parsed is None or parsed.render is None or parsed.month is None or parsed.day is None:
        return REDACTED
    offset = ctx.shift_days(days)
    try:
        shifted = date(parsed.year, parsed.month, parsed.day) + timedelta(days=offset)
    except OverflowError:
        return REDACTED
    return parsed.render(shifted)


@settings(max_examples=300)
@given(_ISO_LIKE | st.dates().map(date.isoformat))
def test_iso_dates_read_as_parse_date_reads_them(value: str) -> None:
    ctx = make_ctx()
    for to in ("year", "month"):
        assert generalize(value, Generalize(to=to), ctx) == _old_generalize_date(value, to)
    for days in (30, 3650):
        assert date_shift(value, DateShift(days=days), ctx) == _old_date_shift(value, ctx, days)


def test_date_shift_at_the_ends_of_the_calendar() -> None:
    for subject in ("patient-1", "patient-2", "patient-3", "patient-4"):
        ctx = make_ctx(subject=subject)
        for value in ("9999-12-31", "0001-01-01", "0000-01-01"):
            assert date_shift(value, DateShift(days=3650), ctx) == _old_date_shift(value, ctx, 3650)


def _old_partial(text: str, keep: int) -> str:
    maskable = sum(1 for ch in text if ch.isalnum() or ch == "*")
    left = min(keep, maskable // 2)
    out = list(text)
    for i in range(len(out) - 1, -1, -1):
        ch = out[i]
        if ch.isalnum() or ch == "*":
            if left > 0:
                left -= 1
            else:
                out[i] = "*"
    return "".join(out)


@given(st.text(max_size=30) | st.text(alphabet="ab*9-( )", max_size=20), st.integers(0, 16))
def test_partial_as_before(text: str, keep: int) -> None:
    expected = REDACTED if text == REDACTED else _old_partial(text, keep)
    assert partial(text, Partial(keep=keep), make_ctx()) == expected


def _old_replace_spans(text: str, spans: list[Span]) -> str:
    ordered = sorted(
        ((max(0, s.start), min(len(text), s.end), s.category) for s in spans if s.end > s.start),
        key=lambda t: (t[0], -t[1]),
    )
    out: list[str] = []
    pos = 0
    for start, end, category in ordered:
        if end <= pos:
            continue
        if start < pos:
            pos = end
            continue
        out.append(text[pos:start])
        out.append(f"[{category.upper()}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


@given(st.text(max_size=12), st.integers(-3, 15), st.integers(-3, 15))
def test_one_span_replaced_as_before(text: str, start: int, end: int) -> None:
    spans = [Span(start, end, "ssn")]
    assert replace_spans(text, spans) == _old_replace_spans(text, spans)


def test_vault_claim_refuses_another_live_value_and_takes_an_expired_one() -> None:
    clock = Clock()
    vault = InMemoryVault(clock)
    assert vault.claim("s", "t", "one", 10)
    assert vault.claim("s", "t", "one", 10)  # the same value: refreshed
    assert not vault.claim("s", "t", "two", 10)
    assert vault.get("s", "t") == "one"
    clock.now += 10
    assert vault.claim("s", "t", "two", 10)  # expired: free again
    assert vault.get("s", "t") == "two"
    with pytest.raises(ValueError, match="positive"):
        vault.claim("s", "t", "two", 0)


def test_tokenize_round_trips_through_the_fast_path() -> None:
    ctx = make_ctx()
    doc = {"rows": [{"ssn": "123-45-6789"}, {"ssn": "MRN100"}]}
    out = apply_directives(doc, parse_directives("$.rows[*].ssn=tokenize"), ctx)
    assert ctx.vault is not None
    for row, original in zip(out.document["rows"], ("123-45-6789", "MRN100"), strict=True):
        assert row["ssn"] != original
        assert ctx.vault.get("tenant-a", row["ssn"]) == original
        assert tokenize(row["ssn"], Tokenize(), ctx) == row["ssn"]  # idempotent


def test_directives_from_the_wire_are_parsed_once() -> None:
    a = directive_from_wire("$.a[*].b", "partial", {"keep": "2"}, "r1")
    assert directive_from_wire("$.a[*].b", "partial", {"keep": "2"}, "r1") is a
    assert a == Directive(parse_selector("$.a[*].b"), Partial(keep=2), "r1")
    assert directive_from_wire("$.a[*].b", "partial", {"keep": "3"}, "r1") != a
    assert directive_from_wire("$.a[*].b", "partial", {"keep": "2"}, "r2").rule_id == "r2"
    for _ in range(2):  # errors are not cached away
        with pytest.raises(DirectiveError, match="keep"):
            directive_from_wire("$.a", "partial", {"keep": "99"})
        with pytest.raises(DirectiveError, match="not supported"):
            directive_from_wire("$.a[0]", "redact", {})
    for i in range(directives_module._MAX_WIRE_CACHE + 5):
        directive_from_wire(f"$.f{i}", "redact", {})
    assert len(directives_module._FROM_WIRE) <= directives_module._MAX_WIRE_CACHE
    ds = [directive_from_wire("$.x", "hash", {}), directive_from_wire("$.y", "drop", {})]
    again = [directive_from_wire("$.x", "hash", {}), directive_from_wire("$.y", "drop", {})]
    assert _plan_for(again) is _plan_for(ds)
