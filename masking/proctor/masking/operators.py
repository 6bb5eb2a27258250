"""Operator implementations: what each masking operator does to one value.

Every operator is a function ``(value, operator, ctx) -> new value`` looked up
by the operator's ``name`` in :data:`OPERATOR_FUNCTIONS`; an unknown name gets
:func:`redact`, the safe default. Operators never raise on odd input: a value
an operator cannot handle (a date that does not parse, an object given to
``partial``) is redacted instead, because a masking failure must hide the data,
not pass it through.

Every operator leaves an already-masked value as it is (the redaction marker,
a hash pseudonym, a live token), so applying the same directives to a masked
document changes nothing: masking is idempotent.

Keys: ``hash``, ``tokenize`` and ``date_shift`` all derive from the one HMAC
key in :class:`MaskContext`, each under its own label (domain separation), so
a hash pseudonym and a token of the same value are unrelated strings.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple, Protocol, TypeAlias, cast

from proctor.masking.directives import DateShift, Detect, Generalize, Operator, Partial
from proctor.masking.vault import TokenVault

JSON: TypeAlias = bool | int | float | str | list["JSON"] | dict[str, "JSON"] | None

REDACTED = "[REDACTED]"
"""What ``redact`` (and every fail-closed path) puts in place of a value."""

HASH_PREFIX = "hash:"
TOKEN_PREFIX = "tok_"  # noqa: S105 - a marker, not a secret
"""Token of a string that is not digit-shaped; the vault holds the string."""
JSON_TOKEN_PREFIX = "tokj_"  # noqa: S105 - a marker, not a secret
"""Token of a non-string value; the vault holds its canonical JSON."""

MIN_KEY_BYTES = 16

_HASH_LABEL = b"proctor/mask/hash/v1\0"
_TOKEN_LABEL = b"proctor/mask/tokenize/v1\0"
_SHIFT_LABEL = b"proctor/mask/date_shift/v1\0"

_HASH_RE = re.compile(r"hash:[0-9a-f]{16}\Z")
_TOKEN_RE = re.compile(r"tokj?_[a-z2-7]{16}\Z")
# Digit-shaped values (SSNs, phone, card, account numbers) keep their shape
# when tokenized: digits stay digits, separators stay where they were.
_DIGIT_SHAPE_RE = re.compile(r"[0-9 ().+/-]+\Z")
_MIN_SHAPED_DIGITS = 6  # fewer digits: too small a space for distinct tokens
_MAX_SHAPED_DIGITS = 30  # more: not an identifier we need to keep the shape of
_TOKEN_ATTEMPTS = 8  # candidates tried per form before giving up on that form
_B32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


class Span(Protocol):
    """What a detector reports: where a finding is and what it is."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def category(self) -> str: ...


