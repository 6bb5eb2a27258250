"""Policy CI as a team runs it: `proctor test` (cases, coverage, JUnit),
`proctor diff`, `proctor check` warnings. A deliberately broken change —
dropping the export approval gate — is caught by both the cases and diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

PROCTOR = [sys.executable, "-m", "proctor.service.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROCTOR, *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def broken(tmp_path: Path, example_bundle_dir: Path) -> Path:
    """The example bundle with the export approval gate deleted."""
    d = tmp_path / "broken"
    shutil.copytree(example_bundle_dir, d)
    text = (d / "export.cedar").read_text()
    start = text.index("// Exporting a dataset that contains PHI")
    end = text.index("// Agents export only")
    (d / "export.cedar").write_text(text[:start] + text[end:])
    return d


def test_example_bundle_passes_with_full_coverage(tmp_path: Path, example_bundle_dir: Path) -> None:
    junit, cov = tmp_path / "junit.xml", tmp_path / "coverage.json"
    r = run(
        "test",
        str(example_bundle_dir),
        "--min-coverage",
        "100",
        "--junit",
        str(junit),
        "--coverage-json",
        str(cov),
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith(" passed, 0 failed")
    suite = ET.parse(junit).getroot()
    assert (
        suite.tag == "testsuite"
        and suite.get("failures") == "0"
        and int(suite.get("tests", "0")) >= 28
    )
    report = json.loads(cov.read_text())
    assert report["percent"] == 100.0
    assert all(p["cases"] for p in report["policies"].values())
    assert set(report["gates"]) == {
        "export-phi-needs-privacy-office",
        "privileged-reset-needs-two-security-approvers",
        "scale-beyond-10-replicas-needs-sre",
        "agent-iam-change-needs-iam-admin",
        "privileged-iam-change-needs-security",
        "outbound-phi-email-needs-privacy-office",
        "reveal-needs-privacy-office",
    }


def test_dropping_the_gate_is_caught_by_the_cases(tmp_path: Path, broken: Path) -> None:
    junit = tmp_path / "junit.xml"
    r = run("test", str(broken), "--junit", str(junit))
    assert r.returncode == 1
    assert "FAIL  exporting a PHI dataset needs the privacy office" in r.stdout
    assert "decision: expected NEEDS_APPROVAL, got ALLOW" in r.stdout
    failures = [tc for tc in ET.parse(junit).getroot() if tc.find("failure") is not None]
    assert {tc.get("classname") for tc in failures} == {"export"}


def test_dropping_the_gate_is_caught_by_diff(example_bundle_dir: Path, broken: Path) -> None:
    r = run("diff", str(example_bundle_dir), str(broken), "--examples", "40", "--fail-on-change")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "export-phi-needs-privacy-office" in r.stdout
    assert "NEEDS_APPROVAL -> ALLOW" in r.stdout
    assert 'action Action::"export_patient_data"' in r.stdout
    same = run(
        "diff",
        str(example_bundle_dir),
        str(example_bundle_dir),
        "--examples",
        "10",
        "--fail-on-change",
    )
    assert same.returncode == 0 and same.stdout.startswith("0 change(s)")


def test_coverage_below_the_minimum_fails(tmp_path: Path, example_bundle_dir: Path) -> None:
    d = tmp_path / "b"
    shutil.copytree(example_bundle_dir, d)
    for name in ("iam.yaml", "email.yaml"):
        (d / "tests" / name).unlink()
    r = run("test", str(d), "--min-coverage", "100")
    assert r.returncode == 1
    assert "UNCOVERED" in r.stdout and "GATE UNTESTED" in r.stdout
    assert "below --min-coverage 100%" in r.stderr
    assert run("test", str(d), "--min-coverage", "50").returncode == 0


def test_check_warns_about_shadowed_permits_and_unapprovable_gates(
    tmp_path: Path, example_bundle_dir: Path
) -> None:
    d = tmp_path / "b"
    shutil.copytree(example_bundle_dir, d)
    with (d / "infrastructure.cedar").open("a") as f:
        f.write(
            '\n@id("shadowed-permit")\npermit (principal is Agent, action == Action::"delete_repository", resource);\n'
            '\n@id("gate-nobody")\n@approval("Group::\\"ghosts\\"")\nforbid (principal, action == Action::"scale_deployment", resource)\n'
            "unless { context has approval && context.approval.granted };\n"
        )
    r = run("check", str(d))
    assert r.returncode == 0, r.stderr
    assert (
        "policy `shadowed-permit`: warning: can never allow: the unconditional forbid `agents-never-delete-repositories`"
        in r.stderr
    )
    assert (
        'policy `gate-nobody`: warning: approver group `Group::"ghosts"` is not in entities.json'
        in r.stderr
    )
    assert run("check", str(d), "--strict").returncode == 1
