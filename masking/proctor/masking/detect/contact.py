"""Telephone and fax numbers, e-mail addresses, URLs and IP addresses."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from proctor.masking.detect._base import NUM_END, Finding, glued, lowered

# North American numbering plan: area code and exchange start with 2-9, which
# rules out most order and lab numbers of the same shape. Separators are
# required (bare ten-digit runs need a cue, below) so NPIs and account numbers
# are not read as phone numbers. Two patterns, so each starts with a plain
# character class: "(617) 555-1234" and "617-555-1234".
#
# An extension is part of the number, joined ("617-555-1234x22") or spaced
# ("ext. 22", "extension 22", "#22"); an extension of seven or more digits
# makes the whole thing no phone number.
_EXT = r"(?:[ \t]*(?i:ext\.?|extension|x|\#)[ \t]*[0-9]{1,6})?"
_REST = r"[2-9][0-9]{2}[ .-][0-9]{4}" + _EXT + NUM_END
_PHONE_PAREN = re.compile(r"\((?<![\w].)[2-9][0-9]{2}\)[ -]?" + _REST)
_PHONE_PLAIN = re.compile(r"[2-9](?<![\w(].)[0-9]{2}[ .-]" + _REST)
# "+1 ", "1-", "+1-", "001-" in front of the area code.
_COUNTRY_CODE = re.compile(r"(?<![\w+-])(?:\+|00)?1[ .-]?\Z")
# Ten digits with no separators: an NPI, an account or an order number as
# often as a phone number, so only a phone number after a cue (below).
_BARE_PHONE = re.compile(r"[2-9](?<![A-Za-z_-].)[0-9]{2}[2-9][0-9]{6}" + _EXT + NUM_END)
# The cues that make a bare ten-digit run a phone (or fax) number when one
# comes before it on its line with no digit in between: "please call us at",
# "Emergency contact: Sandra (wife)", "fax records to", "Callback:",
# "Daughter Jane". Weak cues count only right before the number ("Home:
# 6175551234", "P: …", "F: …"), so "Office visit. Order 4068413549" is no
# phone number.
_BARE_CUES = re.compile(
    r"\b(?:call(?:back|ed|ing|s)?|phone[ds]?|telephone|tel|cell(?:phone)?|mobile|mob|pager"
    r"|beeper|fax(?:ed|es)?|facsimile|contact(?:ed|s)?|reach(?:ed|able)?|text(?:ed)?|dial|ph"
    r"|wife|husband|spouse|partner|son|daughter|mother|father|mom|dad"
    r"|sister|brother|caregiver|guardian|neighbou?r|friend"
    r"|(?P<weak>home|work|office|hm|wk|[pfchmwo]))\b"
)
# Numbers outside the North American plan. With a "+" country code the shape
# says enough ("+41 (0)20 642 41 45", "+44 7700 900123", "+4915112345678");
# without one ("020 7946 0958", "(07700) 448 486", "0680 700 65 97") only after
# a phone cue, like bare ten digits. 8-15 digits in all (E.164 allows 15).
_INTL_PLUS = re.compile(
    r"\+(?<![\w+].)[1-9][0-9]{0,3}(?:[ .-]?\(0\))?(?:[ .-]?[0-9]{1,8}){1,6}" + _EXT + NUM_END
)
_INTL_GROUPED = re.compile(
    r"(?:\(0[0-9]{1,4}\)|0[0-9]{1,4})(?:[ .-][0-9]{2,8}){1,4}" + _EXT + NUM_END
)
# "01 02 2021", "04.03.21 16:50": a date, not a number to call; "02115-1234":
# a ZIP+4 code.
_NOT_INTL = re.compile(
    r"[0-9]{1,2}([ .-])[0-9]{1,2}\1(?:[0-9]{4}|[0-9]{2})(?![0-9])|[0-9]{5}-[0-9]{4}\Z"
)
_INTL_DIGITS = (8, 15)
_EXT_START = re.compile(r"[ \t]*(?i:ext|x|#)")
_WEAK_CUE_GAP = re.compile(r"[ \t]*[:#.]?[ \t]*\Z")
_BARE_CUE_WINDOW = 48
# The nearest cue before a number decides between phone and fax ("Tel …,
# Fax …" on one line).
_LINE_CUES = re.compile(
    r"\b(?:(?P<fax>fax|facsimile|f)|phone|tel|telephone|cell|mobile|call|pager|ph|p|home|work|office)\b",
    re.IGNORECASE,
)
_CUE_WINDOW = 32


def _bare_cued(low: str, start: int) -> bool:
    """Whether a phone cue precedes ``start`` on its line, within
    ``_BARE_CUE_WINDOW`` characters and with no digit between the two (so
    "Call 555-0100 re order 4068413549" does not make the order a phone).
    A weak cue counts only right before the number; one further away is
    passed over ("call the office at 5946723954" still has "call")."""
    lo = max(0, start - _BARE_CUE_WINDOW, low.rfind("\n", 0, start) + 1)
    for cue in reversed(list(_BARE_CUES.finditer(low, lo, start))):
        if any("0" <= ch <= "9" for ch in low[cue.end() : start]):
            return False
        if cue.group("weak") is None or _WEAK_CUE_GAP.match(low, cue.end(), start):
            return True
    return False


def _is_fax(text: str, start: int) -> bool:
    lo = max(0, start - _CUE_WINDOW, text.rfind("\n", 0, start) + 1)
    cues = list(_LINE_CUES.finditer(text, lo, start))
    return bool(cues) and cues[-1].group("fax") is not None


def _phone_start(text: str, start: int) -> int | None:
    """Where the number really starts (a +1 or 001 country code joins it),
    or None when it is glued to a word, digit or hyphen."""
    cc = _COUNTRY_CODE.search(text, max(0, start - 5), start)
    if cc is not None:
        return cc.start()
    if start and (text[start - 1].isalnum() or text[start - 1] in "_+-"):
        return None
    return start


@dataclass(frozen=True, slots=True)
class PhoneDetector:
    """US telephone numbers: (555) 123-4567, 555.123.4567, +1 555 123 4567,
    001-555-123-4567, with extensions (x123, ext. 123); ten bare digits only
    after a cue earlier on the line. Reported as FAX when the nearest cue
    before the number on its line is "fax"."""

    name: str = "phone"
    categories: frozenset[str] = frozenset({"PHONE", "FAX"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield phone and fax numbers."""
        for pattern in (_PHONE_PAREN, _PHONE_PLAIN):
            for m in pattern.finditer(text):
                start = _phone_start(text, m.start())
                if start is None:
                    continue
                category = "FAX" if _is_fax(text, start) else "PHONE"
                yield Finding(category, start, m.end(), 0.85, self.name)
        low: str | None = None
        for m in _BARE_PHONE.finditer(text):
            start = _phone_start(text, m.start())
            if start is None:
                continue
            if low is None:
                low = lowered(text)
            if _bare_cued(low, start):
                category = "FAX" if _is_fax(text, start) else "PHONE"
                yield Finding(category, start, m.end(), 0.75, self.name)
        if "+" in text:
            for m in _INTL_PLUS.finditer(text):
                if _digit_count(m, _INTL_DIGITS):
                    category = "FAX" if _is_fax(text, m.start()) else "PHONE"
                    yield Finding(category, m.start(), m.end(), 0.8, self.name)
        for m in _INTL_GROUPED.finditer(text):
            start = m.start()
            if (
                (start and text[start - 1] in "(.,/")
                or _phone_start(text, start) is None
                or not _digit_count(m, (7, 13))
                or _NOT_INTL.match(m.group())
            ):
                continue
            if low is None:
                low = lowered(text)
            if _bare_cued(low, m.start()):
                category = "FAX" if _is_fax(text, m.start()) else "PHONE"
                yield Finding(category, m.start(), m.end(), 0.7, self.name)