Detector: TypeAlias = Callable[[str, frozenset[str]], Sequence[Span]]
"""Finds identifiers in text: ``(text, categories) -> spans``. Plug in
``proctor.masking.detect`` with its mode bound (``functools.partial``)."""


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class _Hmac:
    """HMAC-SHA256 (RFC 2104) with the keyed inner and outer SHA-256 states
    computed once. Same digests as ``hmac.digest(key, msg, "sha256")`` (a test
    checks), at well under half the cost per call, which matters when every
    hashed or tokenized field needs one."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes) -> None:
        block = hashlib.sha256().block_size
        if len(key) > block:
            key = hashlib.sha256(key).digest()
        key = key.ljust(block, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def digest(self, msg: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(msg)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def prefixed(self, prefix: bytes) -> _Hmac:
        """The same key with ``prefix`` already fed in: its ``digest(msg)``
        is this one's ``digest(prefix + msg)``, without hashing the prefix
        again for every message."""
        new = _Hmac.__new__(_Hmac)
        new._inner = self._inner.copy()
        new._inner.update(prefix)
        new._outer = self._outer
        return new


@dataclass(frozen=True, slots=True)
class MaskContext:
    """Everything the operators need besides the value: secrets and
    collaborators are passed in, never read from globals.

    ``hash_key`` keys ``hash``, ``tokenize`` and the ``date_shift`` offset (at
    least 16 bytes, from configuration; there is no default key). ``vault`` and
    a non-empty ``scope`` are needed by ``tokenize``, ``subject`` by
    ``date_shift`` and ``detector`` by ``detect``: without them those operators
    redact (fail closed). Token expiry is the vault's business (Redis expires
    server-side; :class:`~proctor.masking.vault.InMemoryVault` takes a clock).
    """

    hash_key: bytes = field(repr=False)  # never in logs or reprs
    vault: TokenVault | None = None
    scope: str = ""
    subject: str = ""
    detector: Detector | None = None
    token_ttl_seconds: float = 86_400.0
    # Derived once per context, not per value: the keyed HMAC state (also
    # with the hash label, and with the token label, scope and first attempt
    # fed in) and the subject's date offsets.
    _keyed: _Hmac = field(init=False, repr=False, compare=False)
    _hash_mac: _Hmac = field(init=False, repr=False, compare=False)
    _token_mac: _Hmac = field(init=False, repr=False, compare=False)
    _offsets: dict[int, int] = field(init=False, repr=False, compare=False)
    _shifts: dict[int, timedelta] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.hash_key, bytes) or len(self.hash_key) < MIN_KEY_BYTES:
            raise ValueError(f"masking hash_key must be at least {MIN_KEY_BYTES} bytes")
        if self.token_ttl_seconds <= 0:
            raise ValueError("token_ttl_seconds must be positive")
        keyed = _Hmac(self.hash_key)
        object.__setattr__(self, "_keyed", keyed)
        object.__setattr__(self, "_hash_mac", keyed.prefixed(_HASH_LABEL))
        object.__setattr__(
            self, "_token_mac", keyed.prefixed(_mac_message(_TOKEN_LABEL, (self.scope, "0")))
        )
        object.__setattr__(self, "_offsets", {})
        object.__setattr__(self, "_shifts", {})

    def mac(self, label: bytes, *parts: str) -> bytes:
        """HMAC-SHA256 under ``hash_key`` of ``label`` and the length-prefixed
        ``parts`` (so ``("ab", "c")`` and ``("a", "bc")`` differ)."""
        return self._keyed.digest(_mac_message(label, parts))

    def shift_days(self, days: int) -> int:
        """:func:`shift_days` for this context's subject, computed once."""
        offset = self._offsets.get(days)
        if offset is None:
            offset = self._offsets[days] = shift_days(self.hash_key, self.subject, days)
        return offset

    def shift_delta(self, days: int) -> timedelta:
        """:meth:`shift_days` as a ``timedelta``."""
        delta = self._shifts.get(days)
        if delta is None:
            delta = self._shifts[days] = timedelta(days=self.shift_days(days))
        return delta

    def _token_digest(self, attempt: int, original: str) -> bytes:
        """``mac(_TOKEN_LABEL, scope, str(attempt), original)``, the first
        attempt from the precomputed state."""
        if attempt:
            return self.mac(_TOKEN_LABEL, self.scope, str(attempt), original)
        raw = original.encode()
        return self._token_mac.digest(len(raw).to_bytes(4, "big") + raw)


class Dropped(enum.Enum):
    """Returned by ``drop``: the caller removes the key or array element."""

    DROPPED = "dropped"


DROPPED = Dropped.DROPPED

OperatorFn: TypeAlias = Callable[[JSON, Operator, MaskContext], "JSON | Dropped"]


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
# What _CANONICAL.encode does with a string, without the detour.
_encode_str = json.encoder.encode_basestring


def canonical_json(value: JSON) -> str:
    """One encoding per value (sorted keys, no spaces), so equal values hash
    alike and ``"1"`` differs from ``1``."""
    # A shared encoder: json.dumps with options builds a new one per call.
    return _CANONICAL.encode(value)


