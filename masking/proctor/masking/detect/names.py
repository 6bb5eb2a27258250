"""Names of people, found from the context they sit in.

Names have no format, so the detector leans on cues: titles ("Dr. Reyes"),
labels ("Patient Name: DOE, JANE"), signatures ("Electronically signed by"),
relations and roles ("her son Michael", "seen by"), credentials after a name
("Ana Ruiz, RN"), and a small list of common given names ("John Smith" with
no cue at all). Capitalised words that merely start a sentence are kept out
by a stop list, so "Patient Reports" is not a name.

``thorough`` adds the slower or less certain heuristics: a capitalised word
before a known surname, ambiguous given names ("May", "Will") before a known
surname, and every later mention of a name already found ("Mr. Alvarez ...
Alvarez denies pain").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from proctor.masking.detect._base import LO, UP, Finding, glued, lowered, word_alternation
from proctor.masking.detect._name_lists import (
    AMBIGUOUS_FIRST,
    FIRST_NAMES,
    STOPWORDS,
    SURNAMES,
)

# A name word: Smith, McDonald, O'Brien, Smith-Jones, José; or an initial "J.".
_WORD = rf"(?:[{UP}]['’])?[{UP}][{LO}]+(?:[{UP}][{LO}]+)?(?:-[{UP}][{LO}]+)?"
_INITIAL = rf"[{UP}]\."
_TOKEN = rf"(?:{_WORD}|{_INITIAL})"
_CAPS = rf"[{UP}]{{2,}}(?:[-'’][{UP}]{{2,}})?"  # DOE, O'NEIL: only after a label
_TOKEN_RE = re.compile(rf"{_WORD}|{_INITIAL}|{_CAPS}")
_BOUND = r"(?![\w'’-])"

_SEQ = re.compile(rf"{_TOKEN}(?:,[ \t]*{_TOKEN})?(?:[ \t]+{_TOKEN}){{0,3}}{_BOUND}")
# After a label the name may be "Last, First" and in capitals.
_LABEL_TOKEN = rf"(?:{_WORD}|{_INITIAL}|{_CAPS})"
_LABEL_SEQ = re.compile(
    rf"{_LABEL_TOKEN}(?:,[ \t]*{_LABEL_TOKEN})?(?:[ \t]+{_LABEL_TOKEN}){{0,2}}{_BOUND}"
)

# Cue words, matched in lower-cased text (a space stands for spaces or tabs).
_WEAK_CUES = (
    *("patient", "pt", "pt.", "pcp", "cc:", "named", "called", "consulted", "attending"),
    *("resident", "seen by", "evaluated by", "examined by", "referred by", "referred to"),
    *("followed by", "treated by", "accompanied by"),
    *("son", "daughter", "wife", "husband", "mother", "father", "mom", "dad", "brother"),
    *("sister", "spouse", "partner", "fiance", "fiancee", "fiancé", "fiancée", "boyfriend"),
    *("girlfriend", "grandson", "granddaughter", "grandmother", "grandfather", "grandma"),
    *("grandpa", "aunt", "uncle", "niece", "nephew", "cousin", "friend", "neighbor"),
    *("neighbour", "guardian", "caregiver", "roommate"),
)
_LABEL_CUES = (
    *("patient", "pt", "provider", "physician", "doctor", "nurse", "contact", "guardian"),
    *("parent", "spouse", "emergency contact", "next of kin", "full", "first", "last"),
    *("legal", "preferred", "maiden", "mother's", "mothers", "father's", "fathers"),
)
_SIGNATURE_CUES = (
    *("electronically signed by", "electronically signed", "signed by", "signed"),
    *("signature", "attested by", "dictated by", "cosigned by", "authenticated by", "/s/"),
)
# One pattern per kind of cue, each a trie of words (quick to scan for).
# Labels also match the keys of flattened JSON ("first_name: Jane").
_CUE_PATTERNS = (
    (
        "label",
        re.compile(word_alternation(_LABEL_CUES) + r"[ \t_-]*name[ \t]*[:=][ \t]*"),
    ),
    ("sig", re.compile(word_alternation(_SIGNATURE_CUES) + r"[ \t]*:?[ \t]*")),
    (
        "weak",
        re.compile(word_alternation(_WEAK_CUES) + r"[,:]?[ \t]+(?:(?:is|was|named|called)[ \t]+)?"),
    ),
)
# Titles are capitalised ("dr" in running text is not a title), and a bare
# "Name:" label or a "--" signature only counts at the start of a line.
# Upper-case titles need their dot: "MS" and "MR" are also multiple sclerosis
# and mitral regurgitation.
_TITLES = re.compile(
    "|".join(
        [rf"{t}\.?[ \t]+" for t in ("Dr", "Mr", "Mrs", "Ms", "Mx", "Miss", "Prof", "Doctor")]
        + [rf"{t}\.[ \t]+" for t in ("DR", "MR", "MRS", "MS")]
    )
)
_LINE_START = re.compile(
    r"^[ \t]*(?:(?P<label>[Nn]ame|NAME)[ \t]*[:=]|(?P<sig>--|—))[ \t]*", re.MULTILINE
)

_CREDENTIAL = re.compile(
    r"(?P<cred>M\.D\.|MD|D\.O\.|RN|NP|PA-C|PhD|DDS|DMD|FNP-BC|FNP-C|FNP|APRN"
    r"|LPN|CNA|LCSW|MSW|PharmD|DNP|CRNA|MBBS|FACP|FACS|PA|DO)(?![A-Za-z0-9])(?![ \t]*[0-9]{5})"
)
# Credentials that are also state codes ("Smith, MD" vs "Baltimore, MD").
_STATE_LIKE = frozenset({"MD", "PA"})
_NAME_TAIL = re.compile(rf"(?<![\w'’.-]){_TOKEN}(?:[ \t]+{_TOKEN}){{0,3}}\Z")

# Runs of capitalised words; a known given name inside one starts a name.
_WORD_FIRST = (  # _WORD with the boundary check after its first letter (fast scan)
    rf"[{UP}](?<![\w'’.-].)(?:['’][{UP}])?[{LO}]+(?:[{UP}][{LO}]+)?(?:-[{UP}][{LO}]+)?"
)
_CAP_RUN = re.compile(rf"{_WORD_FIRST}(?:[ \t]+(?:{_WORD}|{_INITIAL})){{1,5}}{_BOUND}")
# Months that are also given names: "May 4" is a date, "May Smith" a name.
_MONTH_NAMES = frozenset({"april", "may", "june", "august"})
_VERB_ENDINGS = ("ed", "ing", "ly")
_MAX_PROPAGATED = 64


def _key(token: str) -> str:
    return token.rstrip(".").replace("'", "").replace("’", "").lower()


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token.endswith(".")


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text, start, end)]


def _until_stopword(tokens: list[_Token], *, strong: bool) -> list[_Token]:
    """The tokens before the first stop word. A given name that is also a
    word ("May", "Will") is a name before a known surname, or after a title."""
    for i, tok in enumerate(tokens):
        key = _key(tok.text)
        if _is_initial(tok.text):
            continue  # "John A.": an initial, not the article
        if key not in STOPWORDS or (key in SURNAMES and (i > 0 or strong)):
            continue  # "Luis Ward", "Dr. Ward": a surname, not a hospital ward
        nxt = _key(tokens[i + 1].text) if i + 1 < len(tokens) else ""
        if key in AMBIGUOUS_FIRST and nxt and (strong or nxt in SURNAMES):
            continue
        return tokens[:i]
    return tokens


def _is_known(token: str) -> bool:
    key = _key(token)
    return key in FIRST_NAMES or key in AMBIGUOUS_FIRST or key in SURNAMES


@dataclass(frozen=True, slots=True)
class NameDetector:
    """People's names from cues, credentials and a list of common given
    names; see the module documentation."""

    thorough: bool = False
    name: str = "name"
    categories: frozenset[str] = frozenset({"NAME"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield names."""
        found = [*self._cued(text), *self._credentialed(text), *self._runs(text)]
        yield from found
        if self.thorough and found:
            yield from self._propagated(text, found)

    def _finding(self, tokens: list[_Token], score: float) -> Finding:
        return Finding("NAME", tokens[0].start, tokens[-1].end, score, self.name)

    def _cues(self, text: str) -> Iterator[tuple[str, int]]:
        """(kind, where the name would start) for every cue in ``text``."""
        for m in _TITLES.finditer(text):
            if not glued(text, m.start()):
                yield "title", m.end()
        for m in _LINE_START.finditer(text):
            yield ("label" if m.group("label") else "sig"), m.end()
        low = lowered(text)
        for kind, pattern in _CUE_PATTERNS:
            for m in pattern.finditer(low):
                if not glued(text, m.start()):
                    yield kind, m.end()

    def _cued(self, text: str) -> Iterator[Finding]:
        for kind, at in self._cues(text):
            seq = (_LABEL_SEQ if kind == "label" else _SEQ).match(text, at)
            if seq is None:
                continue
            tokens = _until_stopword(_tokens(text, seq.start(), seq.end()), strong=kind != "weak")
            if not tokens or all(_is_initial(t.text) for t in tokens):
                continue
            first = tokens[0]
            if _key(first.text) in _MONTH_NAMES and re.match(r"[ \t]*[0-9]", text[first.end :]):
                continue  # "Patient May 4": a date follows, not a surname
            if kind != "weak":
                yield self._finding(tokens, 0.9)
            elif any(_is_known(t.text) for t in tokens):
                yield self._finding(tokens, 0.85)
            elif first.text.endswith(_VERB_ENDINGS):
                continue  # "Pt. Tolerated the procedure": a verb, not a name
            else:
                yield self._finding(tokens, 0.75 if len(tokens) >= 2 else 0.6)

    def _credentialed(self, text: str) -> Iterator[Finding]:
        for m in _CREDENTIAL.finditer(text):
            # "Ana Ruiz, RN", "Ana Ruiz RN"; "DO" only after a comma ("to DO").
            end = m.start()
            while end > 0 and text[end - 1] in " \t":
                end -= 1
            comma = end > 0 and text[end - 1] == ","
            if comma:
                end -= 1
            elif m.group("cred") == "DO":
                continue
            if end == m.start() or end == 0:
                continue
            tail = _NAME_TAIL.search(text, max(0, end - 60), end)
            if tail is None:
                continue
            tokens = _tokens(text, tail.start(), tail.end())
            while tokens and _key(tokens[0].text) in STOPWORDS:
                tokens = tokens[1:]
            if not tokens or all(_is_initial(t.text) for t in tokens):
                continue
            if m.group("cred") in _STATE_LIKE and not (
                len(tokens) >= 2
                and (_key(tokens[0].text) in FIRST_NAMES or _is_initial(tokens[0].text))
            ):
                continue  # "Baltimore, MD" is a place
            yield self._finding(tokens, 0.85)

    def _runs(self, text: str) -> Iterator[Finding]:
        for m in _CAP_RUN.finditer(text):
            tokens = _tokens(text, m.start(), m.end())
            i = 0
            while i < len(tokens) - 1:
                key, nxt = _key(tokens[i].text), _key(tokens[i + 1].text)
                score = 0.0
                if (
                    key in FIRST_NAMES
                    and key not in AMBIGUOUS_FIRST
                    and (nxt not in STOPWORDS or nxt in SURNAMES)
                ):
                    score = 0.7
                elif (
                    self.thorough
                    and key not in STOPWORDS
                    and nxt in SURNAMES
                    and not _is_initial(tokens[i].text)
                ):
                    score = 0.65
                if not score:
                    i += 1
                    continue
                j = i + 1
                # Take a middle name or initial and the surname after it.
                while (
                    j + 1 < len(tokens) and j - i < 3 and _key(tokens[j + 1].text) not in STOPWORDS
                ):
                    if not _is_initial(tokens[j].text) and _key(tokens[j].text) in SURNAMES:
                        break
                    j += 1
                if _is_initial(tokens[j].text):
                    j -= 1  # a trailing initial is the next sentence's "A."
                if j == i:
                    i += 1
                    continue
                yield self._finding(tokens[i : j + 1], score)
                i = j + 1

    def _propagated(self, text: str, found: list[Finding]) -> Iterator[Finding]:
        words: set[str] = set()
        for f in found:
            for tok in _tokens(text, f.start, f.end):
                key = _key(tok.text)
                if len(key) >= 3 and key not in STOPWORDS and key not in AMBIGUOUS_FIRST:
                    words.add(tok.text.rstrip("."))
        if not words:
            return
        ordered = sorted(words, key=lambda w: (-len(w), w))[:_MAX_PROPAGATED]
        pattern = re.compile(r"(?<![\w'’-])(?:" + "|".join(map(re.escape, ordered)) + ")" + _BOUND)
        for m in pattern.finditer(text):
            yield Finding("NAME", m.start(), m.end(), 0.6, self.name)
