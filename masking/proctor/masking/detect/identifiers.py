"""Numbers that identify a person, account, licence, vehicle or device.

Two kinds of detector live here. *Shaped* identifiers have a format and
usually a check digit (SSN, NPI, DEA, VIN, card numbers, Medicare MBI, GS1
UDI), so they are found anywhere and validated. *Cued* identifiers (MRN,
member ID, account, licence, serial numbers) are arbitrary strings that are
only recognisable by the words in front of them, so a :class:`CueDetector`
finds the cue and reports the value after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from proctor.masking.detect._base import (
    CUE_VALUE,
    FIRST_DIGIT,
    LO,
    NUM_END,
    SEPARATOR,
    UP,
    Finding,
    count_digits,
    glued,
    lowered,
    preceded_by,
)
from proctor.masking.detect.validators import (
    card_valid,
    dea_valid,
    iban_valid,
    npi_valid,
    ssn_valid,
    vin_valid,
)

# --- SSN ------------------------------------------------------------------------

_SSN = re.compile("(" + FIRST_DIGIT + r"[0-9]{2})([- ])([0-9]{2})\2([0-9]{4})" + NUM_END)
# Matched in lower-cased text.
_SSN_CUE_WORDS = r"(?:ssn|ss\#|social[ \t]+security(?:[ \t]+(?:number|no\.?|\#))?|soc[ \t]+sec)"
_SSN_CUE = re.compile(r"\b" + _SSN_CUE_WORDS)
# After an SSN label, nine digits are the SSN whether or not the SSA could
# have issued them (an ITIN or a mistyped number identifies just as well);
# "on file", "of record" and the like may sit between label and value.
_SSN_FILLER = r"(?:[ \t]+(?:on[ \t]+file|of[ \t]+record|provided|verified|given|listed))?"
_CUED_BARE_SSN = re.compile(_SSN_CUE_WORDS + _SSN_FILLER + SEPARATOR + r"([0-9]{9})" + NUM_END)
_SSN_LABEL = re.compile(r"\b" + _SSN_CUE_WORDS + _SSN_FILLER + SEPARATOR + r"\Z")
# "SSN (last 4): 6789", "last four of SSN 6789": the last four digits of an
# SSN, named as such, are still an identifier.
_LAST4_WORDS = r"last[ \t]+(?:4|four)(?:[ \t]+digits)?"
_CUED_SSN_LAST4 = re.compile(
    r"(?:"
    + _SSN_CUE_WORDS
    + r"[ \t]*\(?(?:"
    + _LAST4_WORDS
    + r"|ending(?:[ \t]+in)?)\)?|"
    + _LAST4_WORDS
    + r"[ \t]+of[ \t]+(?:the[ \t]+|(?:his|her|their|patient'?s)[ \t]+)?"
    + _SSN_CUE_WORDS
    + r")"
    + SEPARATOR
    + r"([0-9]{4})"
    + NUM_END
)
# "XXX-XX-6789": the visible last four of a partly masked SSN still identify.
_SSN_LAST4 = re.compile(r"(?:xxx|\*\*\*)-(?:xx|\*\*)-([0-9]{4})" + NUM_END)


@dataclass(frozen=True, slots=True)
class SsnDetector:
    """US Social Security numbers: 123-45-6789 (or with spaces) anywhere
    when the SSA could have issued it
    (:func:`~proctor.masking.detect.validators.ssn_valid`), and any number
    of that shape or nine bare digits right after an SSN label ("SSN on
    file: 123456789")."""

    name: str = "ssn"
    categories: frozenset[str] = frozenset({"SSN"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield SSNs."""
        low = lowered(text)
        for m in _SSN.finditer(text):
            if not ssn_valid(m.group(1) + m.group(3) + m.group(4)):
                # Right after an SSN label the shape is enough.
                if _SSN_LABEL.search(low, max(0, m.start() - 40), m.start()) is not None:
                    yield Finding("SSN", m.start(), m.end(), 0.8, self.name)
                continue
            # Spaces make the shape commoner (table columns), so less sure.
            score = 0.85 if m.group(2) == "-" else 0.6
            if preceded_by(low, m.start(), _SSN_CUE, 24):
                score += 0.1
            yield Finding("SSN", m.start(), m.end(), score, self.name)
        for m in _CUED_BARE_SSN.finditer(low):
            if not glued(text, m.start()):
                yield Finding("SSN", m.start(1), m.end(1), 0.9, self.name)
        for m in _CUED_SSN_LAST4.finditer(low):
            if not glued(text, m.start()):
                yield Finding("SSN", m.start(1), m.end(1), 0.7, self.name)
        for m in _SSN_LAST4.finditer(low):
            if not glued(text, m.start()) and text[m.start() - 1 : m.start()] != "*":
                yield Finding("SSN", m.start(1), m.end(1), 0.7, self.name)


# --- provider numbers -----------------------------------------------------------

_NPI = re.compile(r"[12](?<![\w-].)[0-9]{9}" + NUM_END)
_NPI_CUE = re.compile(r"\bNPI\b|(?i:national provider)")


@dataclass(frozen=True, slots=True)
class NpiDetector:
    """National Provider Identifiers: ten digits passing the NPI Luhn check
    (prefix 80840). Surer after an "NPI" cue."""

    name: str = "npi"
    categories: frozenset[str] = frozenset({"NPI"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield NPIs."""
        for m in _NPI.finditer(text):
            if npi_valid(m.group()):
                score = 0.95 if preceded_by(text, m.start(), _NPI_CUE, 24) else 0.7
                yield Finding("NPI", m.start(), m.end(), score, self.name)


_DEA = re.compile(r"[A-Z](?<![\w-].)[A-Z9][0-9]{7}" + NUM_END)


@dataclass(frozen=True, slots=True)
class DeaDetector:
    """DEA registration numbers (two letters, seven digits, checksum)."""

    name: str = "dea"
    categories: frozenset[str] = frozenset({"DEA"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield DEA numbers."""
        for m in _DEA.finditer(text):
            if dea_valid(m.group()):
                yield Finding("DEA", m.start(), m.end(), 0.9, self.name)


# --- vehicles, cards, plans, devices ------------------------------------------

_VIN = re.compile(r"[A-HJ-NPR-Z0-9](?<![\w-].)[A-HJ-NPR-Z0-9]{16}" + NUM_END)


@dataclass(frozen=True, slots=True)
class VinDetector:
    """Vehicle identification numbers with a valid check digit. (VINs without
    one, and licence plates, are found by their cue: see ``VEHICLE_CUE``.)"""

    name: str = "vin"
    categories: frozenset[str] = frozenset({"VEHICLE"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield VINs."""
        for m in _VIN.finditer(text):
            vin = m.group()
            if not vin.isdigit() and not vin.isalpha() and vin_valid(vin):
                yield Finding("VEHICLE", m.start(), m.end(), 0.9, self.name)


# 13-19 digits, bare or in the printed groupings (4-4-4-4[-3], Amex 4-6-5).
_CARD = re.compile(
    FIRST_DIGIT + r"(?:[0-9]{12,18}|[0-9]{3}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{1,7}"
    r"|[0-9]{3}([ -])[0-9]{6}\2[0-9]{4,5})" + NUM_END
)


@dataclass(frozen=True, slots=True)
class CardDetector:
    """Payment card numbers (network prefix and Luhn), reported as ACCOUNT."""

    name: str = "card"
    categories: frozenset[str] = frozenset({"ACCOUNT"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield card numbers."""
        for m in _CARD.finditer(text):
            if card_valid(m.group().replace(" ", "").replace("-", "")):
                yield Finding("ACCOUNT", m.start(), m.end(), 0.85, self.name)


# International Bank Account Numbers, written solid or in groups of four:
# "GB82WEST12345698765432", "DE89 3704 0044 0532 0130 00". The mod-97 check
# digits rule out almost every other run of this shape.
_IBAN = re.compile(
    r"[A-Z](?<![\w-].)[A-Z][0-9]{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)"
    + NUM_END
)


@dataclass(frozen=True, slots=True)
class IbanDetector:
    """IBANs (ISO 13616 check digits), reported as ACCOUNT."""

    name: str = "iban"
    categories: frozenset[str] = frozenset({"ACCOUNT"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield IBANs."""
        for m in _IBAN.finditer(text):
            if iban_valid(m.group().replace(" ", "")):
                yield Finding("ACCOUNT", m.start(), m.end(), 0.9, self.name)


# Medicare Beneficiary Identifier: 11 characters in a fixed letter/digit
# pattern that never uses S, L, O, I, B or Z.
_MBI_L = "[AC-HJKMNP-RT-Y]"
_MBI = re.compile(
    r"[1-9](?<![\w-].)" + rf"{_MBI_L}[0-9{_MBI_L[1:-1]}][0-9]-?{_MBI_L}[0-9{_MBI_L[1:-1]}][0-9]-?"
    rf"{_MBI_L}{{2}}[0-9]{{2}}" + NUM_END
)


@dataclass(frozen=True, slots=True)
class MbiDetector:
    """Medicare Beneficiary Identifiers, reported as HEALTH_PLAN."""

    name: str = "mbi"
    categories: frozenset[str] = frozenset({"HEALTH_PLAN"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield MBIs."""
        for m in _MBI.finditer(text):
            yield Finding("HEALTH_PLAN", m.start(), m.end(), 0.8, self.name)


# GS1 unique device identifier in human-readable form: (01) GTIN, then
# production identifiers such as (17) expiry, (10) lot, (21) serial.
_UDI = re.compile(r"\(01\)[0-9]{14}(?:\((?:10|11|17|21)\)[A-Za-z0-9-]{1,20})*")
_MAC = re.compile(
    r"[0-9A-Fa-f](?<![\w:-].)[0-9A-Fa-f]([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![\w:-])"
)


@dataclass(frozen=True, slots=True)
class DeviceIdDetector:
    """Device identifiers with a format of their own: GS1 UDIs and hardware
    (MAC) addresses. Serial numbers need a cue (``DEVICE_CUE``)."""

    name: str = "device-id"
    categories: frozenset[str] = frozenset({"DEVICE"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield UDIs and MAC addresses."""
        if "(01)" in text:
            for m in _UDI.finditer(text):
                yield Finding("DEVICE", m.start(), m.end(), 0.9, self.name)
        for m in _MAC.finditer(text):
            yield Finding("DEVICE", m.start(), m.end(), 0.75, self.name)


# --- cued identifiers ---------------------------------------------------------

# Thorough mode lets a few lower-case words sit between the cue and the value:
# "MRN for this encounter: 00123456".
_FILLER = r"(?:[a-z]+[ \t]+){0,3}" + SEPARATOR


@dataclass(frozen=True, slots=True)
class CueDetector:
    """An identifier recognisable only by the cue in front of it ("MRN:",
    "member ID", "acct #"): reports the value after the cue when it is at
    least ``min_len`` characters long with ``min_digits`` digits (so "Account
    pending" is not an account number).

    ``cue`` is matched in the lower-cased text (cue words are
    case-insensitive, and a lower-case pattern is quick to scan for);
    ``value`` is then matched in the original text where the cue ends.
    """

    name: str
    category: str
    cue: re.Pattern[str]
    value: re.Pattern[str]
    min_len: int
    min_digits: int
    score: float

    @property
    def categories(self) -> frozenset[str]:
        """The one category this detector reports."""
        return frozenset({self.category})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield the values that follow a cue."""
        for c in self.cue.finditer(lowered(text)):
            # "mg/dL" is not the cue "DL", "Johnson" not "son".
            if glued(text, c.start()) or text[c.start() - 1 : c.start()] in ("/", "-"):
                continue
            m = self.value.match(text, c.end())
            if m is None:
                continue
            value = m.group(1)
            if len(value) >= self.min_len and count_digits(value) >= self.min_digits:
                yield Finding(self.category, m.start(1), m.end(1), self.score, self.name)


def _alternatives(*words: str, suffix: str = "") -> str:
    """``word1suffix|word2suffix|...``: a flat alternation whose branches
    each start with a letter, which ``re`` scans for quickly. Longest first,
    so "identifier" is not cut short at "id"."""
    return "|".join(w + suffix for w in sorted(words, key=len, reverse=True))


def cue_detector(
    name: str,
    category: str,
    cues: str,
    *,
    min_len: int,
    min_digits: int,
    score: float,
    thorough: bool = False,
    value_pattern: str = CUE_VALUE,
) -> CueDetector:
    """A :class:`CueDetector` for the lower-case alternation ``cues``;
    ``thorough`` allows up to three lower-case words between cue and value.
    ``value_pattern`` (group 1 is the value) defaults to one token of
    letters, digits and inner hyphens."""
    gap = SEPARATOR + _FILLER if thorough else SEPARATOR
    value = re.compile(r"(?![A-Za-z])" + gap + value_pattern)
    return CueDetector(name, category, re.compile(cues), value, min_len, min_digits, score)


# An optional "ID", "identifier", "number" or "#" after a cue word.
_ID = r"(?:[ \t]+(?:id|i\.d\.|identifier|number|no\.?|\#))?"
_NUMBERED = r"(?=[ \t]*(?:\#|number|no\b|id\b))"

MRN_CUES = _alternatives(
    "mrn",
    "empi",
    "medical[ \t]+record",
    "med[ \t]+rec",
    "hospital[ \t]+number",
    "unit[ \t]+number",
    "mr" + _NUMBERED,
    "record" + _NUMBERED,
    "chart" + _NUMBERED,
)
HEALTH_PLAN_CUES = (
    _alternatives(
        *("member", "subscriber", "beneficiary", "insured", "medicaid", "medicare"),
        *("insurance", "policy"),
        suffix=_ID,
    )
    + "|"
    + _alternatives("health[ \t]+plan", "plan", "group", suffix=_NUMBERED)
    + "|mbi|hicn"
)
ACCOUNT_CUES = (
    _alternatives("account", "acct", "a/c", "billing", "invoice", "claim", suffix=_ID)
    # financial (encounter billing) number, hospital account record
    + "|fin|har|"
    + _alternatives("credit[ \t]+card", "debit[ \t]+card", "card", suffix=_NUMBERED)
    # "Card on file: 5648 3575 2036", "card ending in 4242": after these the
    # number is the card's whether or not it passes Luhn.
    + "|card[ \t]+on[ \t]+file|card[ \t]+ending(?:[ \t]+in)?"
)
LICENSE_CUES = _alternatives(
    *("driver'?s[ \t]+licen[cs]e", "medical[ \t]+licen[cs]e", "state[ \t]+licen[cs]e"),
    *("nursing[ \t]+licen[cs]e", "licen[cs]e(?![ \t]+plate)", "certificate"),
    *("board[ \t]+certification", "lic\\.", "cert\\.", "dl", "cdl"),
    suffix=_ID,
)
VEHICLE_CUES = (
    _alternatives(
        "licen[cs]e[ \t]+plate",
        "plate",
        "vehicle[ \t]+identification",
        "vehicle[ \t]+registration",
        "vin",
        suffix=_ID,
    )
    + "|tag"
    + _NUMBERED
)
# A licence plate may be two groups of capitals and digits with a space or
# a printed dot ("VST 238", "PJ 6312", "689 IXS", "13W•445"): the second group joins only
# when it has a digit or is letters after a group of digits, so "plate LCP
# 4.5 mm" or "plate ABC1234 BP 120/80" keep to one token (or none).
PLATE_VALUE = (
    r"(?<![\w-])("
    r"[A-Z0-9]{1,4}[ •·](?=[A-Z0-9]{1,7}(?![\w-]|\.[0-9]))[A-Z]{0,6}[0-9][A-Z0-9]{0,6}"
    r"(?![\w-]|\.[0-9])"
    r"|[0-9]{2,4}[ •·][A-Z]{2,4}(?![\w-])"
    r"|[A-Za-z0-9](?:[A-Za-z0-9-]{0,28}[A-Za-z0-9])?(?![\w-])"
    r")"
)
DEVICE_CUES = _alternatives(
    "serial", "device", "implant", "pacemaker", "udi", "imei", "s/n", "sn", suffix=_ID
)
BIOMETRIC_CUES = _alternatives(
    *("finger[ \t]?print", "thumb[ \t]?print", "palm[ \t]?print", "voice[ \t]?print"),
    *("face[ \t]?print", "retinal?[ \t]+scan", "iris[ \t]+scan", "biometric"),
    *("facial[ \t]+scan", "facial[ \t]+template", "facial[ \t]+geometry"),
    suffix=r"(?:[ \t]+(?:id|identifier|hash|template|record|reference|ref|code|scan))?",
)
ID_CUES = (
    _alternatives(
        *("patient", "encounter", "visit", "case", "reference", "ref", "specimen"),
        *("accession", "study", "subject", "employee", "student", "passport", "national"),
        *("tax", "unique", "person", "client", "user", "system"),
        suffix=r"[ \t]+(?:id|i\.d\.|identifier)",
    )
    + "|"
    # "CSN": an encounter's contact serial number
    + _alternatives("identifier", "i\\.d\\.", "id", "accession", "csn")
    + "|"
    + _alternatives(
        *("encounter", "visit", "case", "reference", "ref", "specimen", "acc", "acc\\."),
        *("passport", "order", "requisition", "req", "rx", "prescription", "sample"),
        *("auth", "authorization", "confirmation"),
        suffix=_NUMBERED,
    )
)


# A record number in brackets right after a patient's name: "Pt: Braun,
# Justin (6583889)", "Patient Christine Hamilton (161-85-259) joined".
# Optional capitals in front ("(LY1808082)"), digits in up to four groups.
_PAREN_ID = re.compile(r"\(([A-Z]{0,3}[0-9]{1,12}(?:-[0-9]{1,6}){0,3})\)")
# The patient label and one to four capitalised words (with a comma, an
# initial) between it and the bracket, on the same line.
_PATIENT_NAME_BEFORE = re.compile(
    r"\b(?i:patient|pt|name|resident|client)\b[.:]?[ \t]+"
    rf"(?:[{UP}][{UP}{LO}'’-]*\.?,?[ \t]+){{1,4}}\Z"
)


@dataclass(frozen=True, slots=True)
class PatientRecordNumberDetector:
    """A record number in brackets after a labelled patient name, reported
    as MRN: 6 to 12 digits (7 or more when grouped with hyphens, so a range
    such as "(135-145)" never qualifies). Brackets with a year, a score, a
    range or a count ("(2021)", "(5/5)", "(x3)") are not numbers of this
    shape, and without the patient label before a name nothing is found."""

    name: str = "patient-record-number"
    categories: frozenset[str] = frozenset({"MRN"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield bracketed record numbers after a patient's name."""
        for m in _PAREN_ID.finditer(text):
            value = m.group(1)
            digits = count_digits(value)
            if not 6 <= digits <= 12 or ("-" in value and digits < 7):
                continue
            start = m.start()
            lo = max(0, start - 80, text.rfind("\n", 0, start) + 1)
            if _PATIENT_NAME_BEFORE.search(text, lo, start) is not None:
                yield Finding("MRN", m.start(1), m.end(1), 0.75, self.name)


def cue_detectors(*, thorough: bool = False) -> tuple[CueDetector, ...]:
    """The cued identifiers. When two claim the same value ("member ID:"
    is also an "ID:"), the more specific one scores higher and wins."""
    specs = (
        ("mrn", "MRN", MRN_CUES, 5, 4, 0.8, CUE_VALUE),
        ("health-plan", "HEALTH_PLAN", HEALTH_PLAN_CUES, 5, 3, 0.8, CUE_VALUE),
        ("account", "ACCOUNT", ACCOUNT_CUES, 4, 4, 0.8, CUE_VALUE),
        ("license", "LICENSE", LICENSE_CUES, 4, 3, 0.8, CUE_VALUE),
        ("vehicle", "VEHICLE", VEHICLE_CUES, 4, 1, 0.8, PLATE_VALUE),
        ("device", "DEVICE", DEVICE_CUES, 4, 2, 0.8, CUE_VALUE),
        ("biometric", "BIOMETRIC", BIOMETRIC_CUES, 6, 1, 0.8, CUE_VALUE),
        ("id", "ID", ID_CUES, 6, 2, 0.65, CUE_VALUE),
    )
    return tuple(
        cue_detector(
            name,
            category,
            cues,
            min_len=min_len,
            min_digits=min_digits,
            score=score,
            thorough=thorough,
            value_pattern=value,
        )
        for name, category, cues, min_len, min_digits, score, value in specs
    )
