"""PHI masking for Proctor: directives, selectors and operators.

This package stands alone: it imports nothing from ``proctor.service``, grpc or
redis, so an agent-side SDK can parse and apply the directives Proctor returns.
"""

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

__all__ = [
    "CATEGORIES",
    "DateShift",
    "Detect",
    "Directive",
    "DirectiveError",
    "Drop",
    "Generalize",
    "Hash",
    "Operator",
    "Partial",
    "Redact",
    "Selector",
    "Tokenize",
    "directive_from_wire",
    "merge_directives",
    "parse_directives",
    "parse_selector",
]
