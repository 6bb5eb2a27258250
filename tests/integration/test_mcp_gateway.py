"""`proctor mcp-gateway` between a real MCP client and a real MCP server
over stdio: tools pass through unchanged, a call is blocked, approved, and
its result masked."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from .approval_support import Client as ReviewingClient
from .approval_support import approval_server

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / "tests" / "fixtures" / "mcp_records_server.py"
SSN = "078-05-1120"

MAPPING = """
principal: 'Agent::"care-assistant"'
wait_seconds: 0
tools:
  read_record:
    action: read_patient_record
    resource: {type: PatientRecord, arg: record_id}
  export_dataset:
    action: export_patient_data
    resource: {type: Dataset, arg: dataset_id}
    context: {rows: rows, destination: destination}
  delete_repository:
    action: delete_repository
    resource: {type: Repository, arg: name}
"""


def test_the_gateway_blocks_asks_for_approval_and_masks(
    example_bundle_dir, redis_server_url, redis_prefix, tmp_path
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    with approval_server(
        example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
    ) as proctor:
        gateway = StdioServerParameters(
            command=sys.executable,
            args=[
                "-m",
                "proctor.service.cli",
                "mcp-gateway",
                "--mapping",
                str(mapping),
                "--addr",
                proctor.server.address,
                "--",
                sys.executable,
                str(UPSTREAM),
            ],
        )

        async def session() -> None:
            async with stdio_client(gateway) as (read, write), ClientSession(read, write) as mcp:
                await mcp.initialize()
                tools = await mcp.list_tools()
                assert sorted(t.name for t in tools.tools) == [
                    "delete_repository",
                    "export_dataset",
                    "read_record",
                ]
                blocked = await mcp.call_tool("delete_repository", {"name": "ehr-infra"})
                assert blocked.is_error and "denied" in blocked.content[0].text
                args = {
                    "dataset_id": "oncology-cohort-2026",
                    "rows": 12,
                    "destination": "s3://hospital-research/mcp",
                }
                pending = await mcp.call_tool("export_dataset", args)
                assert pending.is_error and "needs human approval" in pending.content[0].text
                ticket = pending.content[0].text.split("ticket ")[1].split()[0]
                with grpc.insecure_channel(proctor.server.address) as channel:
                    await asyncio.to_thread(
                        ReviewingClient(proctor.server, channel).review,
                        ticket,
                        "approve",
                        "IRB protocol covers it",
                        None,
                        "User::ivan",
                    )
                done = await mcp.call_tool("export_dataset", args)
                assert not done.is_error and "exported 12 rows" in done.content[0].text
                again = await mcp.call_tool("export_dataset", args)
                assert again.is_error  # the grant was single-use: a new approval is needed
                record = await mcp.call_tool("read_record", {"record_id": "pr-1001"})
                assert not record.is_error
                text = record.content[0].text
                doc = json.loads(text)
                assert SSN not in text and doc["ssn"] != SSN
                assert doc["name"] != "Jane Q. Doe" and doc["dob"] == "1950"
                assert SSN not in json.dumps(record.structured_content)

        asyncio.run(session())


def test_the_gateway_governs_an_http_upstream_too(
    example_bundle_dir, redis_server_url, redis_prefix, tmp_path
) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    upstream = subprocess.Popen(
        [sys.executable, str(UPSTREAM), "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with approval_server(
            example_bundle_dir, redis_server_url, redis_prefix, insecure_dev=True
        ) as proctor:
            gateway = StdioServerParameters(
                command=sys.executable,
                args=[
                    "-m",
                    "proctor.service.cli",
                    "mcp-gateway",
                    "--mapping",
                    str(mapping),
                    "--addr",
                    proctor.server.address,
                    "--upstream-url",
                    f"http://127.0.0.1:{port}/mcp",
                ],
            )

            async def session() -> None:
                async with (
                    stdio_client(gateway) as (read, write),
                    ClientSession(read, write) as mcp,
                ):
                    await mcp.initialize()
                    assert len((await mcp.list_tools()).tools) == 3
                    blocked = await mcp.call_tool("delete_repository", {"name": "ehr-infra"})
                    assert blocked.is_error
                    record = await mcp.call_tool("read_record", {"record_id": "pr-1001"})
                    assert not record.is_error and SSN not in record.content[0].text

            asyncio.run(session())
    finally:
        upstream.terminate()
        upstream.wait(10)
