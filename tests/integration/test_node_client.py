"""The Node client example against a real Proctor, where Node is installed
(it is on the project machines; elsewhere the skip says why)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from proctor.service.testing import InProcessServer

pytestmark = pytest.mark.integration

NODE_DIR = Path(__file__).resolve().parents[2] / "clients" / "node"


@pytest.fixture(scope="module")
def node_ready() -> Path:
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip(
            "node not installed: the Node client example is exercised where Node is present"
        )
    r = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return NODE_DIR


def test_node_client_tests_and_example(
    node_ready, example_bundle_dir, redis_server_url, redis_prefix
) -> None:
    with InProcessServer(
        example_bundle_dir,
        approvals=True,
        redis_url=redis_server_url,
        store_prefix=redis_prefix,
        insecure_dev=True,
    ) as server:
        env = {**os.environ, "PROCTOR_ADDR": server.address}
        tests = subprocess.run(
            ["node", "--test", "test/"],
            cwd=node_ready,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert "# pass 3" in tests.stdout and "# skipped 0" in tests.stdout
        example = subprocess.run(
            ["node", "example.mjs", "--addr", server.address, "--approve-as", 'User::"ivan"'],
            cwd=node_ready,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert example.returncode == 0, example.stdout + example.stderr
        assert "ALLOW (allowed_with_approval)" in example.stdout
        assert "replay: DENY (approval_consumed)" in example.stdout
