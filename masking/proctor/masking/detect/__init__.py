"""PHI detection in free text: the 18 HIPAA Safe Harbor identifier classes.

:func:`detect` finds identifiers and reports them as :class:`Finding` spans
(category, offsets, score, detector); :func:`mask_text` replaces spans. The
two are separate, as in Presidio's analyzer and anonymizer, so the masking
operators decide what a span becomes.

Detection is regular expressions plus validators (Luhn, SSN issuing rules,
NPI, DEA and VIN check digits, calendar dates, :mod:`ipaddress`) and context
cues; modes ``fast`` and ``thorough`` need nothing beyond the standard
library and download nothing. Mode ``ner`` adds spaCy's English
named-entity recogniser (:mod:`proctor.masking.detect.ner`), an optional
dependency: ``pip install 'proctor[ner]'``.
"""

from proctor.masking.detect._base import Detector, Finding
from proctor.masking.detect.engine import (
    ALL,
    CATEGORIES,
    DETECTORS,
    MODES,
    Mode,
    detect,
    mask_text,
    resolve,
    wanted_categories,
)
from proctor.masking.detect.ner import NerUnavailableError

__all__ = [
    "ALL",
    "CATEGORIES",
    "DETECTORS",
    "MODES",
    "Detector",
    "Finding",
    "Mode",
    "NerUnavailableError",
    "detect",
    "mask_text",
    "resolve",
    "wanted_categories",
]
