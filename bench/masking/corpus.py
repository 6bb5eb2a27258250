"""A labelled, clinical-style corpus for the masking evaluation, regenerated
at run time from a fixed seed (nothing large is committed).

The document *templates* below are ours: discharge summaries, referral
letters, laboratory and radiology reports, progress notes, patient portal
messages, telephone and nursing notes, billing statements, telehealth notes,
ED triage notes and social work notes, with plenty of clinical text that is
not PHI (drugs and doses, vitals, lab tables, scores, eponymous diseases and
signs, insurers, departments, years, ages under 90). Every *identifier* that
fills a template (names, dates, phone numbers, addresses, e-mail addresses,
SSNs, URLs, IPs, plates, card numbers, ...) is drawn from Faker (pinned:
:data:`FAKER_VERSION`), and the span it fills is labelled with its category
as it is inserted, so the labels come from the generator, never from a
detector. Record numbers (MRN, member ID, account, licence, serial) are Faker
``bothify``/``numerify`` strings in shapes we chose.

Gold categories (the finer set; the evaluation maps them onto a common set):
NAME, DATE, AGE (over 89 only), PHONE, FAX, EMAIL, URL, IP, SSN, MRN,
HEALTH_PLAN, ACCOUNT, LICENSE, DEVICE, VEHICLE, ID, ADDRESS, CITY, ZIP,
FACILITY. What Safe Harbor lets stay is not labelled: states, years on their
own, ages up to 89, titles and credentials around a name, weekdays, times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

FAKER_VERSION = "40.54.0"
"""The Faker release the corpus was recorded with; another release draws
other values from the same seed (the run reports the corpus digest)."""


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` is PHI of ``category``; ``kind`` names the
    generator and format that produced it (for grouping misses)."""

    start: int
    end: int
    category: str
    kind: str


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: int
    genre: str
    text: str
    spans: tuple[Span, ...]


# A piece of a document: its text, its gold category (None: not PHI), and the
# kind of value it is.
Segment = tuple[str, str | None, str]


def _plain(text: str) -> list[Segment]:
    return [(text, None, "")]


# --- clinical vocabulary that is not PHI ------------------------------------------

DRUGS = (
    *("metformin 1000 mg PO BID", "lisinopril 20 mg daily", "atorvastatin 40 mg nightly"),
    *("apixaban 5 mg BID", "Eliquis 2.5 mg twice daily", "furosemide 40 mg IV BID"),
    *("Lasix 20 mg PO daily", "metoprolol succinate 50 mg daily", "amlodipine 10 mg daily"),
    *("insulin glargine 22 units qHS", "Januvia 100 mg daily", "sertraline 50 mg daily"),
    *("Zoloft 100 mg daily", "levothyroxine 88 mcg daily", "pantoprazole 40 mg daily"),
    *("hydrocodone-acetaminophen 5/325 mg q6h PRN", "ondansetron 4 mg q8h PRN nausea"),
    *("ceftriaxone 1 g IV q24h", "vancomycin 1.25 g IV q12h", "Xarelto 20 mg with dinner"),
    *("prednisone 40 mg daily x5 days", "albuterol 2 puffs q4h PRN", "tamsulosin 0.4 mg qHS"),
    *("warfarin 5 mg (INR goal 2-3)", "gabapentin 300 mg TID", "Lipitor 80 mg daily"),
    *("aspirin 81 mg daily", "clopidogrel 75 mg daily", "enoxaparin 40 mg SC daily"),
    *("donepezil 10 mg qHS", "carbidopa-levodopa 25/100 mg TID", "Humalog sliding scale"),
)
DIAGNOSES = (
    *("type 2 diabetes mellitus", "hypertension", "hyperlipidemia", "atrial fibrillation"),
    *("heart failure with reduced ejection fraction (EF 30%)", "COPD (GOLD stage 3)"),
    *("chronic kidney disease stage 3b", "Parkinson's disease", "Alzheimer's dementia"),
    *("Crohn's disease", "Hashimoto's thyroiditis", "Graves' disease", "Cushing's syndrome"),
    *("Barrett's esophagus", "Hodgkin lymphoma in remission", "Bell's palsy"),
    *("Guillain-Barré syndrome", "Raynaud's phenomenon", "Sjögren's syndrome"),
    *("community-acquired pneumonia", "urinary tract infection", "sepsis due to E. coli"),
    *("NSTEMI", "obstructive sleep apnea on CPAP", "major depressive disorder"),
    *("osteoarthritis of the right knee", "gout", "iron deficiency anemia", "GERD"),
    *("benign prostatic hyperplasia", "Down syndrome", "Tourette syndrome", "Addison's disease"),
)
COMPLAINTS = (
    *("chest pain radiating to the left arm", "shortness of breath on exertion"),
    *("productive cough and fever to 101.8 F", "dizziness and two falls at home"),
    *("right lower quadrant abdominal pain", "worsening bilateral leg swelling"),
    *("confusion and decreased oral intake", "palpitations", "dysuria and flank pain"),
    *("a 3 cm laceration to the forearm", "low back pain after lifting", "new rash"),
)
COMPLICATIONS = (
    *("acute kidney injury (creatinine 2.1 from 1.0)", "delirium", "hypokalemia (K 3.1)"),
    *("a C. difficile infection", "atrial fibrillation with RVR", "a fall without injury"),
)
PLAN_ITEMS = (
    *("repeat echocardiogram", "outpatient sleep study", "physical therapy 2x/week"),
    *("a low-sodium diet (2 g/day)", "daily weights", "a colonoscopy in 3 years"),
    *("titration of diuretics", "smoking cessation counseling", "an MRI of the L-spine"),
)
DEPARTMENTS = (
    *("Cardiology", "Nephrology", "Physical Therapy", "Endocrinology", "Gastroenterology"),
    *("Infectious Disease", "Palliative Care", "Orthopedics", "Neurology", "Psychiatry"),
)
INSURERS = (
    *("Blue Cross Blue Shield", "Aetna", "UnitedHealthcare", "Cigna", "Humana"),
    *("Medicare Part B", "Medicaid", "Kaiser Permanente", "Tricare"),
)
EPONYM_SENTENCES = (
    "Murphy's sign was negative; McBurney's point nontender.",
    "Glasgow Coma Scale 15. Babinski sign absent bilaterally.",
    "Lachman and McMurray tests negative on the left knee.",
    "Epley maneuver performed with relief of vertigo.",
    "Foley catheter removed on hospital day 3; voiding without difficulty.",
    "Kernig and Brudzinski signs negative. No Homans sign.",
    "Apgar scores were 8 and 9. Trendelenburg gait noted.",
    "Valsalva maneuver terminated the SVT. Holter monitor ordered.",
    "Whipple procedure in 2016 per Dr. notes from outside records.",
    "Swan-Ganz catheter placed; Allen test normal before arterial line.",
)
LAB_NAMES = ("CBC", "BMP", "HbA1c", "lipid panel", "TSH", "INR", "CMP", "urinalysis")
LAB_ROWS = (
    ("Sodium", "138", "", "mmol/L", "136-145"),
    ("Potassium", "5.4", "H", "mmol/L", "3.5-5.1"),
    ("Chloride", "101", "", "mmol/L", "98-107"),
    ("CO2", "24", "", "mmol/L", "22-29"),
    ("BUN", "31", "H", "mg/dL", "7-20"),
    ("Creatinine", "1.42", "H", "mg/dL", "0.6-1.2"),
    ("Glucose", "142", "H", "mg/dL", "70-99"),
    ("WBC", "11.2", "H", "K/uL", "4.0-10.5"),
    ("Hemoglobin", "10.9", "L", "g/dL", "12.0-16.0"),
    ("Platelets", "212", "", "K/uL", "150-400"),
    ("HbA1c", "7.8", "H", "%", "4.0-5.6"),
    ("LDL", "132", "H", "mg/dL", "<100"),
    ("TSH", "2.31", "", "uIU/mL", "0.45-4.50"),
    ("INR", "2.6", "", "", "2.0-3.0"),
    ("eGFR", "48", "L", "mL/min/1.73m2", ">60"),
    ("Troponin I", "<0.01", "", "ng/mL", "<0.04"),
    ("BNP", "1240", "H", "pg/mL", "<100"),
    ("Lactate", "1.1", "", "mmol/L", "0.5-2.2"),
)
IMAGING = (
    *("CT ABDOMEN AND PELVIS WITH CONTRAST", "CHEST X-RAY PA/LATERAL", "MRI BRAIN WITHOUT"),
    *("US RIGHT UPPER QUADRANT", "CT ANGIOGRAM CHEST (PE PROTOCOL)", "XR LEFT KNEE 3 VIEWS"),
)
RAD_FINDINGS = (
    "No focal consolidation, pleural effusion or pneumothorax.",
    "Cardiomediastinal silhouette is enlarged. Mild pulmonary vascular congestion.",
    "There is a 6 mm nonobstructing calculus in the lower pole of the left kidney.",
    "Gallbladder wall thickening to 5 mm with pericholecystic fluid.",
    "No filling defect in the pulmonary arteries to the subsegmental level.",
    "Tricompartmental degenerative change, most severe medially; no fracture.",
    "Scattered T2/FLAIR hyperintensities consistent with chronic small vessel disease.",
    "The appendix measures 11 mm with periappendiceal fat stranding.",
)
RAD_IMPRESSIONS = (
    "1. No acute cardiopulmonary process.",
    "1. Findings compatible with acute cholecystitis. 2. Recommend surgical consultation.",
    "1. Acute appendicitis without perforation.",
    "1. Nonobstructing left nephrolithiasis. 2. No hydronephrosis.",
    "1. Moderate osteoarthritis. 2. No acute osseous abnormality.",
)
VACCINES = ("influenza vaccine", "Shingrix dose 2", "Tdap", "PCV20", "COVID-19 booster")
ALLERGIES = ("penicillin (hives)", "sulfa drugs", "NKDA", "latex", "codeine (nausea)")
EXAM = (
    *("Alert and oriented x3, no acute distress", "Lungs with bibasilar crackles"),
    *("Heart irregularly irregular, no murmur", "Abdomen soft, nontender, nondistended"),
    *("2+ pitting edema to the knees bilaterally", "Strength 5/5 in all extremities"),
    *("Cranial nerves II-XII intact", "Skin warm and dry; surgical incision clean"),
)
CONDITIONS = ("stable", "good", "fair", "improved")
DURATIONS = ("3 days", "2 weeks", "4-6 weeks", "3 months", "6 months", "1 year", "10 days")
TIMES = ("08:15", "14:30", "0930", "2:45 PM", "11:05", "16:50", "7 AM", "noon")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RELATIVES_F = ("daughter", "wife", "sister", "niece", "neighbor", "granddaughter", "partner")
RELATIVES_M = ("son", "husband", "brother", "nephew", "neighbor", "grandson", "partner")
CREDENTIALS = ("MD", "DO", "NP", "PA-C", "RN", "FNP-BC")
SUBJECTS = (
    "Question about my meds",
    "refill request",
    "Appointment",
    "Test results??",
    "Billing question",
    "Side effects",
)


