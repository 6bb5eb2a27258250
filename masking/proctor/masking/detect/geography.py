"""Geography smaller than a state: street addresses, cities and counties,
ZIP codes, and the names of hospitals and other facilities.

Safe Harbor lets the state stay, so "Springfield, IL 62704" masks to
"[CITY], IL [ZIP]". City names are recognised by the state (or ZIP) after
them, not from a gazetteer: "lives in Springfield" with no state is a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from proctor.masking.detect._base import (
    FIRST_DIGIT,
    LO,
    NUM_END,
    SEPARATOR,
    UP,
    Finding,
    glued,
    lowered,
)
from proctor.masking.detect._name_lists import FIRST_NAMES, STOPWORDS


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    """The items of a compact word list."""
    return tuple(text.split(sep))


STATE_ABBREVIATIONS = _split(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP"
)
STATE_NAMES = _split(
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    "|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    "|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    "|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma"
    "|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah"
    "|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia"
    "|Puerto Rico",
    "|",
)

# Upper case only: "in", "or" and "me" are words, "IN", "OR" and "ME" states.
_ABBR = r"(?:" + "|".join(STATE_ABBREVIATIONS) + r")"
_STATE_NAME = r"(?:" + "|".join(sorted(STATE_NAMES, key=len, reverse=True)) + r")"

# --- ZIP codes ----------------------------------------------------------------

# Five-digit candidates first (they are rare in notes); the context before
# them decides.
_FIVE_DIGITS = re.compile(FIRST_DIGIT + r"[0-9]{4}(?:-[0-9]{4})?" + NUM_END)
_STATE_BEFORE = re.compile(r"(?<![\w])(?:" + _ABBR + "|" + _STATE_NAME + r")\.?,?[ \t]+\Z")
_ZIP_CUE_BEFORE = re.compile(  # in lower-cased text
    r"\b(?:zip(?:[ \t]*code)?|zipcode|postal[ \t]+code|post[ \t]+code)" + SEPARATOR + r"\Z"
)
_CONTEXT_WINDOW = 32


@dataclass(frozen=True, slots=True)
class ZipDetector:
    """ZIP codes after a state ("IL 62704") or a ZIP cue; ZIP+4 anywhere
    (less sure). A bare five-digit number is a lab value, not a ZIP."""

    name: str = "zip"
    categories: frozenset[str] = frozenset({"ZIP"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield ZIP codes."""
        low: str | None = None
        for m in _FIVE_DIGITS.finditer(text):
            lo = max(0, m.start() - _CONTEXT_WINDOW)
            if _STATE_BEFORE.search(text, lo, m.start()):
                yield Finding("ZIP", m.start(), m.end(), 0.9, self.name)
                continue
            low = lowered(text) if low is None else low
            if _ZIP_CUE_BEFORE.search(low, lo, m.start()):
                yield Finding("ZIP", m.start(), m.end(), 0.9, self.name)
            elif "-" in m.group():
                yield Finding("ZIP", m.start(), m.end(), 0.6, self.name)


# --- street addresses -----------------------------------------------------------

_STREET_SUFFIXES = _split(
    "Street St Avenue Ave Av Road Rd Boulevard Blvd Drive Dr Lane Ln Court Ct Way Place Pl "
    "Terrace Ter Circle Cir Parkway Pkwy Highway Hwy Square Sq Trail Trl Alley Aly Crescent "
    "Loop Row Plaza Plz Pike Turnpike Tpke Expressway Expy Freeway Fwy Route Rte Ridge Heights"
)
_SUFFIX = (
    r"(?:"
    + "|".join(sorted({*_STREET_SUFFIXES, *(s.upper() for s in _STREET_SUFFIXES)}, key=len)[::-1])
    + r")"
)
_DIRECTION = r"(?:N|S|E|W|NE|NW|SE|SW|North|South|East|West)"
_UNIT = r"(?:Apt|Apartment|Unit|Suite|Ste|Bldg|Building|Fl|Floor|Lot|APT|UNIT|STE|\#)"
_ADDRESS = re.compile(
    FIRST_DIGIT + r"[0-9]{0,5}[A-Za-z]?(?:-[0-9]{1,4})?[ \t]+"
    r"(?:" + _DIRECTION + r"\.?[ \t]+)?"
    r"(?:(?:["
    + UP
    + "]["
    + LO
    + r"'’]+|[0-9]{1,3}(?:st|nd|rd|th)|[A-Z]{2,})[ \t]+){1,4}"
    + _SUFFIX
    + r"\b(?:\.(?=[ \t]*[,#\w]))?"
    r"(?:[ \t]+" + _DIRECTION + r"\b(?:\.(?=[ \t]*[,#\w]))?)?"
    r"(?:,?[ \t]*" + _UNIT + r"\.?[ \t]*\#?[A-Za-z0-9-]{1,6}\b)?"
)
_PO_BOX = re.compile(  # in lower-cased text
    r"p\.?[ \t]?o\.?[ \t]*box[ \t]+[0-9]{1,6}\b|post[ \t]+office[ \t]+box[ \t]+[0-9]{1,6}\b"
)
_APARTMENT = re.compile(r"(?:Apt|Apartment|APT)\.?[ \t]*\#?[A-Za-z0-9-]{1,6}\b")


