"""A pytest plugin for property-testing a policy bundle.

Installing Proctor registers it (entry point `pytest11`, name `proctor`), so a
team's tests get these fixtures without any `conftest.py`:

* `proctor_bundle_dir` — the bundle directory: `--proctor-bundle DIR`, else
  `policies/` under pytest's rootdir;
* `proctor_bundle` — the loaded :class:`~proctor.service.bundle.Bundle`
  (once per session);
* `proctor_decide` — `decide(request, granted=False) -> Outcome`, bound to it;
* `proctor_requests` — `requests(action=None, *, base_entities=True)`: the
  :func:`proctor.service.strategies.requests` strategy, bound to it.

A property is then a few lines::

    from hypothesis import given, strategies as st

    @given(st.data())
    def test_agents_never_delete_repositories(data, proctor_requests, proctor_decide):
        request = data.draw(proctor_requests("delete_repository"))
        if request.principal.type == "Agent":
            assert proctor_decide(request, granted=True).decision != "ALLOW"

The strategies are re-exported here too (`from proctor.service.pytest_plugin
import requests`). Every Proctor import is deferred until a fixture or one of
those names is used: pytest loads this module in *every* project of an
environment where Proctor is installed, including ones without a bundle or
without the `server` extra (cedarpy, hypothesis), and must not fail there.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

    from proctor.service.bundle import Bundle
    from proctor.service.cedar_schema import ActionUid
    from proctor.service.engine import EntityUid, Outcome, Request
    from proctor.service.strategies import entities, requests, values

__all__ = [
    "BoundDecide",
    "BoundRequests",
    "entities",
    "pytest_addoption",
    "requests",
    "values",
]

_OPTION = "--proctor-bundle"
_DEFAULT_DIR = "policies"
_REEXPORTED = frozenset({"entities", "requests", "values"})


class BoundDecide(Protocol):
    """`proctor_decide`: the engine's `decide`, bound to the session's bundle."""

    def __call__(self, request: Request, granted: bool = False) -> Outcome:
        """Decide `request`; `granted` as if a verified approval were presented."""


class BoundRequests(Protocol):
    """`proctor_requests`: the `requests` strategy, bound to the session's bundle."""

    def __call__(
        self, action: ActionUid | EntityUid | str | None = None, *, base_entities: bool = True
    ) -> SearchStrategy[Request]:
        """Requests for `action` (or any requestable action) of the bundle."""


def __getattr__(name: str) -> Any:
    # Lazy re-export, so importing the plugin never imports hypothesis or cedarpy.
    if name in _REEXPORTED:
        from proctor.service import strategies  # noqa: PLC0415 - deferred on purpose

        return getattr(strategies, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--proctor-bundle DIR`."""
    group = parser.getgroup("proctor", "Proctor policy bundles")
    group.addoption(
        _OPTION,
        metavar="DIR",
        default=None,
        help=f"policy bundle for the proctor_* fixtures (default: {_DEFAULT_DIR}/ under rootdir)",
    )


@pytest.fixture(scope="session")
def proctor_bundle_dir(pytestconfig: pytest.Config) -> Path:
    """The bundle directory: `--proctor-bundle DIR`, else `policies/` under rootdir."""
    option = pytestconfig.getoption(_OPTION)
    if option:
        # Relative to where pytest was started, like any path on its command line.
        return Path(str(option)).resolve()
    return Path(pytestconfig.rootpath) / _DEFAULT_DIR


@pytest.fixture(scope="session")
def proctor_bundle(proctor_bundle_dir: Path) -> Bundle:
    """The bundle, loaded once per session; a test using it fails if it cannot load."""
    from proctor.service.bundle import load_bundle  # noqa: PLC0415 - deferred on purpose
    from proctor.service.errors import BundleError  # noqa: PLC0415 - deferred on purpose

    if not proctor_bundle_dir.is_dir():
        pytest.fail(
            f"no policy bundle at {proctor_bundle_dir}: pass {_OPTION} DIR "
            f"or put the bundle in {_DEFAULT_DIR}/ under the rootdir",
            pytrace=False,
        )
    try:
        return load_bundle(proctor_bundle_dir)
    except BundleError as exc:
        problems = "\n  ".join(exc.problems)
        pytest.fail(f"the policy bundle does not load:\n  {problems}", pytrace=False)


@pytest.fixture(scope="session")
def proctor_decide(proctor_bundle: Bundle) -> BoundDecide:
    """`decide(request, granted=False) -> Outcome` against the session's bundle."""
    from proctor.service.engine import decide  # noqa: PLC0415 - deferred on purpose

    def bound(request: Request, granted: bool = False) -> Outcome:
        return decide(proctor_bundle, request, granted=granted)

    return bound


@pytest.fixture(scope="session")
def proctor_requests(proctor_bundle: Bundle) -> BoundRequests:
    """`requests(action=None, *, base_entities=True)` strategies for the session's bundle.

    Strategies are built once per action: building one reads `entities.json`.
    """
    from proctor.service.strategies import requests  # noqa: PLC0415 - deferred on purpose

    built: dict[tuple[Any, bool], SearchStrategy[Request]] = {}

    def bound(
        action: ActionUid | EntityUid | str | None = None, *, base_entities: bool = True
    ) -> SearchStrategy[Request]:
        key = (action, base_entities)
        if key not in built:
            built[key] = requests(proctor_bundle, action, base_entities=base_entities)
        return built[key]

    return bound
