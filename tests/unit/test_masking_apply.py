"""Applying masking directives: operators, JSONPath application, free text,
and the properties masking promises (no leaks, idempotent, shape kept)."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.masking import (
    DateShift,
    Detect,
    Directive,
    Drop,
    Generalize,
    Hash,
    Partial,
    Redact,
    Tokenize,
    parse_directives,
    parse_selector,
)
from proctor.masking.apply import MaskResult, apply_directives, format_path, mask_text, select
from proctor.masking.directives import Operator, Selector
from proctor.masking.operators import (
    DROPPED,
    REDACTED,
    MaskContext,
    _Hmac,
    date_shift,
    detokenize,
    generalize,
    hash_value,
    operator_function,
    parse_date,
    partial,
    redact,
    shift_days,
    tokenize,
)
from proctor.masking.vault import InMemoryVault

from .masking_support import KEY, Clock, Span, ssn_detector
from .masking_support import make_ctx as support_ctx

OTHER_KEY = b"other-key-0123456789abcdef"
SSN = "123-45-6789"


def fake_detector(text: str, categories: frozenset[str]) -> list[Span]:
    """Stands in for proctor.masking.detect: SSNs only, when asked for."""
    return ssn_detector(text, categories) if categories & {"SSN", "ALL"} else []


def make_ctx(**overrides: Any) -> MaskContext:
    return support_ctx(**{"detector": fake_detector, "token_ttl_seconds": 60.0, **overrides})


def masked(doc: Any, text: str, ctx: MaskContext | None = None) -> MaskResult:
    return apply_directives(doc, parse_directives(text), ctx or make_ctx())


# --- context ----------------------------------------------------------------


def test_context_refuses_short_keys_and_hides_the_key() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        MaskContext(hash_key=b"short")
    ctx = make_ctx()
    assert KEY.decode() not in repr(ctx)


@pytest.mark.parametrize("key", [KEY, b"k" * 64, b"long-key" * 20])
def test_the_precomputed_hmac_is_hmac_sha256(key: bytes) -> None:
    for msg in (b"", b"x", b"a longer message " * 10):
        assert _Hmac(key).digest(msg) == hmac.digest(key, msg, hashlib.sha256)


def test_in_memory_vault_expires_and_sweeps() -> None:
    clock = Clock()
    vault = InMemoryVault(clock, sweep_every=3)
    vault.put("s", "t1", "one", 10)
    vault.put("s", "t2", "two", 20)
    clock.now += 10
    assert vault.get("s", "t1") is None and vault.get("s", "t2") == "two"
    clock.now += 10
    vault.put("s", "t3", "three", 10)  # the third write sweeps the expired t2
    assert len(vault) == 1 and vault.get("s", "t3") == "three"
    with pytest.raises(ValueError, match="positive"):
        vault.put("s", "t4", "four", 0)


# --- operators ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["x", 1, 2.5, True, None, {"a": 1}, [1, 2]])
def test_redact_replaces_any_type(value: Any) -> None:
    assert redact(value, Redact(), make_ctx()) == REDACTED


def test_unknown_operator_redacts() -> None:
    @dataclass(frozen=True)
    class Frobnicate(Operator):
        name: ClassVar[str] = "frobnicate"

    assert operator_function(Frobnicate()) is redact
    doc = {"a": "secret"}
    out = apply_directives(doc, [Directive(parse_selector("$.a"), Frobnicate())], make_ctx())
    assert out.document == {"a": REDACTED}


def test_hash_is_a_keyed_stable_pseudonym() -> None:
    ctx, other = make_ctx(), make_ctx(hash_key=OTHER_KEY)
    h = hash_value(SSN, Hash(), ctx)
    assert isinstance(h, str) and re.fullmatch(r"hash:[0-9a-f]{16}", h)
    assert h == hash_value(SSN, Hash(), make_ctx())
    assert h != hash_value(SSN, Hash(), other)
    assert hash_value("1", Hash(), ctx) != hash_value(1, Hash(), ctx)
    assert hash_value({"a": 1, "b": 2}, Hash(), ctx) == hash_value({"b": 2, "a": 1}, Hash(), ctx)
    assert hash_value(h, Hash(), ctx) == h  # already a pseudonym


def test_tokenize_keeps_the_shape_of_digits() -> None:
    ctx = make_ctx()
    token = tokenize(SSN, Tokenize(), ctx)
    assert isinstance(token, str) and re.fullmatch(r"9\d\d-\d\d-\d\d\d\d", token)
    card = "4111 1111 1111 1111"
    card_token = tokenize(card, Tokenize(), ctx)
    assert isinstance(card_token, str) and re.fullmatch(r"9\d{3}( \d{4}){3}", card_token)
    digits = card_token.replace(" ", "")
    checksum = sum(
        (d * 2 - 9 if d > 4 else d * 2) if i % 2 else d
        for i, d in enumerate(int(c) for c in reversed(digits))
    )
    assert checksum % 10 != 0  # never a valid card number
    assert ctx.vault is not None and ctx.vault.get("tenant-a", token) == SSN


@pytest.mark.parametrize(
    ("value", "pattern"),
    [
        pytest.param("John Smith", r"tok_[a-z2-7]{16}", id="text"),
        pytest.param("12345", r"tok_[a-z2-7]{16}", id="too-few-digits"),
        pytest.param(123456789, r"tokj_[a-z2-7]{16}", id="number"),
        pytest.param({"a": [1]}, r"tokj_[a-z2-7]{16}", id="object"),
    ],
)
def test_tokenize_opaque_tokens_round_trip_typed(value: Any, pattern: str) -> None:
    ctx = make_ctx()
    token = tokenize(value, Tokenize(), ctx)
    assert isinstance(token, str) and re.fullmatch(pattern, token)
    assert ctx.vault is not None and detokenize(token, ctx.vault, "tenant-a") == value


def test_tokenize_is_scoped_deterministic_and_expires() -> None:
    clock = Clock()
    vault = InMemoryVault(clock)
    a, b = make_ctx(vault=vault), make_ctx(vault=vault, scope="tenant-b")
    t = tokenize("Jane Roe", Tokenize(), a)
    assert t == tokenize("Jane Roe", Tokenize(), a)  # joins still work
    assert t != tokenize("Jane Roe", Tokenize(), b)
    assert isinstance(t, str) and vault.get("tenant-b", t) is None
    assert tokenize(t, Tokenize(), a) == t  # a live token is left as it is
    clock.now += 59
    assert vault.get("tenant-a", t) == "Jane Roe"
    clock.now += 1
    assert vault.get("tenant-a", t) is None


def test_tokenize_skips_a_token_taken_by_another_value() -> None:
    first = tokenize(SSN, Tokenize(), make_ctx())
    assert isinstance(first, str)
    crowded = InMemoryVault(Clock())
    crowded.put("tenant-a", first, "987-65-4321", 60)
    ctx = make_ctx(vault=crowded)
    second = tokenize(SSN, Tokenize(), ctx)
    assert isinstance(second, str) and second != first
    assert crowded.get("tenant-a", second) == SSN
    assert crowded.get("tenant-a", first) == "987-65-4321"


@pytest.mark.parametrize(
    "ctx_overrides", [pytest.param({"vault": None}, id="no-vault"), {"scope": ""}]
)
def test_tokenize_without_vault_or_scope_redacts(ctx_overrides: dict[str, Any]) -> None:
    assert tokenize(SSN, Tokenize(), make_ctx(**ctx_overrides)) == REDACTED


@pytest.mark.parametrize(
    ("value", "keep", "expected"),
    [
        pytest.param(SSN, 4, "***-**-6789", id="ssn"),
        pytest.param("***-**-6789", 4, "***-**-6789", id="idempotent"),
        pytest.param("4111111111111111", 4, "************1111", id="card"),
        pytest.param("12345", 4, "***45", id="never-more-than-half"),
        pytest.param("ab", 4, "*b", id="short"),
        pytest.param(SSN, 0, "***-**-****", id="keep-0"),
        pytest.param(123456789, 4, "*****6789", id="number"),
        pytest.param({"a": 1}, 4, REDACTED, id="object"),
        pytest.param(None, 4, REDACTED, id="null"),
    ],
)
def test_partial(value: Any, keep: int, expected: Any) -> None:
    assert partial(value, Partial(keep=keep), make_ctx()) == expected


@pytest.mark.parametrize(
    ("value", "to", "expected"),
    [
        pytest.param("2021-03-04", "year", "2021", id="iso"),
        pytest.param("2021-03-04T10:15:00Z", "month", "2021-03", id="iso-datetime"),
        pytest.param("03/04/2021", "month", "2021-03", id="us"),
        pytest.param("13/04/2021", "month", "2021-04", id="day-first"),
        pytest.param("04.03.2021", "month", "2021-03", id="european"),
        pytest.param("March 4, 2021", "month", "2021-03", id="named"),
        pytest.param("4 Mar 2021", "year", "2021", id="named-dmy"),
        pytest.param("20210304", "month", "2021-03", id="compact"),
        pytest.param("2021", "month", "2021", id="year-only"),
        pytest.param("2021-03", "month", "2021-03", id="month-idempotent"),
        pytest.param(2021, "year", "2021", id="int-year"),
        pytest.param("02/30/2021", "year", REDACTED, id="invalid-date"),
        pytest.param("2021-03-00", "year", REDACTED, id="day-zero"),
        pytest.param("20210300", "month", REDACTED, id="compact-day-zero"),
        pytest.param("03/04/21", "year", REDACTED, id="two-digit-year"),
        pytest.param("yesterday", "year", REDACTED, id="unparseable"),
        pytest.param("02139", "zip3", "021**", id="zip"),
        pytest.param("02139-4307", "zip3", "021**", id="zip+4"),
        pytest.param(2139, "zip3", "021**", id="zip-lost-zero"),
        pytest.param("03601", "zip3", "000**", id="restricted-036"),
        pytest.param("89301", "zip3", "000**", id="restricted-893"),
        pytest.param("021**", "zip3", "021**", id="zip-idempotent"),
        pytest.param("Boston", "zip3", REDACTED, id="zip-unparseable"),
        pytest.param(93, "age90", "90+", id="old"),
        pytest.param("90", "age90", "90+", id="old-text"),
        pytest.param(89, "age90", 89, id="89-stays"),
        pytest.param("90+", "age90", "90+", id="age-idempotent"),
        pytest.param("ninety", "age90", REDACTED, id="age-unparseable"),
        pytest.param(True, "age90", REDACTED, id="age-bool"),
    ],
)
def test_generalize(value: Any, to: Any, expected: Any) -> None:
    assert generalize(value, Generalize(to=to), make_ctx()) == expected


def test_date_shift_is_consistent_per_subject_and_keeps_the_format() -> None:
    ctx = make_ctx()
    offset = shift_days(KEY, "patient-1", 30)
    assert 1 <= abs(offset) <= 30
    for text in ("2021-03-04", "03/04/2021", "March 4, 2021", "2021-03-04T10:15:00Z"):
        shifted = date_shift(text, DateShift(days=30), ctx)
        assert isinstance(shifted, str) and shifted != text
        parsed = parse_date(shifted)
        assert parsed is not None and parsed.month is not None and parsed.day is not None
        assert (date(parsed.year, parsed.month, parsed.day) - date(2021, 3, 4)).days == offset
    assert date_shift("2021-03-04T10:15:00Z", DateShift(days=30), ctx).endswith("T10:15:00Z")
    offsets = {shift_days(KEY, f"patient-{i}", 30) for i in range(20)}
    assert len(offsets) > 1
    assert date_shift("2021-03", DateShift(days=30), ctx) == REDACTED  # not day-precise
    # Day 0 is no date (it used to pass the check and then raise).
    assert date_shift("2021-03-00", DateShift(days=30), ctx) == REDACTED
    assert date_shift("0001-01-00", DateShift(days=30), ctx) == REDACTED
    assert date_shift("2021-03-04", DateShift(days=30), make_ctx(subject="")) == REDACTED


# --- structured application ---------------------------------------------------------

RECORD: dict[str, Any] = {
    "patients": [
        {"name": "Ann Lee", "ssn": SSN, "dob": "1950-03-04", "tags": ["a", "b"]},
        {"name": "Bo Chan", "ssn": "987-65-4321", "dob": "1961-07-30"},
        {"name": "Cy Diaz", "contact": {"name": "Dee Diaz", "phone": "617-555-1234"}},
    ],
    "first name": "Ann",
    "notes": f"called about SSN {SSN}",
}


def test_selectors_child_wildcard_descendant_and_quoted() -> None:
    out = masked(
        RECORD,
        '$.patients[*].ssn=redact; $..name=hash; $["first name"]=redact; $.notes=detect(SSN)',
    )
    doc = out.document
    assert isinstance(doc, dict)
    patients = doc["patients"]
    assert [p.get("ssn") for p in patients] == [REDACTED, REDACTED, None]
    assert patients[2]["contact"]["name"].startswith("hash:")  # any depth, inside arrays
    assert doc["first name"] == REDACTED
    assert doc["notes"] == "called about SSN [SSN]"
    assert set(out.masked_paths) == {
        "$.patients[0].ssn",
        "$.patients[1].ssn",
        "$.patients[0].name",
        "$.patients[1].name",
        "$.patients[2].name",
        "$.patients[2].contact.name",
        '$["first name"]',
        "$.notes",
    }


def test_input_is_never_mutated() -> None:
    before = copy.deepcopy(RECORD)
    masked(RECORD, "$.patients[*].ssn=drop; $..name=tokenize; $.patients[*].tags[*]=drop")
    masked(RECORD, "$.patients[*]=drop; $.notes=detect(ALL)")
    assert before == RECORD


def test_missing_paths_mask_nothing() -> None:
    out = masked(RECORD, "$.nope=redact; $.patients[*].nope.deeper=hash; $..nothing=drop")
    assert out.document == RECORD and out.masked_paths == ()


def test_drop_removes_keys_and_elements_reporting_input_positions() -> None:
    doc = {"rows": [{"ssn": "1"}, {"keep": 1, "ssn": "2"}, {"ssn": "3"}], "x": 1}
    out = masked(doc, "$.rows[*].ssn=drop; $.x=drop")
    assert out.document == {"rows": [{}, {"keep": 1}, {}]}
    out = apply_directives(
        {"rows": ["a", "b", "c", "d"], "n": [1, 2]},
        [
            Directive(parse_selector("$.rows[*]"), Drop()),
            Directive(parse_selector("$.n[*]"), Redact()),
        ],
        make_ctx(),
    )
    assert out.document == {"rows": [], "n": [REDACTED, REDACTED]}
    assert out.masked_paths[:4] == ("$.rows[0]", "$.rows[1]", "$.rows[2]", "$.rows[3]")


def test_most_restrictive_operator_wins_and_masked_fields_stay_put() -> None:
    doc = {"a": {"ssn": SSN, "name": "Ann"}, "b": "2021-03-04"}
    # $..ssn=redact outranks $.a.ssn=partial: redact runs and partial never sees it.
    out = apply_directives(
        doc,
        [*parse_directives("$.a.ssn=partial(keep=4)"), *parse_directives("$..ssn=redact")],
        make_ctx(),
    )
    assert out.document == {"a": {"ssn": REDACTED, "name": "Ann"}, "b": "2021-03-04"}
    # A redacted object is not hashed afterwards, member by member.
    out = masked(doc, "$.a=redact; $.a.name=hash")
    assert out.document == {"a": REDACTED, "b": "2021-03-04"}
    assert out.masked_paths == ("$.a",)
    # Parameters that cannot be ordered escalate to redact, as merge_directives does.
    out = apply_directives(
        doc,
        [*parse_directives("$.b=generalize(year)"), *parse_directives("$..b=generalize(zip3)")],
        make_ctx(),
    )
    assert out.document["b"] == REDACTED
    # The fewest kept characters win.
    out = apply_directives(
        doc,
        [*parse_directives("$.a.ssn=partial(keep=4)"), *parse_directives("$..ssn=partial(2)")],
        make_ctx(),
    )
    assert out.document["a"]["ssn"] == "***-**-**89"


def test_a_weaker_operator_on_an_ancestor_sees_the_masked_member() -> None:
    ctx = make_ctx()
    out = masked({"a": {"ssn": SSN, "n": 1}}, "$.a=tokenize; $.a.ssn=redact", ctx)
    token = out.document["a"]
    assert ctx.vault is not None
    assert detokenize(token, ctx.vault, "tenant-a") == {"ssn": REDACTED, "n": 1}


def test_detect_over_a_container_skips_masked_members() -> None:
    doc = {"visit": {"ssn": SSN, "note": f"ssn {SSN}", "list": [SSN, 5]}}
    out = masked(doc, "$.visit=detect(SSN); $.visit.ssn=tokenize")
    visit = out.document["visit"]
    assert re.fullmatch(r"9\d\d-\d\d-\d\d\d\d", visit["ssn"])  # a token, not [SSN]
    assert visit["note"] == "ssn [SSN]" and visit["list"] == ["[SSN]", 5]


def test_detect_without_a_detector_fails_closed() -> None:
    out = masked({"n": "plain"}, "$.n=detect(ALL)", make_ctx(detector=None))
    assert out.document == {"n": REDACTED}


def test_root_selector_masks_the_whole_document() -> None:
    root = Selector(())
    assert apply_directives({"a": 1}, [Directive(root, Hash())], make_ctx()).document.startswith(
        "hash:"
    )
    dropped = apply_directives({"a": 1}, [Directive(root, Drop())], make_ctx())
    assert dropped.document == REDACTED and dropped.masked_paths == ("$",)


def test_wildcard_takes_object_members_and_quotes_odd_keys() -> None:
    out = masked({"by_id": {"a b": "x", "c": "y"}}, "$.by_id[*]=redact")
    assert out.document == {"by_id": {"a b": REDACTED, "c": REDACTED}}
    assert out.masked_paths == ('$.by_id["a b"]', "$.by_id.c")


def test_overlapping_findings_merge_into_one_label() -> None:
    def overlapping(text: str, categories: frozenset[str]) -> list[Span]:
        return [Span(0, 5, "NAME"), Span(3, 9, "PHONE"), Span(19, 99, "ID")]

    ctx = make_ctx(detector=overlapping)
    text = "Ann L 555 and then 12345"
    assert mask_text(text, parse_directives("$.t=detect(ALL)"), ctx) == "[NAME] and then [ID]"


def test_format_path() -> None:
    assert format_path(("patients", 2, "ssn")) == "$.patients[2].ssn"
    assert format_path(("first name", 'q"uote')) == '$["first name"]["q\\"uote"]'
    assert format_path(()) == "$"


def test_mask_text_applies_only_detect() -> None:
    ds = parse_directives("$.ssn=redact; $.notes=detect(NAME); $.other=detect(SSN)")
    assert mask_text(f"SSN {SSN}, ok", ds, make_ctx()) == "SSN [SSN], ok"
    assert mask_text(f"SSN {SSN}", parse_directives("$.ssn=redact"), make_ctx()) == f"SSN {SSN}"
    assert mask_text("x", ds, make_ctx(detector=None)) == REDACTED


# --- properties -----------------------------------------------------------------------

_FILLER = (
    st.none()
    | st.booleans()
    | st.integers(-1000, 1000)
    | st.text(alphabet="ABCDEFGHIJKLMNOP", max_size=5)
)
_KEYS = st.sampled_from(["a", "b", "c", "secret"])
_TREES = st.recursive(
    _FILLER,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_KEYS, kids, max_size=3),
    max_leaves=12,
)
# Planted values: lowercase and digits with at least one digit, so they can
# be neither a key nor filler nor a marker like [REDACTED].
_PLANTED = st.text(alphabet="0123456789", min_size=6, max_size=12) | st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=12
).filter(lambda s: any(c.isdigit() for c in s))


@st.composite
def planted_documents(draw: st.DrawFn) -> tuple[Any, list[str]]:
    """A document whose every `secret` member holds planted strings."""
    planted: list[str] = []

    def plant() -> Any:
        s = draw(_PLANTED)
        planted.append(s)
        return draw(st.sampled_from([s, {"x": s}, [s, 1]]))

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: plant() if k == "secret" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    people = [{"secret": plant(), "a": walk(draw(_TREES))} for _ in range(draw(st.integers(0, 3)))]
    doc = {"secret": plant(), "people": people, "rest": walk(draw(_TREES))}
    return doc, planted


_LEAK_PROOF = st.sampled_from(
    [
        Redact(),
        Hash(),
        Tokenize(),
        Drop(),
        Partial(keep=0),
        Partial(keep=2),
        Partial(keep=4),
        Generalize(to="year"),
        Generalize(to="zip3"),
        DateShift(days=30),
    ]
)
_SECRET_SELECTORS = st.sampled_from(
    [("$..secret",), ("$.secret", "$.people[*]..secret", "$.rest..secret")]
)


@given(planted_documents(), _LEAK_PROOF, _SECRET_SELECTORS)
def test_masking_never_returns_a_planted_value(
    planted_doc: tuple[Any, list[str]], op: Operator, selectors: tuple[str, ...]
) -> None:
    doc, planted = planted_doc
    directives = [Directive(parse_selector(s), op) for s in selectors]
    out = apply_directives(doc, directives, make_ctx())
    text = json.dumps(out.document)
    paths = json.dumps(out.masked_paths)
    for secret in planted:
        assert secret not in text
        assert secret not in paths


def _check_shape(
    before: Any, after: Any, path: tuple[str | int, ...], result: MaskResult, dropped: bool
) -> None:
    """Outside the masked paths everything is as it was; drop removes exactly
    the masked keys and elements."""
    done = set(result.masked_paths)
    if format_path(path) in done:
        return
    if isinstance(before, dict):
        assert isinstance(after, dict)
        kept = [k for k in before if not (dropped and format_path((*path, k)) in done)]
        assert list(after) == kept
        for k in kept:
            _check_shape(before[k], after[k], (*path, k), result, dropped)
    elif isinstance(before, list):
        assert isinstance(after, list)
        kept_i = [
            j for j in range(len(before)) if not (dropped and format_path((*path, j)) in done)
        ]
        assert len(after) == len(kept_i)
        for j, value in zip(kept_i, after, strict=True):
            _check_shape(before[j], value, (*path, j), result, dropped)
    else:
        assert type(after) is type(before) and after == before


@given(planted_documents(), _LEAK_PROOF, _SECRET_SELECTORS)
def test_shape_is_preserved_outside_masked_paths(
    planted_doc: tuple[Any, list[str]], op: Operator, selectors: tuple[str, ...]
) -> None:
    doc, _ = planted_doc
    directives = [Directive(parse_selector(s), op) for s in selectors]
    out = apply_directives(doc, directives, make_ctx())
    _check_shape(doc, out.document, (), out, isinstance(op, Drop))


_MIXED_LEAVES = _FILLER | st.sampled_from(
    [SSN, "2021-03-04", "March 4, 2021", "02139", "95", 93, 45, f"SSN {SSN} here", "Ann Lee"]
)
_MIXED_TREES = st.recursive(
    _MIXED_LEAVES,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(_KEYS, kids, max_size=3),
    max_leaves=15,
)
_IDEMPOTENT_OPS = st.sampled_from(
    [
        Redact(),
        Hash(),
        Tokenize(),
        Drop(),
        Partial(keep=4),
        Generalize(to="year"),
        Generalize(to="month"),
        Generalize(to="zip3"),
        Generalize(to="age90"),
        Detect(categories=frozenset({"SSN"})),
    ]
)
_SELECTORS = st.sampled_from(["$.a", "$.a.b", "$..b", "$.c[*]", "$..secret", "$.a[*].c", "$..a"])


@given(
    _MIXED_TREES,
    st.lists(st.tuples(_SELECTORS, _IDEMPOTENT_OPS), max_size=5),
)
def test_masking_is_idempotent(doc: Any, pairs: list[tuple[str, Operator]]) -> None:
    directives = [Directive(parse_selector(s), op) for s, op in pairs]
    ctx = make_ctx()
    before = copy.deepcopy(doc)
    once = apply_directives(doc, directives, ctx)
    assert doc == before  # the input is never mutated
    twice = apply_directives(once.document, directives, ctx)
    assert twice.document == once.document


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=3), kids, max_size=3)
    ),
    max_leaves=6,
)


@given(_JSON, _JSON)
def test_hash_is_stable_per_key_and_differs_across_keys(a: Any, b: Any) -> None:
    ctx, other = make_ctx(), make_ctx(hash_key=OTHER_KEY)
    assert hash_value(a, Hash(), ctx) == hash_value(copy.deepcopy(a), Hash(), make_ctx())
    assert hash_value(a, Hash(), ctx) != hash_value(a, Hash(), other)
    if json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True):
        assert hash_value(a, Hash(), ctx) != hash_value(b, Hash(), ctx)


@given(
    st.lists(st.text(min_size=1, max_size=20) | st.integers(), min_size=1, max_size=5, unique=True)
)
def test_tokens_round_trip_only_in_scope_and_before_expiry(values: list[Any]) -> None:
    clock = Clock()
    vault = InMemoryVault(clock)
    ctx = make_ctx(vault=vault)
    tokens = [tokenize(v, Tokenize(), ctx) for v in values]
    assert len(set(tokens)) == len(tokens)  # distinct values, distinct tokens
    for value, token in zip(values, tokens, strict=True):
        assert isinstance(token, str)
        assert detokenize(token, vault, "tenant-a") == value
        assert detokenize(token, vault, "tenant-b") is None
        assert tokenize(value, Tokenize(), ctx) == token
    clock.now += 60
    assert all(detokenize(t, vault, "tenant-a") is None for t in tokens if isinstance(t, str))


def test_drop_operator_returns_the_sentinel() -> None:
    assert operator_function(Drop())(1, Drop(), make_ctx()) is DROPPED


def test_select_reports_outer_before_inner() -> None:
    doc = {"b": {"b": 1}, "l": [{"b": 2}]}
    assert [p for p, _ in select(doc, parse_selector("$..b"))] == [
        ("b",),
        ("b", "b"),
        ("l", 0, "b"),
    ]
