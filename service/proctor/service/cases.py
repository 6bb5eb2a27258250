"""Policy test cases: strict, typed YAML files that sit next to the policies.

A case file (``policies/tests/*.yaml``)::

    entities: []                     # optional: entities shared by every case
    fixtures:                        # optional: named entity sets cases can `use`
      night-shift: [{uid: {type: User, id: nurse-1}, attrs: {}, parents: []}]
    cases:
      - name: agents need the privacy office to export PHI
        principal: Agent::"care-assistant"
        action: Action::"export_patient_data"
        resource: Dataset::"oncology-cohort-2026"
        context: {rows: 120, destination: "s3://hospital-research/cohort-2026"}
        entities: []                 # optional, Cedar entity JSON
        use: [night-shift]           # optional: fixtures to add
        payload: {text: "SSN 123-45-6789"}   # optional: scanned like the service
                                     # does ({text: …} or {json: …})
        payload_findings:            # optional instead: what the scanner found,
          phi_detected: true         # filled into context.payload
        approved: false              # optional: decide as if a verified grant
                                     # for this exact request were presented
        expect:
          decision: NEEDS_APPROVAL   # ALLOW | DENY | NEEDS_APPROVAL
          policies: [export-phi-needs-privacy-office]   # optional
          reason: approval_required  # optional
          approval:                  # optional
            - {group: Group::"privacy-office", quorum: 1}
          masks: ["$.ssn=redact"]    # optional; exact set when given

Unknown keys, missing names and duplicate names fail loudly with file:line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from proctor.masking import DirectiveError, merge_directives, parse_directives
from proctor.service.engine import EntityUid, Outcome, Request
from proctor.service.payload import Payload, default_detector, scan_payload

DECISIONS = ("ALLOW", "DENY", "NEEDS_APPROVAL")
_UID = re.compile(r'^(?P<type>[A-Za-z_][A-Za-z0-9_:]*)::"(?P<id>(?:[^"\\]|\\.)*)"$')


class CaseError(ValueError):
    """A case file that is not well-formed; the message starts with file:line."""


class _Mapping(dict[str, Any]):
    """A YAML mapping that remembers the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Mapping:
    out = _Mapping()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in out:
            # YAML would silently keep the last one: a lost expectation.
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key `{key}`", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True, slots=True)
class ExpectedRequirement:
    """An approver group and quorum a case expects."""

    group: str
    quorum: int


@dataclass(frozen=True, slots=True)
class Expectation:
    """What a case expects; None means "not checked"."""

    decision: str
    policies: tuple[str, ...] | None
    reason: str | None
    approval: tuple[ExpectedRequirement, ...] | None
    masks: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Case:
    """One named request and its expected outcome."""

    name: str
    file: str
    line: int
    request: Request
    expect: Expectation
    approved: bool = False


def _uid(value: Any, where: str) -> EntityUid:
    m = _UID.match(value) if isinstance(value, str) else None
    if m is None:
        raise CaseError(f'{where}: expected an entity like Agent::"care-assistant"')
    return EntityUid(m.group("type"), re.sub(r"\\(.)", r"\1", m.group("id")))


