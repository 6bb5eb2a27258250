"""What each spaCy entity label would add to Proctor's ``thorough`` mode: the
measurement behind which labels mode ``ner`` maps (``detect/ner.py``).

    bench/masking/.venv/bin/python -m bench.masking.ner_labels
    bench/masking/.venv/bin/python -m bench.masking.ner_labels --corpus presidio-templates

For every entity of every label that en_core_web_sm finds (text given to the
model as ``ner`` gives it: line by line), the entity is trimmed as ``ner``
trims it; the mapped labels (PERSON, GPE, LOC, FAC) then pass ``ner``'s own
filters, the others only the generic ones (stop words, abbreviations). Each
row counts the letters and digits such entities cover that ``thorough``
leaves uncovered: PHI (leak it would remove), non-PHI (over-masking it would
add) and, on the held-out corpus, ignored characters (organisations,
countries, states, ...: neither). DATE is split into entities with a digit
that are not a bare year, and the rest; ORG into names holding a facility
word ("... Hospital") and the rest.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence

from bench.masking.corpus import Document, build_corpus
from bench.masking.evaluate import FULL_DOCS, OURS, SEED
from bench.masking.heldout import CORPUS_NAME as HELDOUT
from bench.masking.heldout import IGNORE, build_heldout

_MAPPED = ("PERSON", "GPE", "LOC", "FAC")
_BARE_YEAR = re.compile(r"(?:[Tt]he )?[0-9]{4}s?|[^0-9]*")


def _row(label: str, value: str) -> str:
    from proctor.masking.detect.geography import _FACILITY_SUFFIX

    if label == "DATE":
        return "DATE (bare year or no digit)" if _BARE_YEAR.fullmatch(value) else "DATE (other)"
    if label == "ORG":
        return "ORG (facility word)" if _FACILITY_SUFFIX.search(value) else "ORG (other)"
    return label + ("" if label in _MAPPED else " (not mapped)")


def measure(docs: Sequence[Document]) -> tuple[Counter[str], dict[str, Counter[str]]]:
    from proctor.masking.detect import detect
    from proctor.masking.detect.ner import _pipeline, _split, finding, segments

    nlp = _pipeline()
    totals: Counter[str] = Counter()
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in docs:
        text = doc.text
        gold: list[str | None] = [None] * len(text)
        for s in doc.spans:
            gold[s.start : s.end] = [s.category] * (s.end - s.start)
        kind = ["NON" if g is None else "IGN" if g == IGNORE else "PHI" for g in gold]
        totals.update(k for k, ch in zip(kind, text, strict=True) if ch.isalnum())
        covered = {i for f in detect(text, mode="thorough") for i in range(f.start, f.end)}
        pieces = list(segments(text))
        for (offset, _), parsed in zip(pieces, nlp.pipe(p for _, p in pieces), strict=True):
            for ent in parsed.ents:
                lo, hi = offset + ent.start_char, offset + ent.end_char
                for start, end in _split(text, lo, hi):
                    label = ent.label_ if ent.label_ in _MAPPED else "FAC"
                    f = finding(text, label, start, end, "x")
                    if f is None:
                        continue
                    row = rows[_row(ent.label_, text[f.start : f.end])]
                    row.update(
                        kind[i]
                        for i in range(f.start, f.end)
                        if text[i].isalnum() and i not in covered
                    )
    return totals, rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=(OURS, HELDOUT), default=OURS)
    parser.add_argument("--docs", type=int, default=FULL_DOCS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.corpus == OURS:
        docs, _ = build_corpus(args.docs, args.seed)
    else:
        docs, _ = build_heldout(args.docs, args.seed)
    totals, rows = measure(docs)
    print(f"corpus `{args.corpus}`: {len(docs)} documents, seed {args.seed}\n")
    print("| spaCy label | PHI chars it adds | non-PHI chars it masks | ignored chars |")
    print("|---|---|---|---|")
    for name in sorted(rows):
        c = rows[name]
        print(
            f"| {name} | {100 * c['PHI'] / max(1, totals['PHI']):.2f}% "
            f"| {100 * c['NON'] / max(1, totals['NON']):.2f}% | {c['IGN']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
