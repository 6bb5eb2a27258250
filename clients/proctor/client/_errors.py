"""Every error the client raises, each with a stable ``code``.

Messages never contain request values: they name fields, ids and reasons.
"""

from __future__ import annotations

from typing import Any


class ProctorClientError(Exception):
    """Base of all client errors."""

    code = "client_error"


class InvalidRequest(ProctorClientError):
    """A request Proctor (or the client) cannot evaluate; ``field`` names the part."""

    code = "invalid_argument"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field


class Unavailable(ProctorClientError):
    """Proctor could not be reached (after the retries the channel allows)."""

    code = "unavailable"


class Unauthenticated(ProctorClientError):
    """The credentials were missing or refused."""

    code = "unauthenticated"


class Denied(ProctorClientError):
    """The decision was DENY. ``decision`` is the full answer."""

    code = "denied"

    def __init__(self, decision: Any) -> None:
        super().__init__(f"denied ({decision.reason_code}): {decision.reason}")
        self.decision = decision


class ApprovalDenied(Denied):
    """A reviewer denied the approval the request needed."""

    code = "approval_denied"


class ApprovalTimeout(ProctorClientError):
    """Nobody decided the approval before the wait (or the approval) ended."""

    code = "approval_timeout"

    def __init__(self, approval_id: str, message: str) -> None:
        super().__init__(message)
        self.approval_id = approval_id


class ServerError(ProctorClientError):
    """Any other failure reported by the server (the gRPC code is kept)."""

    code = "server_error"

    def __init__(self, grpc_code: str, message: str) -> None:
        super().__init__(f"{grpc_code.lower()}: {message}")
        self.grpc_code = grpc_code
