"""``proctor audit verify`` and ``proctor audit report``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAIL = 0, 1


def add_commands(sub: Any, usage_error: type[Exception]) -> None:
    """Register ``proctor audit …``."""
    audit = sub.add_parser("audit", help="verify and summarise audit evidence")
    verbs = audit.add_subparsers(
        dest="verb", required=True, metavar="COMMAND", parser_class=type(audit)
    )
    verify = verbs.add_parser(
        "verify", help="check hash chains, sequence gaps and checkpoint signatures"
    )
    verify.add_argument("paths", nargs="+", type=Path, help="evidence files or directories")
    verify.add_argument(
        "--public-key",
        action="append",
        default=[],
        type=Path,
        help="PEM public key checkpoints must be signed with (repeatable)",
    )
    verify.set_defaults(func=_cmd_verify, usage_error=usage_error)

    report = verbs.add_parser("report", help="a period's evidence for SOC 2 / HIPAA auditors")
    report.add_argument("paths", nargs="+", type=Path, help="evidence files or directories")
    report.add_argument("--since", help="start, ISO date or time (UTC), inclusive")
    report.add_argument("--until", help="end, ISO date or time (UTC), exclusive")
    report.add_argument("--format", choices=("markdown", "html"), default="markdown")
    report.add_argument("--out", type=Path, help="write here instead of stdout")
    report.add_argument("--public-key", action="append", default=[], type=Path)
    report.set_defaults(func=_cmd_report, usage_error=usage_error)


def _cmd_verify(args: argparse.Namespace) -> int:
    from proctor.service.audit.trail import TrailError, verify_paths

    try:
        result = verify_paths(args.paths, args.public_key)
    except TrailError as exc:
        raise args.usage_error(str(exc)) from None
    for r in result.instances.values():
        tail = f", {r.unsigned_tail} after the last checkpoint" if r.unsigned_tail else ""
        print(f"{r.instance}: {r.records} records, {r.checkpoints} checkpoints{tail}")
    if not result.ok:
        print(f"proctor: evidence broken: {result.problem}", file=sys.stderr)
        return EXIT_FAIL
    if not result.signatures_checked:
        print("ok (chains intact; signatures not checked: pass --public-key)")
    else:
        print("ok (chains intact, checkpoints signed by the given key)")
    return EXIT_OK


def _when(text: str | None, flag: str, usage_error: type[Exception]) -> tuple[int, str]:
    if not text:
        return 0, "the beginning" if flag == "--since" else "now"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise usage_error(f"{flag}: `{text}` is not an ISO date or time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1e9), moment.isoformat()


def _cmd_report(args: argparse.Namespace) -> int:
    from proctor.service.audit.report import html_report, markdown, summarise
    from proctor.service.audit.trail import TrailError, spans, verify_paths

    since_ns, since = _when(args.since, "--since", args.usage_error)
    until_ns, until = _when(args.until, "--until", args.usage_error)
    try:
        verification = verify_paths(args.paths, args.public_key)
        summary = summarise(spans(args.paths, since_ns, until_ns), since, until)
    except TrailError as exc:
        raise args.usage_error(str(exc)) from None
    text = (html_report if args.format == "html" else markdown)(summary, verification)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)
    return EXIT_OK if verification.ok else EXIT_FAIL
