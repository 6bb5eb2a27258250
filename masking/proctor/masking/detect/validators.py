"""Check digits and issuing rules that turn "looks like" into "is".

A bare pattern such as nine digits or ten digits matches lab values, order
numbers and phone numbers alike; these validators are what keep the
detectors' false-positive rate down. Each takes the identifier with its
separators removed and returns whether it could have been issued.
"""

from __future__ import annotations

import calendar


def _ascii_digits(value: str) -> bool:
    # str.isdigit() is also true for "²" and Arabic-Indic digits.
    return value.isascii() and value.isdigit()


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment cards and NPIs."""
    if not _ascii_digits(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


# Issuer prefixes of the major card networks (Visa, Mastercard incl. the 2-series,
# Amex, Discover, JCB, Diners, UnionPay, Maestro): with Luhn, they keep
# arbitrary long numbers from passing as cards.
_CARD_PREFIXES = ("4", "34", "37", "36", "38", "30", "35", "5", "6", "2")


def card_valid(digits: str) -> bool:
    """A payment card number: 13 to 19 digits, a known network prefix, Luhn."""
    if not 13 <= len(digits) <= 19 or not digits.startswith(_CARD_PREFIXES):
        return False
    if digits[0] == "5" and not "51" <= digits[:2] <= "55":
        return False
    if digits[0] == "2" and not "2221" <= digits[:4] <= "2720":
        return False
    return luhn_valid(digits)


def ssn_valid(digits: str) -> bool:
    """A Social Security number the SSA could have issued: area not 000, 666
    or 9xx (ITINs and never-issued areas), group not 00, serial not 0000."""
    if len(digits) != 9 or not _ascii_digits(digits):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def npi_valid(digits: str) -> bool:
    """A National Provider Identifier: ten digits starting with 1 or 2 whose
    Luhn check includes the card-issuer prefix 80840."""
    return len(digits) == 10 and digits[0] in "12" and luhn_valid("80840" + digits)


# DEA registrant types (first letter) in use.
_DEA_REGISTRANTS = frozenset("ABCDEFGHJKLMPRSTUX")


def dea_valid(value: str) -> bool:
    """A DEA registration number: registrant letter, a letter (the
    registrant's surname initial) or 9, seven digits; the last digit is the
    last digit of (d1 + d3 + d5) + 2 × (d2 + d4 + d6)."""
    if len(value) != 9 or value[0] not in _DEA_REGISTRANTS:
        return False
    if not (("A" <= value[1] <= "Z") or value[1] == "9") or not _ascii_digits(value[2:]):
        return False
    d = [ord(ch) - 48 for ch in value[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


# ISO 3779 transliteration of VIN letters (I, O and Q are never used).
_VIN_VALUES = {
    **{str(n): n for n in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_valid(value: str) -> bool:
    """A 17-character vehicle identification number whose ninth character is
    the North American check digit (0-9 or X). Vehicles built for other
    markets may omit the check digit; those are found only with a "VIN" cue."""
    if len(value) != 17 or any(ch not in _VIN_VALUES for ch in value):
        return False
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(value, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return value[8] == ("X" if check == 10 else str(check))


def date_valid(year: int | None, month: int, day: int | None) -> bool:
    """A calendar date; an unknown year allows 29 February."""
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    last = calendar.monthrange(year if year is not None else 2000, month)[1]
    return 1 <= day <= last


def iban_valid(iban: str) -> bool:
    """The ISO 13616 check of an IBAN (spaces removed, upper case): two
    letters, two check digits, 11-30 letters and digits, and the number
    formed by moving the first four characters to the end, letters as
    10-35, is 1 modulo 97."""
    if not (15 <= len(iban) <= 34 and iban[:2].isalpha() and iban[2:4].isdigit()):
        return False
    if not iban.isascii() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
