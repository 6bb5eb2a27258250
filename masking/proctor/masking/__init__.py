"""PHI masking for Proctor: directives, selectors and operators.

This package stands alone: it imports nothing from ``proctor.service``, grpc or
redis, so an agent-side SDK can parse and apply the directives Proctor returns.
"""

from proctor.masking.apply import MaskResult, apply_directives, mask_text
from proctor.masking.detect import Finding, detect
from proctor.masking.directives import (
    CATEGORIES,
    DateShift,
    Detect,
    Directive,
    DirectiveError,
    Drop,
    Generalize,
    Hash,
    Operator,
    Partial,
    Redact,
    Selector,
    Tokenize,
    directive_from_wire,
    merge_directives,
    parse_directives,
    parse_selector,
)
from proctor.masking.operators import REDACTED, Detector, MaskContext, Span, detokenize
from proctor.masking.vault import InMemoryVault, TokenVault

__all__ = [
    "CATEGORIES",
    "REDACTED",
    "DateShift",
    "Detect",
    "Detector",
    "Directive",
    "DirectiveError",
    "Drop",
    "Finding",
    "Generalize",
    "Hash",
    "InMemoryVault",
    "MaskContext",
    "MaskResult",
    "Operator",
    "Partial",
    "Redact",
    "Selector",
    "Span",
    "TokenVault",
    "Tokenize",
    "apply_directives",
    "detect",
    "detokenize",
    "directive_from_wire",
    "mask_text",
    "merge_directives",
    "parse_directives",
    "parse_selector",
]
