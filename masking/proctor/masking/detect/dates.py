"""Dates (every element but the year) and ages over 89.

Safe Harbor keeps a date's year but nothing finer: "March 2021" reveals the
month, so it is a DATE; "2021" alone is not. Ages are identifying only above
89, so "aged 45" is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from proctor.masking.detect._base import NUM_END, Finding, glued, lowered
from proctor.masking.detect.validators import date_valid

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _month_forms() -> dict[str, int]:
    """Month spelling -> number, in the forms notes use: March, Mar, MARCH,
    MAR, Sept (a trailing dot is allowed by the patterns)."""
    forms: dict[str, int] = {}
    for number, month in enumerate(_MONTH_NAMES, start=1):
        for form in (month, month[:3], *(("Sept",) if number == 9 else ())):
            forms[form] = number
            forms[form.upper()] = number
    return forms


_MONTHS: Mapping[str, int] = MappingProxyType(_month_forms())

# Case-sensitive on purpose: "may" the verb and "mar" are not months. A flat
# alternation of literals, so ``re`` scans for its first letters quickly.
_MON = "(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?[0-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|2[01])[0-9]{2}|'[0-9]{2})"

# "March 4th", "Mar. 4, 2021", "March 4 2021"; "March 2021", "Mar-2021".
_MONTH_FIRST = re.compile(
    _MON
    + r"(?:[ \t]+"
    + _DAY
    + r"(?![0-9]|[.,:][0-9])(?:,?[ \t]+"
    + _YEAR
    + r")?(?![\w'])|[ \t,-]+(?P<year2>(?:1[89]|2[01])[0-9]{2})\b)"
)
_MON3 = "|".join(m[:3] for m in _MONTH_NAMES)
# Every date that starts with a digit, in one scan (each branch with its own
# boundary check after the first digit; the first branch that matches at a
# place wins, so the longer shapes come first). One scan with a shared test
# up front is about twice as fast as a scan per shape.
_DIGIT_LED = re.compile(
    # Where a number starts (a cheap test before the branches are tried).
    r"(?=[0-9])(?<![\w-])(?:"
    # 2021-03-04, 2021/03/04, with an optional ISO time.
    r"(?P<iso>(?P<iy>[12](?<![\w-].)[0-9]{3})(?P<isep>[-/])(?P<im>[0-9]{1,2})(?P=isep)"
    r"(?P<id>[0-9]{1,2})(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?(?![\w/-]))"
    # 20210304: eight digits that read as a year 1900-2099, a month and a day.
    r"|(?P<compact>(?P<cy>[12](?<![\w/.-].)[09][0-9]{2})(?P<cm>[01][0-9])(?P<cd>[0-3][0-9])"
    r"(?![\w/-]|[.,][0-9]))"
    # 04MAR2021, 4Mar2021: day, month and year run together.
    r"|(?P<glued>(?P<gd>[0-9](?<![\w/.-].)[0-9]?)"
    r"(?P<gmon>" + _MON3 + "|" + _MON3.upper() + r")(?P<gy>(?:1[89]|2[01])[0-9]{2})(?![\w]))"
    # "4 March 2021", "4th of March", "04-Mar-2021", "4/Mar/21".
    r"|(?P<dm>(?P<dd>[0-9](?<![\w-].)[0-9]?)(?:st|nd|rd|th)?"
    r"(?:[ \t]+(?:of[ \t]+)?|(?P<dsep>[-/ ]))"
    + _MON.replace("?P<mon>", "?P<dmon>")
    + r"(?:(?(dsep)(?P=dsep)|,?[ \t]+)(?P<dy>(?:1[89]|2[01])?[0-9]{2})(?![:.][0-9]))?\b)"
    # 3/4/21, 03/04/2021, 3-4-2021.
    r"|(?P<num>(?P<na>[0-9](?<![\w/.-].)[0-9]?)(?P<nsep>[/-])(?P<nb>[0-9]{1,2})(?P=nsep)"
    r"(?P<ny>[0-9]{4}|[0-9]{2})(?![\w/-]|\.[0-9]))"
    # 03.04.2021 (dots only with a four-digit year, so version numbers such as
    # 3.4.21 stay out).
    r"|(?P<dot>(?P<ta>[0-9](?<![\w/.-].)[0-9]?)\.(?P<tb>[0-9]{1,2})\.(?P<ty>[0-9]{4})"
    r"(?![\w-]|\.[0-9]))"
    # 03/2021: month and year.
    r"|(?P<my>(?P<mm>[0-9](?<![\w/.-].)[0-9]?)/(?P<myy>(?:19|20)[0-9]{2})(?![\w/-]))"
    # 3/4 without a year is a fraction, a dose (5/10 mg) or a ratio unless a
    # date cue comes just before it.
    r"|(?P<md>(?P<ma>[0-9](?<![\w/.-].)[0-9]?)/(?P<mb>[0-9]{1,2})(?![\w/-]|\.[0-9])"
    r"(?![ \t]*(?i:mg|mcg|ml|mmhg|units?|tabs?|caps?|%|x\b))))"
)
_CUED_MONTH_DAY = re.compile(
    r"\b(?:on|since|from|until|till|through|thru|by|before|after|dated|date|dos|dob"
    r"|admitted|discharged|seen|visit|surgery|last|next|up|f/u|due|scheduled|appt"
    r"|appointment|placement|placed|drawn|collected|obtained|performed|done|started"
    r"|stopped|held|resumed|returns?|rtc)[:\s]+\Z"
)
_RATIO_CUE = re.compile(
    r"(?:pain|strength|score|scale|rated|grade|ratio|bp|blood pressure|murmur|apgar|gcs"
    r"|exp|expires|expiry|expiration)"
    r"[^.\n]{0,12}\Z"
)
# DOB: 03041950 — eight digits only next to a birth-date cue (lower case).
_DOB_DIGITS = re.compile(
    r"(?:dob|d\.o\.b\.|date[ \t]+of[ \t]+birth|birth[ \t]*date)[:\s#]*([0-9]{8})" + NUM_END
)


_FIRST_YEAR, _LAST_YEAR = 1800, 2199


def _numeric_ok(a: int, b: int, year: int | None) -> bool:
    """Month/day in either order (US m/d or European d/m)."""
    return date_valid(year, a, b) or date_valid(year, b, a)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'")
    return int(digits) + (2000 if len(digits) == 2 else 0)


@dataclass(frozen=True, slots=True)
class DateDetector:
    """Dates in the formats clinical notes use: 3/4/21, 03/04/2021,
    2021-03-04, March 4th, 4 March 2021, 04-Mar-2021, Mar 4, March 2021,
    03/2021, and 3/4 after a date cue ("seen on 3/4"). Every candidate must
    be a real calendar date. ``thorough`` also takes 3/4 without a cue unless
    it reads as a dose, a score or a ratio."""

    thorough: bool = False
    name: str = "date"
    categories: frozenset[str] = frozenset({"DATE"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield dates."""
        yield from self._month_first(text)
        yield from self._digit_led(text)
        yield from self._birth_digits(text)

    def _month_first(self, text: str) -> Iterator[Finding]:
        for m in _MONTH_FIRST.finditer(text):
            if glued(text, m.start()):
                continue
            if m.group("year2") is not None:  # month and year only
                yield Finding("DATE", m.start(), m.end(), 0.8, self.name)
            elif date_valid(_year(m.group("year")), _MONTHS[m.group("mon")], int(m.group("day"))):
                yield Finding("DATE", m.start(), m.end(), 0.9, self.name)

    def _digit_led(self, text: str) -> Iterator[Finding]:
        low: str | None = None
        for m in _DIGIT_LED.finditer(text):
            kind = m.lastgroup
            start, end = m.start(), m.end()
            if kind == "iso":
                year = int(m.group("iy"))
                if _FIRST_YEAR <= year <= _LAST_YEAR and date_valid(
                    year, int(m.group("im")), int(m.group("id"))
                ):
                    yield Finding("DATE", start, end, 0.95, self.name)
            elif kind == "compact":
                year = int(m.group("cy"))
                if 1900 <= year <= 2099 and date_valid(
                    year, int(m.group("cm")), int(m.group("cd"))
                ):
                    yield Finding("DATE", start, end, 0.7, self.name)
            elif kind == "glued":
                if date_valid(int(m.group("gy")), _MONTHS[m.group("gmon")], int(m.group("gd"))):
                    yield Finding("DATE", start, end, 0.9, self.name)
            elif kind == "dm":
                if date_valid(_year(m.group("dy")), _MONTHS[m.group("dmon")], int(m.group("dd"))):
                    if m.group("dsep") is None and text.endswith(("the ", "The "), 0, start):
                        start -= 4  # "the 4th of March"
                    yield Finding("DATE", start, end, 0.9, self.name)
            elif kind in ("num", "dot"):
                a, b, y = ("na", "nb", "ny") if kind == "num" else ("ta", "tb", "ty")
                if _numeric_ok(int(m.group(a)), int(m.group(b)), _year(m.group(y))):
                    yield Finding("DATE", start, end, 0.9, self.name)
            elif kind == "my":
                if 1 <= int(m.group("mm")) <= 12:
                    yield Finding("DATE", start, end, 0.6, self.name)
            elif kind == "md" and _numeric_ok(int(m.group("ma")), int(m.group("mb")), None):
                low = low if low is not None else lowered(text)
                lo = max(0, start - 24)
                if _CUED_MONTH_DAY.search(low, lo, start):
                    yield Finding("DATE", start, end, 0.7, self.name)
                elif (
                    self.thorough
                    # x/10 and x/5 are pain and strength scores far more often
                    # than 10 October or 5 May.
                    and int(m.group("mb")) not in (5, 10)
                    and not _RATIO_CUE.search(low, lo, start)
                ):
                    yield Finding("DATE", start, end, 0.5, self.name)

    def _birth_digits(self, text: str) -> Iterator[Finding]:
        low = lowered(text)
        if "dob" not in low and "birth" not in low and "d.o.b." not in low:
            return
        for m in _DOB_DIGITS.finditer(low):
            v = m.group(1)
            if date_valid(int(v[4:]), int(v[:2]), int(v[2:4])) or date_valid(
                int(v[:4]), int(v[4:6]), int(v[6:])
            ):
                yield Finding("DATE", m.start(1), m.end(1), 0.85, self.name)


