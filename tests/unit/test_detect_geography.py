"""Geography smaller than a state in free text: street addresses with every
USPS suffix, streets named without a number, cities without a state, cities
before a state in running text, and facilities named after a surname that is
also a word. Each table has near misses that must stay unmasked: clinical
phrases with a number and a capitalised word ("6 Minute Walk Test"), dose
forms ("CAP DR"), eponyms, departments, drugs, states and countries.
"""

from __future__ import annotations

import pytest

from .detect_support import Spans, check

# --- street addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # strong suffixes stand on their own, plural forms too
        pytest.param(
            "lives alone at 4156 Karen Streets Apt. 953",
            [("ADDRESS", "4156 Karen Streets Apt. 953")],
            id="plural-suffix-and-apt",
        ),
        pytest.param(
            "Address: 067 Rodriguez Roads Apt. 771, Emilyside LA 88702",
            [("ADDRESS", "067 Rodriguez Roads Apt. 771")],
            id="leading-zero-house-number",
        ),
        pytest.param("12 Oak Hill Road", [("ADDRESS", "12 Oak Hill Road")], id="hill-road"),
        pytest.param(
            "Sent to 77 Cole Stravenue today", [("ADDRESS", "77 Cole Stravenue")], id="stravenue"
        ),
        pytest.param("12 1/2 Elm Street", [("ADDRESS", "12 1/2 Elm Street")], id="fraction"),
        pytest.param("123 MAIN STREET", [("ADDRESS", "123 MAIN STREET")], id="capitals-street"),
        # an abbreviation in capitals ("CT", "DR") needs a second sign
        pytest.param("LIVES AT 123 MAIN ST", [("ADDRESS", "123 MAIN ST")], id="capitals-st-cue"),
        # weak suffixes with a city and state after them (same line or next)
        pytest.param(
            "Address: 718 Harris Plains\nWest Lukeside, GU 98224",
            [("ADDRESS", "718 Harris Plains")],
            id="weak-suffix-city-next-line",
        ),
        pytest.param(
            "Arrived by EMS from 40011 John Bridge, Jessefurt, NE 50897.",
            [("ADDRESS", "40011 John Bridge")],
            id="weak-suffix-city-same-line",
        ),
        pytest.param(
            "9315 Felicia Ports\nNorth Raymond GA 64999-4217",
            [("ADDRESS", "9315 Felicia Ports")],
            id="letterhead-ports",
        ),
        pytest.param(
            "1 Sawyer Inlet, Springfield, Illinois",
            [("ADDRESS", "1 Sawyer Inlet")],
            id="weak-suffix-state-name",
        ),
        # ... or a unit or a direction after them
        pytest.param(
            "from 45811 Michelle Springs Suite 640",
            [("ADDRESS", "45811 Michelle Springs Suite 640")],
            id="weak-suffix-suite",
        ),
        pytest.param(
            "966 West Mount Suite 567", [("ADDRESS", "966 West Mount Suite 567")], id="west-surname"
        ),
        pytest.param("55 Cedar Park NW", [("ADDRESS", "55 Cedar Park NW")], id="weak-direction"),
        # ... or an address word before them on the line
        pytest.param(
            "Mailing address: 354 William Locks",
            [("ADDRESS", "354 William Locks")],
            id="weak-suffix-address-cue",
        ),
        pytest.param(
            "She lives at 8 Crystal Lake with her son",
            [("ADDRESS", "8 Crystal Lake")],
            id="weak-suffix-lives-at",
        ),
        # no suffix: a city, state and ZIP after it
        pytest.param(
            "123 Broadway, New York, NY 10001", [("ADDRESS", "123 Broadway")], id="no-suffix-csz"
        ),
        # near misses: a number, capitalised words and a suffix-like word
        pytest.param("XR Chest 2 Views", [], id="two-views"),
        pytest.param("3 Plain films of the abdomen", [], id="plain-films"),
        pytest.param("Gave 2 Park passes", [], id="park-passes"),
        pytest.param("100 Mill units", [], id="mill-units"),
        pytest.param("Drank 5 Spring waters", [], id="spring"),
        pytest.param("10 Court ordered", [], id="court-ordered"),
        pytest.param("6 Minute Walk Test: 300 m", [], id="six-minute-walk"),
        pytest.param("moved to 4 West Nurses Station", [], id="nurses-station"),
        pytest.param("5 Key Points reviewed", [], id="key-points"),
        pytest.param("3 Vessel Run Off", [], id="run-off"),
        pytest.param("Admitted to 7 North Tower", [], id="north-tower"),
        pytest.param("Given 1 Unit PRBC", [], id="unit-prbc"),
        pytest.param("Grade 3 Mitral Valve Prolapse", [], id="mitral-valve"),
        pytest.param("12 Oak Hill", [], id="weak-suffix-alone"),
        pytest.param("Omeprazole 20 MG CAP DR daily", [], id="delayed-release-capsule"),
        pytest.param("HEAD CT 2 VIEWS", [], id="head-ct-views"),
        pytest.param("s/p 2 Head CT scans", [], id="head-ct"),
        pytest.param("Score 15 Glasgow Coma Scale", [], id="gcs"),
        pytest.param("Follow up in 2 weeks", [], id="follow-up"),
        pytest.param("Port placement on 3/4; Port-a-cath flushed", [], id="port"),
        # a measure word before the suffix: a distance, even after "lives"
        pytest.param("Lives 1 Hour Drive away", [], id="hour-drive"),
        pytest.param("LIVES 1 HOUR DRIVE AWAY", [], id="hour-drive-capitals"),
        pytest.param("Lives 2 Miles Down River Road", [], id="miles-down-road"),
        pytest.param(
            "lives at 12 Day Street Apt 4",
            [("ADDRESS", "12 Day Street Apt 4")],
            id="day-street-apt",
        ),
    ],
)
def test_street_address(text: str, expected: Spans) -> None:
    check(text, expected, ("ADDRESS",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The pharmacy on Brown Common said", [("ADDRESS", "Brown Common")], id="common"
        ),
        pytest.param("pharmacy on Joy Burg said", [("ADDRESS", "Joy Burg")], id="burg"),
        pytest.param("The pharmacy on Edward Via", [("ADDRESS", "Edward Via")], id="via"),
        pytest.param("the store at Amber Road.", [("ADDRESS", "Amber Road")], id="road"),
        pytest.param("lives on Main Street", [("ADDRESS", "Main Street")], id="main-street"),
        # near misses: clinical phrases with a suffix-like last word
        pytest.param("Remains on Lovenox Bridge to warfarin", [], id="lovenox-bridge"),
        pytest.param("on Heparin Lock", [], id="heparin-lock"),
        pytest.param("Seen at Fast Track", [], id="fast-track"),
        pytest.param("Pain at Trigger Point", [], id="trigger-point"),
        pytest.param("Dyspnea at Rest", [], id="at-rest"),
        pytest.param("on Respiratory Drive", [], id="respiratory-drive"),
        pytest.param("on Smith Dr rounds", [], id="abbreviation-needs-number"),
        pytest.param("on Room Air", [], id="room-air"),
        pytest.param("seen at Main Street Clinic", [], id="clinic-is-a-facility"),
    ],
)
def test_street_name(text: str, expected: Spans) -> None:
    check(text, expected, ("ADDRESS",))