def _mac_message(label: bytes, parts: tuple[str, ...]) -> bytes:
    out = [label]
    for part in parts:
        raw = part.encode()
        out.append(len(raw).to_bytes(4, "big"))
        out.append(raw)
    return b"".join(out)


# --- redact, drop, hash -------------------------------------------------------


def redact(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Any value, of any type, becomes :data:`REDACTED`."""
    return REDACTED


def drop(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Remove the key or array element (the caller does the removing)."""
    return DROPPED


def is_pseudonym(value: object) -> bool:
    """Whether ``value`` already is a ``hash`` pseudonym."""
    return isinstance(value, str) and _HASH_RE.match(value) is not None


def hash_value(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Keyed pseudonym ``hash:`` + 16 hex digits of HMAC-SHA256 over the
    value's canonical JSON: stable per key, unlinkable without it."""
    if isinstance(value, str):
        if value.startswith(HASH_PREFIX) and _HASH_RE.match(value):
            return value  # already a pseudonym
        raw = _encode_str(value).encode()
    else:
        raw = canonical_json(value).encode()
    # ctx.mac(_HASH_LABEL, canonical JSON), from the state with the label in.
    digest = ctx._hash_mac.digest(len(raw).to_bytes(4, "big") + raw)
    return HASH_PREFIX + digest[:8].hex()


# --- tokenize ---------------------------------------------------------------


# The digit strings here are ASCII, so they are worked on as bytes:
# bytes.translate is a plain table lookup per byte, where str.translate
# looks every character up in a dict.
# Each digit doubled, digits of the result summed: 0 2 4 6 8 1 3 5 7 9.
_LUHN_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")
_SEPARATORS = b" ().+/-"  # what _DIGIT_SHAPE_RE allows besides digits
# Every digit becomes a %c slot for its replacement (a separator is never %).
_DIGIT_SLOTS = bytes.maketrans(b"0123456789", b"\0" * 10)
_POW10 = tuple(10**n for n in range(_MAX_SHAPED_DIGITS + 1))


def _luhn_valid(digits: str) -> bool:
    """Luhn check of ASCII ``digits``: the digits are summed as bytes."""
    raw = digits.encode()
    both = raw[-1::-2] + raw[-2::-2].translate(_LUHN_DOUBLED)
    return (sum(both) - 48 * len(both)) % 10 == 0


def _shaped_digits(value: str) -> str | None:
    """The digits of a digit-shaped value (``123-45-6789``), else ``None``."""
    if not _DIGIT_SHAPE_RE.match(value):
        return None
    # The pattern admits ASCII only: deleting the separators leaves the digits.
    digits = value.encode().translate(None, _SEPARATORS).decode()
    return digits if _MIN_SHAPED_DIGITS <= len(digits) <= _MAX_SHAPED_DIGITS else None


def _looks_like_token(value: str, digits: str | None) -> bool:
    # A cheap shape check before asking the vault; only the vault decides.
    if digits is not None:
        return digits[0] == "9" and not _luhn_valid(digits)
    return value.startswith(("tok_", "tokj_")) and _TOKEN_RE.match(value) is not None


def _shaped_candidate(value: str, digits: str, mac: bytes) -> str:
    """Same shape as ``value``: a leading 9 (no SSN area starts with 9) and a
    Luhn-invalid digit string (never a valid card number), so detectors do not
    mistake a token for the identifier it replaces."""
    body = str(int.from_bytes(mac, "big") % _POW10[len(digits) - 1]).zfill(len(digits) - 1)
    new = "9" + body
    if _luhn_valid(new):
        new = new[:-1] + str((int(new[-1]) + 1) % 10)
    if len(new) == len(value):
        return new  # no separators
    # The separators stay in place; the digits fill the slots in order.
    slots = value.encode().translate(_DIGIT_SLOTS).replace(b"\0", b"%c")
    return (slots % tuple(new.encode())).decode()


# base32 (RFC 4648, lower case) by pairs of characters: 10 bits at a time.
_B32_PAIRS = tuple(a + b for a in _B32_ALPHABET for b in _B32_ALPHABET)


def _opaque_candidate(prefix: str, mac: bytes) -> str:
    """``prefix`` and the base32 of ``mac``'s first 10 bytes (16 characters,
    as ``base64.b32encode`` writes them, in lower case). Written out because
    the library function loops in Python over 5-byte groups, at more than
    twice the cost."""
    n = int.from_bytes(mac[:10], "big")
    p = _B32_PAIRS
    # One f-string: a single allocation, where a chain of + makes eight.
    return (
        f"{prefix}{p[n >> 70]}{p[(n >> 60) & 1023]}{p[(n >> 50) & 1023]}"
        f"{p[(n >> 40) & 1023]}{p[(n >> 30) & 1023]}{p[(n >> 20) & 1023]}"
        f"{p[(n >> 10) & 1023]}{p[n & 1023]}"
    )


def tokenize(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Reversible token, deterministic within ``ctx.scope``.

    Digit-shaped strings (6-30 digits plus ``-``, space, ``()+./``) keep their
    shape: ``123-45-6789`` → ``9xx-xx-xxxx``. Other strings become ``tok_`` +
    16 base32 characters, non-strings ``tokj_`` + 16 (the vault then holds the
    canonical JSON, so Reveal restores the type). The token is an HMAC of
    (scope, value), so the same value gets the same token in a scope (joins
    keep working) and another token in another scope; the vault resolves the
    rare collision by trying the next candidate. A string that is a live token
    of this scope is returned as it is (idempotence) and its expiry refreshed.
    """
    vault, scope = ctx.vault, ctx.scope
    if vault is None or not scope:
        return REDACTED  # no vault, no reversibility: fail closed
    if isinstance(value, str):
        digits = _shaped_digits(value)
        if _looks_like_token(value, digits):
            held = vault.get(scope, value)
            if held is not None:
                vault.put(scope, value, held, ctx.token_ttl_seconds)
                return value
        original, prefix = value, TOKEN_PREFIX
    else:
        original, prefix, digits = canonical_json(value), JSON_TOKEN_PREFIX, None
    ttl = ctx.token_ttl_seconds
    for attempt in range(2 * _TOKEN_ATTEMPTS):
        mac = ctx._token_digest(attempt, original)
        if digits is not None and attempt < _TOKEN_ATTEMPTS:
            candidate = _shaped_candidate(original, digits, mac)
        else:  # not digit-shaped, or the shaped space is crowded: go opaque
            candidate = _opaque_candidate(prefix, mac)
        if candidate != original and vault.claim(scope, candidate, original, ttl):
            return candidate
    return REDACTED  # every candidate taken: never reuse another value's token


def detokenize(token: str, vault: TokenVault, scope: str) -> JSON | None:
    """The value behind ``token`` in ``scope``, typed as it was, or ``None``.

    Reveal is the service's job (approval and audit first); this only undoes
    the encoding."""
    original = vault.get(scope, token)
    if original is None or not token.startswith(JSON_TOKEN_PREFIX):
        return original
    decoded: JSON = json.loads(original)
    return decoded


# --- partial ------------------------------------------------------------------


_ASCII_ALNUM = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_MASKABLE = _ASCII_ALNUM + b"*"
_MASKED = bytes.maketrans(_ASCII_ALNUM, b"*" * len(_ASCII_ALNUM))


def partial(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Mask letters and digits with ``*`` except the last ``keep``; keep
    punctuation for readability: ``123-45-6789`` → ``***-**-6789``.

    Never reveals more than half of a value's characters: ``keep=4`` on
    ``12345`` gives ``***45``, because showing all of a short value is not
    masking it. ``*`` counts as a maskable character, so a masked value masks
    to itself.
    """
    if not isinstance(op, Partial) or value is None or isinstance(value, (bool, dict, list)):
        return REDACTED
    text = value if isinstance(value, str) else canonical_json(value)
    if text == REDACTED:
        return text
    if text.isascii():
        # The same, with the per-character work done by bytes.translate.
        raw = text.encode()
        maskable = len(raw) - len(raw.translate(None, _MASKABLE))
        left = min(op.keep, maskable // 2)
        if left <= 0:
            return raw.translate(_MASKED).decode()
        i = len(text)
        while left:
            i -= 1
            ch = text[i]
            if ch.isalnum() or ch == "*":
                left -= 1
        return raw[:i].translate(_MASKED).decode() + text[i:]
    maskable = sum(1 for ch in text if ch.isalnum() or ch == "*")
    left = min(op.keep, maskable // 2)
    out = list(text)
    for i in range(len(out) - 1, -1, -1):
        ch = out[i]
        if ch.isalnum() or ch == "*":
            if left > 0:
                left -= 1
            else:
                out[i] = "*"
    return "".join(out)


# --- dates --------------------------------------------------------------------

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for name in names
}
_FULL_MONTHS = (
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
_FULL_MONTH_SET = frozenset(m.lower() for m in _FULL_MONTHS)

_TIME = r"(?P<rest>(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?)"
_YMD = re.compile(rf"(?P<y>\d{{4}})(?P<s>[-/.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}}){_TIME}\Z")
_YMD_COMPACT = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})\Z")
_NUMERIC_DMY = re.compile(
    rf"(?P<a>\d{{1,2}})(?P<s>[-/.])(?P<b>\d{{1,2}})(?P=s)(?P<y>\d{{4}}){_TIME}\Z"
)
_NAMED_MDY = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})(?P<s1>\.?\s+)(?P<d>\d{1,2})(?P<ord>st|nd|rd|th)?"
    r"(?P<s2>,?\s+)(?P<y>\d{4})\Z"
)
_NAMED_DMY = re.compile(
    r"(?P<d>\d{1,2})(?P<ord>st|nd|rd|th)?(?P<s1>\s+)(?P<mon>[A-Za-z]{3,9})(?P<s2>\.?,?\s+)"
    r"(?P<y>\d{4})\Z"
)
_NAMED_MY = re.compile(r"(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>\d{4})\Z")
_YM = re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})\Z")
_Y = re.compile(r"(?P<y>\d{4})\Z")


