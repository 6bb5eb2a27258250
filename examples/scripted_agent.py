"""A scripted hospital agent governed by Proctor — no LLM needed.

    python examples/scripted_agent.py          # from the repository root

It starts `proctor serve --insecure-dev` on a free port (embedded store, the
example bundle), then plays an agent whose tools are wrapped with
``@guard``:

1. reads a patient record → ALLOW, and the record comes back masked;
2. tries to delete a repository → DENY, the tool never runs;
3. exports a PHI dataset → NEEDS_APPROVAL; the agent waits, and a reviewer
   approves from the CLI (`proctor approvals approve … --as 'User::"ivan"'`);
   the export then runs, once.

Exit 0 when every step goes as described.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from proctor.client import Client, GuardDenied, guard

ROOT = Path(__file__).resolve().parent.parent
PROCTOR = [sys.executable, "-m", "proctor.service.cli"]
AGENT = 'Agent::"care-assistant"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_proctor(data: Path) -> tuple[subprocess.Popen[str], str]:
    addr = f"127.0.0.1:{free_port()}"
    proc = subprocess.Popen(
        [*PROCTOR, "serve", "--insecure-dev", "--listen", addr, "--data-dir", str(data)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    if not re.search(r" on 127\.0\.0\.1:\d+: bundle", proc.stdout.readline()):
        raise SystemExit("proctor did not start")
    return proc, addr


def reviewer_approves_from_the_cli(addr: str, done: threading.Event) -> None:
    """A human at a terminal: list pending approvals, approve the first one."""
    while not done.is_set():
        listed = subprocess.run(
            [*PROCTOR, "approvals", "list", "--addr", addr, "--status", "pending", "--json"],
            capture_output=True,
            text=True,
            check=False,
        )
        pending = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
        if pending:
            approval = pending[0]
            print(f"   [reviewer] proctor approvals approve {approval['id']} --as 'User::\"ivan\"'")
            subprocess.run(
                [
                    *PROCTOR,
                    "approvals",
                    "approve",
                    approval["id"],
                    "--addr",
                    addr,
                    "--as",
                    'User::"ivan"',
                    "--reason",
                    "IRB protocol 2026-114 covers it",
                ],
                capture_output=True,
                check=True,
            )
            return
        time.sleep(0.2)


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="proctor-example-"))
    proc, addr = start_proctor(data)
    client = Client(addr)
    try:

        @guard(
            "read_patient_record",
            resource=lambda a: ("PatientRecord", a["record_id"]),
            principal=AGENT,
            client=client,
        )
        def read_record(record_id: str) -> dict[str, Any]:
            return {
                "record_id": record_id,
                "name": "Jane Q. Doe",
                "ssn": "078-05-1120",
                "dob": "1950-03-04",
                "phone": "(617) 555-0147",
                "diagnosis": "I10",
            }

        @guard(
            "delete_repository",
            resource=lambda a: ("Repository", a["name"]),
            principal=AGENT,
            client=client,
        )
        def delete_repository(name: str) -> str:
            raise AssertionError("a denied tool must never run")

        exported: list[int] = []

        @guard(
            "export_patient_data",
            resource=lambda a: ("Dataset", a["dataset"]),
            context=lambda a: {"rows": a["rows"], "destination": a["destination"]},
            principal=AGENT,
            client=client,
            wait=60,
        )
        def export(dataset: str, rows: int, destination: str) -> str:
            exported.append(rows)
            return f"exported {rows} rows of {dataset}"

        print(f"Proctor on {addr} (insecure-dev, embedded store in {data}).\n")
        print("1. read_record('pr-1001')")
        record = read_record("pr-1001")
        print(f"   → ALLOW; the model sees: {json.dumps(record)}")
        assert record["ssn"] != "078-05-1120"
        assert record["dob"] == "1950"

        print("2. delete_repository('ehr-infra')")
        try:
            delete_repository("ehr-infra")
        except GuardDenied as denied:
            print(f"   → DENY; the model is told: {denied}")

        print("3. export('oncology-cohort-2026', 120, 's3://hospital-research/cohort-2026')")
        print("   → NEEDS_APPROVAL; the agent waits for a reviewer …")
        done = threading.Event()
        reviewer = threading.Thread(target=reviewer_approves_from_the_cli, args=(addr, done))
        reviewer.start()
        result = export("oncology-cohort-2026", 120, "s3://hospital-research/cohort-2026")
        done.set()
        reviewer.join()
        print(f"   → approved; ALLOW once: {result}")
        assert exported == [120]
        print("\nDone: ALLOW (masked), DENY, NEEDS_APPROVAL → approved from the CLI → ran once.")
        return 0
    finally:
        client.close()
        proc.terminate()
        proc.wait(15)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
