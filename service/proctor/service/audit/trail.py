"""Reading evidence files back: ``proctor audit verify`` and the report.

Files are JSON lines as the evidence log writes them; a verifier may be given
files from several instances (and rotated files of one instance) in any
order: records are grouped by instance and checked in file order, files of
one instance sorted by name (which sorts by rotation index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from proctor.service.audit.evidence import Verification, verify


class TrailError(Exception):
    """Files that cannot be read as evidence (the message names the file)."""


def evidence_files(paths: Sequence[Path]) -> list[Path]:
    """The ``*.jsonl`` files named, or found in named directories, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            raise TrailError(f"{path}: no such file or directory")
    if not files:
        raise TrailError("no evidence files (*.jsonl) found")
    return sorted(set(files))


def read_records(files: Iterable[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, record) for every line."""
    for path in files:
        try:
            with path.open(encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except ValueError:
                        yield f"{path}:{n}", {"v": None}
                        continue
                    yield f"{path}:{n}", record if isinstance(record, dict) else {"v": None}
        except OSError as exc:
            raise TrailError(f"{path}: {exc.strerror}") from None


def load_public_keys(paths: Sequence[Path]) -> list[Ed25519PublicKey]:
    """PEM Ed25519 public keys (``signing-key.pub.pem``)."""
    keys = []
    for path in paths:
        try:
            key = load_pem_public_key(path.read_bytes())
        except (OSError, ValueError) as exc:
            raise TrailError(f"{path}: not a PEM public key ({type(exc).__name__})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise TrailError(f"{path}: not an Ed25519 public key")
        keys.append(key)
    return keys


def verify_paths(paths: Sequence[Path], public_keys: Sequence[Path] = ()) -> Verification:
    """Verify every chain found under ``paths``."""
    return verify(read_records(evidence_files(paths)), load_public_keys(public_keys))


def spans(paths: Sequence[Path], since_ns: int = 0, until_ns: int = 0) -> list[dict[str, Any]]:
    """Span records under ``paths`` whose end falls in [since, until)."""
    out = []
    for _where, record in read_records(evidence_files(paths)):
        if record.get("kind") != "span":
            continue
        end = int(record.get("end_ns") or 0)
        if since_ns and end < since_ns:
            continue
        if until_ns and end >= until_ns:
            continue
        out.append(record)
    out.sort(key=lambda r: int(r.get("end_ns") or 0))
    return out
