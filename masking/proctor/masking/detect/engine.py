"""Running the detectors and resolving what they report.

Every detector sees the whole text on its own; the engine keeps the findings
of the requested categories and resolves overlaps so that the output is a
sorted list of disjoint spans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from types import MappingProxyType
from typing import Literal

from proctor.masking.detect._base import Detector, Finding
from proctor.masking.detect.contact import EmailDetector, IpDetector, PhoneDetector, UrlDetector
from proctor.masking.detect.dates import AgeDetector, DateDetector
from proctor.masking.detect.geography import (
    AddressDetector,
    CityDetector,
    FacilityDetector,
    ZipDetector,
)
from proctor.masking.detect.identifiers import (
    CardDetector,
    DeaDetector,
    DeviceIdDetector,
    IbanDetector,
    MbiDetector,
    NpiDetector,
    PatientRecordNumberDetector,
    SsnDetector,
    VinDetector,
    cue_detectors,
)
from proctor.masking.detect.names import NameDetector
from proctor.masking.detect.ner import SpacyNerDetector
from proctor.masking.directives import CATEGORIES as _DIRECTIVE_CATEGORIES

Mode = Literal["fast", "thorough", "ner"]

# Every category a detector can report, in the names ``detect(...)`` accepts.
# PHOTO is accepted but never reported: a full-face photograph is not text.
CATEGORIES: frozenset[str] = _DIRECTIVE_CATEGORIES - {"ALL"}
ALL: frozenset[str] = frozenset({"ALL"})
"""Every category (the ``detect(ALL)`` of a masking directive)."""

_SHAPED: tuple[Detector, ...] = (
    SsnDetector(),
    PhoneDetector(),
    EmailDetector(),
    UrlDetector(),
    IpDetector(),
    NpiDetector(),
    DeaDetector(),
    VinDetector(),
    CardDetector(),
    IbanDetector(),
    PatientRecordNumberDetector(),
    MbiDetector(),
    DeviceIdDetector(),
    AgeDetector(),
    ZipDetector(),
    AddressDetector(),
    CityDetector(),
    FacilityDetector(),
)

_THOROUGH: tuple[Detector, ...] = (
    *_SHAPED,
    DateDetector(thorough=True),
    NameDetector(thorough=True),
    *cue_detectors(thorough=True),
)

DETECTORS: Mapping[Mode, tuple[Detector, ...]] = MappingProxyType(
    {
        "fast": (*_SHAPED, DateDetector(), NameDetector(), *cue_detectors()),
        "thorough": _THOROUGH,
        "ner": (*_THOROUGH, SpacyNerDetector()),
    }
)
"""The registered detectors of each mode. ``thorough`` runs the same
detectors with their slower, wider heuristics switched on; ``ner`` adds
spaCy's named-entity recogniser to ``thorough`` (optional dependency: see
:mod:`proctor.masking.detect.ner`)."""
MODES: tuple[Mode, ...] = ("fast", "thorough", "ner")


def wanted_categories(categories: Set[str]) -> frozenset[str]:
    """``categories`` upper-cased, ``ALL`` expanded; an unknown name is an
    error rather than a silently unmasked category."""
    names = frozenset(c.upper() for c in categories)
    unknown = names - CATEGORIES - ALL
    if unknown:
        raise ValueError(
            f"unknown PHI categories {sorted(unknown)}; known: {', '.join(sorted(CATEGORIES))}"
        )
    return CATEGORIES if "ALL" in names else names


def detect(text: str, categories: Set[str] = ALL, mode: Mode = "fast") -> list[Finding]:
    """Find the identifiers of ``categories`` in ``text``.

    Returns findings sorted by position with no two overlapping (see
    :func:`resolve`). Only the detectors that can report a requested category
    run, so a narrow request is also a cheap one. ``mode="thorough"`` adds
    slower heuristics (names without cues, later mentions of a found name,
    wider cue-to-value gaps) and never needs a model download.
    ``mode="ner"`` adds spaCy's named-entity recogniser to ``thorough``
    (people and places without cues; about 17 times slower than
    ``thorough``); it needs ``pip install 'proctor[ner]'`` and raises
    :class:`~proctor.masking.detect.ner.NerUnavailableError` without it.
    """
    if mode not in DETECTORS:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}; got {mode!r}")
    wanted = wanted_categories(categories)
    raw = [
        f
        for d in DETECTORS[mode]
        if d.categories & wanted
        for f in d.find(text)
        if f.category in wanted
    ]
    return resolve(raw)


def _rank(f: Finding) -> tuple[int, float, int, str, str]:
    # Longest first, then surest; position and names only make ties
    # deterministic.
    return (f.length, f.score, -f.start, f.category, f.detector)


def resolve(findings: Iterable[Finding]) -> list[Finding]:
    """Sorted, disjoint findings from possibly overlapping ones.

    Overlapping findings form a group; the group becomes one finding that
    covers all of them (so nothing a detector found is left unmasked) and
    carries the category, score and detector of its longest member (the
    surest on a tie). Touching spans (one ends where the next starts) stay
    separate.
    """
    ordered = sorted(findings, key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    group: list[Finding] = []
    end = -1
    for f in [*ordered, None]:
        if f is not None and f.start < end:
            group.append(f)
            end = max(end, f.end)
            continue
        if group:
            best = max(group, key=_rank)
            out.append(Finding(best.category, group[0].start, end, best.score, best.detector))
        if f is not None:
            group, end = [f], f.end
    return out


def _label(f: Finding) -> str:
    return f"[{f.category}]"


def mask_text(
    text: str, findings: Iterable[Finding], replacement: Callable[[Finding], str] = _label
) -> str:
    """``text`` with each finding's span replaced by ``replacement(finding)``
    (``[CATEGORY]`` by default). Overlapping findings are resolved first, so
    a span is never replaced twice; a finding outside the text is an error."""
    resolved = resolve(findings)
    if resolved and resolved[-1].end > len(text):
        raise ValueError(f"finding {resolved[-1].start}..{resolved[-1].end} is outside the text")
    out: list[str] = []
    pos = len(text)
    # Right to left, so the offsets of the spans still to replace hold.
    for f in reversed(resolved):
        out.append(text[f.end : pos])
        out.append(replacement(f))
        pos = f.start
    out.append(text[:pos])
    return "".join(reversed(out))
