"""What every detector shares: the finding, the detector protocol, and the
small regex helpers the detectors are written with.

A detector only *finds*: it reports where an identifier is, what kind it is
and how sure it is. Replacing the span is someone else's job (Presidio's
analyzer/anonymizer split), so the same findings can feed ``redact``,
``tokenize`` or a reviewer's highlight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifier found in a text: ``text[start:end]`` (Python string
    offsets) is of ``category``. ``score`` (0..1) is how sure the detector is;
    ``detector`` names the detector that reported it.

    A finding deliberately carries no copy of the matched text, so findings
    can be logged or attached to an audit record without leaking the value.
    """

    category: str
    start: int
    end: int
    score: float
    detector: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or negative span {self.start}..{self.end}")
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score {self.score} is outside 0..1")

    @property
    def length(self) -> int:
        """How many characters the finding covers."""
        return self.end - self.start


class Detector(Protocol):
    """Finds identifiers of ``categories`` in a text.

    Detectors are independent and stateless: ``find`` sees only the text, so
    they can run in any order (or in parallel) and the engine resolves
    overlaps afterwards.
    """

    @property
    def name(self) -> str:
        """Stable name, reported in :attr:`Finding.detector`."""
        ...

    @property
    def categories(self) -> frozenset[str]:
        """Every category this detector can report."""
        ...

    def find(self, text: str) -> Iterator[Finding]:
        """Yield the findings in ``text``, in any order."""
        ...


# --- regex building blocks --------------------------------------------------
#
# Speed note. CPython's ``re`` scans quickly for where a match can start only
# when the pattern begins with a literal, a character class or an alternation
# of literals; a leading ``\b``, lookbehind, optional group or case-insensitive
# letter makes it try the whole pattern at every position, several times
# slower. So the patterns here start with what the match starts with, put the
# boundary check *after* the first character (``[0-9](?<![\w-].)``), and find
# case-insensitive cue words in a lower-cased copy of the text.

# Upper- and lower-case letters of names: ASCII plus Latin-1 accents (José,
# Zoë, Müller). Python's ``re`` has no case-aware Unicode class.
UP = "A-ZÀ-ÖØ-Þ"
LO = "a-zß-öø-ÿ"

# A number must not be glued to letters, digits or a hyphen on either side:
# "A123-45-6789" and "123-45-67890" are not SSNs. FIRST_DIGIT is the first
# digit of such a number, with the check on what precedes it.
FIRST_DIGIT = r"[0-9](?<![\w-].)"
NUM_END = r"(?![\w-])"

# A cue and the value it introduces may be separated by ``:``, ``#``, ``=``,
# ``is``, "number"/"no." and spaces (and one line break, as notes wrap): "MRN:
# 123", "Acct # 123", "member ID is A123".
SEPARATOR = (
    r"[ \t]*(?:\n[ \t]*)?(?:(?i:number|num|no)\.?[ \t]*)?(?:\#[ \t]*)?"
    r"(?:[:=\#]|-(?!\d)|(?i:is|was))?[ \t]*(?:\#[ \t]*)?"
)

# Values introduced by a cue: letters, digits and inner hyphens.
CUE_VALUE = r"(?<![\w-])([A-Za-z0-9](?:[A-Za-z0-9-]{0,28}[A-Za-z0-9])?)(?![\w-])"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def lowered(text: str) -> str:
    """``text`` in lower case with every offset unchanged, for finding
    case-insensitive cue words with fast case-sensitive patterns. (A few
    characters lower-case to two, "İ" for one; then only ASCII is lowered.)"""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def glued(text: str, start: int) -> bool:
    """Whether the match at ``start`` continues a word ("Johnson" is not the
    cue "son"): the boundary check for patterns that cannot start with one."""
    return start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")


def preceded_by(text: str, start: int, pattern: re.Pattern[str], window: int) -> bool:
    """Whether ``pattern`` occurs in the ``window`` characters before
    ``start`` on the same line (context only counts on its own line: a
    "Fax" heading does not turn the next line's numbers into faxes)."""
    lo = max(0, start - window, text.rfind("\n", 0, start) + 1)
    return pattern.search(text, lo, start) is not None


def count_digits(value: str) -> int:
    """The number of ASCII digits in ``value``."""
    return sum(1 for ch in value if "0" <= ch <= "9")


def word_alternation(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (lower case; a space stands for
    spaces or tabs), written as a trie: "p(?:atient|cp|t)" rather than
    "patient|pcp|pt", so ``re`` tests each letter once instead of once per
    word. Longer words win over their prefixes ("grandson" over "grand")."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def render(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted((c for c in node if c), reverse=True):
            atom = r"[ \t]+" if ch == " " else re.escape(ch)
            branches.append(atom + render(node[ch]))
        if "" in node:
            branches.append("")  # the word may end here (tried last: longest first)
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return render(trie)
