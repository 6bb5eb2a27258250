"""The bundle in force, and hot reload.

Requests read :meth:`BundleStore.current` once and use that bundle for the
whole decision; a reload builds a complete new bundle off to the side and
swaps one reference, so no request ever sees a half-loaded bundle. A bad edit
keeps the last good bundle serving and is reported: logged, counted in a
metric, and shown by ``StatusService`` (``last_reload_error``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from proctor.service.bundle import Bundle, bundle_files, compute_version, load_bundle
from proctor.service.errors import BundleError

log = logging.getLogger("proctor.bundle")


@dataclass(frozen=True, slots=True)
class ReloadStatus:
    """Counters and the last problem, for status and health details."""

    reloads: int
    failures: int
    last_error: str
    last_attempt_at: float


class BundleStore:
    """Holds the bundle in force and reloads it when its files change."""

    def __init__(
        self,
        directory: str | Path,
        loader: Callable[[Path], Bundle] = load_bundle,
    ) -> None:
        self.directory = Path(directory)
        self._loader = loader
        self._bundle: Bundle | None = None
        self._lock = threading.Lock()  # serialises reloads, never held by readers
        self._reloads = 0
        self._failures = 0
        self._last_error = ""
        self._last_attempt = 0.0

    def current(self) -> Bundle | None:
        """The bundle in force (None before the first successful load)."""
        return self._bundle

    def status(self) -> ReloadStatus:
        """Reload counters and the newest error."""
        return ReloadStatus(self._reloads, self._failures, self._last_error, self._last_attempt)

    def reload(self) -> bool:
        """Load the directory; swap it in if it is valid and changed.

        Returns True when the bundle in force is the newest content. On a bad
        bundle the previous one keeps serving and the error is recorded.
        """
        with self._lock:
            self._last_attempt = time.time()
            current = self._bundle
            if current is not None and self._unchanged(current):
                self._last_error = ""
                return True
            try:
                bundle = self._loader(self.directory)
            except BundleError as exc:
                self._failures += 1
                self._last_error = "\n".join(exc.problems)
                kept = f"; keeping bundle {current.version}" if current else ""
                log.error(
                    "policy bundle %s rejected%s: %d problem(s)\n%s",
                    self.directory,
                    kept,
                    len(exc.problems),
                    self._last_error,
                )
                return False
            self._bundle = bundle
            self._reloads += 1
            self._last_error = ""
            log.info(
                "policy bundle %s loaded: version %s, %d access and %d masking policies",
                self.directory,
                bundle.version,
                bundle.access_policy_count,
                bundle.masking_policy_count,
            )
            return True

    def _unchanged(self, bundle: Bundle) -> bool:
        try:
            return compute_version(self.directory, bundle_files(self.directory)) == bundle.version
        except OSError:
            return False
