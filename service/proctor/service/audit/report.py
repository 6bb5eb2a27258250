"""``proctor audit report``: a period's evidence summarised for SOC 2
(CC6.1 logical access, CC6.3 authorisation changes, CC7.2 monitoring) and
HIPAA §164.312(b) audit controls — as Markdown, or one self-contained HTML
file with inline SVG charts (no scripts, no external assets)."""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from proctor.service.audit import attributes as A
from proctor.service.audit.evidence import Verification


@dataclass
class ApprovalRow:
    """One approval's story."""

    id: str
    principal: str = ""
    on_behalf_of: str = ""
    action: str = ""
    resource: str = ""
    groups: list[str] = field(default_factory=list)
    requested_ns: int = 0
    outcome: str = "PENDING"
    reviewers: list[str] = field(default_factory=list)
    time_to_decide_s: float | None = None
    used: int = 0


@dataclass
class Summary:
    """Everything the report shows."""

    since: str
    until: str
    decisions: Counter[str] = field(default_factory=Counter)
    by_action: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    approvals: dict[str, ApprovalRow] = field(default_factory=dict)
    refused: list[dict[str, str]] = field(default_factory=list)
    bundles: dict[str, list[int]] = field(default_factory=dict)  # version -> [first, last, n]
    instances: set[str] = field(default_factory=set)


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if ns else "—"


def summarise(spans: list[dict[str, Any]], since: str, until: str) -> Summary:
    """Fold span records into a summary."""
    s = Summary(since, until)
    for record in spans:
        attrs = record.get("attributes") or {}
        name = str(record.get("name"))
        end = int(record.get("end_ns") or 0)
        s.instances.add(str(record.get("instance")))
        if name == A.SPAN_AUTHORIZE and A.DECISION in attrs:
            decision = str(attrs[A.DECISION])
            s.decisions[decision] += 1
            s.by_action[str(attrs.get(A.ACTION, "?"))][decision] += 1
            version = str(attrs.get(A.BUNDLE_VERSION) or "(none)")
            seen = s.bundles.setdefault(version, [end, end, 0])
            seen[0], seen[1], seen[2] = min(seen[0], end), max(seen[1], end), seen[2] + 1
        elif name == A.SPAN_REVIEW_REFUSED:
            s.refused.append(
                {
                    "time": _iso(end),
                    "approval": str(attrs.get(A.APPROVAL_ID, "")),
                    "reviewer": str(attrs.get(A.REVIEWER, "")),
                    "refusal": str(attrs.get(A.REFUSAL, "")),
                    "reason": str(attrs.get(A.REASON, "")),
                }
            )
        elif name.startswith("proctor.approval."):
            _approval(s, name.rsplit(".", 1)[1], attrs, end)
    return s


def _approval(s: Summary, transition: str, attrs: dict[str, Any], end: int) -> None:
    approval_id = str(attrs.get(A.APPROVAL_ID, ""))
    row = s.approvals.setdefault(approval_id, ApprovalRow(approval_id))
    row.principal = str(attrs.get(A.PRINCIPAL, row.principal))
    row.on_behalf_of = str(attrs.get(A.ON_BEHALF_OF, row.on_behalf_of))
    row.action = str(attrs.get(A.ACTION, row.action))
    row.resource = str(attrs.get(A.RESOURCE, row.resource))
    row.groups = list(attrs.get(A.REQUIRED_GROUPS, row.groups))
    if transition == "created":
        row.requested_ns = end
    elif transition == "reviewed":
        row.reviewers.append(f"{attrs.get(A.REVIEWER, '?')} ({attrs.get(A.VERDICT, '?')})")
    elif transition in ("granted", "denied"):
        row.outcome = "APPROVED" if transition == "granted" else "DENIED"
        waited = attrs.get(A.TIME_TO_DECISION_S)
        row.time_to_decide_s = float(waited) if waited is not None else None
    elif transition == "expired":
        row.outcome = "EXPIRED" if row.outcome == "PENDING" else f"{row.outcome}, then EXPIRED"
    elif transition == "consumed":
        row.used += 1


def _self_approval(refusal: dict[str, str]) -> bool:
    return "own request" in refusal["reason"] or "acts for" in refusal["reason"]


