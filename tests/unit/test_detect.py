"""PHI detection in free text (proctor.masking.detect).

Each detector has a table of named rows: positives and the near misses that
must *not* be reported (invalid check digits, doses that look like dates, lab
values that look like ZIP codes). Properties check the output contract
(in bounds, sorted, disjoint), determinism, and that planted identifiers are
found where they were planted.
"""

from __future__ import annotations

import string
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proctor.masking.detect import (
    ALL,
    CATEGORIES,
    DETECTORS,
    Finding,
    detect,
    mask_text,
    resolve,
)
from proctor.masking.detect.validators import (
    card_valid,
    dea_valid,
    luhn_valid,
    npi_valid,
    ssn_valid,
    vin_valid,
)
from proctor.masking.directives import CATEGORIES as DIRECTIVE_CATEGORIES

Spans = list[tuple[str, str]]


def found(text: str, *categories: str, mode: str = "fast") -> Spans:
    """(category, matched text) of every finding, in order."""
    cats = frozenset(categories) if categories else ALL
    return [(f.category, text[f.start : f.end]) for f in detect(text, cats, mode)]  # type: ignore[arg-type]


def check(text: str, expected: Spans, categories: tuple[str, ...], mode: str = "fast") -> None:
    assert found(text, *categories, mode=mode) == expected


# --- validators -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "value", "ok"),
    [
        pytest.param(luhn_valid, "4111111111111111", True, id="luhn-visa-test-number"),
        pytest.param(luhn_valid, "4111111111111112", False, id="luhn-one-off"),
        pytest.param(luhn_valid, "41111111111111١1", False, id="luhn-non-ascii-digit"),
        pytest.param(card_valid, "378282246310005", True, id="card-amex"),
        pytest.param(card_valid, "5555555555554444", True, id="card-mastercard"),
        pytest.param(card_valid, "1111111111111117", False, id="card-luhn-ok-no-network"),
        pytest.param(ssn_valid, "123456789", True, id="ssn-ok"),
        pytest.param(ssn_valid, "000123456", False, id="ssn-area-000"),
        pytest.param(ssn_valid, "666123456", False, id="ssn-area-666"),
        pytest.param(ssn_valid, "900123456", False, id="ssn-area-9xx"),
        pytest.param(ssn_valid, "123004567", False, id="ssn-group-00"),
        pytest.param(ssn_valid, "123450000", False, id="ssn-serial-0000"),
        pytest.param(npi_valid, "1234567893", True, id="npi-ok"),
        pytest.param(npi_valid, "1234567890", False, id="npi-bad-check"),
        pytest.param(npi_valid, "3234567893", False, id="npi-bad-first-digit"),
        pytest.param(dea_valid, "AB1234563", True, id="dea-ok"),
        pytest.param(dea_valid, "AB1234564", False, id="dea-bad-check"),
        pytest.param(dea_valid, "IB1234563", False, id="dea-bad-registrant"),
        pytest.param(vin_valid, "1HGCM82633A004352", True, id="vin-ok"),
        pytest.param(vin_valid, "1HGCM82633A004353", False, id="vin-bad-check"),
        pytest.param(vin_valid, "1HGCM82633A00435O", False, id="vin-letter-o"),
    ],
)
def test_validators(fn, value: str, ok: bool) -> None:
    assert fn(value) is ok