# --- ages ---------------------------------------------------------------------

# Matched in lower-cased text. Ages over 89 start with 9 or 1.
_AGE = re.compile(
    r"(?P<n>[19](?<![\w-].)[0-9]{1,2})(?:"
    r"[ -]?(?:years?|yrs?|y)[ -]?(?:old|o\b)"
    r"|[ \t]*(?:y/o|yo|y\.o\.)(?![a-z])"
    r"|[ \t]+(?:years?|yrs?)[ \t]+of[ \t]+age)"
)
_AGE_CUE = re.compile(r"age(?:d|:)?[ \t]*:?[ \t]*(?:of[ \t]+)?(?P<n>[19][0-9]{1,2})" + NUM_END)
_OLDEST = 125  # older than anyone recorded: a number, not an age


@dataclass(frozen=True, slots=True)
class AgeDetector:
    """Ages over 89: "92-year-old", "92 y/o", "age 95", "aged 91", "101 years
    of age". Only the number is reported ("[AGE]-year-old")."""

    name: str = "age"
    categories: frozenset[str] = frozenset({"AGE"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield ages over 89."""
        low = lowered(text)
        for pattern in (_AGE, _AGE_CUE):
            for m in pattern.finditer(low):
                if pattern is _AGE_CUE and glued(text, m.start()):
                    continue  # "page 95", "stage 101"
                if 89 < int(m.group("n")) <= _OLDEST:
                    yield Finding("AGE", m.start("n"), m.end("n"), 0.9, self.name)
