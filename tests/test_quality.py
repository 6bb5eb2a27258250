"""The repository's own hygiene, as tests so the one test command checks it:
lint, formatting, types, the proto contract and its generated code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(*cmd: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_lint() -> None:
    r = _run(BIN / "ruff", "check", "service", "masking", "clients", "tests", "bench", "examples")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = _run(
        BIN / "ruff",
        "format",
        "--check",
        "service",
        "masking",
        "clients",
        "tests",
        "bench",
        "examples",
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict() -> None:
    r = _run(sys.executable, "-m", "mypy")
    assert r.returncode == 0, r.stdout + r.stderr


def test_buf_lint() -> None:
    r = _run(BIN / "buf", "lint", cwd=ROOT / "proto")
    assert r.returncode == 0, r.stdout + r.stderr


def test_generated_code_matches_the_protos(tmp_path: Path) -> None:
    """Regenerating into a copy must not change a byte of the committed code."""
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "gen-proto", copy / "scripts" / "gen-proto")
    shutil.copytree(ROOT / "proto", copy / "proto", ignore=shutil.ignore_patterns("__pycache__"))
    r = subprocess.run(
        ["bash", str(copy / "scripts" / "gen-proto")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr

    def generated(root: Path) -> list[Path]:
        return sorted(
            p.relative_to(root) for p in root.rglob("*_pb2*") if "__pycache__" not in p.parts
        )

    committed = generated(ROOT / "proto")
    regenerated = generated(copy / "proto")
    assert committed == regenerated
    for rel in committed:
        if rel.suffix in (".py", ".pyi"):
            assert (ROOT / "proto" / rel).read_bytes() == (copy / "proto" / rel).read_bytes(), (
                f"{rel} is stale: run scripts/gen-proto"
            )


@pytest.mark.parametrize("folder", ["service", "masking", "proto", "clients"])
def test_each_top_level_package_explains_itself(folder: str) -> None:
    readme = ROOT / folder / "README.md"
    assert readme.is_file() and len(readme.read_text().split()) > 80, (
        f"{readme} should explain the package's job and trade-offs"
    )


def test_masking_stands_alone() -> None:
    """masking/ imports nothing from the service, grpc or redis (clients embed it)."""
    code = (
        "import sys, proctor.masking; "
        "bad = [m for m in sys.modules if m.startswith(('proctor.service', 'grpc', 'redis', 'cedarpy'))]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = _run(sys.executable, "-c", code)
    assert r.returncode == 0, r.stdout