# --- per-detector tables ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("SSN 123-45-6789.", [("SSN", "123-45-6789")], id="ssn-valid"),
        pytest.param("ref 219-09-9999 noted", [("SSN", "219-09-9999")], id="ssn-without-cue"),
        pytest.param("123 45 6789", [("SSN", "123 45 6789")], id="ssn-spaces"),
        pytest.param("SSN: 123456789", [("SSN", "123456789")], id="ssn-bare-digits-cued"),
        pytest.param("SSN XXX-XX-6789", [("SSN", "6789")], id="ssn-last-four"),
        pytest.param("000-12-3456", [], id="ssn-area-000"),
        pytest.param("666-12-3456", [], id="ssn-area-666"),
        pytest.param("912-34-5678", [], id="ssn-area-9xx-itin"),
        pytest.param("123-00-4567", [], id="ssn-group-00"),
        pytest.param("123-45-0000", [], id="ssn-serial-0000"),
        pytest.param("order 123456789", [], id="ssn-bare-digits-uncued"),
        pytest.param("A123-45-6789", [], id="ssn-glued-to-letter"),
        pytest.param("123-45-67890", [], id="ssn-too-long"),
        pytest.param("123-45 6789", [], id="ssn-mixed-separators"),
    ],
)
def test_ssn(text: str, expected: Spans) -> None:
    check(text, expected, ("SSN",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Call 617-555-1234 today", [("PHONE", "617-555-1234")], id="phone-dashes"),
        pytest.param("(617) 555-1234", [("PHONE", "(617) 555-1234")], id="phone-parens"),
        pytest.param("617.555.1234", [("PHONE", "617.555.1234")], id="phone-dots"),
        pytest.param("+1 617 555 1234", [("PHONE", "+1 617 555 1234")], id="phone-plus-one"),
        pytest.param("1-800-555-1234", [("PHONE", "1-800-555-1234")], id="phone-one-dash"),
        pytest.param(
            "617-555-1234 ext. 22", [("PHONE", "617-555-1234 ext. 22")], id="phone-extension"
        ),
        pytest.param("Fax: 617-555-9876", [("FAX", "617-555-9876")], id="phone-fax-cue"),
        pytest.param(
            "Tel 617-555-1234, Fax 617-555-9876",
            [("PHONE", "617-555-1234"), ("FAX", "617-555-9876")],
            id="phone-nearest-cue-decides",
        ),
        pytest.param("Fax\n617-555-1234", [("PHONE", "617-555-1234")], id="phone-cue-other-line"),
        pytest.param("cell 6175551234", [("PHONE", "6175551234")], id="phone-bare-digits-cued"),
        pytest.param("ref 6175551234", [], id="phone-bare-digits-uncued"),
        pytest.param("123-456-7890", [], id="phone-area-code-starts-1"),
        pytest.param("617-055-1234", [], id="phone-exchange-starts-0"),
        pytest.param("123-45-6789", [("SSN", "123-45-6789")], id="phone-vs-ssn-shape"),
        pytest.param("2021-555-1234", [], id="phone-glued-digits"),
    ],
)
def test_phone_and_fax(text: str, expected: Spans) -> None:
    check(text, expected, ("PHONE", "FAX", "SSN"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("jane.doe@example.com", [("EMAIL", "jane.doe@example.com")], id="email"),
        pytest.param(
            "mail j+tag@mail.example.co.uk now",
            [("EMAIL", "j+tag@mail.example.co.uk")],
            id="email-plus-subdomain",
        ),
        pytest.param("Write to a@b.org.", [("EMAIL", "a@b.org")], id="email-sentence-end"),
        pytest.param("user@localhost", [], id="email-no-tld"),
        pytest.param("ping @handle", [], id="email-handle"),
    ],
)
def test_email(text: str, expected: Spans) -> None:
    check(text, expected, ("EMAIL",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "see https://portal.example.org/p/123.",
            [("URL", "https://portal.example.org/p/123")],
            id="url-scheme",
        ),
        pytest.param("(https://x.org/a)", [("URL", "https://x.org/a")], id="url-in-parens"),
        pytest.param("www.example.com", [("URL", "www.example.com")], id="url-www"),
        pytest.param(
            "portal.example.org/p/1", [("URL", "portal.example.org/p/1")], id="url-bare-host"
        ),
        pytest.param("e.g. q.i.d. dosing", [], id="url-not-abbreviations"),
        pytest.param("a@example.com", [], id="url-not-email-domain"),
    ],
)
def test_url(text: str, expected: Spans) -> None:
    check(text, expected, ("URL",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("host 10.0.0.1 up", [("IP", "10.0.0.1")], id="ipv4"),
        pytest.param("from 192.168.1.10.", [("IP", "192.168.1.10")], id="ipv4-sentence-end"),
        pytest.param("999.1.1.1", [], id="ipv4-bad-octet"),
        pytest.param("version 1.2.3.4", [], id="ipv4-version-number"),
        pytest.param("v1.2.3.4", [], id="ipv4-v-prefix"),
        pytest.param("release 1.2.3", [], id="three-part-version"),
        pytest.param("2001:db8::1", [("IP", "2001:db8::1")], id="ipv6-compressed"),
        pytest.param("loopback ::1.", [("IP", "::1")], id="ipv6-loopback"),
        pytest.param(
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            [("IP", "2001:0db8:85a3:0000:0000:8a2e:0370:7334")],
            id="ipv6-full",
        ),
        pytest.param("at 10:30:00 today", [], id="ipv6-not-clock-time"),
    ],
)
def test_ip(text: str, expected: Spans) -> None:
    check(text, expected, ("IP",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("on 3/4/21", [("DATE", "3/4/21")], id="date-m-d-yy"),
        pytest.param("03/04/2021", [("DATE", "03/04/2021")], id="date-mm-dd-yyyy"),
        pytest.param("25/12/2021", [("DATE", "25/12/2021")], id="date-d-m-yyyy"),
        pytest.param("03.04.2021", [("DATE", "03.04.2021")], id="date-dotted"),
        pytest.param("2021-03-04", [("DATE", "2021-03-04")], id="date-iso"),
        pytest.param(
            "2021-03-04T10:30:00Z", [("DATE", "2021-03-04T10:30:00Z")], id="date-iso-time"
        ),
        pytest.param("March 4th", [("DATE", "March 4th")], id="date-month-ordinal"),
        pytest.param("March 4, 2021", [("DATE", "March 4, 2021")], id="date-month-day-year"),
        pytest.param("Mar. 4", [("DATE", "Mar. 4")], id="date-abbrev-dot"),
        pytest.param("Mar 4", [("DATE", "Mar 4")], id="date-abbrev"),
        pytest.param("4 March 2021", [("DATE", "4 March 2021")], id="date-day-month-year"),
        pytest.param("4th of March", [("DATE", "4th of March")], id="date-day-of-month"),
        pytest.param("04-Mar-2021", [("DATE", "04-Mar-2021")], id="date-dd-mon-yyyy"),
        pytest.param("March 2021", [("DATE", "March 2021")], id="date-month-year"),
        pytest.param("since 03/2021", [("DATE", "03/2021")], id="date-mm-yyyy"),
        pytest.param("seen on 3/4", [("DATE", "3/4")], id="date-no-year-cued"),
        pytest.param("DOB: 03041950", [("DATE", "03041950")], id="date-dob-digits"),
        pytest.param("Took 5/10 mg", [], id="date-dose"),
        pytest.param("pain 3/10", [], id="date-pain-score"),
        pytest.param("BP 120/80", [], id="date-blood-pressure"),
        pytest.param("2/30/2021", [], id="date-no-feb-30"),
        pytest.param("13/13/2021", [], id="date-no-month-13"),
        pytest.param("in 2021", [], id="date-year-alone-allowed"),
        pytest.param("version 3.4.21", [], id="date-version-number"),
        pytest.param("may 4 times", [], id="date-verb-may"),
        pytest.param("May the patient rest", [], id="date-may-no-day"),
    ],
)
def test_date(text: str, expected: Spans) -> None:
    check(text, expected, ("DATE",))


