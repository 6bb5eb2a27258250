"""The example bundle's YAML cases, run through the engine in-process, and
their coverage: every policy and every approval gate is exercised."""

from __future__ import annotations

from pathlib import Path

import pytest

from proctor.service.bundle import Bundle, load_bundle
from proctor.service.cases import Case, load_cases, mismatches
from proctor.service.engine import decide

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_DIR = ROOT / "policies"
CASES = load_cases(BUNDLE_DIR / "tests")


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    return load_bundle(BUNDLE_DIR)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(bundle: Bundle, case: Case) -> None:
    problems = mismatches(case, decide(bundle, case.request, granted=case.approved))
    assert not problems, f"{case.file}:{case.line}: {case.name}\n  " + "\n  ".join(problems)


def test_every_policy_and_gate_is_exercised(bundle: Bundle) -> None:
    determined: set[str] = set()
    for case in CASES:
        outcome = decide(bundle, case.request, granted=case.approved)
        determined.update(outcome.policy_ids)
        determined.update(d.rule_id for d in outcome.masks)
    missing = sorted(set(bundle.policies) - determined)
    assert not missing, f"policies no case exercises: {missing}"
    gates = {pid for pid, p in bundle.policies.items() if p.gate is not None}
    needs_approval = {
        pid
        for case in CASES
        if case.expect.decision == "NEEDS_APPROVAL"
        for pid in decide(bundle, case.request, granted=case.approved).policy_ids
    }
    assert gates <= needs_approval, (
        f"gates never shown to need approval: {sorted(gates - needs_approval)}"
    )


def test_every_case_file_has_cases_for_both_outcomes() -> None:
    # Tables mix positives and negatives: a file of only ALLOWs proves little.
    by_file: dict[str, set[str]] = {}
    for case in CASES:
        by_file.setdefault(case.file, set()).add(case.expect.decision)
    for file, decisions in by_file.items():
        assert "DENY" in decisions, f"{file} has no DENY case"
        assert decisions - {"DENY"}, f"{file} has only DENY cases"