@dataclass(frozen=True, slots=True)
class AddressDetector:
    """Street addresses (number, street name, suffix, optional direction and
    apartment/suite), PO boxes and apartment numbers."""

    name: str = "address"
    categories: frozenset[str] = frozenset({"ADDRESS"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield street addresses."""
        for m in _ADDRESS.finditer(text):
            yield Finding("ADDRESS", m.start(), m.end(), 0.85, self.name)
        for m in _PO_BOX.finditer(lowered(text)):
            if not glued(text, m.start()):
                yield Finding("ADDRESS", m.start(), m.end(), 0.85, self.name)
        for m in _APARTMENT.finditer(text):
            if not glued(text, m.start()) and any(ch.isdigit() for ch in m.group()):
                yield Finding("ADDRESS", m.start(), m.end(), 0.6, self.name)


# --- cities and counties ----------------------------------------------------------

_PLACE_TOKEN = (
    r"(?:St\.|Ste\.|Ft\.|Mt\.|Saint|["
    + UP
    + "]["
    + LO
    + r"]+(?:['’-]["
    + UP
    + "]?["
    + LO
    + r"]+)?)"
)
_PLACE_TAIL = re.compile(
    r"(?<![\w'’.-])" + _PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}\Z"
)
# What may follow a city: ", ST", ", State" (both start with the comma, which
# ``re`` scans for quickly), " ST 12345" (found from the ZIP) or " County".
_COMMA_STATE = re.compile(
    r",[ \t]*(?P<abbr>" + _ABBR + r")\b(?=[ \t]+[0-9]{5}|[ \t]*(?:[,.;:)]|$))"
    r"|,[ \t]*" + _STATE_NAME + r"\b",
    re.MULTILINE,
)
_ABBR_BEFORE_ZIP = re.compile(r"[ \t]+(?P<abbr>" + _ABBR + r")[ \t]+\Z")
_COUNTY = re.compile(r"(?:County|Parish|Borough)\b")
# "City: Springfield" (and the keys of flattened JSON), in lower-cased text.
_CITY_LABEL = re.compile(r"(?:city|town)[ \t]*[:=][ \t]*")
_PLACE_HEAD = re.compile(_PLACE_TOKEN + r"(?:[ \t]+" + _PLACE_TOKEN + r"){0,2}(?![\w'’-])")
# State codes that are also credentials after a name.
_CREDENTIAL_STATES = frozenset({"MD", "PA"})
_STREET_WORDS = frozenset(s.lower() for s in _STREET_SUFFIXES)


def _place_before(text: str, end: int) -> tuple[int, int] | None:
    """The span of the one to three place-name words right before ``end``,
    trimmed of street suffixes and stop words on the left."""
    m = _PLACE_TAIL.search(text, max(0, end - 48), end)
    if m is None:
        return None
    start = m.start()
    for i, word in enumerate(re.finditer(r"\S+", m.group())):
        if i == 0 and word.group() in ("St.", "Saint"):
            continue  # St. Louis; a later "St." ends a street ("Main St. Boston")
        key = word.group().rstrip(".").lower()
        if key in _STREET_WORDS or key in STOPWORDS:
            start = m.start() + word.end()
    while start < end and text[start] in " \t":
        start += 1
    return (start, end) if start < end else None


@dataclass(frozen=True, slots=True)
class CityDetector:
    """City names followed by a state ("Boston, MA", "Boston MA 02115",
    "Springfield, Illinois") or after a "City:" label, and county names
    ("Cook County")."""

    name: str = "city"
    categories: frozenset[str] = frozenset({"CITY"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield cities and counties."""
        for m in _COMMA_STATE.finditer(text):
            yield from self._city(text, m.start(), m.group("abbr"))
        for m in _FIVE_DIGITS.finditer(text):
            state = _ABBR_BEFORE_ZIP.search(text, max(0, m.start() - 8), m.start())
            if state is not None:
                yield from self._city(text, state.start(), state.group("abbr"))
        for m in _CITY_LABEL.finditer(lowered(text)):
            place = _PLACE_HEAD.match(text, m.end())
            if place is not None and not glued(text, m.start()):
                yield Finding("CITY", place.start(), place.end(), 0.85, self.name)
        for m in _COUNTY.finditer(text):
            end = m.start()
            while end > 0 and text[end - 1] in " \t":
                end -= 1
            if end < m.start() and (span := _place_before(text, end)) is not None:
                yield Finding("CITY", span[0], m.end(), 0.8, self.name)

    def _city(self, text: str, end: int, abbr: str | None) -> Iterator[Finding]:
        span = _place_before(text, end)
        if span is None:
            return
        if abbr in _CREDENTIAL_STATES:
            first = text[span[0] : span[1]].split(maxsplit=1)[0]
            if first.lower() in FIRST_NAMES or re.fullmatch(r"[A-Z]\.", first):
                return  # "Jane Smith, MD": a doctor, not Maryland
        yield Finding("CITY", span[0], span[1], 0.8, self.name)


# --- facilities ---------------------------------------------------------------

_FACILITY_SUFFIX = re.compile(
    r"(?:Hospital|Medical[ \t]+Cent(?:er|re)|Health[ \t]+Cent(?:er|re)|Clinic|Infirmary"
    r"|Health[ \t]+System|Healthcare|Health[ \t]+Care[ \t]+Center|Nursing[ \t]+Home"
    r"|Nursing[ \t]+Facility|Rehabilitation[ \t]+(?:Center|Hospital|Institute)"
    r"|Surg(?:ery|ical)[ \t]+Center|Cancer[ \t]+(?:Center|Institute)|Hospice|Medical[ \t]+Group"
    r"|Urgent[ \t]+Care|Sanatorium|Sanitarium)\b"
)
_FAC_TOKEN = (
    r"(?:St\.|Mt\.|[" + UP + "][" + LO + r"]+(?:['’]s)?(?:-[" + UP + "][" + LO + r"]+)?|[A-Z]{2,6})"
)
_FACILITY_HEAD = re.compile(
    r"(?<![\w'’.-])"
    + _FAC_TOKEN
    + r"(?:[ \t]+(?:(?:and|&|of|the)[ \t]+)?"
    + _FAC_TOKEN
    + r"){0,4}[ \t]+\Z"
)
_FACILITY_TAIL = re.compile(
    r"[ \t]+(?:of|for|at)[ \t]+(?:the[ \t]+)?"
    + _FAC_TOKEN
    + r"(?:[ \t]+(?:(?:of|and|&)[ \t]+)?"
    + _FAC_TOKEN
    + r"){0,3}"
)


def _is_generic(span_text: str) -> bool:
    words = [w.rstrip(".").lower() for w in re.findall(r"[^\s&]+", span_text)]
    return all(w in STOPWORDS for w in words)


def _skip_stopwords(text: str, start: int, end: int) -> int:
    """``start`` moved past leading stop words ("The", "Yesterday")."""
    for word in re.finditer(r"\S+", text[start:end]):
        if word.group().rstrip(".").lower() not in STOPWORDS:
            return start + word.start()
    return end


@dataclass(frozen=True, slots=True)
class FacilityDetector:
    """Hospital and facility names: a suffix (Hospital, Medical Center,
    Clinic, Nursing Home, ...) with proper-name words before it ("St. Mary's
    Hospital", "Mayo Clinic") or after it ("Hospital of the University of
    Pennsylvania"). "Cardiology Clinic" and "the hospital" are not names."""

    name: str = "facility"
    categories: frozenset[str] = frozenset({"FACILITY"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield facility names."""
        previous = 0  # a name never reaches back over the facility before it
        for m in _FACILITY_SUFFIX.finditer(text):
            if glued(text, m.start()):
                continue
            head = _FACILITY_HEAD.search(text, max(previous, m.start() - 80), m.start())
            previous = m.end()
            start = m.start()
            if head is not None and not _is_generic(head.group()):
                # Sentence words before the name ("The", "Yesterday") are
                # not part of it.
                start = _skip_stopwords(text, head.start(), m.start())
            end = m.end()
            tail = _FACILITY_TAIL.match(text, m.end())
            if tail is not None and _is_generic(tail.group()):
                tail = None
            if tail is not None:
                end = tail.end()
            if start == m.start() and tail is None:
                continue  # a bare "Clinic" or a generic "Cardiology Clinic"
            yield Finding("FACILITY", start, end, 0.8, self.name)