def test_thorough_takes_uncued_month_day_but_not_scores() -> None:
    assert found("reviewed 3/4", "DATE") == []
    assert found("reviewed 3/4", "DATE", mode="thorough") == [("DATE", "3/4")]
    assert found("pain 3/10", "DATE", mode="thorough") == []
    assert found("Took 5/10 mg", "DATE", mode="thorough") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Seen by May Smith", [("NAME", "May Smith")], id="may-name"),
        pytest.param("Seen on May 4", [("DATE", "May 4")], id="may-month"),
        pytest.param("Patient May 4 follow-up", [("DATE", "May 4")], id="may-month-after-cue"),
    ],
)
def test_may_the_month_vs_may_the_name(text: str, expected: Spans) -> None:
    check(text, expected, ("NAME", "DATE"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("92-year-old female", [("AGE", "92")], id="age-year-old"),
        pytest.param("92 year old", [("AGE", "92")], id="age-year-old-spaces"),
        pytest.param("92 y/o M", [("AGE", "92")], id="age-y-o"),
        pytest.param("92yo", [("AGE", "92")], id="age-yo"),
        pytest.param("age 95", [("AGE", "95")], id="age-cue"),
        pytest.param("Age: 101", [("AGE", "101")], id="age-label"),
        pytest.param("aged 91", [("AGE", "91")], id="age-aged"),
        pytest.param("101 years of age", [("AGE", "101")], id="age-years-of-age"),
        pytest.param("45-year-old", [], id="age-under-90"),
        pytest.param("age 89", [], id="age-89"),
        pytest.param("page 95", [], id="age-page"),
        pytest.param("age 130", [], id="age-impossible"),
    ],
)
def test_age(text: str, expected: Spans) -> None:
    check(text, expected, ("AGE",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Springfield, IL 62704", [("ZIP", "62704")], id="zip-after-state"),
        pytest.param("Springfield, Illinois 62704", [("ZIP", "62704")], id="zip-after-name"),
        pytest.param("Boston, MA 02115-1234", [("ZIP", "02115-1234")], id="zip-plus-4"),
        pytest.param("ZIP: 02115", [("ZIP", "02115")], id="zip-cue"),
        pytest.param("zip code 94110", [("ZIP", "94110")], id="zip-code-cue"),
        pytest.param("mailed 12345-6789", [("ZIP", "12345-6789")], id="zip-plus-4-bare"),
        pytest.param("WBC 12345", [], id="zip-lab-value"),
        pytest.param("count 12345 cells", [], id="zip-bare-five-digits"),
    ],
)
def test_zip(text: str, expected: Spans) -> None:
    check(text, expected, ("ZIP",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("lives at 123 Main St.", [("ADDRESS", "123 Main St")], id="addr-st"),
        pytest.param(
            "123 Main Street, Apt 4B",
            [("ADDRESS", "123 Main Street, Apt 4B")],
            id="addr-apartment",
        ),
        pytest.param(
            "4500 N. Lake Shore Dr", [("ADDRESS", "4500 N. Lake Shore Dr")], id="addr-direction"
        ),
        pytest.param(
            "1600 Pennsylvania Avenue NW",
            [("ADDRESS", "1600 Pennsylvania Avenue NW")],
            id="addr-post-direction",
        ),
        pytest.param("221B Baker Street", [("ADDRESS", "221B Baker Street")], id="addr-unit"),
        pytest.param("350 5th Ave", [("ADDRESS", "350 5th Ave")], id="addr-ordinal"),
        pytest.param("PO Box 1234", [("ADDRESS", "PO Box 1234")], id="addr-po-box"),
        pytest.param("P.O. Box 55", [("ADDRESS", "P.O. Box 55")], id="addr-po-box-dots"),
        pytest.param("2 tablets daily", [], id="addr-dose"),
        pytest.param("gave 2 Tylenol tabs", [], id="addr-no-suffix"),
    ],
)
def test_address(text: str, expected: Spans) -> None:
    check(text, expected, ("ADDRESS",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Springfield, IL.", [("CITY", "Springfield")], id="city-comma-state"),
        pytest.param("Boston MA 02115", [("CITY", "Boston")], id="city-state-zip"),
        pytest.param("Springfield, Illinois", [("CITY", "Springfield")], id="city-state-name"),
        pytest.param("St. Louis, MO", [("CITY", "St. Louis")], id="city-saint"),
        pytest.param("Winston-Salem, NC", [("CITY", "Winston-Salem")], id="city-hyphen"),
        pytest.param("Cook County", [("CITY", "Cook County")], id="city-county"),
        pytest.param(
            "123 Main St, Springfield, IL 62704", [("CITY", "Springfield")], id="city-in-address"
        ),
        pytest.param("Baltimore, MD.", [("CITY", "Baltimore")], id="city-md-is-maryland"),
        pytest.param("Jane Smith, MD.", [], id="city-md-is-a-doctor"),
        pytest.param("Patient, OK.", [], id="city-stop-word"),
        pytest.param("City: St. Louis", [("CITY", "St. Louis")], id="city-label"),
        pytest.param("lives in Springfield", [("CITY", "Springfield")], id="city-after-cue"),
        pytest.param("lives in fear", [], id="city-cue-no-place"),
    ],
)
def test_city(text: str, expected: Spans) -> None:
    check(text, expected, ("CITY",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "at St. Mary's Hospital.", [("FACILITY", "St. Mary's Hospital")], id="fac-saint"
        ),
        pytest.param("Mayo Clinic", [("FACILITY", "Mayo Clinic")], id="fac-clinic"),
        pytest.param(
            "Massachusetts General Hospital",
            [("FACILITY", "Massachusetts General Hospital")],
            id="fac-general",
        ),
        pytest.param(
            "to Boston Medical Center", [("FACILITY", "Boston Medical Center")], id="fac-mc"
        ),
        pytest.param(
            "Hospital of the University of Pennsylvania",
            [("FACILITY", "Hospital of the University of Pennsylvania")],
            id="fac-hospital-of",
        ),
        pytest.param(
            "Mayo Clinic and Boston Medical Center",
            [("FACILITY", "Mayo Clinic"), ("FACILITY", "Boston Medical Center")],
            id="fac-two-in-a-row",
        ),
        pytest.param(
            "The Sunrise Nursing Home", [("FACILITY", "Sunrise Nursing Home")], id="fac-the"
        ),
        pytest.param("f/u in Cardiology Clinic", [], id="fac-department"),
        pytest.param("back to the hospital", [], id="fac-lowercase"),
        pytest.param("Hospital course was uneventful", [], id="fac-sentence-start"),
    ],
)
def test_facility(text: str, expected: Spans) -> None:
    check(text, expected, ("FACILITY",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("seen by Dr. Maria Reyes", [("NAME", "Maria Reyes")], id="name-title"),
        pytest.param("Mr. O'Brien", [("NAME", "O'Brien")], id="name-apostrophe"),
        pytest.param("Mrs. McDonald-Smith", [("NAME", "McDonald-Smith")], id="name-hyphen-mc"),
        pytest.param("Dr. J. Alvarez", [("NAME", "J. Alvarez")], id="name-initial"),
        pytest.param("Patient John Smith", [("NAME", "John Smith")], id="name-patient-cue"),
        pytest.param("Pt. Jane Doe", [("NAME", "Jane Doe")], id="name-pt-cue"),
        pytest.param("seen by Anita Kowalski", [("NAME", "Anita Kowalski")], id="name-seen-by"),
        pytest.param("her son Michael visited", [("NAME", "Michael")], id="name-relation"),
        pytest.param("wife, Mary, called", [("NAME", "Mary")], id="name-relation-comma"),
        pytest.param(
            "Electronically signed by: Jane Doe, MD", [("NAME", "Jane Doe")], id="name-signature"
        ),
        pytest.param("/s/ Robert Chen", [("NAME", "Robert Chen")], id="name-slash-s"),
        pytest.param("Ana Ruiz, RN", [("NAME", "Ana Ruiz")], id="name-credential"),
        pytest.param("Name: DOE, JANE", [("NAME", "DOE, JANE")], id="name-label-last-first"),
        pytest.param("Patient Name: Xochitl Huerta", [("NAME", "Xochitl Huerta")], id="name-label"),
        pytest.param("John Smith presented with", [("NAME", "John Smith")], id="name-known-first"),
        pytest.param(
            "Patient: Doe, John A.", [("NAME", "Doe, John A.")], id="name-last-first-initial"
        ),
        pytest.param("first_name: Jane", [("NAME", "Jane")], id="name-json-key"),
        pytest.param("Seen by Dr. Ward", [("NAME", "Ward")], id="name-surname-also-a-word"),
        pytest.param("Patient Reports pain", [], id="name-patient-verb"),
        pytest.param("Pt. Tolerated procedure", [], id="name-pt-past-tense"),
        pytest.param("May the patient rest", [], id="name-may-sentence"),
        pytest.param("Will follow up Monday", [], id="name-will-verb"),
        pytest.param("seen by Cardiology Team", [], id="name-department"),
        pytest.param("Baltimore, MD", [], id="name-md-is-maryland"),
        pytest.param("PLEASE DO NOT RESUSCITATE", [], id="name-do-not"),
        pytest.param("Drug name: Lisinopril", [], id="name-label-not-a-person"),
    ],
)
def test_name(text: str, expected: Spans) -> None:
    check(text, expected, ("NAME",))


