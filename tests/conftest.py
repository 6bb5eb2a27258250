"""Shared test set-up: hypothesis profiles and the example bundle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_BUNDLE = ROOT / "policies"

# CI runs derandomized (fixed seed) with a modest budget; locally, set
# HYPOTHESIS_PROFILE=dev for more examples.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=300, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# `proctor serve` starts one worker per core by default; the tests' servers
# run one process each (test_workers.py asks for two explicitly), so a test
# machine's core count changes nothing.
os.environ.setdefault("PROCTOR_WORKERS", "1")


@pytest.fixture(scope="session")
def example_bundle_dir() -> Path:
    """The policy bundle that ships in policies/."""
    return EXAMPLE_BUNDLE


pytest_plugins = ["tests.redis_support"]