# --- identifiers (Faker) and formats (ours) --------------------------------------

_MONTHS = (
    *("January", "February", "March", "April", "May", "June", "July", "August"),
    *("September", "October", "November", "December"),
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _date_formats() -> dict[str, Callable[[dt.date], str]]:
    def mon(d: dt.date) -> str:
        return _MONTHS[d.month - 1]

    return {
        "03/04/2021": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year}",
        "3/4/21": lambda d: f"{d.month}/{d.day}/{d.year % 100:02d}",
        "3/4/2021": lambda d: f"{d.month}/{d.day}/{d.year}",
        "03-04-2021": lambda d: f"{d.month:02d}-{d.day:02d}-{d.year}",
        "2021-03-04": lambda d: d.isoformat(),
        "04-Mar-2021": lambda d: f"{d.day:02d}-{mon(d)[:3]}-{d.year}",
        "04-MAR-2021": lambda d: f"{d.day:02d}-{mon(d)[:3].upper()}-{d.year}",
        "04MAR2021": lambda d: f"{d.day:02d}{mon(d)[:3].upper()}{d.year}",
        "March 4, 2021": lambda d: f"{mon(d)} {d.day}, {d.year}",
        "March 4th": lambda d: f"{mon(d)} {_ordinal(d.day)}",
        "Mar 4": lambda d: f"{mon(d)[:3]} {d.day}",
        "Mar. 4, 2021": lambda d: f"{mon(d)[:3]}. {d.day}, {d.year}",
        "4 March 2021": lambda d: f"{d.day} {mon(d)} {d.year}",
        "the 4th of March": lambda d: f"the {_ordinal(d.day)} of {mon(d)}",
        "03.04.2021": lambda d: f"{d.month:02d}.{d.day:02d}.{d.year}",
        "March 2021": lambda d: f"{mon(d)} {d.year}",
        "03/2021": lambda d: f"{d.month:02d}/{d.year}",
        "20210304": lambda d: f"{d.year}{d.month:02d}{d.day:02d}",
    }


DATE_FORMATS = _date_formats()
# Header fields ("DOB:", "Date of service:") use the numeric and ISO forms
# most; running text uses all of them.
_HEADER_DATE_FORMATS = ("03/04/2021", "3/4/2021", "2021-03-04", "04-Mar-2021", "03-04-2021")


@dataclass
class _Person:
    first: str
    last: str
    middle: str
    female: bool


@dataclass
class _State:
    """What one document keeps consistent: its patient and physician."""

    patient: _Person
    doctor: _Person
    relative: _Person
    relation: str
    dob: dt.date
    age: int
    mrn: str
    email: str
    used: set[tuple[str, str]] = field(default_factory=set)


