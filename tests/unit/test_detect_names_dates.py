"""Names, dates and ages in free text: the shapes and cues added for the
clinical-style evaluation corpus (issue 4), each with near misses that must
stay unmasked (eponyms, departments, relations, doses, times, years alone).
"""

from __future__ import annotations

import pytest

from .detect_support import Spans, check, found

# --- names --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # labels with a colon; capitals and "Last, First" after them
        pytest.param(
            "PATIENT: ROBINSON, RUSSELL     MRN: 123",
            [("NAME", "ROBINSON, RUSSELL")],
            id="caps-after-patient",
        ),
        pytest.param("NAME: DOE, JANE", [("NAME", "DOE, JANE")], id="caps-after-name"),
        pytest.param("Pt: SUTTON, ABIGAIL (2704)", [("NAME", "SUTTON, ABIGAIL")], id="pt-colon"),
        pytest.param(
            "Guarantor: Schwartz, Craig A.    Account #: 5797",
            [("NAME", "Schwartz, Craig A.")],
            id="guarantor-last-first-middle",
        ),
        pytest.param("ORDERING: Walker, April", [("NAME", "Walker, April")], id="ordering"),
        pytest.param(
            "Attending: Good, Shirley", [("NAME", "Good, Shirley")], id="surname-that-is-a-word"
        ),
        pytest.param("Member: Carrie Prince", [("NAME", "Carrie Prince")], id="member"),
        pytest.param("Medical director: Ann Lee.", [("NAME", "Ann Lee")], id="director"),
        # two spaces or a tab end a name: a column gap, not the next word
        pytest.param(
            "Dictated by: Anthony Combs    Transcribed: 2024",
            [("NAME", "Anthony Combs")],
            id="column-gap-spaces",
        ),
        pytest.param("Member: Kimberly Quinn\tMember", [("NAME", "Kimberly Quinn")], id="tab-gap"),
        # salutations, sign-offs and signatures
        pytest.param("Dear Maria,", [("NAME", "Maria")], id="dear"),
        pytest.param("Hi Peter, please call", [("NAME", "Peter")], id="hi"),
        pytest.param("Thanks,\nCharles\n\n> On", [("NAME", "Charles")], id="thanks-newline"),
        pytest.param(
            "Sincerely,\n\nCarrie Bell\nEndocrinology", [("NAME", "Carrie Bell")], id="sincerely"
        ),
        pytest.param("hi this is dawn,\n\nIs it ok", [("NAME", "dawn")], id="lower-this-is"),
        pytest.param("that helps.\n\n- latoya\n\n----", [("NAME", "latoya")], id="lower-dash-sig"),
        pytest.param("after 0930.\n- Ricardo\n", [("NAME", "Ricardo")], id="dash-sig"),
        # after the name: relation, e-mail, date of birth, age
        pytest.param(
            "Emergency contact: Laura (wife) 955-697",
            [("NAME", "Laura")],
            id="relation-in-brackets",
        ),
        pytest.param(
            "Caller: Kiara Jones (sister)   Callback:", [("NAME", "Kiara Jones")], id="caller"
        ),
        pytest.param("From: Dawn Brandt <d@example.net>", [("NAME", "Dawn Brandt")], id="email"),
        pytest.param("Re: Eileen Stevens, DOB 1942", [("NAME", "Eileen Stevens")], id="re-dob"),
        pytest.param("Soto, Kristen, 70 y/o, seen", [("NAME", "Soto, Kristen")], id="age-after"),
        pytest.param(
            "x\nMary A. Molina, 37 years old", [("NAME", "Mary A. Molina")], id="age-initial"
        ),
        pytest.param(
            "note\nDENNIS, STEVEN, 49yo, seen", [("NAME", "DENNIS, STEVEN")], id="caps-line-age"
        ),
        # a name that starts a sentence before a verb only people do
        pytest.param("Rate 70s. Ellis ambulated 50 feet.", [("NAME", "Ellis")], id="ambulated"),
        pytest.param("No falls. Miller reports pain.", [("NAME", "Miller")], id="reports"),
        pytest.param("Deborah at bedside, questions.", [("NAME", "Deborah")], id="at-bedside"),
        # joined by "and"; "See X"; known given name before a surname-word
        pytest.param(
            "Plan discussed with Dr. Hurst and Jody Cook.",
            [("NAME", "Hurst"), ("NAME", "Jody Cook")],
            id="and-after-name",
        ),
        pytest.param("See Garrett Lawson on Tuesday", [("NAME", "Garrett Lawson")], id="see"),
        pytest.param("Patient Timothy Good (742)", [("NAME", "Timothy Good")], id="first-good"),
        pytest.param("His granddaughter Shelly notes", [("NAME", "Shelly")], id="ly-name"),
        pytest.param("Caller: Wife Mary Jones", [("NAME", "Mary Jones")], id="relation-then-name"),
        pytest.param("Mrs. Good resting in bed", [("NAME", "Good")], id="title-surname-word"),
        pytest.param("daily?\n\nMark Booth\n\n----", [("NAME", "Mark Booth")], id="signature-line"),
        # credentials after a name, and "See" kept out of it
        pytest.param("See Andrew Cooper, FNP-BC", [("NAME", "Andrew Cooper")], id="see-credential"),
        pytest.param(
            "x\nDIAZ, MARTIN, 95 year old", [("NAME", "DIAZ, MARTIN")], id="caps-ambiguous-first"
        ),
        pytest.param("x\nJesus J. May, 91 yo", [("NAME", "Jesus J. May")], id="surname-may-age"),
        pytest.param("x\nWard, Ralph, 101 yo", [("NAME", "Ward, Ralph")], id="surname-ward-age"),
        pytest.param(
            "Consults: Neurology (Alexa Ortiz), PT", [("NAME", "Alexa Ortiz")], id="in-brackets"
        ),
        pytest.param(
            "daily?\nBobby Ochoa\n\n> On", [("NAME", "Bobby Ochoa")], id="ambiguous-first"
        ),
        # census given names with no cue
        pytest.param("Katelyn Fisher came by", [("NAME", "Katelyn Fisher")], id="census-first"),
    ],
)
def test_name_found(text: str, expected: Spans) -> None:
    check(text, expected, ("NAME",))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Murphy's sign was negative.", id="eponym-sign"),
        pytest.param("Foley catheter removed on day 3.", id="eponym-device"),
        pytest.param("Whipple procedure in 2016.", id="eponym-procedure"),
        pytest.param("History of Parkinson's disease.", id="eponym-disease"),
        pytest.param("Wife reports he fell at home.", id="relation-subject"),
        pytest.param("Overall feels better today.", id="adverb-subject"),
        pytest.param("Nursing notes no distress.", id="nursing-notes"),
        pytest.param("Family reports confusion.", id="family-subject"),
        pytest.param("Patient: Alert and oriented", id="label-then-state"),
        pytest.param("Contact: Cardiology", id="label-then-department"),
        pytest.param("To: Physical Therapy", id="to-department"),
        pytest.param("Seen by Palliative Care", id="seen-by-department"),
        pytest.param("see Figure 2", id="see-single-word"),
        pytest.param("Hi there, thanks", id="hi-there"),
        pytest.param("Dear Colleague,", id="dear-colleague"),
        pytest.param("Thanks,\nThe Cardiology team will call you", id="thanks-sentence"),
        pytest.param("Meds:\n- aspirin\n- metformin\n\nPlan", id="bullet-list"),
        pytest.param("HTN, COPD, 70 yo male", id="caps-abbreviations-age"),
        pytest.param("Consults: Cardiology (wife asked)", id="bracket-not-relation"),
        pytest.param("Lasix 20 mg daily and Zoloft", id="drug-and-drug"),
        pytest.param("Insurance: Blue Cross Blue Shield", id="insurer"),
        pytest.param("Follow up on Tuesday", id="weekday"),
        pytest.param("Coverage: (Blue Cross)", id="insurer-in-brackets"),
        pytest.param("Guarantor: Self", id="guarantor-self"),
        pytest.param("Caller: Wife", id="caller-relation"),
        pytest.param("Hi Mom,", id="hi-relation"),
        pytest.param("Thanks,\nMom", id="thanks-relation"),
        pytest.param("Attending: Pending", id="attending-pending"),
        pytest.param("Caller: Home Health Agency", id="caller-agency"),
        pytest.param("From: Patient Portal", id="from-portal"),
        pytest.param("Best,\nFront Desk", id="sign-off-desk"),
        pytest.param("Pickup:\nWill Call\n", id="will-call-own-line"),
    ],
)
def test_name_near_misses(text: str) -> None:
    assert found(text, "NAME") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Seen by Dr. Mary Allen. Allen test normal.",
            [("NAME", "Mary Allen")],
            id="eponym-after-a-name",
        ),
        pytest.param(
            "Dr. Jane York. Moved to New York.", [("NAME", "Jane York")], id="place-after-a-name"
        ),
        pytest.param(
            "Mr. Alvarez reports pain. No fever per Alvarez.",
            [("NAME", "Alvarez"), ("NAME", "Alvarez")],
            id="later-mention",
        ),
    ],
)
def test_thorough_later_mentions(text: str, expected: Spans) -> None:
    assert found(text, "NAME", mode="thorough") == expected


