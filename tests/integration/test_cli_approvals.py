"""`proctor approvals …` and `proctor demo` as a user runs them, against a
real `proctor serve --insecure-dev` process with a real Redis."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .test_cli import PROCTOR, run, start_serve

pytestmark = pytest.mark.integration

EXPORT = [
    "--principal",
    'Agent::"care-assistant"',
    "--action",
    'Action::"export_patient_data"',
    "--resource",
    'Dataset::"oncology-cohort-2026"',
]


def _serve(bundle_dir: Path, data: Path, redis_url: str, prefix: str, **kw: Any):
    return start_serve(
        bundle_dir, data, "--insecure-dev", "--redis-url", redis_url, "--store-prefix", prefix, **kw
    )


@pytest.fixture(scope="module")
def dev_server(example_bundle_dir: Path, tmp_path_factory, redis_server_url) -> Iterator[str]:
    proc, addr = _serve(
        example_bundle_dir,
        tmp_path_factory.mktemp("data"),
        redis_server_url,
        f"proctor-cli-test-{secrets.token_hex(4)}",
    )
    yield addr
    proc.terminate()
    proc.wait(15)
    assert proc.stderr is not None
    log = proc.stderr.read()
    assert "INSECURE DEVELOPMENT MODE" in log  # said loudly at start-up


def ask(addr: str, rows: int) -> dict[str, Any]:
    r = run(
        "authorize",
        "--addr",
        addr,
        *EXPORT,
        "--context",
        json.dumps({"rows": rows, "destination": "s3://hospital-research/cli"}),
    )
    assert r.returncode == 4, r.stderr  # NEEDS_APPROVAL
    answer: dict[str, Any] = json.loads(r.stdout)
    return answer


def test_approve_from_the_cli_and_watch_it(dev_server) -> None:
    approval = ask(dev_server, 31)["approval"]
    assert approval["id"].startswith("apr_") and approval["status"] == "PENDING"

    listed = run("approvals", "list", "--addr", dev_server, "--status", "pending")
    assert listed.returncode == 0 and approval["id"] in listed.stdout

    refused = run(
        "approvals",
        "approve",
        approval["id"],
        "--addr",
        dev_server,
        "--as",
        'User::"dr-lee"',
        "--reason",
        "it is my agent",
    )
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and "acts for" in refused.stderr

    ok = run(
        "approvals",
        "approve",
        approval["id"],
        "--addr",
        dev_server,
        "--as",
        'User::"ivan"',
        "--reason",
        "IRB protocol covers it",
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "APPROVED"

    watched = run("approvals", "watch", approval["id"], "--addr", dev_server, "--timeout", "10")
    assert watched.returncode == 0
    assert json.loads(watched.stdout.splitlines()[-1])["status"] == "APPROVED"

    shown = run("approvals", "show", approval["id"], "--addr", dev_server)
    doc = json.loads(shown.stdout)
    assert doc["reviews"][0]["reviewer"] == 'User::"ivan"'
    assert doc["on_behalf_of"] == 'User::"dr-lee"'

    late = run(
        "approvals",
        "deny",
        approval["id"],
        "--addr",
        dev_server,
        "--as",
        'User::"priya"',
        "--reason",
        "changed my mind",
    )
    assert late.returncode == 1 and "already approved" in late.stderr


def test_deny_and_bad_input(dev_server) -> None:
    approval = ask(dev_server, 32)["approval"]
    denied = run(
        "approvals",
        "deny",
        approval["id"],
        "--addr",
        dev_server,
        "--as",
        'User::"priya"',
        "--reason",
        "no IRB approval on file",
    )
    assert denied.returncode == 0 and json.loads(denied.stdout)["status"] == "DENIED"
    watched = run("approvals", "watch", approval["id"], "--addr", dev_server)
    assert watched.returncode == 3  # ended without a grant

    no_reason = run("approvals", "approve", approval["id"], "--addr", dev_server)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    bad_as = run(
        "approvals",
        "approve",
        approval["id"],
        "--addr",
        dev_server,
        "--as",
        "ivan",
        "--reason",
        "x",
    )
    assert bad_as.returncode == 2 and bad_as.stderr.startswith("proctor: error: --as")
    missing = run("approvals", "show", "apr_" + "0" * 32, "--addr", dev_server)
    assert missing.returncode == 1 and "not_found" in missing.stderr


def test_demo_runs_the_whole_loop(example_bundle_dir) -> None:
    r = subprocess.run(
        [*PROCTOR, "demo"],
        cwd=example_bundle_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert "NEEDS_APPROVAL" in r.stdout
    assert "refused (PERMISSION_DENIED)" in r.stdout
    assert "PENDING → APPROVED" in r.stdout
    assert "ALLOW (allowed_with_approval)" in r.stdout
    assert "DENY (approval_consumed)" in r.stdout
    assert "chained records, checkpoints signed; verified" in r.stdout


def test_two_serve_processes_on_one_redis_behave_as_one(
    example_bundle_dir, tmp_path, redis_server_url, redis_prefix
) -> None:
    a, addr_a = _serve(
        example_bundle_dir,
        tmp_path / "a",
        redis_server_url,
        redis_prefix,
        stderr=subprocess.DEVNULL,
    )
    b, addr_b = _serve(
        example_bundle_dir,
        tmp_path / "b",
        redis_server_url,
        redis_prefix,
        stderr=subprocess.DEVNULL,
    )
    try:
        ticket = ask(addr_a, 41)["approval"]["id"]
        assert ask(addr_b, 41)["approval"]["id"] == ticket  # one approval, not two
        approved = run(
            "approvals",
            "approve",
            ticket,
            "--addr",
            addr_b,
            "--as",
            'User::"ivan"',
            "--reason",
            "IRB protocol covers it",
        )
        assert approved.returncode == 0, approved.stderr
        context = json.dumps({"rows": 41, "destination": "s3://hospital-research/cli"})
        proceed = run(
            "authorize", "--addr", addr_a, *EXPORT, "--context", context, "--approval-id", ticket
        )
        assert proceed.returncode == 0, proceed.stdout  # ALLOW on A, approved on B
        replay = run(
            "authorize", "--addr", addr_b, *EXPORT, "--context", context, "--approval-id", ticket
        )
        assert replay.returncode == 3
        assert json.loads(replay.stdout)["reason"]["code"] == "approval_consumed"
    finally:
        for proc in (a, b):
            proc.terminate()
            proc.wait(15)


def test_the_scripted_example_agent_runs_in_one_command() -> None:
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, str(root / "examples" / "scripted_agent.py")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "→ ALLOW; the model sees:" in r.stdout and "078-05-1120" not in r.stdout
    assert "→ DENY" in r.stdout and "proctor approvals approve apr_" in r.stdout
    assert "ALLOW once: exported 120 rows" in r.stdout
