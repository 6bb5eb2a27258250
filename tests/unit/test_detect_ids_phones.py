"""Telephone and fax numbers and record identifiers in free text: the shapes
and cues added for the clinical-style evaluation corpus (extensions, country
codes, bare ten-digit numbers after a cue, accession numbers, parenthesised
MRNs, spaced plates, labelled SSNs and card numbers), each with near misses
that must stay unmasked (lab values and ranges, vitals, doses, codes, years,
times, scores, counts, dates, ZIP+4).
"""

from __future__ import annotations

import pytest

from .detect_support import Spans, check

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
        pytest.param(
            "P: 6175551234  F: 6175559876",
            [("PHONE", "6175551234"), ("FAX", "6175559876")],
            id="bare-letter-labels",
        ),
        pytest.param(
            "Daughter Jane 6175551234", [("PHONE", "6175551234")], id="bare-after-relation"
        ),
        pytest.param(
            "Home 6175551234; work: 6175559876",
            [("PHONE", "6175551234"), ("PHONE", "6175559876")],
            id="bare-home-work",
        ),
        pytest.param("(617)-555-1234", [("PHONE", "(617)-555-1234")], id="parens-hyphen"),
        pytest.param(
            "Fax: +41 (0)91 386 33 64", [("FAX", "+41 (0)91 386 33 64")], id="intl-plus-trunk"
        ),
        pytest.param("Desk +447700 539675", [("PHONE", "+447700 539675")], id="intl-plus-uk"),
        pytest.param("+4915112345678", [("PHONE", "+4915112345678")], id="intl-e164"),
        pytest.param("Mobile: 0680 700 65 97", [("PHONE", "0680 700 65 97")], id="intl-cued"),
        pytest.param("Fax: (07700) 448 486", [("FAX", "(07700) 448 486")], id="intl-cued-paren"),
        pytest.param(
            "tel 020 7946 0958 ext 12", [("PHONE", "020 7946 0958 ext 12")], id="intl-cued-ext"
        ),
        # near misses: no international numbers
        pytest.param("+2 pitting edema, +1 reflexes, score +12", [], id="intl-plus-short"),
        pytest.param("020 7946 0958", [], id="intl-without-cue"),
        pytest.param("Call 01 02 2021", [], id="intl-date-spaced"),
        pytest.param("Called 09-06-2025 16:50", [], id="intl-date-time"),
        pytest.param("Call re: 0.5 10 20 mg", [], id="intl-decimal"),
        # near misses: no phone numbers
        pytest.param("Office visit. Order 4068413549", [], id="bare-weak-cue-far"),
        pytest.param("son age 12 4068413549", [], id="bare-relation-digits-between"),
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


# --- record identifiers -------------------------------------------------------