def markdown(s: Summary, verification: Verification) -> str:
    """The report as Markdown."""
    out = [
        "# Proctor audit report",
        "",
        f"Period: {s.since} — {s.until}. Instances: {', '.join(sorted(s.instances)) or '—'}.",
        "",
        "## Evidence integrity (HIPAA §164.312(b), SOC 2 CC7.2)",
        "",
        _integrity(verification),
        "",
        "## Decisions by outcome (SOC 2 CC6.1)",
        "",
        "| outcome | decisions |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in sorted(s.decisions.items())],
        "",
        "| action | ALLOW | DENY | NEEDS_APPROVAL |",
        "|---|---|---|---|",
        *[
            f"| {action} | {c['ALLOW']} | {c['DENY']} | {c['NEEDS_APPROVAL']} |"
            for action, c in sorted(s.by_action.items())
        ],
        "",
        "## Approvals (SOC 2 CC6.3)",
        "",
        "| approval | requester (for) | action on resource | required | reviewers | outcome "
        "| time to decide | used |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in sorted(s.approvals.values(), key=lambda r: r.requested_ns):
        waited = f"{row.time_to_decide_s:.1f} s" if row.time_to_decide_s is not None else "—"
        who = row.principal + (f" ({row.on_behalf_of})" if row.on_behalf_of else "")
        out.append(
            f"| {row.id} | {who} | {row.action} on {row.resource} | {', '.join(row.groups)} "
            f"| {'; '.join(row.reviewers) or '—'} | {row.outcome} | {waited} | {row.used} |"
        )
    selfish = [r for r in s.refused if _self_approval(r)]
    out += [
        "",
        f"## Refused reviews ({len(s.refused)}; self-approvals: {len(selfish)})",
        "",
        "| time | approval | reviewer | refusal | reason |",
        "|---|---|---|---|---|",
        *[
            f"| {r['time']} | {r['approval']} | {r['reviewer']} | {r['refusal']} | {r['reason']} |"
            for r in s.refused
        ],
        "",
        "## Policy bundle versions in force",
        "",
        "| bundle version | first decision | last decision | decisions |",
        "|---|---|---|---|",
        *[
            f"| {v} | {_iso(first)} | {_iso(last)} | {n} |"
            for v, (first, last, n) in sorted(s.bundles.items(), key=lambda kv: kv[1][0])
        ],
        "",
    ]
    return "\n".join(out)


def _integrity(v: Verification) -> str:
    chains = ", ".join(
        f"{r.instance}: {r.records} records, {r.checkpoints} checkpoints"
        + (f", {r.unsigned_tail} after the last checkpoint" if r.unsigned_tail else "")
        for r in v.instances.values()
    )
    if not v.ok:
        return f"**BROKEN**: {v.problem}"
    signed = (
        "checkpoint signatures verified"
        if v.signatures_checked
        else ("checkpoint signatures NOT checked (pass --public-key)")
    )
    return f"Intact: every chain links and has no gaps; {signed}. {chains}."


def _bars(title: str, data: dict[str, int]) -> str:
    if not data:
        return ""
    top = max(data.values()) or 1
    rows = []
    for i, (label, value) in enumerate(sorted(data.items())):
        width = int(300 * value / top)
        y = 24 + i * 26
        rows.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>'
            f'<rect x="200" y="{y}" width="{width}" height="18" fill="#3b6ea5"></rect>'
            f'<text x="{205 + width}" y="{y + 14}" font-size="12">{value}</text>'
        )
    height = 30 + 26 * len(data)
    return (
        f"<figure><figcaption>{html.escape(title)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="560" height="{height}" role="img">'
        + "".join(rows)
        + "</svg></figure>"
    )


def html_report(s: Summary, verification: Verification) -> str:
    """One self-contained HTML file: the Markdown tables plus charts."""
    approvals = Counter(row.outcome for row in s.approvals.values())
    body = [
        "<h1>Proctor audit report</h1>",
        f"<p>Period: {html.escape(s.since)} — {html.escape(s.until)}</p>",
        f"<p>{html.escape(_integrity(verification))}</p>",
        _bars("Decisions by outcome", dict(s.decisions)),
        _bars("Approvals by outcome", dict(approvals)),
        "<pre>" + html.escape(markdown(s, verification)) + "</pre>",
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Proctor audit report</title>"
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "pre{white-space:pre-wrap;font-size:12px}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )
