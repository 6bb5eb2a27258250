"""``proctor test``: run a bundle's YAML cases, measure coverage, write JUnit.

Coverage has two parts:

* **policies** — a policy is covered when at least one case *satisfies* it
  (determining the outcome or not): a permit no case ever satisfies, or a
  masking rule that never applies, is untested;
* **gates** — an approval gate is covered when at least one case shows it
  asking for approval (a NEEDS_APPROVAL that cites it).
"""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proctor.service.bundle import Bundle
from proctor.service.cases import Case, mismatches
from proctor.service.engine import Outcome, decide
from proctor.service.errors import InvalidRequestError


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One case's outcome and what went wrong, if anything."""

    case: Case
    outcome: Outcome | None
    problems: tuple[str, ...]
    satisfied: frozenset[str]
    seconds: float

    @property
    def passed(self) -> bool:
        """True when the outcome matched every expectation."""
        return not self.problems


@dataclass
class Coverage:
    """Which policies and gates the cases exercised."""

    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    gates: dict[str, list[str]] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        """Covered items (policies plus gates)."""
        return sum(1 for p in self.policies.values() if p["cases"]) + sum(
            1 for cases in self.gates.values() if cases
        )

    @property
    def total(self) -> int:
        """Items that can be covered."""
        return len(self.policies) + len(self.gates)

    @property
    def percent(self) -> float:
        """Covered share of policies and gates, 0-100."""
        return 100.0 * self.covered / self.total if self.total else 100.0

    def to_json(self) -> dict[str, Any]:
        """The coverage report as JSON-ready data."""
        return {
            "percent": round(self.percent, 2),
            "policies": self.policies,
            "gates": {gid: {"cases": cases} for gid, cases in self.gates.items()},
        }


def run_cases(bundle: Bundle, cases: Sequence[Case]) -> tuple[list[CaseResult], Coverage]:
    """Decide every case in-process and collect coverage."""
    results: list[CaseResult] = []
    coverage = Coverage(
        policies={
            pid: {"kind": p.kind, "file": p.file, "line": p.line, "cases": [], "determined": 0}
            for pid, p in sorted(bundle.policies.items())
        },
        gates={pid: [] for pid, p in sorted(bundle.policies.items()) if p.gate is not None},
    )
    for case in cases:
        satisfied: set[str] = set()
        start = time.perf_counter()
        try:
            outcome: Outcome | None = decide(
                bundle, case.request, granted=case.approved, satisfied_out=satisfied
            )
            problems = tuple(mismatches(case, outcome)) if outcome else ()
        except InvalidRequestError as exc:
            outcome, problems = None, (f"the request is invalid: {exc}",)
        elapsed = time.perf_counter() - start
        results.append(CaseResult(case, outcome, problems, frozenset(satisfied), elapsed))
        for pid in satisfied:
            coverage.policies[pid]["cases"].append(case.name)
        if outcome is not None:
            for pid in {*outcome.policy_ids, *(d.rule_id for d in outcome.masks)}:
                coverage.policies[pid]["determined"] += 1
            if outcome.decision == "NEEDS_APPROVAL":
                for pid in outcome.policy_ids:
                    if pid in coverage.gates:
                        coverage.gates[pid].append(case.name)
    return results, coverage


def summary_lines(results: Sequence[CaseResult], coverage: Coverage, verbose: bool) -> list[str]:
    """The human-readable report: failures with their diffs, coverage, totals."""
    lines: list[str] = []
    for r in results:
        if r.passed:
            if verbose:
                lines.append(f"ok    {r.case.name}")
            continue
        lines.append(f"FAIL  {r.case.name}  ({r.case.file}:{r.case.line})")
        lines.extend(f"        {p}" for p in r.problems)
    uncovered = [pid for pid, p in coverage.policies.items() if not p["cases"]]
    untested_gates = [gid for gid, cases in coverage.gates.items() if not cases]
    lines.append("")
    lines.append(
        f"coverage: {coverage.covered}/{coverage.total} ({coverage.percent:.1f}%) — "
        f"{len(coverage.policies) - len(uncovered)}/{len(coverage.policies)} policies satisfied "
        f"by a case, {len(coverage.gates) - len(untested_gates)}/{len(coverage.gates)} gates "
        "shown asking for approval"
    )
    width = max((len(pid) for pid in coverage.policies), default=10)
    lines.append(f"  {'policy':<{width}}  {'kind':<6}  cases  determined")
    for pid, p in coverage.policies.items():
        gate_mark = ""
        if pid in coverage.gates:
            gate_mark = "  gate tested" if coverage.gates[pid] else "  GATE UNTESTED"
        lines.append(
            f"  {pid:<{width}}  {p['kind']:<6}  {len(p['cases']):>5}  {p['determined']:>10}"
            + ("  UNCOVERED" if not p["cases"] else "")
            + gate_mark
        )
    failed = sum(1 for r in results if not r.passed)
    lines.append("")
    lines.append(f"{len(results) - failed} passed, {failed} failed")
    return lines


def junit_xml(results: Sequence[CaseResult], suite: str) -> bytes:
    """JUnit XML, one testcase per case, classname = case file."""
    failed = sum(1 for r in results if not r.passed)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failed),
        errors="0",
        time=f"{sum(r.seconds for r in results):.6f}",
    )
    for r in results:
        tc = ET.SubElement(
            root,
            "testcase",
            classname=Path(r.case.file).stem,
            name=r.case.name,
            file=r.case.file,
            line=str(r.case.line),
            time=f"{r.seconds:.6f}",
        )
        if not r.passed:
            failure = ET.SubElement(tc, "failure", message=r.problems[0])
            failure.text = "\n".join(r.problems)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def write_coverage_json(coverage: Coverage, path: Path) -> None:
    """Coverage as JSON, for dashboards and CI annotations."""
    path.write_text(json.dumps(coverage.to_json(), indent=2) + "\n", encoding="utf-8")