@pytest.mark.parametrize(
    ("text", "fast", "thorough"),
    [
        pytest.param(
            "Xochitl Garcia in room 4",
            [],
            [("NAME", "Xochitl Garcia")],
            id="thorough-known-surname",
        ),
        pytest.param(
            "Mr. Alvarez reports pain. No fever per Alvarez.",
            [("NAME", "Alvarez")],
            [("NAME", "Alvarez"), ("NAME", "Alvarez")],
            id="thorough-later-mentions",
        ),
        pytest.param(
            "MRN for this visit 00123456",
            [],
            [("MRN", "00123456")],
            id="thorough-wider-cue-gap",
        ),
    ],
)
def test_thorough_adds_heuristics(text: str, fast: Spans, thorough: Spans) -> None:
    cats = ("NAME", "MRN")
    assert found(text, *cats) == fast
    assert found(text, *cats, mode="thorough") == thorough


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("MRN: 00123456", [("MRN", "00123456")], id="mrn"),
        pytest.param("MRN#A1234567", [("MRN", "A1234567")], id="mrn-hash-alnum"),
        pytest.param("medical record # 7654321", [("MRN", "7654321")], id="mrn-medical-record"),
        pytest.param("Record #: 55512345", [("MRN", "55512345")], id="mrn-record-hash"),
        pytest.param("MRN pending", [], id="mrn-no-value"),
        pytest.param("MRN: 12", [], id="mrn-too-short"),
        pytest.param("record 12345678", [], id="mrn-record-without-number-word"),
    ],
)
def test_mrn(text: str, expected: Spans) -> None:
    check(text, expected, ("MRN",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Member ID: XYZ123456789", [("HEALTH_PLAN", "XYZ123456789")], id="plan-member-id"
        ),
        pytest.param("Medicaid # 99887766", [("HEALTH_PLAN", "99887766")], id="plan-medicaid"),
        pytest.param("policy number: H12345678", [("HEALTH_PLAN", "H12345678")], id="plan-policy"),
        pytest.param("group # 12345", [("HEALTH_PLAN", "12345")], id="plan-group"),
        pytest.param("MBI 1EG4-TE5-MK73", [("HEALTH_PLAN", "1EG4-TE5-MK73")], id="plan-mbi"),
        pytest.param("ref 1EG4TE5MK73", [("HEALTH_PLAN", "1EG4TE5MK73")], id="plan-mbi-bare"),
        pytest.param("member of the team", [], id="plan-member-word"),
        pytest.param("group therapy at 3", [], id="plan-group-word"),
    ],
)
def test_health_plan(text: str, expected: Spans) -> None:
    check(text, expected, ("HEALTH_PLAN",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Account 55512345", [("ACCOUNT", "55512345")], id="acct"),
        pytest.param("acct # 0012-3456", [("ACCOUNT", "0012-3456")], id="acct-hash"),
        pytest.param(
            "card 4111 1111 1111 1111", [("ACCOUNT", "4111 1111 1111 1111")], id="acct-card"
        ),
        pytest.param("4111111111111111", [("ACCOUNT", "4111111111111111")], id="acct-card-bare"),
        pytest.param("378282246310005", [("ACCOUNT", "378282246310005")], id="acct-amex"),
        pytest.param("4111111111111112", [], id="acct-card-bad-luhn"),
        pytest.param("1111111111111117", [], id="acct-luhn-but-no-network"),
        pytest.param("Account pending", [], id="acct-no-value"),
    ],
)
def test_account(text: str, expected: Spans) -> None:
    check(text, expected, ("ACCOUNT",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("license # D1234567", [("LICENSE", "D1234567")], id="lic"),
        pytest.param("DL: S1234567", [("LICENSE", "S1234567")], id="lic-dl"),
        pytest.param("Medical license number 12345", [("LICENSE", "12345")], id="lic-medical"),
        pytest.param("certificate 88-1234", [("LICENSE", "88-1234")], id="lic-certificate"),
        pytest.param("glucose 105 mg/dL 12345", [], id="lic-mg-dl"),
        pytest.param("license plate 7ABC123", [], id="lic-plate-is-vehicle"),
        pytest.param("licensed in 2019", [], id="lic-verb"),
    ],
)
def test_license(text: str, expected: Spans) -> None:
    check(text, expected, ("LICENSE",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("NPI 1234567893", [("NPI", "1234567893")], id="npi-cued"),
        pytest.param("ref 1234567893", [("NPI", "1234567893")], id="npi-bare-valid"),
        pytest.param("NPI 1234567890", [], id="npi-bad-check"),
        pytest.param("DEA AB1234563", [("DEA", "AB1234563")], id="dea"),
        pytest.param("DEA AB1234564", [], id="dea-bad-check"),
        pytest.param("DEA IB1234563", [], id="dea-bad-registrant"),
    ],
)
def test_npi_and_dea(text: str, expected: Spans) -> None:
    check(text, expected, ("NPI", "DEA"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1HGCM82633A004352", [("VEHICLE", "1HGCM82633A004352")], id="vin"),
        pytest.param("car 1HGCM82633A004353", [], id="vin-bad-check-digit"),
        pytest.param(
            "VIN: WVWZZZ1JZXW000001", [("VEHICLE", "WVWZZZ1JZXW000001")], id="vin-cued-no-check"
        ),
        pytest.param("license plate 7ABC123", [("VEHICLE", "7ABC123")], id="plate"),
        pytest.param("plate # ABC-1234", [("VEHICLE", "ABC-1234")], id="plate-hash"),
        pytest.param("plate count normal", [], id="plate-word"),
    ],
)
def test_vehicle(text: str, expected: Spans) -> None:
    check(text, expected, ("VEHICLE",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("serial # SN-445566", [("DEVICE", "SN-445566")], id="dev-serial"),
        pytest.param("S/N: 12AB34CD", [("DEVICE", "12AB34CD")], id="dev-s-n"),
        pytest.param("device ID 00A1B2C3D4", [("DEVICE", "00A1B2C3D4")], id="dev-device-id"),
        pytest.param(
            "UDI (01)00844588003288(17)141120(10)7654321D",
            [("DEVICE", "(01)00844588003288(17)141120(10)7654321D")],
            id="dev-gs1-udi",
        ),
        pytest.param("MAC 00:1A:2B:3C:4D:5E", [("DEVICE", "00:1A:2B:3C:4D:5E")], id="dev-mac"),
        pytest.param("serial imaging ordered", [], id="dev-serial-word"),
    ],
)
def test_device(text: str, expected: Spans) -> None:
    check(text, expected, ("DEVICE",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("fingerprint ID FP-99812", [("BIOMETRIC", "FP-99812")], id="bio-finger"),
        pytest.param("retina scan 7781A22", [("BIOMETRIC", "7781A22")], id="bio-retina"),
        pytest.param("voiceprint: VP-20210304", [("BIOMETRIC", "VP-20210304")], id="bio-voice"),
        pytest.param("fingerprint on file", [], id="bio-no-value"),
    ],
)
def test_biometric(text: str, expected: Spans) -> None:
    check(text, expected, ("BIOMETRIC",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Patient ID: A1B2C3D4E5", [("ID", "A1B2C3D4E5")], id="id-patient"),
        pytest.param("ID 987654321", [("ID", "987654321")], id="id-bare"),
        pytest.param("identifier: X9-88-12345", [("ID", "X9-88-12345")], id="id-identifier"),
        pytest.param("accession # 20-123456", [("ID", "20-123456")], id="id-accession"),
        pytest.param("ID band checked", [], id="id-no-value"),
        pytest.param("ID: 123", [], id="id-too-short"),
        pytest.param("lipid 123456", [], id="id-inside-word"),
    ],
)
def test_other_ids(text: str, expected: Spans) -> None:
    check(text, expected, ("ID",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Member ID: XYZ123456789",
            [("HEALTH_PLAN", "XYZ123456789")],
            id="specific-cue-beats-generic-id",
        ),
        pytest.param("device ID 00A1B2C3D4", [("DEVICE", "00A1B2C3D4")], id="device-beats-id"),
        pytest.param(
            "Patient ID: 123-45-6789", [("SSN", "123-45-6789")], id="ssn-shape-beats-generic-id"
        ),
        pytest.param(
            "Boston, MA 02115", [("CITY", "Boston"), ("ZIP", "02115")], id="city-then-zip"
        ),
    ],
)
def test_overlaps_resolve_to_the_specific_category(text: str, expected: Spans) -> None:
    check(text, expected, ())


