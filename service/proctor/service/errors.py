"""Proctor's errors: a small hierarchy, each with a stable ``code``.

Messages follow Cedar's style: lower-case, no final period, user input in
backticks, and a suggestion where one helps. They never contain request
values (which may be PHI): only field paths, names and types.
"""

from __future__ import annotations


class ProctorError(Exception):
    """Base of every error Proctor raises on purpose."""

    code = "proctor_error"


class InvalidRequestError(ProctorError):
    """A request that cannot be evaluated; ``field`` names the offending part
    (e.g. ``context.rows`` or ``requests[3].principal.type``)."""

    code = "invalid_argument"

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}" if field else problem)

    def within(self, prefix: str) -> InvalidRequestError:
        """The same error, with its field nested under ``prefix``."""
        return InvalidRequestError(f"{prefix}.{self.field}" if self.field else prefix, self.problem)


class BundleError(ProctorError):
    """A policy bundle that cannot be loaded. ``problems`` holds every
    finding, each already formatted as ``file:line: policy `id`: message``."""

    code = "invalid_bundle"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        count = len(problems)
        head = problems[0] if problems else "unknown problem"
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{head}{more}")


class StoreUnavailable(ProctorError):
    """The approval store cannot be reached; the message names the error type
    only (never a URL or a password)."""

    code = "approval_store_unavailable"