class ParsedDate(NamedTuple):
    """A date as precise as its text was; ``render`` writes a (shifted) date
    back in the original format, and is ``None`` unless the day is known.
    (A named tuple: this is built for every date masked.)"""

    year: int
    month: int | None = None
    day: int | None = None
    render: Callable[[date], str] | None = None


def _pad(n: int, like: str) -> str:
    return str(n).zfill(len(like))


def _ordinal(day: int) -> str:
    if 11 <= day % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _month_name(month: int, like: str) -> str:
    full = _FULL_MONTHS[month - 1]
    name = full if like.lower() in _FULL_MONTH_SET else full[:3]
    if like.isupper():
        return name.upper()
    return name.lower() if like.islower() else name


def _valid(y: int, m: int, d: int | None = None) -> bool:
    """Whether year ``y``, month ``m`` and day ``d`` (None: no day given)
    are a real calendar date; day 0 is not."""
    try:
        date(y, m, 1 if d is None else d)
    except ValueError:
        return False
    return True


def parse_date(text: str) -> ParsedDate | None:
    """Read a date in a common format (ISO with or without time, ``YYYYMMDD``,
    ``MM/DD/YYYY`` or ``DD/MM/YYYY`` when the first part exceeds 12,
    ``DD.MM.YYYY``, ``March 4, 2021``, ``4 Mar 2021``, ``March 2021``,
    ``2021-03``, ``2021``); ``None`` when it is none of them. Two-digit years
    are refused: their century is a guess."""
    s = text.strip()
    if m := _YMD.match(s):
        ys, ms, ds, sep, rest = m.group("y", "m", "d", "s", "rest")
    elif m := _YMD_COMPACT.match(s):
        ys, ms, ds, sep, rest = (*m.group("y", "m", "d"), "", "")
    if m:
        y, mo, d = int(ys), int(ms), int(ds)
        if not _valid(y, mo, d):
            return None
        return ParsedDate(
            y, mo, d, lambda x: f"{x.year:04d}{sep}{_pad(x.month, ms)}{sep}{_pad(x.day, ds)}{rest}"
        )
    if m := _NUMERIC_DMY.match(s):
        a, b, y, sep, rest = int(m["a"]), int(m["b"]), int(m["y"]), m["s"], m["rest"]
        day_first = sep == "." or (a > 12 and b <= 12)  # dots are European
        mo, d = (b, a) if day_first else (a, b)
        if not _valid(y, mo, d):
            return None
        first, second = (m["b"], m["a"]) if day_first else (m["a"], m["b"])

        def render_numeric(x: date) -> str:
            mm, dd = _pad(x.month, first), _pad(x.day, second)
            parts = (dd, mm) if day_first else (mm, dd)
            return f"{parts[0]}{sep}{parts[1]}{sep}{x.year:04d}{rest}"

        return ParsedDate(y, mo, d, render_numeric)
    if m := _NAMED_MDY.match(s) or _NAMED_DMY.match(s):
        mo_opt = _MONTHS.get(m["mon"].lower())
        y, d = int(m["y"]), int(m["d"])
        if mo_opt is None or not _valid(y, mo_opt, d):
            return None
        mon, s1, s2, ord_ = m["mon"], m["s1"], m["s2"], m["ord"]
        month_first = s.startswith(mon)

        def render_named(x: date) -> str:
            name = _month_name(x.month, mon)
            day = f"{x.day}{_ordinal(x.day) if ord_ else ''}"
            if month_first:
                return f"{name}{s1}{day}{s2}{x.year:04d}"
            return f"{day}{s1}{name}{s2}{x.year:04d}"

        return ParsedDate(y, mo_opt, d, render_named)
    if m := _NAMED_MY.match(s):
        mo_opt = _MONTHS.get(m["mon"].lower())
        y = int(m["y"])
        return ParsedDate(y, mo_opt) if mo_opt is not None and _valid(y, mo_opt) else None
    if m := _YM.match(s):
        y, mo = int(m["y"]), int(m["m"])
        return ParsedDate(y, mo) if _valid(y, mo) else None
    if m := _Y.match(s):
        y = int(m["y"])
        return ParsedDate(y) if _valid(y, 1) else None
    return None


