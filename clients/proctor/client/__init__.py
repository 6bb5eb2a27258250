"""Proctor's Python SDK: ask before acting, wait for humans, mask results.

    from proctor.client import Client

    with Client("127.0.0.1:7391") as proctor:
        decision = proctor.require('Agent::"care-assistant"', "export_patient_data",
                                   'Dataset::"oncology-cohort-2026"',
                                   {"rows": 120, "destination": "s3://hospital-research/x"})

Errors all derive from :class:`ProctorClientError` and carry a stable ``code``.
"""

from proctor.client._client import (
    Approval,
    Ask,
    AsyncClient,
    Client,
    Decision,
    Mask,
)
from proctor.client._errors import (
    ApprovalDenied,
    ApprovalTimeout,
    Denied,
    InvalidRequest,
    ProctorClientError,
    ServerError,
    Unauthenticated,
    Unavailable,
)
from proctor.client._guard import GuardDenied, guard
from proctor.client._results import ResultMasker, refusal_message
from proctor.client._values import Entity

__all__ = [
    "Approval",
    "ApprovalDenied",
    "ApprovalTimeout",
    "Ask",
    "AsyncClient",
    "Client",
    "Decision",
    "Denied",
    "Entity",
    "GuardDenied",
    "InvalidRequest",
    "Mask",
    "ProctorClientError",
    "ResultMasker",
    "ServerError",
    "Unauthenticated",
    "Unavailable",
    "guard",
    "refusal_message",
]
