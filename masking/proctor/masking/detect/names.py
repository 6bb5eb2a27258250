"""Names of people, found from the context they sit in.

Names have no format, so the detector leans on cues:

- before the name: titles ("Dr. Reyes"), field labels ("Patient Name: DOE,
  JANE", "Guarantor: Wells, Amber", "PATIENT: ROBINSON, RUSSELL"),
  signatures ("Electronically signed by", "-- Ana Ruiz"), salutations and
  sign-offs ("Dear Maria", "Hi Peter,", "Thanks,\\nCharles", "hi this is
  dawn,"), relations and roles ("her son Michael", "seen by");
- after the name: credentials ("Ana Ruiz, RN"), a relation in brackets
  ("Laura (wife)"), an e-mail address in angle brackets, a date of birth or an
  age ("Soto, Kristen, 70 y/o"), or a verb only people do at the start of a
  sentence ("Ellis ambulated 50 feet", "Miller reports");
- a name joined to a found one by "and" ("Dr. Hurst and Jody Cook");
- and lists of common given names ("John Smith" with no cue at all).

Capitalised words that merely start a sentence are kept out by a stop list,
so "Patient Reports" is not a name. Two or more spaces or a tab end a name:
that is a column gap in a form ("Dictated by: Ana Ruiz    Transcribed: ...").
Lower-case names are taken only where nothing else can stand: after "hi this
is" and alone on a signature line.

``thorough`` adds the slower or less certain heuristics: a capitalised word
before a known surname, ambiguous given names ("May", "Will") before a known
surname, and every later mention of a name already found ("Mr. Alvarez ...
Alvarez denies pain").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from proctor.masking.detect._base import LO, UP, Finding, glued, lowered, word_alternation
from proctor.masking.detect._name_lists import (
    AMBIGUOUS_FIRST,
    FIRST_NAMES,
    STOPWORDS,
    SURNAME_WORDS,
    SURNAMES,
)

# A name word: Smith, McDonald, O'Brien, Smith-Jones, José; or an initial "J.".
_WORD = rf"(?:[{UP}]['’])?[{UP}][{LO}]+(?:[{UP}][{LO}]+)?(?:-[{UP}][{LO}]+)?"
_INITIAL = rf"[{UP}]\."
_TOKEN = rf"(?:{_WORD}|{_INITIAL})"
_CAPS = rf"[{UP}]{{2,}}(?:[-'’][{UP}]{{2,}})?"  # DOE, O'NEIL: only after a label
_TOKEN_RE = re.compile(rf"{_WORD}|{_INITIAL}|{_CAPS}")
_BOUND = r"(?![\w'’-])"
# Between the words of a name: one space or tab. Two or more are a column gap.
_GAP = r"[ \t]"

_SEQ = re.compile(rf"{_TOKEN}(?:,{_GAP}?{_TOKEN})?(?:{_GAP}{_TOKEN}){{0,3}}{_BOUND}")
# After a label the name may be "Last, First" and in capitals.
_LABEL_TOKEN = rf"(?:{_WORD}|{_INITIAL}|{_CAPS})"
_LABEL_SEQ = re.compile(
    rf"{_LABEL_TOKEN}(?:,{_GAP}?{_LABEL_TOKEN})?(?:{_GAP}{_LABEL_TOKEN}){{0,2}}{_BOUND}"
)
# A lower-case name ("hi this is dawn,"), only where a greeting points at it.
_LOWER_NAME = re.compile(rf"[{LO}]{{2,}}(?:-[{LO}]{{2,}})?(?=[ \t]*(?:[,.!]|\n|\Z))")

_RELATIONS = (
    *("son", "daughter", "wife", "husband", "mother", "father", "mom", "dad", "brother"),
    *("sister", "spouse", "partner", "fiance", "fiancee", "fiancé", "fiancée", "boyfriend"),
    *("girlfriend", "grandson", "granddaughter", "grandmother", "grandfather", "grandma"),
    *("grandpa", "aunt", "uncle", "niece", "nephew", "cousin", "friend", "neighbor"),
    *("neighbour", "guardian", "caregiver", "roommate", "stepson", "stepdaughter"),
    *("stepmother", "stepfather", "sibling", "parent"),
)
# Cue words, matched in lower-cased text (a space stands for spaces or tabs).
_WEAK_CUES = (
    *("patient", "pt", "pt.", "pcp", "cc:", "named", "called", "consulted", "attending"),
    *("resident", "seen by", "evaluated by", "examined by", "referred by", "referred to"),
    *("followed by", "treated by", "accompanied by"),
    *_RELATIONS,
)
_LABEL_CUES = (
    *("patient", "pt", "provider", "physician", "doctor", "nurse", "contact", "guardian"),
    *("parent", "spouse", "emergency contact", "next of kin", "full", "first", "last"),
    *("legal", "preferred", "maiden", "mother's", "mothers", "father's", "fathers"),
)
# A role followed by a colon is a form field whose value is a person
# ("Guarantor: Wells, Amber", "Emergency contact: Laura").
_ROLE_LABELS = (
    *("patient", "pt", "guarantor", "attending", "ordering", "referring", "provider", "pcp"),
    *("caller", "contact", "member", "subscriber", "insured", "policyholder", "beneficiary"),
    *("physician", "doctor", "surgeon", "nurse", "consultant", "resident", "fellow"),
    *("director", "therapist", "clinician", "practitioner", "pharmacist", "dietitian"),
    *("chaplain", "counselor", "interpreter", "witness", "kin", "proxy", "representative"),
    *("author", "by", "cc", "attn", "responsible party", "social worker", "case manager"),
    *_RELATIONS,
)
_SIGNATURE_CUES = (
    *("electronically signed by", "electronically signed", "signed by", "signed"),
    *("signature", "attested by", "dictated by", "cosigned by", "authenticated by", "/s/"),
)
# Salutations: the name follows ("Dear Maria", "Hi Peter,").
_GREETINGS = (
    *("dear", "hi", "hello", "hey", "good morning", "good afternoon", "good evening"),
    "greetings",
)
# Sign-offs: the name stands on the next line ("Thanks,\nCharles").
_SIGN_OFFS = (
    *("thanks", "thank you", "many thanks", "sincerely", "regards", "best regards"),
    *("kind regards", "warm regards", "best wishes", "best", "respectfully", "cordially"),
    *("yours truly", "yours sincerely", "cheers", "take care", "love"),
)
# Softer cues: a name must have two words or be a known name ("See Jordan
# Garcia on Tuesday", but not "see Figure 2").
_SOFT_CUES = (
    *("see", "discussed with", "spoke with", "spoke to", "talked with", "talked to"),
    *("met with", "follow up with", "follow-up with", "f/u with", "appointment with"),
    *("message from", "call from", "this is"),
)
_SOFT_LABELS = ("from", "to", "re")

# Verbs only people do, after a name that starts a sentence ("Ellis
# ambulated 50 feet", "Miller reports chest pain").
_PERSON_VERBS = (
    *("reports", "reported", "denies", "denied", "states", "stated", "endorses"),
    *("endorsed", "complains", "complained", "ambulated", "ambulates", "ambulating"),
    *("agrees", "agreed", "declines", "declined", "refuses", "refused", "verbalizes"),
    *("verbalized", "understands", "understood", "presents", "arrived", "feels"),
    *("lives", "says", "said", "wants", "wishes", "requests", "requested", "asks"),
    *("asked", "notes", "was seen", "was last seen", "at bedside", "at the bedside"),
    *("walked", "slept", "prefers", "expresses", "expressed", "voices", "voiced"),
    *("confirms", "confirmed", "describes", "described", "recalls", "remembers"),
    *("believes", "hopes", "worries", "was accompanied", "is accompanied", "came"),
    *("comes",),
)


def _cue_scan(
    cues: tuple[tuple[str, tuple[str, ...], str], ...],
) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One pattern for every cue word of every kind, and the kind of each of
    its groups. ``cues`` holds (kind, words, what must follow the word).

    The words make a single trie (lower case; a space stands for spaces or
    tabs), so each place in the text is tested once rather than once per
    kind. Each word ends in its kinds' suffixes, each closed by an empty
    group; the last group of a match (``lastindex``) names its kind. Longer
    words win over their prefixes, then kinds in the order given ("patient:"
    is a label before it is a weak cue)."""
    trie: dict[str, Any] = {}
    for k, (_, words, _) in enumerate(cues):
        for word in words:
            node = trie
            for ch in word:
                node = node.setdefault(ch, {})
            node.setdefault("", []).append(k)
    kinds = ["none"]  # group 0 is the whole match

    def render(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted((c for c in node if c), reverse=True):
            atom = r"[ \t]+" if ch == " " else re.escape(ch)
            branches.append(atom + render(node[ch]))
        for k in node.get("", ()):
            kinds.append(cues[k][0])
            branches.append(cues[k][2] + "()")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    body = render(trie)
    firsts = "".join(sorted(re.escape(c) for c in trie))
    # A cheap test first: a cue word starts a word, with one of its letters.
    return re.compile(rf"(?=[{firsts}])(?<!\w){body}"), tuple(kinds)


# Labels also match the keys of flattened JSON ("first_name: Jane").
_CUE_SCAN, _CUE_KINDS = _cue_scan(
    (
        ("label", _LABEL_CUES, r"[ \t_-]*name[ \t]*[:=][ \t]*"),
        ("label", _ROLE_LABELS, r"[ \t]*[:=][ \t]*"),
        ("sig", _SIGNATURE_CUES, r"[ \t]*:?[ \t]*"),
        ("weak", _WEAK_CUES, r"[,:]?[ \t]+(?:(?:is|was|named|called)[ \t]+)?"),
        ("greet", _GREETINGS, r",?[ \t]+"),
        ("signoff", _SIGN_OFFS, r"[ \t]*[,!.]?[ \t]*\n(?:[ \t]*\n)?[ \t]*"),
        ("soft", _SOFT_CUES, r"[ \t]+"),
        ("soft", _SOFT_LABELS, r"[ \t]*:[ \t]*"),
        ("verb", _PERSON_VERBS, r"(?![\w'’-])"),
    )
)
_STRONG = frozenset({"title", "label", "sig", "greet", "signoff"})
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
_GREETING_THIS_IS = re.compile(r"(?<![\w])(?:hi|hello|hey)[,!]?[ \t]+this[ \t]+is[ \t]+\Z")

_CREDENTIAL = re.compile(
    r"(?P<cred>M\.D\.|MD|D\.O\.|RN|NP|PA-C|PhD|DDS|DMD|FNP-BC|FNP-C|FNP|APRN"
    r"|LPN|CNA|LCSW|MSW|PharmD|DNP|CRNA|MBBS|FACP|FACS|PA|DO)(?![A-Za-z0-9])(?![ \t]*[0-9]{5})"
)
# Credentials that are also state codes ("Smith, MD" vs "Baltimore, MD").
_STATE_LIKE = frozenset({"MD", "PA"})
_NAME_TAIL = re.compile(rf"(?<![\w'’.-]){_TOKEN}(?:{_GAP}{_TOKEN}){{0,3}}\Z")
# The same, also as "Last, First" ("Soto, Kristen, 70 y/o").
_NAME_TAIL_COMMA = re.compile(
    rf"(?<![\w'’.-]){_TOKEN}(?:,{_GAP}?{_TOKEN})?(?:{_GAP}{_TOKEN}){{0,3}}\Z"
)
_CAPS_TAIL = re.compile(rf"(?<![\w'’.-]){_CAPS},{_GAP}?{_CAPS}(?:{_GAP}{_CAPS}){{0,2}}\Z")

# What follows a name and nothing else, matched in lower-cased text: a
# relation in brackets, an e-mail address in angle brackets, a date of birth,
# an MRN or an age.
_AFTER_NAME = re.compile(
    r"\((?:" + word_alternation(_RELATIONS) + r")\)"
    r"|\((?:dob|d\.o\.b\.|mrn|phone|tel|cell|pager)\b"
    r"|<[\w.+-]+@"
    r"|,[ \t]*(?:dob|d\.o\.b\.|date of birth|mrn)\b"
    r"|,[ \t]*[1-9][0-9]{0,2}(?:[ -]?(?:y/o|yo|y\.o\.)(?![a-z])|[ -](?:year|yr)s?[ -]old)"
)
# Capitalised words that can start a sentence before such a verb but are no
# names ("Wife reports", "Overall feels better", "Client states").
_NOT_SUBJECT = frozenset(
    {
        *_RELATIONS,
        *("wife's", "husband's", "mother's", "father's", "parents", "siblings"),
        *("children", "kids", "client", "veteran", "member", "caller", "family"),
        *("overall", "currently", "previously", "recently", "still", "otherwise"),
        *("additionally", "however", "ems", "police", "someone", "everyone", "nobody"),
    }
)
# "Dr. Hurst and Jody Cook": a name joined to a found one.
_AND = re.compile(r"[ \t]+(?:and|&)[ \t]+")

# Runs of capitalised words; a known given name inside one starts a name.
_WORD_FIRST = (  # _WORD with the boundary check after its first letter (fast scan)
    rf"[{UP}](?<![\w'’.-].)(?:['’][{UP}])?[{LO}]+(?:[{UP}][{LO}]+)?(?:-[{UP}][{LO}]+)?"
)
_CAP_RUN = re.compile(rf"{_WORD_FIRST}(?:{_GAP}(?:{_WORD}|{_INITIAL})){{1,5}}{_BOUND}")
# Months that are also given names: "May 4" is a date, "May Smith" a name.
_MONTH_NAMES = frozenset({"april", "may", "june", "august"})
_VERB_ENDINGS = ("ed", "ing", "ly")
_MAX_PROPAGATED = 64
# A later mention is no name before what follows eponyms ("Allen test") or
# after what starts place names ("New York", "Fort Collins").
_EPONYM_NEXT = re.compile(
    r"[ \t]+(?:test|tests|sign|signs|maneuver|procedure|syndrome|disease|catheter|reflex"
    r"|score|scale|criteria|classification|fracture|tube|line|Permanente)\b"
)
_PLACE_STARTS = frozenset(
    {"new", "fort", "port", "lake", "mount", "north", "south", "east", "west", "saint", "san"}
    | {"santa", "los", "las", "el", "la", "glen", "grand", "little"}
)
_PLACE_BEFORE = re.compile(r"(?:New|Fort|Port|Lake|Mount|St\.|Saint|North|South|East|West)[ \t]\Z")
_SENTENCE_END = ".!?;:>\n("


@functools.lru_cache(maxsize=4096)
def _key(token: str) -> str:
    return token.rstrip(".").replace("'", "").replace("’", "").lower()


def _is_initial(token: str) -> bool:
    return len(token) == 2 and token.endswith(".")


class _Token(NamedTuple):
    start: int
    end: int
    text: str


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    return [_Token(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text, start, end)]


def _comma_after(text: str, tok: _Token) -> bool:
    """Whether ``tok`` is the "Last" of "Last, First"."""
    return text.startswith(",", tok.end)


def _until_stopword(
    tokens: list[_Token], *, strong: bool, last_first: bool = False
) -> list[_Token]:
    """The tokens before the first stop word. A given name that is also a
    word ("May", "Will") is a name before a known surname, or after a title.
    A surname that is also a word ("Good") is a name after a strong cue when
    another name word comes first or the name is "Last, First"."""
    for i, tok in enumerate(tokens):
        key = _key(tok.text)
        if _is_initial(tok.text):
            continue  # "John A.": an initial, not the article
        if key not in STOPWORDS or (key in SURNAMES and (i > 0 or strong)):
            continue  # "Luis Ward", "Dr. Ward": a surname, not a hospital ward
        if key in SURNAME_WORDS and (
            (strong and (i > 0 or last_first))
            or (i > 0 and _key(tokens[i - 1].text) in FIRST_NAMES)
        ):
            continue  # "Attending: Good, Shirley", "Timothy Good"
        nxt = _key(tokens[i + 1].text) if i + 1 < len(tokens) else ""
        if key in AMBIGUOUS_FIRST and nxt and (strong or nxt in SURNAMES):
            continue
        return tokens[:i]
    return tokens


_GIVEN = FIRST_NAMES | AMBIGUOUS_FIRST


def _is_given(token: str) -> bool:
    key = _key(token)
    return key in FIRST_NAMES or key in AMBIGUOUS_FIRST


def _name_word(text: str, tokens: list[_Token], i: int) -> bool:
    """Whether ``tokens[i]`` can be part of a name that a cue after it points
    at: no stop word, unless a surname stands there ("Jesus J. May", "Ward,
    Ralph")."""
    tok = tokens[i]
    key = _key(tok.text)
    if key not in STOPWORDS or _is_initial(tok.text):
        return True
    surname = key in SURNAMES or key in SURNAME_WORDS or key in AMBIGUOUS_FIRST
    return surname and (i > 0 or (len(tokens) > 1 and _comma_after(text, tok)))


def _own_line(text: str, m: re.Match[str]) -> bool:
    """Whether ``m`` is all there is on its line (a signature)."""
    return (m.start() == 0 or text[m.start() - 1] == "\n") and text.startswith("\n", m.end())


def _in_brackets(text: str, tokens: list[_Token]) -> bool:
    """Whether ``tokens`` are all that stands in brackets: "(Alexa Ortiz)"."""
    return (
        len(tokens) <= 3
        and text.endswith("(", 0, tokens[0].start)
        and text.startswith(")", tokens[-1].end)
    )


def _is_known(token: str) -> bool:
    key = _key(token)
    return key in FIRST_NAMES or key in AMBIGUOUS_FIRST or key in SURNAMES


def _line_ends(text: str, at: int) -> bool:
    """Whether only spaces, a comma and a credential or the like follow on
    the line after ``at`` ("Charles", "Carrie Bell, MD")."""
    nl = text.find("\n", at)
    rest = text[at : len(text) if nl < 0 else nl].strip()
    return not rest or (rest.startswith(",") and len(rest) <= 12)


@dataclass(frozen=True, slots=True)
class NameDetector:
    """People's names from cues, credentials and a list of common given
    names; see the module documentation."""

    thorough: bool = False
    name: str = "name"
    categories: frozenset[str] = frozenset({"NAME"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield names."""
        low = lowered(text)
        cues: list[tuple[str, int]] = []
        verbs: list[int] = []
        for m in _CUE_SCAN.finditer(low):
            kind = _CUE_KINDS[m.lastindex or 0]
            if kind == "verb":
                verbs.append(m.start())
            else:
                cues.append((kind, m.end()))
        found = [
            *self._cued(text, low, cues),
            *self._credentialed(text),
            *self._followed(text, low),
            *self._subjects(text, low, verbs),
            *self._signature_lines(text),
            *self._runs(text),
        ]
        found.extend(self._joined(text, found))
        yield from found
        if self.thorough and found:
            yield from self._propagated(text, found)

    def _finding(self, tokens: list[_Token], score: float) -> Finding:
        return Finding("NAME", tokens[0].start, tokens[-1].end, score, self.name)

    def _cues(self, text: str, words: list[tuple[str, int]]) -> Iterator[tuple[str, int]]:
        """(kind, where the name would start) for every cue in ``text``:
        titles, line starts and the cue ``words`` found in the lower-cased
        text."""
        for m in _TITLES.finditer(text):
            if not glued(text, m.start()):
                yield "title", m.end()
        for m in _LINE_START.finditer(text):
            yield ("label" if m.group("label") else "sig"), m.end()
        yield from words

    def _cued(self, text: str, low: str, words: list[tuple[str, int]]) -> Iterator[Finding]:
        for kind, at in self._cues(text, words):
            strong = kind in _STRONG
            seq = (_LABEL_SEQ if kind in ("label", "sig") else _SEQ).match(text, at)
            if seq is None:
                if kind in {"greet", "signoff", "soft"}:
                    yield from self._lower_name(text, kind, at, low)
                continue
            if kind == "signoff" and not _line_ends(text, seq.end()):
                continue  # "Thanks,\nThe Cardiology team will call"
            tokens = _tokens(text, seq.start(), seq.end())
            # "Attending: Good, Shirley" and "Mrs. Good": a surname comes first
            last_first = kind == "title" or (len(tokens) > 1 and _comma_after(text, tokens[0]))
            tokens = _until_stopword(tokens, strong=strong, last_first=last_first)
            while tokens and _key(tokens[0].text) in _NOT_SUBJECT:
                tokens = tokens[1:]  # "Caller: Wife", "Hi Mom,"
            if not tokens or all(_is_initial(t.text) for t in tokens):
                continue
            first = tokens[0]
            if _key(first.text) in _MONTH_NAMES and re.match(r"[ \t]*[0-9]", text[first.end :]):
                continue  # "Patient May 4": a date follows, not a surname
            known = any(_is_known(t.text) for t in tokens)
            if strong:
                yield self._finding(tokens, 0.9)
            elif known:
                yield self._finding(tokens, 0.85)
            elif kind == "soft" and len(tokens) < 2:
                continue  # "see Figure 2"
            elif first.text.endswith(_VERB_ENDINGS):
                continue  # "Pt. Tolerated the procedure": a verb, not a name
            else:
                yield self._finding(tokens, 0.75 if len(tokens) >= 2 else 0.6)

    def _lower_name(self, text: str, kind: str, at: int, low: str) -> Iterator[Finding]:
        """A lower-case name after "hi this is" or on a sign-off's line."""
        if kind == "soft":
            if not _GREETING_THIS_IS.search(low, max(0, at - 32), at):
                return
        elif kind == "greet":
            return  # "hi there": a lower-case word after a bare greeting is no name
        m = _LOWER_NAME.match(text, at)
        if m is None or m.group() in STOPWORDS or m.group() in _NOT_SUBJECT:
            return
        if kind == "signoff" and not _line_ends(text, m.end()):
            return
        yield Finding("NAME", m.start(), m.end(), 0.7, self.name)

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

    def _tail_before(self, text: str, end: int, pattern: re.Pattern[str]) -> list[_Token]:
        """The name words that end at ``end`` (spaces before it skipped),
        without leading stop words ("Re: Eileen Stevens" but "Ward, Ralph")."""
        while end > 0 and text[end - 1] in " \t":
            end -= 1
        tail = pattern.search(text, max(0, end - 60), end)
        if tail is None:
            return []
        tokens = _tokens(text, tail.start(), tail.end())
        while tokens and not _name_word(text, tokens, 0):
            tokens = tokens[1:]
        return tokens

    def _followed(self, text: str, low: str) -> Iterator[Finding]:
        """Names before a relation in brackets, an e-mail address, a date of
        birth or an age."""
        for m in _AFTER_NAME.finditer(low):
            tokens = self._tail_before(text, m.start(), _NAME_TAIL_COMMA)
            if not tokens:
                # "DENNIS, STEVEN, 49yo": capitals only where a line starts.
                tokens = self._tail_before(text, m.start(), _CAPS_TAIL)
                if (
                    len(tokens) < 2
                    or not (tokens[0].start == 0 or text[tokens[0].start - 1] == "\n")
                    or not _is_given(tokens[1].text)
                ):
                    continue  # "HTN, COPD, 70 yo": a known given name must follow
            if not all(_name_word(text, tokens, i) for i in range(len(tokens))):
                continue
            if len(tokens) == 1 and _key(tokens[0].text) in _NOT_SUBJECT:
                continue
            yield self._finding(tokens, 0.8)

    def _subjects(self, text: str, low: str, verbs: list[int]) -> Iterator[Finding]:
        """A name that starts a sentence before a verb only people do."""
        for at in verbs:
            if at < 2 or text[at - 1] != " ":
                continue
            tokens = self._tail_before(text, at, _NAME_TAIL)
            # Keep only the words after the last stop word: "Today Smith".
            for i in range(len(tokens) - 1, -1, -1):
                key = _key(tokens[i].text)
                if key in STOPWORDS or key in _NOT_SUBJECT:
                    tokens = tokens[i + 1 :]
                    break
            if not tokens:
                continue
            first = tokens[0]
            if not _is_known(first.text) and first.text.endswith(_VERB_ENDINGS):
                continue
            before = first.start
            while before > 0 and text[before - 1] in " \t":
                before -= 1
            if (
                before > 0
                and text[before - 1] not in _SENTENCE_END
                and not low.endswith((" and", ","), 0, before)
            ):
                continue
            yield self._finding(tokens, 0.75)

    def _signature_lines(self, text: str) -> Iterator[Finding]:
        """A name alone on a line after a dash, closing a message ("- dawn")
        and not one item of a list."""
        at = text.find("\n-")
        while at >= 0:
            newline, start = at, at + 2
            at = text.find("\n-", start)
            if text.startswith("-", start):
                continue  # "--" is a signature cue of its own; "---" a rule
            while start < len(text) and text[start] in " \t":
                start += 1
            nl = text.find("\n", start)
            line_end = len(text) if nl < 0 else nl
            prev = text.rfind("\n", 0, newline)
            if text[prev + 1 : newline].lstrip().startswith(("-", "*", "•")):
                continue  # an item of a list
            if text[line_end + 1 : line_end + 3].lstrip(" \t").startswith(("-", "*", "•")):
                continue
            seq = _SEQ.match(text, start) or _LOWER_NAME.match(text, start)
            if seq is None or text[seq.end() : line_end].strip():
                continue
            tokens = _tokens(text, seq.start(), seq.end())
            if not tokens:  # lower case
                if seq.group() not in STOPWORDS:
                    yield Finding("NAME", seq.start(), seq.end(), 0.7, self.name)
                continue
            tokens = _until_stopword(tokens, strong=True)
            if len(tokens) == len(_tokens(text, seq.start(), seq.end())):
                yield self._finding(tokens, 0.7)

    def _joined(self, text: str, found: list[Finding]) -> Iterator[Finding]:
        """A name joined by "and" to a name already found."""
        for f in found:
            m = _AND.match(text, f.end)
            if m is None:
                continue
            seq = _SEQ.match(text, m.end())
            if seq is None:
                continue
            tokens = _until_stopword(_tokens(text, seq.start(), seq.end()), strong=False)
            if (len(tokens) >= 2 or (tokens and _is_known(tokens[0].text))) and not all(
                _is_initial(t.text) for t in tokens
            ):
                yield self._finding(tokens, 0.7)

    def _runs(self, text: str) -> Iterator[Finding]:
        for m in _CAP_RUN.finditer(text):
            if not (
                self.thorough
                or text.endswith("(", 0, m.start())
                or any(_key(w) in _GIVEN for w in m.group().split())
            ):
                continue  # no given name in the run: nothing can start here
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
                    key in AMBIGUOUS_FIRST
                    and key not in _MONTH_NAMES
                    and (
                        nxt in SURNAMES
                        or (nxt in SURNAME_WORDS and key not in STOPWORDS and _own_line(text, m))
                    )
                ):
                    score = 0.65  # "Bobby Ochoa", "Grant Nguyen"; "Mark Booth" as a signature
                elif (
                    (self.thorough or _in_brackets(text, tokens))
                    and key not in STOPWORDS
                    and key not in _PLACE_STARTS
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
            if _EPONYM_NEXT.match(text, m.end()) or _PLACE_BEFORE.search(text, 0, m.start()):
                continue  # "Allen test", "New York": the word is not the person here
            yield Finding("NAME", m.start(), m.end(), 0.6, self.name)