# --- generalize -----------------------------------------------------------------

# HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(B): the 3-digit ZIP prefixes whose
# areas hold 20,000 people or fewer (2000 Census, as published by HHS) must be
# reported as 000.
RESTRICTED_ZIP3: frozenset[str] = frozenset(
    {"036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831"}
    | {"878", "879", "884", "890", "893"}
)
_ZIP_RE = re.compile(r"(?P<p>\d{3})(?:\d{2}(?:-?\d{4})?|\*\*)\Z")
_AGE_RE = re.compile(r"\d{1,3}(?:\.\d+)?\Z")
_MAX_AGE = 150


def _iso_day(value: str) -> date | None:
    """``YYYY-MM-DD`` (ASCII digits, a valid day) as a date, else ``None``:
    the commonest form, read without :func:`parse_date`'s regexes. Whatever
    this accepts, :func:`parse_date` reads as the same day."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _generalize_date(value: JSON, to: str) -> JSON:
    if isinstance(value, str) and _iso_day(value) is not None:
        return value[:7] if to == "month" else value[:4]
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        return REDACTED
    if to == "month" and parsed.month is not None:
        return f"{parsed.year:04d}-{parsed.month:02d}"
    return f"{parsed.year:04d}"


def _generalize_zip(value: JSON) -> JSON:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99999:
        value = f"{value:05d}"  # a numeric ZIP lost its leading zeros
    m = _ZIP_RE.match(value.strip()) if isinstance(value, str) else None
    if m is None:
        return REDACTED
    prefix = "000" if m["p"] in RESTRICTED_ZIP3 else m["p"]
    return prefix + "**"


def _generalize_age(value: JSON) -> JSON:
    if value == "90+":
        return value
    if isinstance(value, bool):
        return REDACTED
    if isinstance(value, (int, float)):
        age: float = value
    elif isinstance(value, str) and _AGE_RE.match(value.strip()):
        age = float(value)
    else:
        return REDACTED
    if not 0 <= age <= _MAX_AGE:
        return REDACTED
    return "90+" if age > 89 else value  # Safe Harbor: ages over 89 aggregate


def generalize(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Keep a coarse part: a date's ``year`` (``2021``) or ``month``
    (``2021-03``), a ZIP's first three digits (``021**``, or ``000**`` for the
    sparsely populated prefixes of :data:`RESTRICTED_ZIP3`), an age over 89 as
    ``90+`` (younger ages unchanged). Input that does not parse is redacted."""
    if not isinstance(op, Generalize) or value == REDACTED:
        return REDACTED
    if op.to == "zip3":
        return _generalize_zip(value)
    if op.to == "age90":
        return _generalize_age(value)
    return _generalize_date(value, op.to)