class Generator:
    """Expands templates into labelled documents. ``{name}`` calls the
    method ``g_name`` (which returns segments); ``{@pool}`` expands a random
    template of :data:`POOLS` ``[pool]``."""

    _PLACEHOLDER = re.compile(r"\{(@?)(\w+)\}")

    def __init__(self, seed: int) -> None:
        faker = importlib.import_module("faker")
        self.faker_version: str = str(faker.VERSION)
        self.fake: Any = faker.Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.st = self._new_state()

    # -- the document's people -------------------------------------------------

    def _person(self, female: bool | None = None) -> _Person:
        female = self.rng.random() < 0.5 if female is None else female
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        return _Person(first, self.fake.last_name(), self.fake.first_name()[0], female)

    def _new_state(self) -> _State:
        # One patient in four is over 89 (their age is PHI).
        age = self.rng.randint(90, 104) if self.rng.random() < 0.25 else self.rng.randint(19, 88)
        dob = self.fake.date_of_birth(minimum_age=age, maximum_age=age)
        relative = self._person()
        return _State(
            patient=self._person(),
            doctor=self._person(),
            relative=relative,
            relation=self.rng.choice(RELATIVES_F if relative.female else RELATIVES_M),
            dob=dob,
            age=age,
            mrn=self._mrn_value(),
            email=self.fake.email(),
        )

    def _mrn_value(self) -> str:
        shape = self.rng.choice(("########", "#######", "00######", "??#######", "###-##-###"))
        return str(self.fake.bothify(shape, letters="ABCDEFGHJKLMNPRSTUVWXYZ"))

    # -- expansion -------------------------------------------------------------

    def expand(self, template: str) -> list[Segment]:
        out: list[Segment] = []
        pos = 0
        for m in self._PLACEHOLDER.finditer(template):
            out.append((template[pos : m.start()], None, ""))
            if m.group(1):
                out.extend(self.expand(self._from_pool(m.group(2))))
            else:
                method: Callable[[], list[Segment]] = getattr(self, "g_" + m.group(2))
                out.extend(method())
            pos = m.end()
        out.append((template[pos:], None, ""))
        return out

    def _from_pool(self, pool: str) -> str:
        """A template of ``pool`` not yet used in this document, if any is left."""
        fresh = [t for t in POOLS[pool] if (pool, t) not in self.st.used]
        choice = self.rng.choice(fresh or POOLS[pool])
        self.st.used.add((pool, choice))
        return choice

    def document(self, doc_id: int, genre: str) -> Document:
        self.st = self._new_state()
        segments = self.expand(self.rng.choice(GENRES[genre]))
        parts: list[str] = []
        spans: list[Span] = []
        pos = 0
        for text, category, kind in segments:
            if category is not None and text:
                spans.append(Span(pos, pos + len(text), category, kind))
            parts.append(text)
            pos += len(text)
        return Document(doc_id, genre, "".join(parts), tuple(spans))

    # -- helpers -----------------------------------------------------------------

    def _pick(self, items: Sequence[str]) -> list[Segment]:
        return _plain(self.rng.choice(items))

    def _date(self, d: dt.date, formats: Sequence[str] | None = None) -> list[Segment]:
        style = self.rng.choice(list(formats or DATE_FORMATS))
        return [(DATE_FORMATS[style](d), "DATE", f"DATE {style}")]

    def _recent(self) -> dt.date:
        d: dt.date = self.fake.date_between(start_date="-6y", end_date="today")
        return d

    def _name(self, p: _Person, style: str) -> list[Segment]:
        kind = f"NAME {style}"
        if style == "First Last":
            return [(f"{p.first} {p.last}", "NAME", kind)]
        if style == "First M. Last":
            return [(f"{p.first} {p.middle}. {p.last}", "NAME", kind)]
        if style == "Last, First":
            return [(p.last, "NAME", kind), (", ", None, ""), (p.first, "NAME", kind)]
        if style == "LAST, FIRST":
            return [
                (p.last.upper(), "NAME", kind),
                (", ", None, ""),
                (p.first.upper(), "NAME", kind),
            ]
        if style == "Last, First M.":
            return [
                (p.last, "NAME", kind),
                (", ", None, ""),
                (f"{p.first} {p.middle}.", "NAME", kind),
            ]
        if style == "First":
            return [(p.first, "NAME", kind)]
        if style == "first (lower case)":
            return [(p.first.lower(), "NAME", kind)]
        if style == "Last":
            return [(p.last, "NAME", kind)]
        raise ValueError(style)

    def _titled(self, p: _Person, *, doctor: bool) -> list[Segment]:
        if doctor:
            title = self.rng.choice(("Dr. ", "Dr. ", "Dr ", "Doctor "))
        else:
            title = (
                "Ms. "
                if p.female and self.rng.random() < 0.5
                else ("Mrs. " if p.female else "Mr. ")
            )
        if self.rng.random() < 0.6:
            return [(title, None, ""), (p.last, "NAME", f"NAME {title.strip()} Last")]
        return [
            (title, None, ""),
            (f"{p.first} {p.last}", "NAME", f"NAME {title.strip()} First Last"),
        ]

    # -- placeholders: the patient ---------------------------------------------

    def g_pt_full(self) -> list[Segment]:
        return self._name(self.st.patient, "First Last")

    def g_pt_label(self) -> list[Segment]:
        style = self.rng.choice(
            ("First Last", "Last, First", "LAST, FIRST", "First M. Last", "Last, First M.")
        )
        return self._name(self.st.patient, style)

    def g_pt_upper(self) -> list[Segment]:
        return self._name(self.st.patient, "LAST, FIRST")

    def g_pt_title(self) -> list[Segment]:
        return self._titled(self.st.patient, doctor=False)

    def g_pt_first(self) -> list[Segment]:
        return self._name(self.st.patient, "First")

    def g_pt_first_lower(self) -> list[Segment]:
        return self._name(self.st.patient, "first (lower case)")

    def g_pt_last(self) -> list[Segment]:
        return self._name(self.st.patient, "Last")

    def g_he(self) -> list[Segment]:
        return _plain("She" if self.st.patient.female else "He")

    def g_he_lower(self) -> list[Segment]:
        return _plain("she" if self.st.patient.female else "he")

    def g_his(self) -> list[Segment]:
        return _plain("her" if self.st.patient.female else "his")

    def g_his_cap(self) -> list[Segment]:
        return _plain("Her" if self.st.patient.female else "His")

    def g_sex(self) -> list[Segment]:
        return _plain("F" if self.st.patient.female else "M")

    def g_sex_word(self) -> list[Segment]:
        female = self.st.patient.female
        return self._pick(("woman", "female") if female else ("man", "male"))

    def g_dob(self) -> list[Segment]:
        return self._date(self.st.dob, _HEADER_DATE_FORMATS)

    def g_mrn(self) -> list[Segment]:
        return [(self.st.mrn, "MRN", "MRN")]

    def g_pt_email(self) -> list[Segment]:
        return [(self.st.email, "EMAIL", "EMAIL")]

    def g_age(self) -> list[Segment]:
        """The patient's age in running text: "67-year-old" is not PHI,
        "93-year-old" is (only the number is labelled)."""
        n = self.st.age
        form = self.rng.choice(
            ("{}-year-old", "{} year old", "{} y/o", "{} yo", "{}yo", "{}-yr-old", "{} years old")
        )
        head, tail = form.split("{}")
        if n <= 89:
            return _plain(form.format(n))
        return [(head, None, ""), (str(n), "AGE", f"AGE {form.format('N')}"), (tail, None, "")]

    def g_age_field(self) -> list[Segment]:
        """The age in a header ("Age: 93", "aged 93")."""
        n = self.st.age
        label = self.rng.choice(("Age: ", "Age ", "AGE: "))
        if n <= 89:
            return _plain(f"{label}{n}")
        return [(label, None, ""), (str(n), "AGE", f"AGE {label.strip()} N")]

    # -- other people ----------------------------------------------------------

    def g_dr_full(self) -> list[Segment]:
        return self._name(self.st.doctor, self.rng.choice(("First Last", "First M. Last")))

    def g_dr_label(self) -> list[Segment]:
        style = self.rng.choice(("First Last", "Last, First", "LAST, FIRST", "First M. Last"))
        return self._name(self.st.doctor, style)

    def g_dr_title(self) -> list[Segment]:
        return self._titled(self.st.doctor, doctor=True)

    def g_dr_last(self) -> list[Segment]:
        return self._name(self.st.doctor, "Last")

    def g_other_dr(self) -> list[Segment]:
        """Another clinician, with a title or a credential, or bare."""
        p = self._person()
        r = self.rng.random()
        if r < 0.4:
            return self._titled(p, doctor=True)
        if r < 0.7:
            cred = self.rng.choice(CREDENTIALS)
            return [*self._name(p, "First Last"), (f", {cred}", None, "")]
        return self._name(p, "First Last")

    def g_nurse(self) -> list[Segment]:
        p = self._person()
        return [*self._name(p, self.rng.choice(("First Last", "First"))), (", RN", None, "")]

    def g_rel(self) -> list[Segment]:
        """ "her daughter Jane" / "his son, John Smith"."""
        p = self.st.relative
        style = self.rng.choice(("First", "First Last", "First Last"))
        return [(f"{self.st.relation} ", None, ""), *self._name(p, style)]

    def g_rel_name(self) -> list[Segment]:
        return self._name(self.st.relative, self.rng.choice(("First", "First Last")))

    def g_relation(self) -> list[Segment]:
        return _plain(self.st.relation)

    def g_cred(self) -> list[Segment]:
        return self._pick(CREDENTIALS)

    # -- dates -----------------------------------------------------------------

    def g_date(self) -> list[Segment]:
        return self._date(self._recent())

    def g_hdate(self) -> list[Segment]:
        return self._date(self._recent(), _HEADER_DATE_FORMATS)

    def g_date_long(self) -> list[Segment]:
        return self._date(self._recent(), ("March 4, 2021", "4 March 2021", "Mar. 4, 2021"))

    def g_date_md(self) -> list[Segment]:
        """Month and day only, numeric ("on 3/4"): the cue is the template's."""
        d = self._recent()
        return [(f"{d.month}/{d.day}", "DATE", "DATE 3/4")]

    def g_datetime(self) -> list[Segment]:
        date = self._date(self._recent(), _HEADER_DATE_FORMATS)
        return [*date, *self._pick((" ", " at ")), *self._pick(TIMES)]

    def g_weekday_date(self) -> list[Segment]:
        d = self._recent()
        return [(f"{WEEKDAYS[d.weekday()]}, ", None, ""), *self._date(d, ("March 4th", "Mar 4"))]

    # -- contact -----------------------------------------------------------------

    def g_phone(self) -> list[Segment]:
        value = self.fake.phone_number()
        shape = re.sub(r"x[0-9]+$", "x…", re.sub(r"[0-9]", "#", value))
        return [(value, "PHONE", f"PHONE {shape}")]

    def g_fax(self) -> list[Segment]:
        return [(self.fake.basic_phone_number(), "FAX", "FAX")]

    def g_email(self) -> list[Segment]:
        value = self.rng.choice((self.fake.email, self.fake.free_email, self.fake.company_email))()
        return [(value, "EMAIL", "EMAIL")]

    def g_url(self) -> list[Segment]:
        r = self.rng.random()
        if r < 0.35:
            return [(self.fake.url(), "URL", "URL site")]
        if r < 0.7:
            return [(self.fake.uri(), "URL", "URL page")]
        host = self.rng.choice(("portal", "mychart", "patient", "records"))
        path = self.rng.choice(("patients", "results", "msg", "visit"))
        value = f"https://{host}.{self.fake.domain_name()}/{path}/{self.fake.numerify('#######')}"
        return [(value, "URL", "URL portal link")]

    def g_ip(self) -> list[Segment]:
        r = self.rng.random()
        if r < 0.6:
            return [(self.fake.ipv4_public(), "IP", "IP v4 public")]
        if r < 0.85:
            return [(self.fake.ipv4_private(), "IP", "IP v4 private")]
        return [(self.fake.ipv6(), "IP", "IP v6")]

    # -- identifiers ---------------------------------------------------------------

    def g_ssn(self) -> list[Segment]:
        value = self.fake.ssn()
        if self.rng.random() < 0.2:
            return [(value.replace("-", ""), "SSN", "SSN 9 digits")]
        return [(value, "SSN", "SSN ###-##-####")]

    def g_other_mrn(self) -> list[Segment]:
        return [(self._mrn_value(), "MRN", "MRN")]

    def g_plan_id(self) -> list[Segment]:
        shape = self.rng.choice(("???#########", "W#########", "#########-01", "??#######"))
        value = self.fake.bothify(shape, letters="ABCDEFGHJKLMNPQRSTUVWXYZ")
        return [(value, "HEALTH_PLAN", "HEALTH_PLAN member ID")]

    def g_account(self) -> list[Segment]:
        value = self.fake.numerify(self.rng.choice(("##########", "#########", "########-##")))
        return [(value, "ACCOUNT", "ACCOUNT number")]

    def g_claim(self) -> list[Segment]:
        value = self.fake.bothify("##?#########", letters="ABCDEFGHJKLMNPQRSTUVWXYZ")
        return [(value, "ACCOUNT", "ACCOUNT claim number")]

    def g_card(self) -> list[Segment]:
        return [(self.fake.credit_card_number(), "ACCOUNT", "ACCOUNT card number")]

    def g_license(self) -> list[Segment]:
        value = self.fake.bothify(self.rng.choice(("?#######", "?###-####-####", "#########")))
        return [(value.upper(), "LICENSE", "LICENSE driver's licence")]

    def g_plate(self) -> list[Segment]:
        return [(self.fake.license_plate(), "VEHICLE", "VEHICLE plate")]

    def g_serial(self) -> list[Segment]:
        value = self.fake.bothify(self.rng.choice(("???######", "SN-#######", "##??####??")))
        return [(value.upper(), "DEVICE", "DEVICE serial")]

    def g_accession(self) -> list[Segment]:
        value = self.fake.bothify(self.rng.choice(("S##-#####", "??########", "#########")))
        return [(value.upper(), "ID", "ID accession")]

    # -- geography -----------------------------------------------------------------

    def g_street(self) -> list[Segment]:
        return [(self.fake.street_address(), "ADDRESS", "ADDRESS street")]

    def g_street_name(self) -> list[Segment]:
        return [(self.fake.street_name(), "ADDRESS", "ADDRESS street name only")]

    def g_city(self) -> list[Segment]:
        return [(self.fake.city(), "CITY", "CITY alone")]

    def g_city_state(self) -> list[Segment]:
        state = self.fake.state() if self.rng.random() < 0.3 else self._state_abbr()
        return [(self.fake.city(), "CITY", "CITY before state"), (f", {state}", None, "")]

    def g_csz(self) -> list[Segment]:
        """ "Springfield, IL 62704" (the state stays)."""
        zipcode = self.fake.zipcode_plus4() if self.rng.random() < 0.2 else self.fake.zipcode()
        sep = self.rng.choice((", ", " "))
        return [
            (self.fake.city(), "CITY", "CITY before state"),
            (f"{sep}{self._state_abbr()} ", None, ""),
            (zipcode, "ZIP", "ZIP after state"),
        ]

    def _state_abbr(self) -> str:
        # States and territories; not the freely associated states (FM, MH, PW).
        return str(self.fake.state_abbr(include_freely_associated_states=False))

    def g_address(self) -> list[Segment]:
        sep = self.rng.choice((", ", "\n"))
        return [*self.g_street(), (sep, None, ""), *self.g_csz()]

    def g_zip_cued(self) -> list[Segment]:
        return [("ZIP code ", None, ""), (self.fake.zipcode(), "ZIP", "ZIP after cue")]

    def g_facility(self) -> list[Segment]:
        form = self.rng.choice(
            (
                "{last} Memorial Hospital",
                "{city} General Hospital",
                "{last} Medical Center",
                "St. {first}'s Hospital",
                "{last} Family Clinic",
                "{city} Rehabilitation Center",
                "{last} Nursing Home",
            )
        )
        value = form.format(
            last=self.fake.last_name(), city=self.fake.city(), first=self.fake.first_name()
        )
        return [(value, "FACILITY", f"FACILITY {form}")]

    # -- not PHI ---------------------------------------------------------------------

    def g_drug(self) -> list[Segment]:
        return self._pick(DRUGS)

    def g_dx(self) -> list[Segment]:
        return self._pick(DIAGNOSES)

    def g_complaint(self) -> list[Segment]:
        return self._pick(COMPLAINTS)

    def g_complication(self) -> list[Segment]:
        return self._pick(COMPLICATIONS)

    def g_plan(self) -> list[Segment]:
        return self._pick(PLAN_ITEMS)

    def g_dept(self) -> list[Segment]:
        return self._pick(DEPARTMENTS)

    def g_insurer(self) -> list[Segment]:
        return self._pick(INSURERS)

    def g_eponym(self) -> list[Segment]:
        return self._pick(EPONYM_SENTENCES)

    def g_lab_name(self) -> list[Segment]:
        return self._pick(LAB_NAMES)

    def g_imaging(self) -> list[Segment]:
        return self._pick(IMAGING)

    def g_rad_finding(self) -> list[Segment]:
        return self._pick(RAD_FINDINGS)

    def g_rad_impression(self) -> list[Segment]:
        return self._pick(RAD_IMPRESSIONS)

    def g_vaccine(self) -> list[Segment]:
        return self._pick(VACCINES)

    def g_allergy(self) -> list[Segment]:
        return self._pick(ALLERGIES)

    def g_exam(self) -> list[Segment]:
        items = self.rng.sample(EXAM, 3)
        return _plain(". ".join(items))

    def g_condition(self) -> list[Segment]:
        return self._pick(CONDITIONS)

    def g_duration(self) -> list[Segment]:
        return self._pick(DURATIONS)

    def g_time(self) -> list[Segment]:
        return self._pick(TIMES)

    def g_weekday(self) -> list[Segment]:
        return self._pick(WEEKDAYS)

    def g_subject(self) -> list[Segment]:
        return self._pick(SUBJECTS)

    def g_year(self) -> list[Segment]:
        """A year on its own: Safe Harbor keeps it."""
        return _plain(str(self.rng.randint(1998, 2023)))

    def g_small(self) -> list[Segment]:
        return _plain(str(self.rng.randint(2, 9)))

    def g_pain(self) -> list[Segment]:
        return _plain(f"{self.rng.randint(2, 9)}/10")

    def g_vitals(self) -> list[Segment]:
        r = self.rng
        return _plain(
            f"T {r.choice(('36.8', '37.2', '38.4', '98.6 F'))}, HR {r.randint(58, 118)}, "
            f"BP {r.randint(98, 168)}/{r.randint(54, 98)}, RR {r.randint(12, 24)}, "
            f"SpO2 {r.randint(88, 100)}% on {r.choice(('room air', '2 L NC', '4 L NC'))}, "
            f"weight {r.randint(48, 131)} kg"
        )

    def g_labs(self) -> list[Segment]:
        rows = self.rng.sample(LAB_ROWS, 4)
        return _plain(", ".join(f"{name} {value}" for name, value, *_ in rows))

    def g_lab_table(self) -> list[Segment]:
        rows = self.rng.sample(LAB_ROWS, self.rng.randint(6, 10))
        lines = [
            f"{name:<16}{value:>8}  {flag:<2} {units:<14}{ref}"
            for name, value, flag, units, ref in rows
        ]
        return _plain("\n".join(lines))

    def g_med_list(self) -> list[Segment]:
        meds = self.rng.sample(DRUGS, self.rng.randint(3, 6))
        return _plain("\n".join(f"- {m}" for m in meds))

    def g_lot(self) -> list[Segment]:
        return _plain(self.fake.bothify("??####", letters="ABCDEFGHJKLMNPRSTUVWXYZ"))

    def g_money(self) -> list[Segment]:
        return _plain(f"${self.rng.randint(20, 4800)}.{self.rng.randint(0, 99):02d}")

    def g_cpt(self) -> list[Segment]:
        return self._pick(
            (
                "99214 office visit, est. patient",
                "93000 electrocardiogram",
                "80053 comprehensive metabolic panel",
                "71046 chest x-ray 2 views",
                "97110 therapeutic exercise x2 units",
            )
        )

    def g_icd(self) -> list[Segment]:
        return self._pick(("E11.9", "I10", "I48.91", "N18.32", "J44.1", "M17.11", "K21.9"))