def test_photo_is_out_of_scope_for_text() -> None:
    """Full-face photographs are images; text only refers to them."""
    assert detect("full-face photo attached to chart", frozenset({"PHOTO"})) == []


# --- the API --------------------------------------------------------------------

NOTE = (
    "Patient John Smith (MRN: 00123456), a 92-year-old seen by Dr. Maria Reyes on "
    "03/04/2021 at St. Mary's Hospital. Lives at 123 Main St, Springfield, IL 62704. "
    "Call (617) 555-1234 or email jsmith@example.com. SSN 123-45-6789."
)


def test_clinical_note_masks_every_identifier() -> None:
    masked = mask_text(NOTE, detect(NOTE))
    assert masked == (
        "Patient [NAME] (MRN: [MRN]), a [AGE]-year-old seen by Dr. [NAME] on "
        "[DATE] at [FACILITY]. Lives at [ADDRESS], [CITY], IL [ZIP]. "
        "Call [PHONE] or email [EMAIL]. SSN [SSN]."
    )


def test_masked_text_has_nothing_left_to_find() -> None:
    masked = mask_text(NOTE, detect(NOTE))
    assert detect(masked) == []
    assert detect(masked, mode="thorough") == []


def test_detect_stands_alone() -> None:
    """Like the rest of masking/, detection imports nothing from the service,
    grpc or redis, and nothing outside the standard library."""
    code = (
        "import sys, proctor.masking.detect; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('grpc', 'redis', 'cedarpy', 'google') or m.startswith('proctor.service')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_detector_names_are_unique() -> None:
    for detectors in DETECTORS.values():
        names = [d.name for d in detectors]
        assert len(names) == len(set(names))


def test_categories_are_the_directive_categories() -> None:
    assert CATEGORIES | {"ALL"} == DIRECTIVE_CATEGORIES
    for detectors in DETECTORS.values():
        for d in detectors:
            assert d.categories <= CATEGORIES, d.name


def test_category_names_are_case_insensitive_and_all_means_every() -> None:
    assert detect(NOTE, frozenset({"ssn"})) == detect(NOTE, frozenset({"SSN"}))
    assert detect(NOTE, frozenset({"ALL", "SSN"})) == detect(NOTE)


def test_unknown_category_is_an_error() -> None:
    with pytest.raises(ValueError, match="SOCIAL"):
        detect("x", frozenset({"SOCIAL"}))


def test_unknown_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="mode"):
        detect("x", mode="slow")  # type: ignore[arg-type]