# --- date_shift -----------------------------------------------------------------


def shift_days(key: bytes, subject: str, days: int) -> int:
    """The subject's offset: in ``[-days, -1] ∪ [1, days]``, never 0 (a zero
    shift would show the true dates), the same for every date of the subject
    so intervals between them survive."""
    mac = hmac.digest(key, _mac_message(_SHIFT_LABEL, (subject, str(days))), hashlib.sha256)
    span = int.from_bytes(mac[:8], "big") % (2 * days)
    return span - days if span < days else span - days + 1


def date_shift(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Move a day-precise date by the subject's offset, keeping its format.
    Without a subject, or for text that is not a day-precise date, redact."""
    if not isinstance(op, DateShift) or not ctx.subject or not isinstance(value, str):
        return REDACTED
    day = _iso_day(value)
    if day is not None:
        try:
            return (day + ctx.shift_delta(op.days)).isoformat()
        except OverflowError:
            return REDACTED
    parsed = parse_date(value)
    if parsed is None or parsed.render is None or parsed.month is None or parsed.day is None:
        return REDACTED
    offset = ctx.shift_days(op.days)
    try:
        shifted = date(parsed.year, parsed.month, parsed.day) + timedelta(days=offset)
    except OverflowError:
        return REDACTED
    return parsed.render(shifted)


# --- detect -----------------------------------------------------------------------


def replace_spans(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each span replaced by ``[CATEGORY]``; overlapping spans
    merge into one, labelled by the one that starts first (longest on ties)."""
    if len(spans) == 1:  # the common case, as the loop below would do it
        span = spans[0]
        start, end = span.start, span.end
        # (Slicing clips an end past the text; comparisons are cheaper
        # than calls to max and min.)
        if end > start and end > 0 and text:
            head = text[:start] if start > 0 else ""
            return f"{head}[{span.category.upper()}]{text[end:]}"
        return text
    ordered = sorted(
        ((max(0, s.start), min(len(text), s.end), s.category) for s in spans if s.end > s.start),
        key=lambda t: (t[0], -t[1]),
    )
    out: list[str] = []
    pos = 0
    for start, end, category in ordered:
        if end <= pos:
            continue  # inside a span already replaced
        if start < pos:
            pos = end  # overlaps the previous span: extend its cover
            continue
        out.append(text[pos:start])
        out.append(f"[{category.upper()}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def detect_text(text: str, categories: frozenset[str], detector: Detector | None) -> str:
    """Replace the identifiers ``detector`` finds in ``text``; without a
    detector the whole text is redacted (fail closed)."""
    if detector is None:
        return REDACTED
    if text == REDACTED:
        return text
    spans = detector(text, categories)
    return replace_spans(text, spans) if spans else text


def detect(value: JSON, op: Operator, ctx: MaskContext) -> JSON | Dropped:
    """Mask identifiers inside string values (and numbers, read as text, such
    as an SSN stored as a number); containers are scanned leaf by leaf."""
    if not isinstance(op, Detect):
        return REDACTED
    if isinstance(value, str):
        return detect_text(value, op.categories, ctx.detector)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = canonical_json(value)
        masked = detect_text(text, op.categories, ctx.detector)
        return value if masked == text else masked
    if isinstance(value, dict):
        return {k: _leaf(detect(v, op, ctx)) for k, v in value.items()}
    if isinstance(value, list):
        return [_leaf(detect(v, op, ctx)) for v in value]
    return value


def _leaf(value: JSON | Dropped) -> JSON:
    # detect never drops; the narrowing is for the type checker.
    return REDACTED if isinstance(value, Dropped) else value


# --- leaf functions ---------------------------------------------------------------
#
# The compiled fast path of apply_directives applies one operator to many
# leaves (strings, numbers, booleans, null). For the commonest leaves (an ISO
# date, a string to scan) these do the operator's work without the calls and
# checks its general function goes through; every other value goes to that
# function. The results are the same for every value (a test checks).


def _generalize_iso_date(value: JSON, op: Generalize, ctx: MaskContext) -> JSON | Dropped:
    """``generalize(year)`` or ``generalize(month)``."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            date.fromisoformat(value)  # a valid day, as in _iso_day
        except ValueError:
            pass
        else:
            return value[:7] if op.to == "month" else value[:4]
    return generalize(value, op, ctx)


def _date_shift_iso_date(value: JSON, op: DateShift, ctx: MaskContext) -> JSON | Dropped:
    """``date_shift``."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            day = date.fromisoformat(value)  # as in _iso_day
        except ValueError:
            pass
        else:
            if ctx.subject:
                # (The context's cached offset when there is one: no call.)
                delta = ctx._shifts.get(op.days) or ctx.shift_delta(op.days)
                try:
                    return (day + delta).isoformat()
                except OverflowError:
                    return REDACTED
    return date_shift(value, op, ctx)


def _detect_string(value: JSON, op: Detect, ctx: MaskContext) -> JSON | Dropped:
    """``detect``."""
    detector = ctx.detector
    if type(value) is str and detector is not None and value != REDACTED:
        spans = detector(value, op.categories)
        return replace_spans(value, spans) if spans else value
    return detect(value, op, ctx)


def leaf_function(op: Operator) -> OperatorFn:
    """What :func:`operator_function` gives for ``op``, with shortcuts for
    the commonest leaves: for a caller that applies ``op`` to many."""
    fn = operator_function(op)
    # (Each of these takes only its own operator type: cast, once.)
    if fn is generalize and isinstance(op, Generalize) and op.to in ("year", "month"):
        return cast(OperatorFn, _generalize_iso_date)
    if fn is date_shift and isinstance(op, DateShift):
        return cast(OperatorFn, _date_shift_iso_date)
    if fn is detect and isinstance(op, Detect):
        return cast(OperatorFn, _detect_string)
    return fn


OPERATOR_FUNCTIONS: Mapping[str, OperatorFn] = MappingProxyType(
    {
        "drop": drop,
        "redact": redact,
        "hash": hash_value,
        "tokenize": tokenize,
        "generalize": generalize,
        "date_shift": date_shift,
        "partial": partial,
        "detect": detect,
    }
)


def operator_function(op: Operator) -> OperatorFn:
    """The implementation of ``op``; :func:`redact` for a name without one."""
    return OPERATOR_FUNCTIONS.get(op.name, redact)