# --- templates --------------------------------------------------------------------

GENRES: dict[str, tuple[str, ...]] = {
    "discharge summary": (
        """DISCHARGE SUMMARY
{facility}
Patient: {pt_label}          MRN: {mrn}
DOB: {dob}     Sex: {sex}     {age_field}
Admission Date: {hdate}     Discharge Date: {hdate}
Attending: {dr_label}
PCP: {other_dr}

HISTORY OF PRESENT ILLNESS:
{pt_title} is a {age} {sex_word} with a history of {dx}, {dx} and {dx} who presented to the \
Emergency Department on {date} with {complaint}. {@hpi} {@hpi} {@hpi}

PAST MEDICAL HISTORY: {dx}; {dx}; {dx}; appendectomy ({year}).
SOCIAL HISTORY: {@social} {@social}
REVIEW OF SYSTEMS: {@ros}

LABS ON ADMISSION:
{lab_table}

HOSPITAL COURSE:
{@course} {@course} {@course} {@course}

DISCHARGE MEDICATIONS:
{med_list}

EXAM AT DISCHARGE:
{vitals}. {exam}.

FOLLOW-UP:
{@followup}
{@followup}

Condition at discharge: {condition}. {@education} {@contact}

{@signature}
""",
        """Discharge Summary - {dept} service

Name: {pt_label}    Medical Record #: {mrn}    Date of birth: {dob}
Admitted {hdate}, discharged {hdate} to {@dispo}.

Reason for admission: {complaint}.
Principal diagnosis: {dx} ({icd}). Secondary: {dx}; {dx}.

Brief history: {age} {sex_word}. {@hpi} {@hpi} {@course}

Procedures: {@procedure}
Consults: {dept} ({other_dr}), {dept}.
Imaging: {imaging} on {date}: {rad_finding}

Course by problem:
# {dx}: {@course} {@course}
# {dx}: {@course} Pain was rated {pain} at discharge.
# {dx}: continue {drug}; {plan}.

Medications changed: started {drug}; stopped {drug}.
Pending at discharge: {lab_name} drawn {date}.

Instructions given to {pt_title} and {his} {rel}. {@education} {@education}
{@followup} {@contact}

{@signature}
""",
    ),
    "referral letter": (
        """{facility}
{address}
Tel: {phone}    Fax: {fax}

{date_long}

{dr_title}
{dept}
{facility}
{address}

Re: {pt_full}, DOB {dob}, MRN {mrn}

Dear Dr. {dr_last},

Thank you for seeing {pt_title}, a {age} {sex_word} I have followed since {year} for \
{dx}. {@referral} {@referral} {@referral}

Past history includes {dx}, {dx} and {dx}. {@social} {@ros}

Current medications include {drug}, {drug} and {drug}. Allergies: {allergy}.
Recent labs ({date}): {labs}.
Examination today: {vitals}. {exam}. {eponym}

{@referral} {@referral_close}

Sincerely,

{other_dr}
{dept}
{email}
""",
        """REFERRAL - {dept}
Date: {hdate}
To: {dr_title}, {facility}, {city_state}
From: {other_dr} (phone {phone})
Patient: {pt_label}   DOB: {dob}   {age_field}
Address: {address}
Insurance: {insurer}, member ID {plan_id}

Reason for referral: {dx} not controlled on {drug}. {@referral}
{@referral} {@referral}

Pertinent history: {dx}; {dx}. Medications: {drug}; {drug}; {drug}.
Vitals: {vitals}. Labs: {labs}.
{@ros}

Urgency: routine (within {duration}). Please call the office at {phone} or fax \
records to {fax}. {@referral_close}
""",
    ),
    "laboratory report": (
        """{facility} CLINICAL LABORATORY
{address}    CLIA 05D{lot}

PATIENT: {pt_upper}     MRN: {mrn}     DOB: {dob}     SEX: {sex}
ACCESSION: {accession}     COLLECTED: {datetime}     RECEIVED: {datetime}
ORDERING: {dr_label}
INSURANCE: {insurer}     MEMBER ID: {plan_id}

TEST                RESULT  FL UNITS         REFERENCE
{lab_table}

URINALYSIS          Clear, yellow; SG 1.015; pH 6.0; protein trace; glucose negative;
                    ketones negative; blood negative; nitrite negative; LE small.
MICROSCOPY          WBC 5-10/hpf, RBC 0-2/hpf, few bacteria, no casts.

COMMENT: {@lab_comment} {@lab_comment} {@lab_comment}
Reported {datetime}. Performed at {facility}, {csz}.
Medical director: {other_dr}.
""",
        """Lab results - {lab_name} and {lab_name}
Pt: {pt_label} ({mrn})   Collected {hdate} {time}
{lab_table}
{lab_table}
{@lab_comment} {@lab_comment}
Results reviewed by {dr_title} on {date}: {@lab_review} {@lab_review}
Interpretation: {@lab_interp}
""",
    ),
    "radiology report": (
        """{facility} - Department of Radiology
EXAM: {imaging}     DATE: {hdate}     ACC#: {accession}
PATIENT: {pt_label}     MRN: {mrn}     DOB: {dob}
REFERRING PHYSICIAN: {dr_title}

CLINICAL HISTORY: {age} {sex_word} with {complaint}. History of {dx}.
COMPARISON: {@comparison}
TECHNIQUE: Standard protocol. Contrast: 100 mL iohexol 350 IV without complication.
DLP 412 mGy-cm. Dose reduction techniques were used.

FINDINGS:
{rad_finding} {rad_finding} {rad_finding}
Lines and tubes: none. Osseous structures: age-appropriate degenerative change.
Upper abdomen: unremarkable within the field of view.

IMPRESSION:
{rad_impression}

Critical result communicated to {dr_title} by telephone at {time} on {date}.
Images available at {url}. Dictated by {other_dr}; signed {datetime}.
PACS node {ip}.
""",
    ),
    "progress note": (
        """{dept} Progress Note        Date of service: {hdate}
Patient: {pt_label}   MRN {mrn}   {age_field}
Provider: {other_dr}

S: {@subjective} {@subjective} {@subjective} {@subjective}
ROS: {@ros}
O: {vitals}. {exam}. Labs from {date}: {labs}.
A/P:
1. {dx} ({icd}) - {plan}. {@course}
2. {dx} - continue {drug}. {@education}
3. {dx} - {plan}; recheck {lab_name} in {duration}.
4. Health maintenance - {vaccine} given today, lot {lot}.
RTC {duration}. Discussed plan with {pt_title} and {his} {rel}.
Total time 35 minutes, more than half in counseling.

{@signature}
""",
        """SOAP note {hdate}
{pt_label}, {age}, seen in clinic with {his} {rel}.
Subjective: {@subjective} {@subjective} {@subjective}
Objective: {vitals}. {exam}. {eponym}
Assessment: {dx}; {dx}.
Plan: {plan}; {plan}. {@education} Next visit {weekday_date}. {@followup}
Medications reconciled: {drug}; {drug}; {drug}.
-- {dr_full}, {cred}
""",
    ),
    "portal message": (
        """From: {pt_full} <{pt_email}>
To: {dept} nurse triage
Sent: {date} {time}
Subject: {subject}

{@greeting}

{@message} {@message} {@message} {@message}

{@msg_sign}

---- Reply from {nurse} ({date}) ----
Hi {pt_first}, {@reply} {@education}

---- Original order ----
{drug}; {drug}. Diagnosis: {dx} ({icd}).
""",
        """Subject: {subject}
{@greeting} {@message} {@message} {@message}
{@msg_sign}

> On {date}, {dr_title} wrote: {@reply} {@education}
""",
    ),
    "telephone note": (
        """TELEPHONE ENCOUNTER   {hdate} {time}
Caller: {rel_name} ({relation})   Callback: {phone}
Patient: {pt_label}   DOB: {dob}   MRN: {mrn}

Reason for call: {@phone_reason}
{@phone_body} {@phone_body} {@phone_body}
Current medications: {drug}; {drug}; {drug}.
Advised: {@phone_advice} {@education}
Routed to {dr_title}. Call back number confirmed as {phone}.
{nurse}
""",
        """Nursing note {hdate} {time}
{pt_title} resting in bed, {vitals}. {@nursing} {@nursing} {@nursing} {@nursing}
Intake 1200 mL / output 950 mL. Braden score 16. Fall risk: high (Morse 55).
Pain reassessed at {time}: {pain}.
Family ({his} {rel}) updated by phone at {phone}. {@education}
{nurse}
""",
    ),
    "billing statement": (
        """{insurer} - EXPLANATION OF BENEFITS (THIS IS NOT A BILL)
Member: {pt_full}     Member ID: {plan_id}
Mailing address: {address}
Statement date: {date_long}     Claim number: {claim}

Service date  Provider                  Service                      Billed    You owe
{hdate}    {facility}    {cpt}    {money}   {money}
{hdate}    {facility}    {cpt}    {money}   {money}
{hdate}    {facility}    {cpt}    {money}   {money}

Your plan paid {money}. Deductible met this year: {money} of $1500.00.
Out-of-pocket maximum: $6000.00. Remark code N130: consult plan benefit documents.
If you disagree with this decision you may appeal within 180 days.

Questions? Call member services at {phone} (TTY 711) or visit {url}.
""",
        """PATIENT STATEMENT - {facility}
Guarantor: {pt_label}    Account #: {account}
Patient DOB: {dob}    SSN on file: {ssn}
Address: {address}

Date of service   Description                               Charges
{hdate}           {cpt}        {money}
{hdate}           {cpt}        {money}
Insurance payment ({insurer})                                -{money}
Adjustment                                                   -{money}

Balance forward {money}. Payment received {date} - thank you.
Card on file: {card} (exp 08/27).
Payment plan: {money}/month. For billing questions e-mail {email} or call {phone}.
Financial assistance is available; see the enclosed application.
""",
    ),
    "telehealth note": (
        """Telehealth Visit - {dept}    {hdate} {time}
Patient {pt_full} ({mrn}) joined by video from {city_state}; session link {url}
Connection: client IP {ip}, identity verified with DOB {dob}.
Consent for telehealth obtained verbally. Also present: {his} {rel}.
Remote monitoring device serial number {serial} transmitted daily readings since {date}:
average BP 138/82, HR 74, weight stable at {small}0 kg variance <1 kg.

{@subjective} {@subjective} {@subjective}
ROS: {@ros}
Exam limited by video: well appearing, speaking full sentences, no JVD visible.
Assessment and plan: {dx} - {plan}. {dx} - continue {drug}. {@education}
Follow-up video visit {weekday_date}. Patient e-mail for the link: {pt_email}.
{@signature}
""",
    ),
    "ED triage note": (
        """ED TRIAGE {hdate} {time}
Arrived by EMS from {address}. {age} {sex_word}, restrained driver in a low-speed MVC.
Vehicle plate {plate}. ID: driver's license {license}.
Chief complaint: {complaint}. Triage vitals: {vitals}. ESI level 3.
PMH: {dx}, {dx}. Meds: {drug}; {drug}. Allergies: {allergy}.
Emergency contact: {rel_name} ({relation}) {phone}.
Primary survey intact; c-collar applied by EMS, cleared by NEXUS criteria.
FAST exam negative. {eponym}
Seen by {dr_title} at {time}. {@course} {@course}
Disposition: {@dispo}. {@education}
""",
    ),
    "social work note": (
        """SOCIAL WORK ASSESSMENT   {hdate}
{pt_title} ({age_field}) lives alone in an apartment at {address}. {his_cap} {rel} \
visits on {weekday}s and lives in {city}. {@social} {@social} {@social}
Applying for Medicaid; SSN {ssn}, current plan ID {plan_id}.
Home health agency: {facility}, phone {phone}, fax {fax}.
PHQ-9 score 11 (moderate). Screened negative for food insecurity and intimate partner violence.
Plan discussed with {dr_title} and {other_dr}. Will follow up {date_md} -- see on {date_md}.
{nurse}
""",
    ),
}