def test_finding_carries_no_text_and_validates_itself() -> None:
    f = detect("SSN 123-45-6789")[0]
    assert f == Finding("SSN", 4, 15, f.score, "ssn")
    assert "123" not in repr(f)
    with pytest.raises(ValueError, match="span"):
        Finding("SSN", 5, 5, 0.5, "x")
    with pytest.raises(ValueError, match="score"):
        Finding("SSN", 0, 5, 1.5, "x")


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        pytest.param(
            [Finding("NAME", 0, 10, 0.9, "a"), Finding("CITY", 2, 5, 0.95, "b")],
            [Finding("NAME", 0, 10, 0.9, "a")],
            id="contained-longest-wins",
        ),
        pytest.param(
            [Finding("ID", 0, 5, 0.7, "a"), Finding("SSN", 0, 5, 0.9, "b")],
            [Finding("SSN", 0, 5, 0.9, "b")],
            id="same-span-surest-wins",
        ),
        pytest.param(
            [Finding("NAME", 0, 6, 0.9, "a"), Finding("CITY", 4, 12, 0.8, "b")],
            [Finding("CITY", 0, 12, 0.8, "b")],
            id="partial-overlap-covers-both",
        ),
        pytest.param(
            [Finding("ZIP", 5, 8, 0.9, "b"), Finding("NAME", 0, 5, 0.9, "a")],
            [Finding("NAME", 0, 5, 0.9, "a"), Finding("ZIP", 5, 8, 0.9, "b")],
            id="touching-stay-apart-and-sorted",
        ),
    ],
)
def test_resolve(findings: list[Finding], expected: list[Finding]) -> None:
    assert resolve(findings) == expected


