"""``proctor approvals list|show|approve|deny|watch``: the reviewer's CLI.

Reviewers authenticate with a bearer JWT read from ``--token-file`` or the
``PROCTOR_TOKEN`` variable (never from the command line, where other users
could read it in the process list). Against a server started with
``--insecure-dev``, ``--as 'User::"ivan"'`` names the reviewer instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_DENIED = 3  # watch: the approval ended without a grant

TOKEN_ENV = "PROCTOR_TOKEN"  # noqa: S105 - the variable's name, not a secret


def add_commands(
    sub: Any,
    default_listen: str,
    call: Callable[[str, float, Any], Any],
    usage_error: type[Exception],
) -> None:
    """Register ``proctor approvals …`` on the top-level subparsers."""
    approvals = sub.add_parser("approvals", help="list, show, approve, deny or watch approvals")
    verbs = approvals.add_subparsers(
        dest="verb", required=True, metavar="COMMAND", parser_class=type(approvals)
    )

    def verb(name: str, help_text: str, timeout: float = 5.0) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = verbs.add_parser(name, help=help_text)
        p.add_argument(
            "--addr", default=default_listen, help=f"server address (default {default_listen})"
        )
        p.add_argument(
            "--timeout", type=float, default=timeout, help=f"seconds to wait (default {timeout:g})"
        )
        p.add_argument(
            "--token-file",
            metavar="FILE",
            help=f"file holding the reviewer's bearer JWT (or env {TOKEN_ENV})",
        )
        p.set_defaults(call=call, usage_error=usage_error)
        return p

    ls = verb("list", "approvals, newest first")
    ls.add_argument(
        "--status", choices=("pending", "approved", "denied", "expired", "consumed"), default=None
    )
    ls.add_argument("--group", help='e.g. Group::"privacy-office"')
    ls.add_argument("--principal", help='e.g. Agent::"care-assistant"')
    ls.add_argument("--action", help='e.g. Action::"export_patient_data"')
    ls.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    ls.set_defaults(func=_cmd_list)

    show = verb("show", "one approval as JSON")
    show.add_argument("approval_id")
    show.set_defaults(func=_cmd_show)

    for name, text in (("approve", "approve an approval"), ("deny", "deny an approval")):
        p = verb(name, text)
        p.add_argument("approval_id")
        p.add_argument("--reason", required=True, help="why (goes on the audit trail)")
        p.add_argument(
            "--as",
            dest="reviewer",
            metavar="ENTITY",
            help='--insecure-dev servers only: the reviewer, e.g. User::"ivan"',
        )
        p.set_defaults(func=_cmd_review, verdict=name)

    watch = verb("watch", "print the approval on every change until it settles", timeout=900)
    watch.add_argument("approval_id")
    watch.set_defaults(func=_cmd_watch)


def _metadata(args: argparse.Namespace) -> list[tuple[str, str]]:
    token = ""
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise args.usage_error(
                f"--token-file: cannot read `{args.token_file}`: {exc.strerror}"
            ) from None
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
    return [("authorization", f"Bearer {token}")] if token else []


def _ref(text: str | None, flag: str, usage_error: type[Exception]) -> Any:
    from proctor.service.errors import InvalidRequestError
    from proctor.service.wire import parse_entity_uid

    if not text:
        return None
    try:
        return parse_entity_uid(text, flag)
    except InvalidRequestError as exc:
        raise usage_error(str(exc)) from None


def _ts(ts: Any) -> str | None:
    if not ts.seconds and not ts.nanos:
        return None
    return datetime.fromtimestamp(ts.ToNanoseconds() / 1e9, UTC).isoformat().replace("+00:00", "Z")


def _cedar(ref: Any) -> str:
    escaped = ref.id.replace("\\", "\\\\").replace('"', '\\"')
    return f'{ref.type}::"{escaped}"'


def approval_json(a: Any) -> dict[str, Any]:
    """Approval message → the JSON the CLI prints."""
    from proctor.v1 import approval_pb2, decision_pb2

    try:
        context = json.loads(a.review_context_json or "{}")
    except ValueError:
        context = {}
    return {
        "id": a.id,
        "status": decision_pb2.ApprovalStatus.Name(a.status).removeprefix("APPROVAL_STATUS_"),
        "principal": _cedar(a.principal),
        "on_behalf_of": _cedar(a.on_behalf_of) if a.HasField("on_behalf_of") else None,
        "action": _cedar(a.action),
        "resource": _cedar(a.resource),
        "requirements": [
            {
                "group": _cedar(r.group),
                "quorum": r.quorum,
                "approvals": r.approvals,
                "policy_ids": list(r.policy_ids),
            }
            for r in a.requirements
        ],
        "reviews": [
            {
                "reviewer": _cedar(r.reviewer),
                "verdict": approval_pb2.ReviewVerdict.Name(r.verdict)
                .removeprefix("REVIEW_VERDICT_")
                .lower(),
                "reason": r.reason,
                "reviewed_at": _ts(r.reviewed_at),
                "groups": [_cedar(g) for g in r.groups],
            }
            for r in a.reviews
        ],
        "review_context": context,
        "policy_ids": list(a.policy_ids),
        "uses_remaining": a.uses_remaining,
        "decision_id": a.decision_id,
        "bundle_version": a.bundle_version,
        "created_at": _ts(a.created_at),
        "expires_at": _ts(a.expires_at),
        "decided_at": _ts(a.decided_at),
    }


def _stub(channel: Any) -> Any:
    from proctor.v1 import approval_pb2_grpc

    return approval_pb2_grpc.ApprovalServiceStub(channel)


def _cmd_list(args: argparse.Namespace) -> int:
    from proctor.v1 import approval_pb2

    status = f"APPROVAL_STATUS_{(args.status or 'unspecified').upper()}"
    request = approval_pb2.ListApprovalsRequest(
        status=status,
        group=_ref(args.group, "--group", args.usage_error),
        principal=_ref(args.principal, "--principal", args.usage_error),
        action=_ref(args.action, "--action", args.usage_error),
        page_size=min(max(args.limit, 1), 500),
    )
    metadata = _metadata(args)
    resp = args.call(
        args.addr,
        args.timeout,
        lambda ch, t: _stub(ch).ListApprovals(request, timeout=t, metadata=metadata),
    )
    rows = [approval_json(a) for a in resp.approvals][: args.limit]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no approvals match")
        return EXIT_OK
    for row in rows:
        needs = ", ".join(
            f"{r['approvals']}/{r['quorum']} {r['group']}" for r in row["requirements"]
        )
        print(
            f"{row['id']}  {row['status']:<8}  {row['principal']} → {row['action']} on "
            f"{row['resource']}  [{needs}]  expires {row['expires_at']}"
        )
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    from proctor.v1 import approval_pb2

    request = approval_pb2.GetApprovalRequest(approval_id=args.approval_id)
    metadata = _metadata(args)
    resp = args.call(
        args.addr,
        args.timeout,
        lambda ch, t: _stub(ch).GetApproval(request, timeout=t, metadata=metadata),
    )
    print(json.dumps(approval_json(resp.approval), indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    from proctor.v1 import approval_pb2

    verdict = (
        approval_pb2.REVIEW_VERDICT_APPROVE
        if args.verdict == "approve"
        else approval_pb2.REVIEW_VERDICT_DENY
    )
    request = approval_pb2.ReviewRequest(
        approval_id=args.approval_id,
        verdict=verdict,
        reason=args.reason,
        reviewer=_ref(args.reviewer, "--as", args.usage_error),
    )
    metadata = _metadata(args)
    resp = args.call(
        args.addr,
        args.timeout,
        lambda ch, t: _stub(ch).Review(request, timeout=t, metadata=metadata),
    )
    row = approval_json(resp.approval)
    print(
        f"recorded: {args.verdict} on {row['id']}; it is now {row['status']}",
        file=sys.stderr,
    )
    print(json.dumps(row, ensure_ascii=False))
    return EXIT_OK


def _cmd_watch(args: argparse.Namespace) -> int:
    from proctor.v1 import approval_pb2

    request = approval_pb2.WatchApprovalRequest(approval_id=args.approval_id)
    metadata = _metadata(args)

    def stream(channel: Any, timeout: float) -> str:
        status = ""
        for update in _stub(channel).WatchApproval(request, timeout=timeout, metadata=metadata):
            row = approval_json(update.approval)
            status = row["status"]
            print(json.dumps(row, ensure_ascii=False), flush=True)
        return status

    final = args.call(args.addr, args.timeout, stream)
    return EXIT_OK if final == "APPROVED" else EXIT_DENIED