# --- dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("On 20240714, seen", [("DATE", "20240714")], id="compact-iso"),
        pytest.param("On 01AUG2024, seen", [("DATE", "01AUG2024")], id="compact-day-mon-year"),
        pytest.param("on 4Mar2021", [("DATE", "4Mar2021")], id="compact-mixed-case"),
        pytest.param("since the 16th of April:", [("DATE", "the 16th of April")], id="the-nth-of"),
        pytest.param("on 4th of March", [("DATE", "4th of March")], id="nth-of"),
        pytest.param("March 4th", [("DATE", "March 4th")], id="month-ordinal"),
        pytest.param("since 08.21.2025. Feels", [("DATE", "08.21.2025")], id="dotted-sentence-end"),
        pytest.param("Will follow up 6/15 -- ok", [("DATE", "6/15")], id="follow-up-month-day"),
        pytest.param("PICC line placement 9/28.", [("DATE", "9/28")], id="placement-month-day"),
        pytest.param("04-MAR-2021", [("DATE", "04-MAR-2021")], id="day-mon-year-caps"),
        pytest.param("Mar. 4, 2021", [("DATE", "Mar. 4, 2021")], id="abbrev-dot"),
        pytest.param("4 March 2021", [("DATE", "4 March 2021")], id="day-month-year"),
        pytest.param("March 2021", [("DATE", "March 2021")], id="month-year"),
        pytest.param("03/2021", [("DATE", "03/2021")], id="numeric-month-year"),
        pytest.param("2021-03-04T10:00Z", [("DATE", "2021-03-04T10:00Z")], id="iso-time"),
        pytest.param("Sent: the 11th of August 08:15", [("DATE", "the 11th of August")], id="time"),
        pytest.param("March 4 08:15", [("DATE", "March 4")], id="month-day-then-time"),
    ],
)
def test_date_found(text: str, expected: Spans) -> None:
    check(text, expected, ("DATE",))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("MRN 12345678", id="eight-digits-not-a-date"),
        pytest.param("acct 20210304-12", id="compact-glued-to-more"),
        pytest.param("ref 202113045", id="nine-digits"),
        pytest.param("20211304", id="compact-month-13"),
        pytest.param("21MAR", id="day-month-no-year-glued"),
        pytest.param("version 3.4.21", id="version"),
        pytest.param("5/325 mg", id="dose"),
        pytest.param("BP 132/84", id="blood-pressure"),
        pytest.param("card (exp 08/27)", id="card-expiry"),
        pytest.param("in 2021", id="year-alone"),
        pytest.param("every Tuesday at 14:30", id="weekday-time"),
        pytest.param("Strength 5/5", id="strength"),
    ],
)
def test_date_near_misses(text: str) -> None:
    assert found(text, "DATE") == []
    assert found(text, "DATE", mode="thorough") == []


# --- ages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a 93-year-old woman", [("AGE", "93")], id="year-old"),
        pytest.param("95yo, seen", [("AGE", "95")], id="yo-glued"),
        pytest.param("AGE: 102", [("AGE", "102")], id="label-caps"),
        pytest.param("91-yr-old", [("AGE", "91")], id="yr-old"),
        pytest.param("a 67-year-old man", [], id="under-90"),
        pytest.param("89 y/o", [], id="eighty-nine"),
        pytest.param("page 95", [], id="page"),
    ],
)
def test_age(text: str, expected: Spans) -> None:
    check(text, expected, ("AGE",))