def test_mask_text_replacement_and_bounds() -> None:
    text = "call 617-555-1234 now"
    findings = detect(text)
    assert mask_text(text, findings, lambda f: "*" * f.length) == "call ************ now"
    assert mask_text(text, []) == text
    with pytest.raises(ValueError, match="outside"):
        mask_text("short", [Finding("SSN", 0, 50, 0.9, "x")])


# --- properties ------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " \t\n.,:;#/-()@+'" + "éÉİß一"),
    max_size=300,
)
_SUBSETS = st.frozensets(st.sampled_from(sorted(CATEGORIES)), min_size=1, max_size=4)
_MODES = st.sampled_from(["fast", "thorough"])


def _assert_well_formed(text: str, findings: list[Finding], allowed: frozenset[str]) -> None:
    end = 0
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= end, "sorted and non-overlapping"
        assert 0.0 <= f.score <= 1.0
        assert f.category in allowed
        end = f.end


@given(text=_TEXT, mode=_MODES)
def test_findings_are_in_bounds_sorted_and_disjoint(text: str, mode: str) -> None:
    _assert_well_formed(text, detect(text, mode=mode), CATEGORIES)  # type: ignore[arg-type]


@given(text=_TEXT, cats=_SUBSETS)
def test_findings_keep_to_the_requested_categories(text: str, cats: frozenset[str]) -> None:
    _assert_well_formed(text, detect(text, cats), cats)