def _check_keys(data: Any, allowed: set[str], required: set[str], where: str, path: str) -> None:
    if not isinstance(data, _Mapping):
        raise CaseError(f"{where}: `{path}` must be a mapping")
    for key in data:
        if key not in allowed:
            line = data.key_lines.get(key, data.line)
            raise CaseError(
                f"{where.rsplit(':', 1)[0]}:{line}: unknown key `{key}` in `{path}` "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
    for key in sorted(required - set(data)):
        raise CaseError(f"{where}: `{path}` is missing `{key}`")


def _masks(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CaseError(f'{where}: `expect.masks` must be a list like ["$.ssn=redact"]')
    try:
        parsed = [d for v in value for d in parse_directives(v)]
    except DirectiveError as exc:
        raise CaseError(f"{where}: `expect.masks`: {exc}") from None
    return tuple(sorted(f"{d.selector}={d.operator}" for d in merge_directives(parsed)))


def _findings(item: Mapping[str, Any], where: str) -> dict[str, Any] | None:
    """``payload_findings`` as given, or the scan of ``payload``."""
    if "payload" in item and "payload_findings" in item:
        raise CaseError(f"{where}: give `payload` or `payload_findings`, not both")
    if "payload" in item:
        raw = item["payload"]
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in ("text", "json"):
            raise CaseError(f'{where}: `payload` must be {{text: "…"}} or {{json: …}}')
        kind, content = next(iter(raw.items()))
        if kind == "text" and not isinstance(content, str):
            raise CaseError(f"{where}: `payload.text` must be a string")
        text = content if isinstance(content, str) else json.dumps(content)
        return scan_payload(Payload(kind, text), default_detector()).findings
    value = item.get("payload_findings")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CaseError(f"{where}: `payload_findings` must be a mapping")
    return dict(value)


def load_case_file(path: Path) -> list[Case]:
    """Read one YAML case file."""
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: not valid YAML: {exc}") from None
    _check_keys(doc, {"cases", "entities", "fixtures"}, {"cases"}, f"{path}:1", "file")
    if not isinstance(doc["cases"], list) or not doc["cases"]:
        raise CaseError(f"{path}:{doc.line}: `cases` must be a non-empty list")
    shared = doc.get("entities", [])
    if not isinstance(shared, list):
        raise CaseError(f"{path}:{doc.line}: `entities` must be a list of Cedar entities")
    fixtures = doc.get("fixtures", {})
    if not isinstance(fixtures, dict) or not all(isinstance(v, list) for v in fixtures.values()):
        raise CaseError(f"{path}:{doc.line}: `fixtures` must map names to lists of entities")
    out: list[Case] = []
    names: dict[str, int] = {}
    for item in doc["cases"]:
        case = _case(item, path, getattr(item, "line", doc.line), shared, fixtures)
        if case.name in names:
            raise CaseError(
                f"{path}:{case.line}: duplicate case name `{case.name}` "
                f"(first at line {names[case.name]})"
            )
        names[case.name] = case.line
        out.append(case)
    return out


def _case(
    item: Any, path: Path, line: int, shared: list[Any], fixtures: Mapping[str, list[Any]]
) -> Case:
    where = f"{path}:{line}"
    _check_keys(
        item,
        {
            "name",
            "principal",
            "action",
            "resource",
            "context",
            "entities",
            "use",
            "payload",
            "payload_findings",
            "approved",
            "expect",
        },
        {"name", "principal", "action", "resource", "expect"},
        where,
        "case",
    )
    name = item["name"]
    if not isinstance(name, str) or not name.strip():
        raise CaseError(f"{where}: every case needs a non-empty `name`")
    context = item.get("context", {})
    entities = item.get("entities", [])
    if not isinstance(context, dict):
        raise CaseError(f"{where}: `context` must be a mapping (a Cedar record)")
    if not isinstance(entities, list):
        raise CaseError(f"{where}: `entities` must be a list of Cedar entities")
    used = item.get("use", [])
    if not isinstance(used, list):
        raise CaseError(f"{where}: `use` must be a list of fixture names")
    for fixture in used:
        if fixture not in fixtures:
            known = ", ".join(sorted(fixtures)) or "none defined"
            raise CaseError(f"{where}: unknown fixture `{fixture}` (known: {known})")
    entities = [*shared, *(e for f in used for e in fixtures[f]), *entities]
    exp = item["expect"]
    _check_keys(
        exp,
        {"decision", "policies", "reason", "approval", "masks"},
        {"decision"},
        where,
        "expect",
    )
    if exp["decision"] not in DECISIONS:
        raise CaseError(f"{where}: `expect.decision` must be one of {', '.join(DECISIONS)}")
    approved = item.get("approved", False)
    if not isinstance(approved, bool):
        raise CaseError(f"{where}: `approved` must be true or false")
    approval = None
    if "approval" in exp:
        reqs = []
        for r in exp["approval"] or []:
            _check_keys(r, {"group", "quorum"}, {"group"}, where, "expect.approval[]")
            reqs.append(ExpectedRequirement(str(_uid(r["group"], where)), int(r.get("quorum", 1))))
        approval = tuple(sorted(reqs, key=lambda r: r.group))
    return Case(
        name=name,
        file=str(path),
        line=line,
        request=Request(
            principal=_uid(item["principal"], where),
            action=_uid(item["action"], where),
            resource=_uid(item["resource"], where),
            context=dict(context),
            entities=list(entities),
            payload_findings=_findings(item, where),
        ),
        expect=Expectation(
            decision=exp["decision"],
            policies=tuple(sorted(exp["policies"])) if "policies" in exp else None,
            reason=exp.get("reason"),
            approval=approval,
            masks=_masks(exp["masks"], where) if "masks" in exp else None,
        ),
        approved=approved,
    )


def load_cases(directory: Path) -> list[Case]:
    """Every case under ``directory`` (``*.yaml`` / ``*.yml``, recursively)."""
    files = sorted([*directory.rglob("*.yaml"), *directory.rglob("*.yml")])
    return [case for f in files for case in load_case_file(f)]


def mismatches(case: Case, outcome: Outcome) -> list[str]:
    """How an outcome differs from a case's expectation (empty: it passes)."""
    exp, out = case.expect, []
    if outcome.decision != exp.decision:
        out.append(
            f"decision: expected {exp.decision}, got {outcome.decision} ({outcome.reason_code})"
        )
    if exp.policies is not None and tuple(sorted(outcome.policy_ids)) != exp.policies:
        out.append(f"policies: expected {list(exp.policies)}, got {sorted(outcome.policy_ids)}")
    if exp.reason is not None and outcome.reason_code != exp.reason:
        out.append(f"reason: expected {exp.reason}, got {outcome.reason_code}")
    if exp.approval is not None:
        got = tuple(
            sorted(
                (ExpectedRequirement(str(r.group), r.quorum) for r in outcome.requirements),
                key=lambda r: r.group,
            )
        )
        if got != exp.approval:
            out.append(f"approval: expected {_reqs(exp.approval)}, got {_reqs(got)}")
    if exp.masks is not None:
        got_masks = tuple(sorted(f"{d.selector}={d.operator}" for d in outcome.masks))
        if got_masks != exp.masks:
            out.append(f"masks: expected {list(exp.masks)}, got {list(got_masks)}")
    return out


def _reqs(reqs: Sequence[ExpectedRequirement]) -> list[str]:
    return [f"{r.quorum} from {r.group}" for r in reqs]