ID_CATEGORIES = ("SSN", "MRN", "ID", "ACCOUNT", "VEHICLE", "LICENSE", "HEALTH_PLAN", "DEVICE")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # accession numbers
        pytest.param("ACC#: VO01535511\nPATIENT", [("ID", "VO01535511")], id="acc-hash"),
        pytest.param("ACCESSION: YS66490041     COLLECTED", [("ID", "YS66490041")], id="accession"),
        pytest.param("ACC#: S85-92434", [("ID", "S85-92434")], id="acc-hash-hyphen"),
        pytest.param("Acc No. 123456789", [("ID", "123456789")], id="acc-no"),
        pytest.param("Acc. # AB-123456", [("ID", "AB-123456")], id="acc-dot-hash"),
        pytest.param("Accession number 123456789", [("ID", "123456789")], id="accession-number"),
        pytest.param("accession of new data", [], id="accession-no-value"),
        pytest.param("Acc: 12", [], id="acc-too-short"),
        # other record numbers with a label of their own
        pytest.param("FIN: 12345678", [("ACCOUNT", "12345678")], id="fin"),
        pytest.param("HAR 123456789", [("ACCOUNT", "123456789")], id="har"),
        pytest.param("CSN: 123456789", [("ID", "123456789")], id="csn"),
        pytest.param("EMPI 00123456", [("MRN", "00123456")], id="empi"),
        pytest.param("Order #: 55512345", [("ID", "55512345")], id="order-hash"),
        pytest.param("Rx # 1234567", [("ID", "1234567")], id="rx-hash"),
        pytest.param("Req# AB123456", [("ID", "AB123456")], id="req-hash"),
        pytest.param("Prior auth number A1234567", [("ID", "A1234567")], id="auth-number"),
        pytest.param("order no further labs", [], id="order-no-word"),
        pytest.param("order 5 mg IV now", [], id="order-dose"),
        pytest.param("final dose; fin 2 mm", [], id="fin-word"),
        # a bracketed record number after a labelled patient name
        pytest.param(
            "Pt: Braun, Justin (6583889)   Collected",
            [("MRN", "6583889")],
            id="paren-pt-last-first",
        ),
        pytest.param(
            "Patient Christine Hamilton (161-85-259) joined by video",
            [("MRN", "161-85-259")],
            id="paren-patient-grouped",
        ),
        pytest.param(
            "Pt: Harmon, Michelle P. (92138484)", [("MRN", "92138484")], id="paren-initial"
        ),
        pytest.param("Pt: JONES, SANDRA (00538669)", [("MRN", "00538669")], id="paren-caps"),
        pytest.param(
            "Patient Kayla Smith (JE2994142) joined", [("MRN", "JE2994142")], id="paren-letters"
        ),
        pytest.param("Patient John Smith (2021) was seen", [], id="paren-year"),
        pytest.param("Patient John Smith (135-145)", [], id="paren-range"),
        pytest.param("Patient Jo Li (5/5) strength", [], id="paren-score"),
        pytest.param("Patient Jo Li (x3) negative", [], id="paren-count"),
        pytest.param("Sodium 140 (135-145) mmol/L", [], id="paren-lab-range"),
        pytest.param("Quest Diagnostics (1234567)", [], id="paren-no-patient-label"),
        pytest.param("Patient\nJohn Smith (1234567)", [], id="paren-label-other-line"),
        # SSN after a label
        pytest.param("SSN on file: 138196346", [("SSN", "138196346")], id="ssn-on-file"),
        pytest.param("SSN: 912-34-5678", [("SSN", "912-34-5678")], id="ssn-label-itin-shape"),
        pytest.param("SSN 912345678", [("SSN", "912345678")], id="ssn-label-nine-digits"),
        pytest.param("ref 912-34-5678", [], id="ssn-unlabelled-invalid-area"),
        pytest.param("SSN (last 4): 6789", [("SSN", "6789")], id="ssn-last-4"),
        pytest.param("last four of SSN 6789", [("SSN", "6789")], id="last-four-of-ssn"),
        pytest.param("SSN ending in 6789", [("SSN", "6789")], id="ssn-ending-in"),
        pytest.param("SSN: pending, 2024", [], id="ssn-pending-year"),
        pytest.param("last 4 weeks 1234", [], id="last-4-no-ssn"),
        pytest.param("order 138196346", [], id="ssn-unlabelled-nine-digits"),
        # card numbers after a card label, Luhn or not
        pytest.param(
            "Card on file: 564835752036 (exp 08/27).",
            [("ACCOUNT", "564835752036")],
            id="card-on-file",
        ),
        pytest.param("Visa card ending in 4242", [("ACCOUNT", "4242")], id="card-ending-in"),
        pytest.param("Card on file: Visa, exp 08/27", [], id="card-on-file-no-number"),
        # licence plates with a space
        pytest.param("Vehicle plate VST 238. ID:", [("VEHICLE", "VST 238")], id="plate-abc-123"),
        pytest.param("Vehicle plate 689 IXS.", [("VEHICLE", "689 IXS")], id="plate-123-abc"),
        pytest.param("plate JZU F50.", [("VEHICLE", "JZU F50")], id="plate-abc-a12"),
        pytest.param("plate PJ 6312", [("VEHICLE", "PJ 6312")], id="plate-ab-1234"),
        pytest.param("plate 13W•445.", [("VEHICLE", "13W•445")], id="plate-middle-dot"),
        pytest.param("plate A 486797", [("VEHICLE", "A 486797")], id="plate-a-123456"),
        pytest.param("Vehicle plate FDD-3695.", [("VEHICLE", "FDD-3695")], id="plate-hyphen"),
        pytest.param("Plate: LCP 4.5 mm", [], id="plate-orthopaedic-size"),
        pytest.param(
            "plate ABC1234 BP 120/80", [("VEHICLE", "ABC1234")], id="plate-then-vital-sign"
        ),
        pytest.param("growth plate 2 mm", [], id="growth-plate"),
        pytest.param("7-hole plate and 3 screws", [], id="hole-plate"),
    ],
)
def test_identifiers(text: str, expected: Spans) -> None:
    check(text, expected, ID_CATEGORIES)


# --- near misses across every category -------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("WBC 4.5-11.0 K/uL (4.5-11.0)", [], id="lab-range"),
        pytest.param("Sodium 138 (135-145 mmol/L)", [], id="lab-range-units"),
        pytest.param("BP 132/84, HR 88, SpO2 97%", [], id="vitals"),
        pytest.param("Norco 5/325 mg q6h prn", [], id="dose-ratio"),
        pytest.param("Dx E11.9, J45.909; CPT 99213", [], id="codes"),
        pytest.param("Seen at 14:30 for PHQ-9 score 11, pain 7/10", [], id="time-and-scores"),
        pytest.param("Blood cultures negative x3. Call with questions (TTY 711).", [], id="x3-tty"),
        pytest.param("Continue for x2 weeks; output 1.5 L", [], id="duration-volume"),
        pytest.param("Lot 4823A, exp 2026", [], id="lot-number-vaccine"),
        pytest.param("Quit smoking in 2012", [], id="year"),
        pytest.param("Called on 2021-03-04", [("DATE", "2021-03-04")], id="iso-date-is-a-date"),
    ],
)
def test_near_misses(text: str, expected: Spans) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "My IBAN is GB82WEST12345698765432.",
            [("ACCOUNT", "GB82WEST12345698765432")],
            id="iban-solid",
        ),
        pytest.param(
            "IBAN: DE89 3704 0044 0532 0130 00",
            [("ACCOUNT", "DE89 3704 0044 0532 0130 00")],
            id="iban-grouped",
        ),
        # near misses: the check digits fail, or the shape is a code
        pytest.param("GB82WEST12345698765431", [], id="iban-bad-check-digits"),
        pytest.param("ref AB12CDEFGHIJKLMNOP", [], id="iban-shaped-code"),
        pytest.param("XGB82WEST12345698765432", [], id="iban-glued"),
    ],
)
def test_iban(text: str, expected: Spans) -> None:
    check(text, expected, ("ACCOUNT",))


def test_iban_validator_matches_the_iso_rule() -> None:
    from proctor.masking.detect.validators import iban_valid

    assert iban_valid("GB82WEST12345698765432")
    assert iban_valid("NL91ABNA0417164300")
    assert not iban_valid("NL91ABNA0417164301")
    assert not iban_valid("91NLABNA0417164300")
    assert not iban_valid("NL91ABNA04")
    assert not iban_valid("GB82WEST1234569876543é")
