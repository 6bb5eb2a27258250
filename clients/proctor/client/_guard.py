"""``@guard``: authorize an agent's tool before it runs and mask what it
returns before the model sees it.

    @guard(action="export_patient_data",
           resource=lambda args: ("Dataset", args["dataset_id"]),
           context=lambda args: {"rows": args["rows"], "destination": args["dest"]})
    def export(dataset_id: str, rows: int, dest: str) -> dict: ...

The principal comes from ``principal=`` or ``PROCTOR_PRINCIPAL``; the client
from ``client=`` or ``PROCTOR_ADDR``. With ``wait`` (seconds) a
NEEDS_APPROVAL waits for reviewers, otherwise it is refused at once with the
ticket id. Refusals raise :class:`GuardDenied` (or, with
``on_deny="return"``, return its message as the tool's result): the message
says what happened and whether an approval is pending — no request values.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from proctor.client._client import (
    DEFAULT_ADDRESS,
    AsyncClient,
    Client,
    Decision,
)
from proctor.client._errors import ApprovalTimeout, Denied, ProctorClientError
from proctor.client._results import ResultMasker, refusal_message
from proctor.client._values import EntityLike

F = TypeVar("F", bound=Callable[..., Any])
ArgsFn = Callable[[Mapping[str, Any]], Any]


class GuardDenied(ProctorClientError):
    """A guarded tool was not allowed to run; ``str()`` is safe to show a model."""

    code = "guard_denied"

    def __init__(self, message: str, decision: Decision | None, pending_approval: str = "") -> None:
        super().__init__(message)
        self.decision = decision
        self.pending_approval = pending_approval


class _Guard:
    """One decorated tool's settings and behaviour."""

    def __init__(
        self,
        action: str,
        resource: Any,
        principal: Any,
        context: Any,
        client: Any,
        wait: float | None,
        mask: bool,
        mask_key: bytes | None,
        on_deny: str,
    ) -> None:
        self.action, self.resource, self.principal, self.context = (
            action,
            resource,
            principal,
            context,
        )
        self.client, self.wait, self.mask, self.on_deny = client, wait, mask, on_deny
        self.masker = ResultMasker(mask_key)

    def ask(self, args: Mapping[str, Any]) -> tuple[Any, str, Any, Mapping[str, Any]]:
        who = self.principal if self.principal is not None else os.environ.get("PROCTOR_PRINCIPAL")
        if who is None:
            raise ProctorClientError("guard: set principal= or PROCTOR_PRINCIPAL")

        def resolve(value: Any) -> Any:
            return value(args) if callable(value) else value

        return resolve(who), self.action, resolve(self.resource), resolve(self.context) or {}

    def refuse(self, decision: Decision | None, error: Exception) -> Any:
        message, pending = refusal_message(self.action, decision, error)
        if self.on_deny == "return":
            return message
        raise GuardDenied(message, decision, pending)

    def finish(self, decision: Decision, result: Any) -> Any:
        return self.masker(result, decision) if self.mask else result

    def wrap_sync(self, fn: Callable[..., Any], bound: Callable[..., Mapping[str, Any]]) -> Any:
        @functools.wraps(fn)
        def run(*a: Any, **kw: Any) -> Any:
            who, what, on, ctx = self.ask(bound(*a, **kw))
            own = not isinstance(self.client, Client)
            c: Client = (
                Client(os.environ.get("PROCTOR_ADDR", DEFAULT_ADDRESS)) if own else self.client
            )
            decision: Decision | None = None
            try:
                decision = c.authorize(who, what, on, ctx)
                if self.wait is not None and decision.decision == "NEEDS_APPROVAL":
                    decision = c.require(who, what, on, ctx, wait=self.wait)
            except (Denied, ApprovalTimeout) as error:
                return self.refuse(getattr(error, "decision", decision), error)
            finally:
                if own:
                    c.close()
            if not decision.allowed:
                return self.refuse(decision, Denied(decision))
            return self.finish(decision, fn(*a, **kw))

        return run

    def wrap_async(self, fn: Callable[..., Any], bound: Callable[..., Mapping[str, Any]]) -> Any:
        @functools.wraps(fn)
        async def run(*a: Any, **kw: Any) -> Any:
            who, what, on, ctx = self.ask(bound(*a, **kw))
            own = self.client is None
            c = self.client or AsyncClient(os.environ.get("PROCTOR_ADDR", DEFAULT_ADDRESS))
            decision: Decision | None = None
            try:
                decision = await self._decide(c, who, what, on, ctx)
            except (Denied, ApprovalTimeout) as error:
                return self.refuse(getattr(error, "decision", decision), error)
            finally:
                if own and isinstance(c, AsyncClient):
                    await c.close()
            if not decision.allowed:
                return self.refuse(decision, Denied(decision))
            return self.finish(decision, await fn(*a, **kw))

        return run

    async def _decide(self, c: Client | AsyncClient, *ask: Any) -> Decision:
        if isinstance(c, AsyncClient):
            decision = await c.authorize(*ask)
            if self.wait is not None and decision.decision == "NEEDS_APPROVAL":
                decision = await c.require(*ask, wait=self.wait)
            return decision
        decision = await asyncio.to_thread(c.authorize, *ask)
        if self.wait is not None and decision.decision == "NEEDS_APPROVAL":
            decision = await asyncio.to_thread(functools.partial(c.require, *ask, wait=self.wait))
        return decision


def guard(
    action: str,
    resource: EntityLike | ArgsFn,
    *,
    principal: EntityLike | ArgsFn | None = None,
    context: ArgsFn | Mapping[str, Any] | None = None,
    client: Client | AsyncClient | None = None,
    wait: float | None = None,
    mask: bool = True,
    mask_key: bytes | None = None,
    on_deny: Literal["raise", "return"] = "raise",
) -> Callable[[F], F]:
    """Decorate a sync or async tool function (see the module docstring)."""
    g = _Guard(action, resource, principal, context, client, wait, mask, mask_key, on_deny)

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)

        def bound(*a: Any, **kw: Any) -> Mapping[str, Any]:
            b = signature.bind(*a, **kw)
            b.apply_defaults()
            return b.arguments

        wrapped = (
            g.wrap_async(fn, bound) if inspect.iscoroutinefunction(fn) else g.wrap_sync(fn, bound)
        )
        return wrapped  # type: ignore[no-any-return]

    return decorate