# --- cities -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # after a cue that points at a place, any capitalised place words
        pytest.param(
            "visits on Tuesdays and lives in Leechester.", [("CITY", "Leechester")], id="lives-in"
        ),
        pytest.param("lives in New Janet.", [("CITY", "New Janet")], id="lives-in-new"),
        pytest.param("Lives in Boston with wife", [("CITY", "Boston")], id="lives-in-boston"),
        pytest.param("moved to Denver last year", [("CITY", "Denver")], id="moved-to-text-start"),
        pytest.param(
            "I moved to East Keithton last month", [("CITY", "East Keithton")], id="moved"
        ),
        pytest.param("born in Brooklyn", [("CITY", "Brooklyn")], id="born-in"),
        pytest.param(
            "Resident of Springfield since 2001.", [("CITY", "Springfield")], id="resident"
        ),
        pytest.param("Lives in Boston Monday to Friday", [("CITY", "Boston")], id="cut-at-weekday"),
        pytest.param("went fishing in Lake Virginia", [("CITY", "Lake Virginia")], id="lake-state"),
        # after "in", "from", "to", "at": only words shaped like a place
        pytest.param(
            "Went to urgent care in Lake Claudia last week.",
            [("CITY", "Lake Claudia")],
            id="in-lake",
        ),
        pytest.param("urgent care in Amandaville", [("CITY", "Amandaville")], id="in-ville"),
        pytest.param("in Port Tiffanyfurt", [("CITY", "Port Tiffanyfurt")], id="in-port"),
        pytest.param("driving from New Haven", [("CITY", "New Haven")], id="from-new-haven"),
        pytest.param("He was in Milton last week", [("CITY", "Milton")], id="in-milton"),
        pytest.param("Tumor Board in Rochester", [("CITY", "Rochester")], id="in-rochester"),
        pytest.param("graded in Oxford scale terms", [], id="oxford-scale"),
        pytest.param("He lives in Hamilton", [("CITY", "Hamilton")], id="lives-in-hamilton"),
        # ... or any before ", ST" and more of the sentence
        pytest.param(
            "She moved from South Deborahmouth, MD in 2017",
            [("CITY", "South Deborahmouth")],
            id="moved-from-city-md-in-year",
        ),
        pytest.param(
            "a retired teacher in Batesport, DE until moving",
            [("CITY", "Batesport")],
            id="teacher-in-city-until",
        ),
        pytest.param("a teacher in Austin, TX until 2019", [("CITY", "Austin")], id="austin"),
        # near misses: clinical phrases after the same cues
        pytest.param("Patient lives in fear of falling.", [], id="lives-in-fear"),
        pytest.param("She lives in an apartment with her son.", [], id="lives-in-apartment"),
        pytest.param("Lives in Assisted Living facility", [], id="assisted-living"),
        pytest.param("lives in Section 8 housing", [], id="section-8"),
        pytest.param("Moved from ICU to floor.", [], id="moved-from-icu"),
        pytest.param("moved to Telemetry overnight", [], id="moved-to-telemetry"),
        pytest.param("Moved to Step Down Unit", [], id="step-down"),
        pytest.param("transferred to Cardiology", [], id="department"),
        pytest.param("Moved to Recovery; then moved to Chair", [], id="recovery-chair"),
        pytest.param("moved to Memory Care", [], id="memory-care"),
        pytest.param("Positive Murphy's sign.", [], id="murphys-sign"),
        pytest.param("History of Parkinson's disease.", [], id="parkinsons"),
        pytest.param("Follow up in 2 weeks.", [], id="follow-up"),
        pytest.param("NYHA class II per New York Heart Association", [], id="nyha"),
        pytest.param("He is a North American native.", [], id="north-american"),
        pytest.param("Seen in Clinic on Monday.", [], id="clinic-monday"),
        pytest.param("Admitted in January; discharged in May.", [], id="months"),
        pytest.param("Started in March, stopped in June; seen in August.", [], id="more-months"),
        pytest.param("Placed in Trendelenburg position.", [], id="trendelenburg"),
        pytest.param("Measured in Hounsfield units.", [], id="hounsfield"),
        pytest.param("swaying in Romberg stance", [], id="romberg"),
        pytest.param("Port placement on 3/4. Port-a-cath accessed.", [], id="port-placement"),
        pytest.param("Port-a-cath in Port Pocket", [], id="port-pocket"),
        pytest.param("Changes in Review of Systems", [], id="review"),
        pytest.param("Referred to Support Group", [], id="support"),
        pytest.param("Arrived from Outside Hospital; found in Bedside chair", [], id="outside"),
        pytest.param("Discussed in Interview", [], id="interview"),
        pytest.param("Given in Comfort Care", [], id="comfort"),
        pytest.param("Went to New Onset AF clinic in New Onset", [], id="new-onset"),
        pytest.param("in New Patient clinic", [], id="new-patient"),
        pytest.param("Seen in East Wing; transferred to West Campus", [], id="wings"),
        pytest.param("Pt in Sinus Rhythm", [], id="sinus-rhythm"),
        pytest.param("switched from Lipitor to Crestor", [], id="drugs"),
        pytest.param("converted from Warfarin to Eliquis", [], id="more-drugs"),
        pytest.param("Improvement in Hamilton Depression scores", [], id="hamilton-scale"),
        # states and countries are not smaller than a state
        pytest.param("He was born in Mexico and moved to Texas in 1990.", [], id="country-state"),
        pytest.param("Grew up in North Carolina.", [], id="two-word-state"),
        pytest.param("Moved from New York to Florida.", [], id="new-york-state"),
        pytest.param("traveled to South Africa last year", [], id="south-africa"),
        pytest.param("Recently returned from West Africa", [], id="west-africa"),
        pytest.param("in West Nile virus season", [], id="west-nile"),
        pytest.param("She is originally from Puerto Rico.", [], id="puerto-rico"),
        # a doctor, not Maryland or Pennsylvania
        pytest.param("Referred to Jones, MD until", [], id="doctor-md"),
        pytest.param("Mass in Liver, CT and MRI", [], id="liver-ct"),
    ],
)
def test_city(text: str, expected: Spans) -> None:
    check(text, expected, ("CITY",))


