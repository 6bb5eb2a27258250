"""Telephone and fax numbers and record identifiers in free text: the shapes
and cues added for the clinical-style evaluation corpus (extensions, country
codes, bare ten-digit numbers after a cue, accession numbers, parenthesised
MRNs, spaced plates, labelled SSNs and card numbers), each with near misses
that must stay unmasked (lab values and ranges, vitals, doses, codes, years,
times, scores, counts, dates, ZIP+4).
"""

from __future__ import annotations

import pytest

from proctor.masking.detect import detect

Spans = list[tuple[str, str]]


def found(text: str, *categories: str, mode: str = "fast") -> Spans:
    return [
        (f.category, text[f.start : f.end])
        for f in detect(text, set(categories) or {"ALL"}, mode=mode)  # type: ignore[arg-type]
    ]


def check(text: str, expected: Spans, categories: tuple[str, ...] = ()) -> None:
    assert found(text, *categories) == expected
    # thorough only ever adds: whatever fast finds, thorough finds too
    thorough = found(text, *categories, mode="thorough")
    assert all(span in thorough for span in expected), thorough


PHONE_CATEGORIES = ("PHONE", "FAX")

# --- phones and faxes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # extensions joined to the number are part of it
        pytest.param(
            "Call 001-407-244-4394x1758 with questions",
            [("PHONE", "001-407-244-4394x1758")],
            id="001-prefix-extension",
        ),
        pytest.param(
            "reached at +1-993-481-5363x07963.",
            [("PHONE", "+1-993-481-5363x07963")],
            id="plus-one-extension",
        ),
        pytest.param(
            "confirmed as (411)224-0243x40603.",
            [("PHONE", "(411)224-0243x40603")],
            id="parens-extension",
        ),
        pytest.param("phone 985.483.5508x8997,", [("PHONE", "985.483.5508x8997")], id="dots-x"),
        pytest.param("lab at 649-842-0690x568.", [("PHONE", "649-842-0690x568")], id="dashes-x"),
        pytest.param("617-555-1234 X22", [("PHONE", "617-555-1234 X22")], id="capital-x-spaced"),
        pytest.param(
            "617-555-1234 extension 221", [("PHONE", "617-555-1234 extension 221")], id="extension"
        ),
        pytest.param("617-555-1234 ext.22", [("PHONE", "617-555-1234 ext.22")], id="ext-dot"),
        pytest.param("617-555-1234 #4", [("PHONE", "617-555-1234 #4")], id="hash-extension"),
        # country codes
        pytest.param(
            "updated by phone at 001-650-991-3085.",
            [("PHONE", "001-650-991-3085")],
            id="001-prefix",
        ),
        pytest.param("+1.617.555.1234", [("PHONE", "+1.617.555.1234")], id="plus-one-dots"),
        pytest.param("1 (617) 555-1234", [("PHONE", "1 (617) 555-1234")], id="one-parens"),
        # bare ten digits after a cue earlier on the line
        pytest.param(
            "please call us at 4068413549 to schedule",
            [("PHONE", "4068413549")],
            id="bare-call-us-at",
        ),
        pytest.param(
            "Emergency contact: Sandra (wife) 8252402980.",
            [("PHONE", "8252402980")],
            id="bare-emergency-contact",
        ),
        pytest.param(
            "Call back number confirmed as 4715099403.",
            [("PHONE", "4715099403")],
            id="bare-call-back-number",
        ),
        pytest.param("Callback: 2377869390", [("PHONE", "2377869390")], id="bare-callback"),
        pytest.param(
            "can be reached at 9364995051.", [("PHONE", "9364995051")], id="bare-reached-at"
        ),
        pytest.param("cell +14068413549", [("PHONE", "+14068413549")], id="bare-plus-one"),
        pytest.param(
            "Please call the office at 5946723954 or fax records to 2175209386.",
            [("PHONE", "5946723954"), ("FAX", "2175209386")],
            id="bare-phone-then-fax",
        ),
        pytest.param("fax records to 7583480162", [("FAX", "7583480162")], id="bare-fax"),
        pytest.param("pager 4068413549x12", [("PHONE", "4068413549x12")], id="bare-extension"),
        # near misses: no phone numbers
        pytest.param("order 4068413549 sent", [], id="bare-no-cue"),
        pytest.param(
            "Call 555-201-0100 re order 4068413549",
            [("PHONE", "555-201-0100")],
            id="bare-digits-between-cue",
        ),
        pytest.param("Call\nref 4068413549", [], id="bare-cue-on-other-line"),
        pytest.param("call 1068413549", [], id="bare-area-code-starts-1"),
        pytest.param("call 4060413549", [], id="bare-exchange-starts-0"),
        pytest.param("call 40684135491", [], id="bare-eleven-digits"),
        pytest.param("617-555-1234x1234567", [], id="seven-digit-extension"),
        pytest.param("A617-555-1234", [], id="glued-to-letter"),
        pytest.param("Call with questions (TTY 711).", [], id="tty-711"),
        pytest.param("Phone follow-up in 2021-03-04.", [], id="iso-date"),
        pytest.param("WBC 4.5-11.0, Na 135-145 mmol/L", [], id="lab-ranges"),
        pytest.param("BP 132/84, HR 88, RR 16", [], id="vitals"),
        pytest.param("hydrocodone 5/325 mg, 1.5 L", [], id="doses"),
        pytest.param("E11.9, J45.909, CPT 99213", [], id="codes"),
        pytest.param("Called at 14:30, pain 7/10", [], id="time-and-score"),
        pytest.param("PHQ-9 score 11; cultures negative x3", [], id="score-and-count"),
        pytest.param("call back x2 weeks", [], id="x-weeks"),
        pytest.param("Phone visit, ZIP 02115-1234", [], id="zip-plus-4"),
        pytest.param("phone 617 55 1234", [], id="short-exchange"),
    ],
)
def test_phones(text: str, expected: Spans) -> None:
    check(text, expected, PHONE_CATEGORIES)