def _digit_count(m: re.Match[str], bounds: tuple[int, int]) -> bool:
    """Whether the number (without its extension) has a plausible length."""
    number = m.group()
    ext = _EXT_START.search(number)
    n = sum(ch.isdigit() for ch in (number if ext is None else number[: ext.start()]))
    return bounds[0] <= n <= bounds[1]


_EMAIL_LOCAL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9_](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?\Z")
_EMAIL_DOMAIN = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w@-])"
)


@dataclass(frozen=True, slots=True)
class EmailDetector:
    """E-mail addresses."""

    name: str = "email"
    categories: frozenset[str] = frozenset({"EMAIL"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield e-mail addresses: found from each "@" outwards, which is far
        quicker than trying an address pattern at every letter."""
        at = text.find("@")
        while at != -1:
            local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
            domain = _EMAIL_DOMAIN.match(text, at + 1)
            if local is not None and domain is not None:
                yield Finding("EMAIL", local.start(), domain.end(), 0.95, self.name)
            at = text.find("@", at + 1)


_URL_CHARS = r"[^\s<>\"'\[\]{}|\\^`]"
_URL = re.compile(rf"(?:https?://|ftp://|www\.){_URL_CHARS}+")
# Bare host names only with a familiar top-level domain: "e.g." and
# "q.i.d." must not become URLs. Found from the ".com" backwards.
_TLD = re.compile(r"\.(?:com|org|net|edu|gov|mil|io|us|info|biz|health|care)\b(?![@-])")
_HOST_HEAD = re.compile(
    r"(?<![@\w.-])[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_PATH = re.compile("/" + _URL_CHARS + "*")
_TRAILING_PUNCT = ".,;:!?)'\""


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRAILING_PUNCT:
        end -= 1
    return end


@dataclass(frozen=True, slots=True)
class UrlDetector:
    """Web addresses with a scheme or ``www.``, and bare host names with a
    common top-level domain (portal.example.org/p/123)."""

    name: str = "url"
    categories: frozenset[str] = frozenset({"URL"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield URLs, without trailing sentence punctuation."""
        low = lowered(text)
        taken = -1
        for m in _URL.finditer(low):
            if not glued(text, m.start()):
                end = _trim(text, m.start(), m.end())
                taken = end
                yield Finding("URL", m.start(), end, 0.9, self.name)
        for m in _TLD.finditer(low):
            if m.start() < taken:
                continue  # part of a URL with a scheme
            head = _HOST_HEAD.search(text, max(0, m.start() - 128), m.start())
            if head is None:
                continue
            path = _PATH.match(text, m.end())
            end = _trim(text, head.start(), path.end() if path else m.end())
            yield Finding("URL", head.start(), end, 0.7, self.name)


_IPV4 = re.compile(r"[0-9](?<![\w.-].)[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![\w-]|\.[0-9])")
# Candidates only; ipaddress decides. Clock times (10:30:00) and ratios fail
# validation.
# IPv6 candidates are found from a pair of colons with at most four hex
# digits between them, then widened to the whole token; ipaddress decides, so
# clock times (10:30:00) and ratios fail.
_IPV6_SEED = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_VERSION_CUE = re.compile(r"(?i:\bv|version|ver\.?|release|build)[ \t]*\Z")


@dataclass(frozen=True, slots=True)
class IpDetector:
    """IPv4 and IPv6 addresses, validated with :mod:`ipaddress`; a dotted
    quad right after "version"/"v" is a version number, not an address."""

    name: str = "ip"
    categories: frozenset[str] = frozenset({"IP"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield IP addresses."""
        for m in _IPV4.finditer(text):
            if _VERSION_CUE.search(text, max(0, m.start() - 10), m.start()):
                continue
            try:
                ipaddress.IPv4Address(m.group())
            except ValueError:
                continue
            yield Finding("IP", m.start(), m.end(), 0.85, self.name)
        if "::" not in text and text.count(":") < 7:
            return
        taken = -1
        for m in _IPV6_SEED.finditer(text):
            if m.start() < taken:
                continue
            start, end = m.start(), m.end()
            while start > 0 and text[start - 1] in _IPV6_CHARS:
                start -= 1
            while end < len(text) and text[end] in _IPV6_CHARS:
                end += 1
            taken = end
            while end > start and text[end - 1] == ".":
                end -= 1  # sentence punctuation
            if glued(text, start) or (
                end < len(text) and (text[end].isalnum() or text[end] == "_")
            ):
                continue
            try:
                ipaddress.IPv6Address(text[start:end])
            except ValueError:
                continue
            yield Finding("IP", start, end, 0.85, self.name)