# --- facilities -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Ward Family Clinic - Department of Radiology",
            [("FACILITY", "Ward Family Clinic")],
            id="surname-that-is-a-unit",
        ),
        pytest.param(
            "DISCHARGE SUMMARY\nCase Family Clinic\nPatient: X",
            [("FACILITY", "Case Family Clinic")],
            id="surname-that-is-a-word",
        ),
        pytest.param(
            "Smith Family Practice", [("FACILITY", "Smith Family Practice")], id="family-practice"
        ),
        pytest.param(
            "Ward Family Medicine", [("FACILITY", "Ward Family Medicine")], id="family-medicine"
        ),
        pytest.param("Seen in Adult Family Clinic", [], id="adult-family-clinic"),
        pytest.param("Department of Family Medicine", [], id="department-of-family-medicine"),
        pytest.param("Referred to Family Practice", [], id="family-practice-generic"),
        pytest.param("the Ward Clinic", [], id="ward-clinic"),
    ],
)
def test_facility(text: str, expected: Spans) -> None:
    check(text, expected, ("FACILITY",))


# --- cities from the US place gazetteer -------------------------------------------
# Real US places after a plain "in", "from", "to", "at" or "visiting", with no
# place shape and no state ("from Boise"). A place name that is also a word or
# a name ("Mobile", "Austin", "Flushing") needs more: a borough after it, or a
# home, trip, relative or street before it in its sentence.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("He flew in from Boise last Tuesday.", [("CITY", "Boise")], id="boise"),
        pytest.param(
            "Her sister Priya in Cedar Rapids helps with meds.",
            [("CITY", "Cedar Rapids")],
            id="two-words",
        ),
        pytest.param("Trip to Salt Lake City in June.", [("CITY", "Salt Lake City")], id="three"),
        pytest.param("Drove to Fort Worth on Sunday.", [("CITY", "Fort Worth")], id="fort-worth"),
        pytest.param("Was in St. Louis for the holidays.", [("CITY", "St. Louis")], id="st-louis"),
        pytest.param("Returned from Winston-Salem.", [("CITY", "Winston-Salem")], id="hyphen"),
        pytest.param("Visiting Chicago next week.", [("CITY", "Chicago")], id="visiting"),
        pytest.param("In Chicago he worked as a chef.", [("CITY", "Chicago")], id="sentence-start"),
        pytest.param("Surgery in Phoenix in 2019.", [("CITY", "Phoenix")], id="phoenix"),
        pytest.param("Relocated here from Tucson, then Reno.", [("CITY", "Tucson")], id="tucson"),
        pytest.param("Grew up near Harlem.", [("CITY", "Harlem")], id="neighbourhood"),
        # ambiguous names with more to go on
        pytest.param(
            "She is from Flushing, Queens and works nearby.",
            [("CITY", "Flushing"), ("CITY", "Queens")],
            id="ambiguous-with-borough",
        ),
        pytest.param(
            "Lives at 45 Elm St. in Austin with wife.",
            [("ADDRESS", "45 Elm St."), ("CITY", "Austin")],
            id="ambiguous-after-street",
        ),
        pytest.param("Her son in Austin calls daily.", [("CITY", "Austin")], id="relative"),
        pytest.param("Flew home to Mobile on Friday.", [("CITY", "Mobile")], id="home-to"),
        pytest.param("Lives in Buffalo.", [("CITY", "Buffalo")], id="strong-cue"),
        pytest.param(
            "Seen at the clinic on Parnassus Ave yesterday.",
            [("ADDRESS", "Parnassus Ave")],
            id="street-abbreviated",
        ),
        pytest.param("Seen by Smith Dr on rounds; on Chest Ct today.", [], id="not-streets"),
        pytest.param("Mobile, AL 36602", [("CITY", "Mobile"), ("ZIP", "36602")], id="with-state"),
        # near misses: clinical words, people and eponyms after the same cues
        pytest.param("Admitted to ICU from Progressive Care.", [], id="units"),
        pytest.param("Referred to Mobile crisis unit.", [], id="mobile-crisis"),
        pytest.param("Fat deposition in Buffalo hump distribution.", [], id="buffalo-hump"),
        pytest.param("Bolus given in Normal saline.", [], id="normal-saline"),
        pytest.param("Improving in Independence with ADLs.", [], id="independence"),
        pytest.param("Learned from Florence Nightingale.", [], id="florence"),
        pytest.param("Seen in Eagle syndrome workup.", [], id="eagle-syndrome"),
        pytest.param("Switched to Nitro drip, then to Norco.", [], id="drugs"),
        pytest.param("Improved in Glasgow Coma Scale to 14.", [], id="gcs-capitalised"),
        pytest.param("Improved in Glasgow coma scale to 14.", [], id="gcs"),
        pytest.param("Positive in Philadelphia chromosome testing.", [], id="philadelphia"),
        pytest.param("Fulfils in Rome IV criteria.", [], id="rome-iv"),
        pytest.param("Placed in Miami J collar.", [], id="miami-j"),
        pytest.param("Scored in Boston bowel prep scale.", [], id="boston-bowel"),
        pytest.param("Elevated in Framingham risk score.", [], id="framingham"),
        pytest.param("Outbreak from Norwalk virus.", [], id="norwalk"),
        pytest.param("Spoke to Austin about the plan.", [], id="person-ambiguous"),
        pytest.param("Spoke to Quincy about the plan.", [], id="person-after-verb"),
        pytest.param("Talked to Jackson and his mom.", [], id="surname"),
        pytest.param("Referred to Victoria's Secret", [], id="possessive"),
    ],
)
def test_city_gazetteer(text: str, expected: Spans) -> None:
    check(text, expected, ("CITY", "ADDRESS", "ZIP"))
