"""Cost of masking one structured record with mixed directives.

    python -m bench.masking.structured            # prints a Markdown line per case
    python -m bench.masking.structured --quick    # fewer iterations, for a smoke run

The record is a 100-field patient chart (demographics, an address, five
encounters, five lab results) masked by 14 directives that use every operator
(drop, redact, hash, tokenize, generalize, date_shift, partial, detect). The
detector is a one-regex stand-in, so the ``detect`` share of the number is a
floor: the real detector's cost comes on top, per scanned string.

Reported: the best and the median over repeats of the mean µs per record,
with a warm vault (the common case: the same patients are masked again and
again, so their tokens are already issued), for all 14 directives, for all
but ``detect``, and for a light five-directive policy. Target: < 50 µs per
record. Cost grows with the number of fields masked (each one is a path to
resolve and report plus its operator), not with the size of the record.
"""

from __future__ import annotations

import argparse
import functools
import platform
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from proctor.masking import parse_directives
from proctor.masking.apply import apply_directives
from proctor.masking.operators import MaskContext
from proctor.masking.vault import InMemoryVault

DIRECTIVES = """
    $.ssn=tokenize; $.mrn=tokenize; $.name=hash; $.email=redact;
    $.dob=generalize(year); $.address.zip=generalize(zip3); $.age=generalize(age90);
    $.phone=partial(keep=4); $..insurance_id=drop; $.encounters[*].date=date_shift(days=30);
    $.encounters[*].provider=hash; $.encounters[*].notes=detect(SSN,PHONE);
    $.labs[*].collected=generalize(month); $.address.line1=redact
"""
# A lighter, common policy: five top-level identifiers.
FEW_DIRECTIVES = (
    "$.ssn=tokenize; $.name=hash; $.dob=generalize(year); $.phone=partial(keep=4); $.email=redact"
)


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    category: str


_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")


def regex_detector(text: str, categories: frozenset[str]) -> list[_Span]:
    """A stand-in detector: SSNs by one regex."""
    return [_Span(m.start(), m.end(), "SSN") for m in _SSN.finditer(text)]


def patient_record(i: int = 0) -> dict[str, Any]:
    """A 100-field chart: 32 top-level leaves and address, 5 x 9 encounter
    fields, 5 x 4 lab fields."""
    record: dict[str, Any] = {
        "name": f"Patient Number{i}",
        "ssn": f"123-45-{6789 + i:04d}",
        "mrn": f"MRN{100000 + i}",
        "dob": "1950-03-04",
        "age": 74,
        "phone": "(617) 555-1234",
        "email": f"patient{i}@example.org",
        "insurance_id": "XZ-99812-01",
        "address": {"line1": "1 Main St", "city": "Cambridge", "state": "MA", "zip": "02139"},
    }
    for k in range(23):  # clinical fields no directive selects
        record[f"field_{k}"] = k if k % 2 else f"value {k}"
    record["encounters"] = [
        {
            "date": f"2021-0{e + 1}-1{e}",
            "provider": f"Dr. Provider{e}",
            "notes": f"follow-up; SSN 123-45-678{e} verified by phone",
            "code": f"Z0{e}.00",
            "department": "cardiology",
            "duration_min": 30 + e,
            "insurance_id": f"INS-{e}",
            "status": "closed",
            "billed": True,
        }
        for e in range(5)
    ]
    record["labs"] = [
        {"test": "HbA1c", "value": 5.0 + lab / 10, "unit": "%", "collected": f"2021-0{lab + 1}-02"}
        for lab in range(5)
    ]
    return record


def count_leaves(node: Any) -> int:
    if isinstance(node, dict):
        return sum(count_leaves(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_leaves(v) for v in node)
    return 1


def per_call_us(fn: Callable[[], object], iterations: int, repeats: int) -> tuple[float, float]:
    """(best, median) over ``repeats`` of the mean µs per call over
    ``iterations``. The best is the steadier number on a shared machine."""
    for _ in range(min(200, iterations)):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iterations):
            fn()
        samples.append((time.perf_counter() - t0) / iterations * 1e6)
    return min(samples), statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations")
    args = parser.parse_args()
    iterations, repeats = (500, 3) if args.quick else (5000, 7)

    record = patient_record()
    directives = parse_directives(DIRECTIVES)
    no_detect = tuple(d for d in directives if d.operator.name != "detect")
    ctx = MaskContext(
        hash_key=b"bench-key-0123456789abcdef",
        vault=InMemoryVault(time.monotonic),
        scope="bench",
        subject="patient-0",
        detector=regex_detector,
    )
    cases = [
        ("14 directives", directives),
        ("13 directives (no detect)", no_detect),
        ("5 top-level directives", parse_directives(FEW_DIRECTIVES)),
    ]
    print(
        f"masking a {count_leaves(record)}-field record"
        f" (Python {platform.python_version()}, {platform.machine()})\n"
    )
    print("| case | fields masked | best µs/record | median µs/record |\n|---|---:|---:|---:|")
    for label, ds in cases:
        masked = len(apply_directives(record, ds, ctx).masked_paths)
        best, median = per_call_us(
            functools.partial(apply_directives, record, ds, ctx), iterations, repeats
        )
        print(f"| {label} | {masked} | {best:.1f} | {median:.1f} |")


if __name__ == "__main__":
    main()