@given(text=_TEXT, cats=_SUBSETS)
def test_asking_for_more_categories_never_masks_less(text: str, cats: frozenset[str]) -> None:
    def covered(findings: list[Finding]) -> set[int]:
        return {i for f in findings for i in range(f.start, f.end)}

    assert covered(detect(text, cats)) <= covered(detect(text))


@given(text=_TEXT, mode=_MODES)
def test_detection_is_deterministic(text: str, mode: str) -> None:
    assert detect(text, mode=mode) == detect(text, mode=mode)  # type: ignore[arg-type]


# Filler that cannot itself form an identifier or a cue.
_FILLER_WORDS = st.lists(
    st.sampled_from(
        ["the", "pain", "improved", "with", "rest", "and", "fluids", "no", "fever", "noted"]
    ),
    max_size=8,
).map(" ".join)


@st.composite
def _ssns(draw: st.DrawFn) -> str:
    area = draw(st.integers(1, 899).filter(lambda a: a != 666))
    group = draw(st.integers(1, 99))
    serial = draw(st.integers(1, 9999))
    return f"{area:03d}-{group:02d}-{serial:04d}"


@st.composite
def _phones(draw: st.DrawFn) -> str:
    area = draw(st.integers(200, 999))
    exchange = draw(st.integers(200, 999))
    line = draw(st.integers(0, 9999))
    style = draw(st.sampled_from(["({a}) {e}-{n}", "{a}-{e}-{n}", "{a}.{e}.{n}"]))
    return style.format(a=area, e=exchange, n=f"{line:04d}")


_EMAILS = st.builds(
    "{}@{}.{}".format,
    st.text(string.ascii_lowercase + string.digits + "._", min_size=1, max_size=12).filter(
        lambda s: s[0].isalnum() and s[-1].isalnum() and ".." not in s
    ),
    st.text(string.ascii_lowercase, min_size=1, max_size=10),
    st.sampled_from(["com", "org", "net", "edu"]),
)


@given(
    before=_FILLER_WORDS,
    after=_FILLER_WORDS,
    planted=st.one_of(
        _ssns().map(lambda s: ("SSN", s)),
        _phones().map(lambda s: ("PHONE", s)),
        _EMAILS.map(lambda s: ("EMAIL", s)),
    ),
    mode=_MODES,
)
def test_planted_identifiers_are_found_where_planted(
    before: str, after: str, planted: tuple[str, str], mode: str
) -> None:
    category, value = planted
    text = f"{before} {value} {after}".strip()
    start = text.index(value)
    findings = detect(text, mode=mode)  # type: ignore[arg-type]
    assert Finding(category, start, start + len(value), 0, "")  # well-formed plant
    assert [(f.category, f.start, f.end) for f in findings] == [
        (category, start, start + len(value))
    ]
    assert value not in mask_text(text, findings)


_SENTENCES = st.sampled_from(
    [
        "Pain improved with rest.",
        "BP 132/84, HR 88, temp 98.6 F.",
        "Started lisinopril 10 mg daily; 5/10 mg discussed.",
        "Follow up in cardiology clinic in 2 weeks.",
        "Patient Reports mild headache.",
    ]
)
_PLANTED_SENTENCES = st.one_of(
    _SENTENCES,
    _ssns().map("SSN {} on file.".format),
    _phones().map("Call {} today.".format),
    _EMAILS.map("Email {} please.".format),
    st.sampled_from(["Patient John Smith", "Dr. Maria Reyes", "Seen at Mayo Clinic"]).map(
        "{} on 03/04/2021.".format
    ),
    st.sampled_from(["MRN: 00123456.", "Lives at 123 Main St, Springfield, IL 62704."]),
)


@given(sentences=st.lists(_PLANTED_SENTENCES, max_size=6), mode=_MODES)
def test_masked_text_is_left_alone(sentences: list[str], mode: str) -> None:
    """Masking is idempotent: the ``[CATEGORY]`` markers and the text around
    them give the detectors nothing more to find."""
    text = " ".join(sentences)
    masked = mask_text(text, detect(text, mode=mode))  # type: ignore[arg-type]
    assert detect(masked, mode=mode) == []  # type: ignore[arg-type]