POOLS: dict[str, tuple[str, ...]] = {
    "hpi": (
        "Symptoms began {duration} ago and were worse with exertion.",
        "{he} lives with {his} {rel} at {address}.",
        "{he} was last seen in clinic by {dr_title} on {date}.",
        "{he} was transferred from {facility} after a CT showed {rad_finding}",
        "Family history is notable for {dx} in {his} father.",
        "{he} denies fevers, chills or weight loss and takes {drug} since {year}.",
        "{pt_last} reports {complaint} since {weekday}.",
        "Collateral history was obtained from {his} {rel}, reachable at {phone}.",
        "{he} was a retired teacher in {city_state} until moving here in {year}.",
        "Of note, {he_lower} was hospitalized at {facility} on {date} for {dx}.",
        "In the ED {he_lower} received {drug} and 1 L of lactated Ringer's.",
    ),
    "course": (
        "Troponins were negative x3 and the patient was started on {drug}.",
        "{pt_title} was seen by {dept}, who recommended {plan}.",
        "On hospital day {small}, {he_lower} developed {complication}, treated with {drug}.",
        "Labs on {date} showed {labs}.",
        "{dx} was managed with {drug} and {plan}.",
        "Case management arranged home health; the agency can be reached at {phone}.",
        "Pain was controlled, rated {pain} on the last day.",
        "{eponym}",
        "Discussed goals of care with {his} {rel} at bedside on {date}.",
        "Blood cultures from {date_md} grew E. coli sensitive to ceftriaxone.",
        "Diuresed 4.2 L over the admission with improvement in dyspnea.",
        "A1c 9.1%; basal insulin was increased by 10% every 3 days to a fasting goal <130.",
    ),
    "followup": (
        "Follow up with {dr_title} in {duration} at {facility}, {address}.",
        "Appointment with {dept} on {date} at {time}.",
        "Call {phone} with questions or if symptoms recur.",
        "Results will be posted to the patient portal at {url}.",
        "Repeat {lab_name} in {duration}.",
        "See {other_dr} on {weekday_date}.",
    ),
    "contact": (
        "Emergency contact: {rel_name} ({relation}), {phone}.",
        "Patient e-mail on file: {pt_email}.",
        "",
        "Home phone {phone}; cell {phone}.",
    ),
    "signature": (
        "Electronically signed by {dr_full}, MD on {hdate} {time}",
        "{dr_full}, {cred}\n{dept}\nPager {phone}",
        "Dictated by: {dr_label}    Transcribed: {hdate}",
        "-- {dr_full}, MD",
        "Attending attestation: I saw and examined the patient. {dr_title}",
    ),
    "dispo": ("home with services", "skilled nursing facility", "home", "{facility}"),
    "procedure": (
        "right heart catheterization on {date}.",
        "paracentesis (3.2 L removed) on {date}.",
        "none.",
        "PICC line placement {date_md}.",
    ),
    "referral": (
        "{he} has had {complaint} for {duration} despite {drug}.",
        "An echocardiogram on {date} showed an EF of 35%.",
        "{his_cap} {rel} is {his} main caregiver and can be reached at {phone}.",
        "{he} prefers appointments on {weekday}s; {his} e-mail is {pt_email}.",
        "{he} moved from {city_state} in {year} and records from {facility} are attached.",
        "I would appreciate your opinion on {plan}.",
        "Insurance is {insurer}, member ID {plan_id}.",
        "{eponym}",
        "A trial of {drug} in {year} was stopped for dizziness.",
    ),
    "referral_close": (
        "Please do not hesitate to contact me at {phone} or {email}.",
        "I look forward to your recommendations.",
        "My office can be reached at {phone}; fax {fax}.",
    ),
    "lab_comment": (
        "Critical value called to {nurse} at {time} on {date} and read back.",
        "Specimen slightly hemolyzed; potassium may be falsely elevated.",
        "Results reviewed by {dr_title}.",
        "Repeat collection requested; contact the lab at {phone}.",
        "Reference ranges updated {date}.",
        "eGFR calculated with the CKD-EPI 2021 equation (race-free).",
    ),
    "lab_review": (
        "stable, continue {drug}.",
        "message sent to patient via portal.",
        "called patient at {phone}, no answer, left message.",
        "A1c improved from 8.4 in {year}.",
        "discussed with {his} {rel}.",
    ),
    "lab_interp": (
        "Mild normocytic anemia, likely anemia of chronic disease; iron studies pending.",
        "Stable CKD stage 3b. Avoid NSAIDs; renally dose {drug}.",
        "Hyperkalemia likely from lisinopril; repeat BMP in 1 week.",
    ),
    "comparison": ("None.", "{date}.", "Outside study from {facility} dated {date}."),
    "subjective": (
        "{pt_first} reports {complaint} for {duration}.",
        "Feels better since starting {drug}.",
        "Denies chest pain, dyspnea, melena.",
        "{his_cap} {rel} notes more forgetfulness since {date}.",
        "Sleeping 6 hours a night; walks 2 miles daily.",
        "Pain {pain}, worse in the morning.",
        "Went to urgent care in {city} last week.",
        "Takes {drug}; missed doses over the weekend.",
        "Home glucose readings 140-180 fasting, one low of 62 after skipping lunch.",
    ),
    "ros": (
        "Negative for fever, chills, night sweats. Positive for fatigue and 4 lb weight gain.",
        "No headache, vision change, dysphagia. Occasional heartburn. No hematuria.",
        "Constitutional: negative. Cardiovascular: orthopnea 2 pillows, no PND.",
        "Musculoskeletal: morning stiffness 30 minutes. Neuro: no focal weakness.",
    ),
    "education": (
        "Reviewed warning signs of stroke (BE-FAST) and when to call 911.",
        "Low-sodium diet and 1.5 L fluid restriction reviewed with teach-back.",
        "Hypoglycemia recognition and the rule of 15 reviewed.",
        "Counseled on fall prevention; home safety evaluation ordered.",
        "Smoking cessation: 5 A's completed; nicotine patch 21 mg offered.",
    ),
    "greeting": (
        "Hi Dr. {dr_last},",
        "Hello,",
        "Dear {dr_title},",
        "hi this is {pt_first_lower},",
        "Good morning {dr_title} and team,",
    ),
    "message": (
        "I've been taking the {drug} like you said but still have {complaint}.",
        "My {rel} can drive me to the appointment on {date}.",
        "Can you call me back at {phone}? I'm home after {time}.",
        "My new address is {address} for the bills.",
        "I lost my insurance card, the member id is {plan_id} if that helps.",
        "The pharmacy on {street_name} said the refill needs a prior auth.",
        "I moved to {city} last month so I need a new pharmacy.",
        "my son's email is {email}, please copy him.",
        "Is it ok to take ibuprofen with {drug}?",
        "I had the labs done on {date_md}, are the results back?",
        "The BP cuff reads 150/92 most mornings.",
        "I feel dizzy when I stand up, mostly in the morning, no falls.",
    ),
    "msg_sign": (
        "Thanks,\n{pt_first}",
        "{pt_full}",
        "Sent from my iPhone",
        "- {pt_first_lower}",
        "Thank you, {pt_full} (DOB {dob})",
    ),
    "reply": (
        "{dr_title} reviewed your message and recommends {plan}.",
        "please call us at {phone} to schedule.",
        "yes, that is fine. Take it with food.",
        "your results are in the portal: {url}",
        "please hold {drug} until your visit.",
    ),
    "phone_reason": (
        "medication question about {drug}.",
        "reports {complaint} since {weekday}.",
        "requesting results of {lab_name} from {date}.",
        "needs a letter for work.",
    ),
    "phone_body": (
        "Denies fever. Vitals at home: BP 142/88, HR 92.",
        "{pt_title} fell {duration} ago, no head strike.",
        "Caller states {he_lower} has not eaten since {weekday}.",
        "Pharmacy: CVS at {address}, phone {phone}.",
        "Reviewed allergies: {allergy}.",
        "Blood sugar 287 this morning, took usual insulin.",
    ),
    "phone_advice": (
        "go to the ED if symptoms worsen.",
        "hold {drug} until seen.",
        "appointment made for {date} at {time}.",
    ),
    "nursing": (
        "Turned q2h, skin intact.",
        "Given {drug} at {time} for pain {pain}.",
        "{pt_last} ambulated 50 feet with a walker.",
        "Foley draining clear yellow urine, 450 mL this shift.",
        "Telemetry shows sinus rhythm, rate 70s.",
        "{rel_name} at bedside, questions answered.",
        "IV site right forearm without redness; flushed with 10 mL NS.",
    ),
    "social": (
        "Needs help with meals and transportation to dialysis 3x/week.",
        "Previously worked at {facility} as an aide.",
        "Has a home health aide 4 hours/day through {insurer}.",
        "Expressed concern about paying for {drug}.",
        "Reports feeling safe at home.",
        "Former smoker, 30 pack-years, quit in {year}. Drinks 2 glasses of wine a week.",
        "Retired machinist; enjoys gardening.",
    ),
}


def build_corpus(n_docs: int, seed: int) -> tuple[list[Document], str]:
    """``n_docs`` documents spread evenly over the genres (in a fixed,
    seeded order) and the Faker version that drew their identifiers."""
    gen = Generator(seed)
    genres = sorted(GENRES)
    docs = [gen.document(i, genres[i % len(genres)]) for i in range(n_docs)]
    return docs, gen.faker_version


def corpus_digest(docs: Sequence[Document]) -> str:
    """SHA-256 over texts and labels: two runs saw the same corpus iff equal."""
    h = hashlib.sha256()
    for d in docs:
        h.update(d.text.encode())
        for s in d.spans:
            h.update(f"|{s.start},{s.end},{s.category}".encode())
        h.update(b"\x00")
    return h.hexdigest()
