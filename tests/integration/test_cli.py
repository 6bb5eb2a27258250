"""The `proctor` command as a user runs it: a real `proctor serve` process,
`proctor authorize` exit codes, one-line errors, graceful SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from proctor.v1 import decision_pb2_grpc

from .conftest import authz

PROCTOR = [sys.executable, "-m", "proctor.service.cli"]


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROCTOR, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def start_serve(
    bundle_dir: Path, data: Path, *extra: str, stderr: Any = subprocess.PIPE
) -> tuple[subprocess.Popen[str], str]:
    """A real `proctor serve` on a free port; returns the process and its address."""
    proc = subprocess.Popen(
        [*PROCTOR, "serve", "--listen", "127.0.0.1:0", "--data-dir", str(data), *extra],
        cwd=bundle_dir.parent,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    m = re.search(r" on (127\.0\.0\.1:\d+): bundle sha256:", first)
    assert m, first + proc.stderr.read() if proc.stderr else first
    return proc, m.group(1)


@pytest.fixture(scope="module")
def served(
    example_bundle_dir: Path, tmp_path_factory
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, addr = start_serve(
        example_bundle_dir,
        tmp_path_factory.mktemp("data"),
        "--grace-seconds",
        "5",
        "--drain-seconds",
        "1.5",
    )
    yield proc, addr
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)


def test_serve_prints_where_and_how(served) -> None:
    """The start-up hint is a command a newcomer can paste and run."""
    import shlex

    proc, addr = served
    assert proc.stdout is not None
    hint = proc.stdout.readline()
    assert f"proctor authorize --addr {addr}" in hint
    argv = shlex.split(hint.split("try: proctor ", 1)[1])
    r = run(*argv)
    assert r.returncode in (0, 3, 4), r.stderr
    assert json.loads(r.stdout)["decision"] in ("ALLOW", "DENY", "NEEDS_APPROVAL")


@pytest.mark.parametrize(
    ("args", "code", "decision"),
    [
        pytest.param(
            [
                "--principal",
                'Agent::"care-assistant"',
                "--action",
                'Action::"read_patient_record"',
                "--resource",
                'PatientRecord::"pr-1001"',
            ],
            0,
            "ALLOW",
            id="allow-exit-0",
        ),
        pytest.param(
            [
                "--principal",
                'Agent::"ops-bot"',
                "--action",
                'Action::"delete_repository"',
                "--resource",
                'Repository::"ehr-infra"',
            ],
            3,
            "DENY",
            id="deny-exit-3",
        ),
        pytest.param(
            [
                "--principal",
                'Agent::"care-assistant"',
                "--action",
                'Action::"export_patient_data"',
                "--resource",
                'Dataset::"oncology-cohort-2026"',
                "--context",
                '{"rows": 120, "destination": "s3://hospital-research/cohort-2026"}',
            ],
            4,
            "NEEDS_APPROVAL",
            id="needs-approval-exit-4",
        ),
    ],
)
def test_authorize_exit_codes(served, args, code, decision) -> None:
    _, addr = served
    r = run("authorize", "--addr", addr, *args)
    assert r.returncode == code, r.stderr
    out = json.loads(r.stdout)
    assert out["decision"] == decision
    assert set(out) == {
        "decision",
        "decision_id",
        "policy_ids",
        "bundle_version",
        "masks",
        "approval",
        "reason",
    }
    if decision == "NEEDS_APPROVAL":
        assert out["approval"]["id"].startswith("apr_")
        assert out["approval"]["requirements"][0]["group"] == 'Group::"privacy-office"'


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(["--principal", "care-assistant"], 'must look like Type::"id"', id="bad-uid"),
        pytest.param(["--context", "{rows: 1}"], "--context: not JSON", id="bad-json"),
        pytest.param(
            ["--context", '{"rows": 1.5, "destination": "x"}'], "floating-point", id="float"
        ),
        pytest.param(["--context", "[1]"], "must be a JSON object", id="context-not-record"),
        pytest.param(
            ["--context", '{"rows": "many", "destination": "x"}'],
            "context.rows: expected Long",
            id="server-rejects",
        ),
        pytest.param(["--action", 'Action::"nope"'], "unknown action", id="unknown-action"),
    ],
)
def test_authorize_bad_input_is_one_line_exit_2(served, args, words) -> None:
    _, addr = served
    base = {
        "--principal": 'Agent::"care-assistant"',
        "--action": 'Action::"export_patient_data"',
        "--resource": 'Dataset::"oncology-cohort-2026"',
        "--context": '{"rows": 1, "destination": "s3://hospital-research/a"}',
    }
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    r = run("authorize", "--addr", addr, *[x for kv in base.items() for x in kv])
    assert r.returncode == 2, r.stdout + r.stderr
    assert words in r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr


def test_usage_errors_are_one_line() -> None:
    r = run("authorize", "--principal")
    assert (
        r.returncode == 2
        and r.stderr.count("\n") == 1
        and "see `proctor authorize --help`" in r.stderr
    )
    r = run("serve", "--listen", "nowhere")
    assert (
        r.returncode == 2 and "--listen / PROCTOR_LISTEN" in r.stderr and r.stderr.count("\n") == 1
    )


def test_unreachable_server_exit_1() -> None:
    r = run(
        "authorize",
        "--addr",
        "127.0.0.1:1",
        "--timeout",
        "1",
        "--principal",
        'A::"a"',
        "--action",
        'Action::"x"',
        "--resource",
        'R::"r"',
    )
    assert r.returncode == 1 and "cannot reach proctor at 127.0.0.1:1" in r.stderr


def test_check_reports_file_line_and_policy(tmp_path: Path, example_bundle_dir: Path) -> None:
    import shutil

    bundle = tmp_path / "b"
    shutil.copytree(example_bundle_dir, bundle)
    assert run("check", str(bundle), "--format-check").returncode == 0
    text = (bundle / "export.cedar").read_text().replace('@approval("Group', '@aproval("Group')
    (bundle / "export.cedar").write_text(
        text + '\n@id("agents-never-delete-repositories")\npermit(principal,action,resource);\n'
    )
    r = run("check", str(bundle), "--format-check")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert any(
        re.match(
            rf"{re.escape(str(bundle))}/export\.cedar:16: policy `export-phi-needs-privacy-office`: unknown annotation `@aproval`; did you mean `@approval`\?",
            ln,
        )
        for ln in lines
    ), lines
    assert any(
        "duplicate @id; first defined at" in ln and "infrastructure.cedar:" in ln for ln in lines
    ), lines
    assert any("not formatted" in ln for ln in lines), lines
    assert run("fmt", str(bundle)).returncode == 0


def test_sigterm_drains_and_exits_cleanly(served) -> None:
    """SIGTERM: health turns NOT_SERVING at once while calls are still
    answered; a client that follows health stops sending and sees no error;
    the process drains and exits 0."""
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    proc, addr = served
    errors: list[str] = []
    answered_after_not_serving = 0
    draining = threading.Event()
    watching = threading.Event()

    def watch_health() -> None:
        with grpc.insecure_channel(addr) as ch:
            stream = health_pb2_grpc.HealthStub(ch).Watch(
                health_pb2.HealthCheckRequest(), timeout=30
            )
            for msg in stream:
                watching.set()
                if msg.status == health_pb2.HealthCheckResponse.NOT_SERVING:
                    draining.set()
                    return

    def load() -> None:
        nonlocal answered_after_not_serving
        with grpc.insecure_channel(addr) as ch:
            stub = decision_pb2_grpc.DecisionServiceStub(ch)
            req = authz("Agent::ops-bot", "scale_deployment", "Deployment::ehr-api", replicas=3)
            deadline = threading.Event()
            threading.Timer(1.0, deadline.set).start()
            while True:
                was_draining = draining.is_set()
                try:
                    stub.Authorize(req, timeout=5)
                except grpc.RpcError as exc:
                    errors.append(exc.code().name)
                    return
                if was_draining:
                    answered_after_not_serving += 1
                    if deadline.is_set():
                        return  # a health-following client stops here

    watcher = threading.Thread(target=watch_health)
    watcher.start()
    assert watching.wait(10)
    t = threading.Thread(target=load)
    t.start()
    threading.Event().wait(0.3)
    os.kill(proc.pid, signal.SIGTERM)
    t.join(20)
    watcher.join(20)
    assert proc.wait(20) == 0
    assert draining.is_set()
    assert not errors, errors
    assert answered_after_not_serving > 0  # still served while draining
    assert "draining in-flight calls" in (proc.stderr.read() if proc.stderr else "")


def test_detect_reads_json_lines_and_reports_spans() -> None:
    text = "Pt. John Smith, SSN 123-45-6789, seen 3/4/21."
    lines = (
        json.dumps({"id": 1, "text": text})
        + "\n"
        + json.dumps({"id": "b", "text": "nothing here"})
        + "\n"
    )
    r = subprocess.run(
        [*PROCTOR, "detect"], input=lines, capture_output=True, text=True, timeout=60, check=False
    )
    assert r.returncode == 0, r.stderr
    first, second = (json.loads(ln) for ln in r.stdout.splitlines())
    assert first["id"] == 1 and second == {"id": "b", "spans": []}
    found = {(s["category"], text[s["start"] : s["end"]]) for s in first["spans"]}
    assert ("SSN", "123-45-6789") in found
    bad = subprocess.run(
        [*PROCTOR, "detect"],
        input="not json\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (
        bad.returncode == 2
        and "stdin line 1: not JSON" in bad.stderr
        and bad.stderr.count("\n") == 1
    )


def test_mask_masks_a_document_like_the_service() -> None:
    doc = {
        "name": "Jane Roe",
        "ssn": "123-45-6789",
        "visits": [{"dob": "1950-03-04"}],
        "notes": "Call 617-555-0142.",
    }
    directives = (
        "$.ssn=redact; $.name=hash; $.visits[*].dob=generalize(year); $.notes=detect(PHONE)"
    )
    env = {**os.environ, "PROCTOR_MASK_KEY": "00" * 32}
    r = subprocess.run(
        [*PROCTOR, "mask", "--directives", directives, "--paths"],
        input=json.dumps(doc),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (
        out["ssn"] != doc["ssn"]
        and out["name"].startswith("hash:")
        and out["visits"][0]["dob"] == "1950"
    )
    assert "617-555-0142" not in r.stdout and "123-45-6789" not in r.stdout + r.stderr
    assert set(r.stderr.split()) == {"$.ssn", "$.name", "$.visits[0].dob", "$.notes"}
    no_key = {k: v for k, v in os.environ.items() if k != "PROCTOR_MASK_KEY"}
    r = subprocess.run(
        [*PROCTOR, "mask", "--directives", "$.name=hash"],
        input="{}",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=no_key,
    )
    assert r.returncode == 2 and "PROCTOR_MASK_KEY" in r.stderr
