"""The ``proctor`` command.

Exit codes: 0 success (ALLOW for ``authorize``), 1 failure (invalid bundle,
unreachable server), 2 usage or input error (one line on stderr), 3 DENY,
4 NEEDS_APPROVAL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_DENY, EXIT_NEEDS_APPROVAL = 0, 1, 2, 3, 4


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


# --- serve --------------------------------------------------------------------


# Settings `proctor serve` takes as --flag VALUE (see config.SETTINGS).
SERVE_FLAGS = (
    "policies",
    "listen",
    "data_dir",
    "max_request_bytes",
    "grace_seconds",
    "drain_seconds",
    "log_level",
    "mask_key_file",
    "redis_url",
    "store_prefix",
    "approval_retention",
    "reviewer_keys",
    "reviewer_audience",
    "reviewer_issuer",
    "tls_cert",
    "tls_key",
    "tls_client_ca",
    "notify_config",
    "http_listen",
    "otlp_endpoint",
    "otlp_protocol",
    "evidence_fsync",
    "evidence_key_file",
    "workers",
)


def _cmd_serve(args: argparse.Namespace) -> int:
    from proctor.service.config import build_settings
    from proctor.service.server import ProctorServer, run

    flags: dict[str, str | None] = {name: getattr(args, name) for name in SERVE_FLAGS}
    flags["evidence_required"] = "true" if args.evidence_required else None
    flags["watch"] = "false" if args.no_watch else None
    flags["insecure_dev"] = "true" if args.insecure_dev else None
    flags["reuse_port"] = "true" if args.reuse_port else None
    settings = build_settings(flags)
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )

    def ready(server: ProctorServer) -> None:
        host = settings.listen_host
        addr = f"[{host}]:{server.port}" if ":" in host else f"{host}:{server.port}"
        bundle = server.store.current()
        if bundle is None:
            what = "NO bundle (health NOT_SERVING; every request is DENY until it loads)"
        else:
            what = (
                f"bundle {bundle.version} ({bundle.access_policy_count} access policies, "
                f"{bundle.masking_policy_count} masking rules)"
            )
        print(f"proctor serving {settings.policies}/ on {addr}: {what}", flush=True)
        if bundle is not None:
            print(f"  try: proctor authorize --addr {addr} {example_request(bundle)}", flush=True)
        print(
            f"  data dir {settings.data_dir}; policies are reloaded when they change"
            if settings.watch
            else f"  data dir {settings.data_dir}; hot reload off",
            flush=True,
        )
        print(
            f"  audit evidence in {settings.data_dir / 'evidence'} "
            f"(verify: proctor audit verify {settings.data_dir / 'evidence'})",
            flush=True,
        )

    if settings.workers > 1:
        from proctor.service.workers import Supervisor, child_args

        return Supervisor(settings, settings.workers, child_args(args.raw_argv[1:])).run()
    runner = _runner()
    runner(run(settings, on_ready=ready))
    return EXIT_OK


def _cmd_mcp_gateway(args: argparse.Namespace) -> int:
    import anyio

    from proctor.service.mcp_gateway import load_mapping, run_gateway

    command = [c for c in args.upstream if c != "--"] if args.upstream else []
    if bool(command) == bool(args.upstream_url):
        raise UsageError(
            "mcp-gateway: give the MCP server's command after `--`, or --upstream-url (not both)"
        )
    mapping = load_mapping(args.mapping)
    logging.basicConfig(level="WARNING", stream=sys.stderr)
    anyio.run(run_gateway, mapping, args.addr, command, args.upstream_url)
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from proctor.service.demo import DemoFailed, run_demo

    policies = Path(args.policies)
    if not (policies / "schema.cedarschema").is_file():
        raise UsageError(f"--policies: `{policies}` is not the example bundle (run from a clone)")
    logging.basicConfig(level="ERROR", format="  (log) %(name)s: %(message)s")
    try:
        run_demo(policies, sys.stdout, args.evidence_dir)
    except DemoFailed as exc:
        print(f"proctor: demo failed: {exc}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def example_request(bundle: Any) -> str:
    """Arguments of a request a newcomer can run as is: an action whose
    principal and resource types have entities in entities.json and whose
    context needs nothing; placeholders where the bundle offers none."""
    ids: dict[str, str] = {}
    try:
        for e in json.loads((Path(bundle.directory) / "entities.json").read_text("utf-8")):
            ids.setdefault(e["uid"]["type"], e["uid"]["id"])
    except (OSError, ValueError, KeyError, TypeError):
        pass

    def uid(kind: str, type_: str, id_: str) -> str:
        return f"--{kind} '{type_}::\"{id_}\"'"

    ordered = sorted(bundle.slices.items(), key=lambda kv: (kv[0].type, kv[0].id))
    for action, sl in ordered:
        required = [
            n
            for n, a in sl.action.context.attributes.items()
            if a.required and n not in ("approval", "payload")
        ]
        p = next((t for t in sl.action.principal_types if t in ids), None)
        r = next((t for t in sl.action.resource_types if t in ids), None)
        if p and r and not required:
            return " ".join(
                (
                    uid("principal", p, ids[p]),
                    uid("action", action.type, action.id),
                    uid("resource", r, ids[r]),
                )
            )
    action, sl = ordered[0]
    return (
        f"{uid('principal', sl.action.principal_types[0], '…')} "
        f"{uid('action', action.type, action.id)} "
        f"{uid('resource', sl.action.resource_types[0], '…')} --context '{{…}}'"
    )


def _runner() -> Any:
    """uvloop when installed: the fastest event loop for grpc.aio here."""
    try:
        import uvloop

        return uvloop.run
    except ImportError:  # pragma: no cover - uvloop is a server dependency
        return asyncio.run


# --- authorize / status ----------------------------------------------------------


def _read_json_arg(text: str, flag: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{flag}: cannot read `{text[1:]}`: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{flag}: not JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None


def _build_request(args: argparse.Namespace) -> Any:
    from proctor.service.errors import InvalidRequestError
    from proctor.service.wire import json_to_entity, json_to_record, parse_entity_uid
    from proctor.v1 import decision_pb2, value_pb2

    try:
        context = _read_json_arg(args.context, "--context") if args.context else {}
        if not isinstance(context, dict):
            raise UsageError("--context: must be a JSON object (Cedar record)")
        entities: list[Any] = []
        if args.entities:
            entities = _read_json_arg("@" + args.entities, "--entities")
            if not isinstance(entities, list):
                raise UsageError("--entities: the file must hold a JSON list of Cedar entities")
        return decision_pb2.AuthorizeRequest(
            principal=parse_entity_uid(args.principal, "--principal"),
            action=parse_entity_uid(args.action, "--action"),
            resource=parse_entity_uid(args.resource, "--resource"),
            context=value_pb2.Record(attributes=json_to_record(context, "context")),
            entities=[json_to_entity(e, f"entities[{i}]") for i, e in enumerate(entities)],
            approval_id=args.approval_id or "",
        )
    except InvalidRequestError as exc:
        raise UsageError(str(exc)) from None


def _ts(ts: Any) -> str:
    return datetime.fromtimestamp(ts.ToNanoseconds() / 1e9, UTC).isoformat().replace("+00:00", "Z")


def response_json(resp: Any) -> dict[str, Any]:
    """AuthorizeResponse → the JSON ``proctor authorize`` prints."""
    from proctor.v1 import decision_pb2

    approval = None
    if resp.HasField("approval"):
        a = resp.approval
        approval = {
            "id": a.id,
            "status": decision_pb2.ApprovalStatus.Name(a.status).removeprefix("APPROVAL_STATUS_"),
            "requirements": [
                {
                    "group": f'{r.group.type}::"{r.group.id}"',
                    "quorum": r.quorum,
                    "approvals": r.approvals,
                    "policy_ids": list(r.policy_ids),
                }
                for r in a.requirements
            ],
            "expires_at": _ts(a.expires_at),
            "retry_after_seconds": a.retry_after.ToNanoseconds() / 1e9,
        }
    return {
        "decision": decision_pb2.Decision.Name(resp.decision).removeprefix("DECISION_"),
        "decision_id": resp.decision_id,
        "policy_ids": list(resp.policy_ids),
        "bundle_version": resp.bundle_version,
        "masks": [
            {
                "selector": m.selector,
                "operator": m.operator,
                "params": dict(m.params),
                "rule_id": m.rule_id,
            }
            for m in resp.masks
        ],
        "approval": approval,
        "reason": {"code": resp.reason.code, "message": resp.reason.message},
    }


def _call(addr: str, timeout: float, fn: Any) -> Any:
    import grpc

    with grpc.insecure_channel(addr) as channel:
        try:
            return fn(channel, timeout)
        except grpc.RpcError as exc:
            code = exc.code()
            if code == grpc.StatusCode.INVALID_ARGUMENT:
                raise UsageError(f"rejected by the server: {exc.details()}") from None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise ConnectionError(
                    f"cannot reach proctor at {addr} ({code.name.lower()})"
                ) from None
            raise ConnectionError(f"{code.name.lower()}: {exc.details()}") from None


def _cmd_authorize(args: argparse.Namespace) -> int:
    from proctor.v1 import decision_pb2_grpc

    request = _build_request(args)
    resp = _call(
        args.addr,
        args.timeout,
        lambda ch, t: decision_pb2_grpc.DecisionServiceStub(ch).Authorize(request, timeout=t),
    )
    out = response_json(resp)
    print(json.dumps(out, indent=2))
    return {"ALLOW": EXIT_OK, "NEEDS_APPROVAL": EXIT_NEEDS_APPROVAL}.get(out["decision"], EXIT_DENY)


def _cmd_status(args: argparse.Namespace) -> int:
    from google.protobuf import json_format

    from proctor.v1 import status_pb2, status_pb2_grpc

    resp = _call(
        args.addr,
        args.timeout,
        lambda ch, t: status_pb2_grpc.StatusServiceStub(ch).GetStatus(
            status_pb2.GetStatusRequest(), timeout=t
        ),
    )
    print(json.dumps(json_format.MessageToDict(resp, preserving_proto_field_name=True), indent=2))
    return EXIT_OK


# --- check / fmt --------------------------------------------------------------------


def _cmd_check(args: argparse.Namespace) -> int:
    import cedarpy

    from proctor.service.bundle import load_bundle
    from proctor.service.errors import BundleError

    directory = Path(args.directory)
    failed = False
    try:
        bundle = load_bundle(directory)
    except BundleError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        failed = True
        bundle = None
    if args.format_check:
        for path in sorted(directory.rglob("*.cedar")):
            text = path.read_text(encoding="utf-8")
            try:
                formatted = cedarpy.format_policies(text)
            except ValueError:
                continue  # already reported as a parse error
            if formatted != text:
                print(
                    f"{path}: not formatted as Cedar's formatter would "
                    f"(run `proctor fmt {directory}`)",
                    file=sys.stderr,
                )
                failed = True
    warnings: list[str] = []
    if bundle is not None:
        from proctor.service.lint import lint_bundle

        warnings = lint_bundle(bundle)
        for warning in warnings:
            print(warning, file=sys.stderr)
    if failed or (warnings and args.strict):
        return EXIT_FAIL
    assert bundle is not None
    print(
        f"ok: {directory} bundle {bundle.version}: {bundle.access_policy_count} access policies, "
        f"{bundle.masking_policy_count} masking rules, {len(bundle.slices)} actions"
        + (f", {len(warnings)} warning(s)" if warnings else "")
    )
    return EXIT_OK


def _cmd_test(args: argparse.Namespace) -> int:
    from proctor.service.bundle import load_bundle
    from proctor.service.case_runner import (
        junit_xml,
        run_cases,
        summary_lines,
        write_coverage_json,
    )
    from proctor.service.cases import CaseError, load_cases
    from proctor.service.errors import BundleError

    directory = Path(args.directory)
    cases_dir = Path(args.cases) if args.cases else directory / "tests"
    try:
        bundle = load_bundle(directory)
    except BundleError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAIL
    try:
        cases = load_cases(cases_dir)
    except CaseError as exc:
        print(f"proctor: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    if not cases:
        print(f"proctor: error: no cases in {cases_dir} (*.yaml)", file=sys.stderr)
        return EXIT_FAIL
    results, coverage = run_cases(bundle, cases)
    print("\n".join(summary_lines(results, coverage, verbose=args.verbose)))
    if args.junit:
        Path(args.junit).write_bytes(junit_xml(results, f"proctor test {directory}"))
    if args.coverage_json:
        write_coverage_json(coverage, Path(args.coverage_json))
    failed = any(not r.passed for r in results)
    if args.min_coverage is not None and coverage.percent < args.min_coverage:
        print(
            f"coverage {coverage.percent:.1f}% is below --min-coverage {args.min_coverage:g}%",
            file=sys.stderr,
        )
        failed = True
    return EXIT_FAIL if failed else EXIT_OK


def _cmd_diff(args: argparse.Namespace) -> int:
    from proctor.service.bundle import load_bundle
    from proctor.service.cases import CaseError
    from proctor.service.diff import case_requests, compare, generated_requests, report
    from proctor.service.errors import BundleError

    old_dir, new_dir = Path(args.old), Path(args.new)
    try:
        old, new = load_bundle(old_dir), load_bundle(new_dir)
    except BundleError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_FAIL
    try:
        from_cases = case_requests(old_dir, new_dir)
    except CaseError as exc:
        print(f"proctor: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    generated = []
    if args.examples > 0:
        generated = generated_requests(old, args.examples) + generated_requests(new, args.examples)
    compared, changes = compare(old, new, [*from_cases, *generated])
    sources = f"{len(from_cases)} case requests, {len(generated)} generated"
    print("\n".join(report(changes, compared, sources)))
    return EXIT_FAIL if changes and args.fail_on_change else EXIT_OK


# --- detect / mask ----------------------------------------------------------------


def _categories(text: str | None) -> frozenset[str]:
    from proctor.masking import CATEGORIES

    if not text:
        return frozenset({"ALL"})
    cats = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    unknown = sorted(cats - CATEGORIES)
    if unknown:
        raise UsageError(f"--categories: unknown category `{unknown[0]}`")
    return cats


def _cmd_detect(args: argparse.Namespace) -> int:
    from proctor.masking.detect import detect

    categories = _categories(args.categories)
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"stdin line {lineno}: not JSON (column {exc.colno})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise UsageError(f'stdin line {lineno}: expected {{"id": …, "text": "…"}}')
        spans = detect(item["text"], categories, mode=args.mode)
        out = {
            "id": item.get("id"),
            "spans": [
                {"start": f.start, "end": f.end, "category": f.category, "score": round(f.score, 3)}
                for f in spans
            ],
        }
        print(json.dumps(out), flush=True)
    return EXIT_OK


MASK_KEY_ENV = "PROCTOR_MASK_KEY"


def _mask_key(needed: bool) -> bytes:
    import os
    import secrets

    raw = os.environ.get(MASK_KEY_ENV, "")
    if not raw:
        if needed:
            raise UsageError(
                f"hash, tokenize and date_shift need a key: set {MASK_KEY_ENV} "
                "(at least 32 hex characters)"
            )
        return secrets.token_bytes(32)  # unused by the directives given
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise UsageError(
            f"{MASK_KEY_ENV}: must be hex (e.g. from `openssl rand -hex 32`)"
        ) from None
    if len(key) < 16:
        raise UsageError(f"{MASK_KEY_ENV}: at least 16 bytes (32 hex characters)")
    return key


def _cmd_mask(args: argparse.Namespace) -> int:
    import functools
    import time

    from proctor.masking import DirectiveError, parse_directives
    from proctor.masking.apply import apply_directives
    from proctor.masking.detect import detect
    from proctor.masking.operators import MaskContext
    from proctor.masking.vault import InMemoryVault

    try:
        directives = parse_directives(args.directives)
    except DirectiveError as exc:
        raise UsageError(f"--directives: {exc}") from None
    keyed = {"hash", "tokenize", "date_shift"}
    try:
        document = json.load(sys.stdin)
    except json.JSONDecodeError as exc:
        raise UsageError(f"stdin: not JSON (line {exc.lineno} column {exc.colno})") from None
    ctx = MaskContext(
        hash_key=_mask_key(any(d.operator.name in keyed for d in directives)),
        vault=InMemoryVault(time.time),
        scope=args.scope,
        subject=args.subject or "",
        detector=functools.partial(detect, mode=args.mode),
    )
    result = apply_directives(document, directives, ctx)
    print(json.dumps(result.document, indent=2 if args.pretty else None))
    if args.paths:
        for path in result.masked_paths:
            print(path, file=sys.stderr)
    return EXIT_OK


def _cmd_fmt(args: argparse.Namespace) -> int:
    import cedarpy

    status = EXIT_OK
    for path in sorted(Path(args.directory).rglob("*.cedar")):
        text = path.read_text(encoding="utf-8")
        try:
            formatted = cedarpy.format_policies(text)
        except ValueError as exc:
            print(f"{path}: cannot parse: {exc}", file=sys.stderr)
            status = EXIT_FAIL
            continue
        if formatted != text:
            path.write_text(formatted, encoding="utf-8")
            print(f"formatted {path}")
    return status


# --- parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    from proctor.service.config import DEFAULT_LISTEN

    p = _Parser(prog="proctor", description="Policy-as-code decision service for AI agents.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    _serve_command(sub)
    _client_commands(sub, DEFAULT_LISTEN)
    from proctor.service import cli_approvals

    cli_approvals.add_commands(sub, DEFAULT_LISTEN, _call, UsageError)
    from proctor.service import cli_audit

    cli_audit.add_commands(sub, UsageError)
    gw = sub.add_parser(
        "mcp-gateway", help="govern an MCP server: authorize every tool call, mask results"
    )
    gw.add_argument("--mapping", required=True, type=Path, help="tool → action mapping (YAML)")
    gw.add_argument(
        "--addr", default=DEFAULT_LISTEN, help=f"proctor address (default {DEFAULT_LISTEN})"
    )
    gw.add_argument(
        "--upstream-url", default="", help="an MCP server over HTTP (…/mcp) or SSE (…/sse)"
    )
    gw.add_argument("upstream", nargs=argparse.REMAINDER, help="-- COMMAND of the MCP server")
    gw.set_defaults(func=_cmd_mcp_gateway)
    demo = sub.add_parser("demo", help="walk through the approval loop on the embedded defaults")
    demo.add_argument(
        "--policies", default="policies", help="the example bundle (default policies)"
    )
    demo.add_argument(
        "--evidence-dir", type=Path, help="keep the audit evidence here (default: discarded)"
    )
    demo.set_defaults(func=_cmd_demo)
    _policy_commands(sub)
    _masking_commands(sub)
    return p


def _serve_command(sub: Any) -> None:
    from proctor.service.config import SETTINGS

    serve = sub.add_parser("serve", help="run the decision point")
    for name in SERVE_FLAGS:
        if name == "mask_key_file":
            continue
        s = SETTINGS[name]
        serve.add_argument(s.flag, dest=name, default=None, help=f"{s.help} (env {s.env})")
    mk = SETTINGS["mask_key"]
    serve.add_argument(
        mk.flag,
        dest="mask_key_file",
        metavar="FILE",
        default=None,
        help=f"{mk.help} (env {mk.env})",
    )
    required = SETTINGS["evidence_required"]
    serve.add_argument(
        required.flag, action="store_true", help=f"{required.help} (env {required.env})"
    )
    serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    dev = SETTINGS["insecure_dev"]
    serve.add_argument(dev.flag, action="store_true", help=f"{dev.help} (env {dev.env})")
    serve.add_argument(
        "--no-watch",
        action="store_true",
        help="do not reload the bundle on change (env PROCTOR_WATCH=false)",
    )
    serve.set_defaults(func=_cmd_serve)


def _client_commands(sub: Any, default_listen: str) -> None:
    def client(name: str, help_text: str) -> argparse.ArgumentParser:
        c: argparse.ArgumentParser = sub.add_parser(name, help=help_text)
        c.add_argument(
            "--addr", default=default_listen, help=f"server address (default {default_listen})"
        )
        c.add_argument("--timeout", type=float, default=5.0, help="seconds to wait (default 5)")
        return c

    auth = client("authorize", "ask for a decision; exit 0 ALLOW, 3 DENY, 4 NEEDS_APPROVAL")
    auth.add_argument("--principal", required=True, help='e.g. Agent::"care-assistant"')
    auth.add_argument("--action", required=True, help='e.g. Action::"export_patient_data"')
    auth.add_argument("--resource", required=True, help='e.g. Dataset::"oncology-cohort-2026"')
    auth.add_argument("--context", help="Cedar JSON record, or @FILE")
    auth.add_argument(
        "--entities", metavar="FILE", help="JSON list of Cedar entities for this request"
    )
    auth.add_argument("--approval-id", help="a granted approval for exactly this request")
    auth.set_defaults(func=_cmd_authorize)

    status = client("status", "show the bundle in force and the last reload")
    status.set_defaults(func=_cmd_status)


def _policy_commands(sub: Any) -> None:
    check = sub.add_parser("check", help="validate a bundle; exit 1 with file:line messages")
    check.add_argument("directory", nargs="?", default="policies")
    check.add_argument(
        "--format-check",
        action="store_true",
        help="also fail when Cedar's formatter would change a file",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(func=_cmd_check)

    test = sub.add_parser("test", help="run the bundle's YAML cases; coverage; JUnit")
    test.add_argument("directory", nargs="?", default="policies")
    test.add_argument("--cases", metavar="DIR", help="case files (default: DIR/tests)")
    test.add_argument("--junit", metavar="FILE", help="write JUnit XML")
    test.add_argument("--coverage-json", metavar="FILE", help="write coverage as JSON")
    test.add_argument(
        "--min-coverage", type=float, metavar="PCT", help="fail below this % of policies+gates"
    )
    test.add_argument("-v", "--verbose", action="store_true", help="list passing cases too")
    test.set_defaults(func=_cmd_test)

    diff = sub.add_parser("diff", help="requests whose decision or masking changes between bundles")
    diff.add_argument("old", help="the bundle before the change")
    diff.add_argument("new", help="the bundle after the change")
    diff.add_argument(
        "--examples",
        type=int,
        default=200,
        metavar="N",
        help="generated requests per action and bundle (default 200; 0: cases only)",
    )
    diff.add_argument(
        "--fail-on-change", action="store_true", help="exit 1 when anything changes (CI gates)"
    )
    diff.set_defaults(func=_cmd_diff)

    fmt = sub.add_parser("fmt", help="format the bundle's .cedar files in place")
    fmt.add_argument("directory", nargs="?", default="policies")
    fmt.set_defaults(func=_cmd_fmt)


def _masking_commands(sub: Any) -> None:
    def mode(value: str) -> str:
        # `ner` needs the optional spaCy model; without it, a one-line usage error (exit 2).
        if value == "ner":
            from proctor.masking.detect.ner import NerUnavailableError, check_available

            try:
                check_available()
            except NerUnavailableError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    modes = ("fast", "thorough", "ner")
    detect = sub.add_parser(
        "detect", help='find PHI in JSON lines {"id", "text"} on stdin; print spans per line'
    )
    detect.add_argument("--mode", choices=modes, type=mode, default="fast")
    detect.add_argument("--categories", help="comma-separated, e.g. NAME,SSN (default: ALL)")
    detect.set_defaults(func=_cmd_detect)

    mask = sub.add_parser("mask", help="mask a JSON document on stdin as the service would")
    mask.add_argument("--directives", required=True, help='e.g. "$.ssn=redact; $.notes=detect"')
    mask.add_argument("--scope", default="cli", help="tokenization scope (default: cli)")
    mask.add_argument("--subject", help="date_shift subject (e.g. a patient id)")
    mask.add_argument("--mode", choices=modes, type=mode, default="fast")
    mask.add_argument("--paths", action="store_true", help="list masked paths on stderr")
    mask.add_argument("--pretty", action="store_true", help="indent the output")
    mask.set_defaults(func=_cmd_mask)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``proctor`` console script."""
    from proctor.service.errors import ProctorError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        args.raw_argv = list(sys.argv[1:] if argv is None else argv)
        return int(args.func(args))
    except UsageError as exc:
        print(f"proctor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ConnectionError as exc:
        print(f"proctor: error: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except ProctorError as exc:
        print(f"proctor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.code == "invalid_config" else EXIT_FAIL
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
