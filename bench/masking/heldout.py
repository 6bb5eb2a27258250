"""A held-out corpus for the masking evaluation: sentences from Microsoft's
``presidio-evaluator`` package, which we did not write, regenerated at run
time from a fixed seed (nothing generated is committed).

    bench/masking/.venv/bin/python -m bench.masking.evaluate --corpus presidio-templates

Proctor's detectors were tuned against :mod:`bench.masking.corpus` (our
templates), so that corpus says little about text they have not seen. This
one uses, unmodified, the 209 sentence templates that ``presidio-evaluator``
ships (``presidio_evaluator/data_generator/raw_data/templates.txt``: bank
and customer-service chat, addresses and signatures, music and news
snippets, a few clinical lines) and its own generator,
``PresidioSentenceFaker``, which fills them from its record file
(``FakeNameGenerator.com_3000.csv``: international names, addresses, phone
numbers, e-mail addresses, birthdays) and from Faker plus its own providers
(phone formats from the US, UK, India, Switzerland and Sweden; driver's
licences by state; IPv4/IPv6; ages; organisations; nationalities).

How it is run (see :func:`build_heldout`):

* ``presidio-evaluator`` is installed without its declared dependencies
  (transformers, scikit-learn, plotly, ...); the generator needs only pandas,
  python-dotenv and presidio-anonymizer besides what the bench venv has.
* The templates are read as the package's own ``PresidioDataGenerator`` reads
  them: each line stripped and ``\\n`` written in a template made a newline.
  ``PresidioSentenceFaker`` otherwise leaves that escape in the text as a
  backslash and an ``n`` glued to the next value.
* Every provider the package registers by default is used except
  ``HospitalProvider``, which downloads hospital names from WikiData when it
  is created (no template asks for a hospital; this machine has no network).
* Its ``{{address}}`` provider is the package's ``AddressProviderNew``, with
  one change that draws the same values: the address is parsed with spans, so
  its parts (street, city, state, country, ZIP) can be labelled one by one.
* The entity types are kept as the template names them (``city``,
  ``state_abbr``, ``date_time``; the package would merge city, state and
  country into ``GPE``) and mapped onto the evaluation's gold categories by
  :data:`PLACEHOLDER_CATEGORY`.
* Its generator draws from Python's global ``random``, NumPy's and Faker's
  shared generator: all are seeded with the run's seed (the record table is
  also seeded, as the package reads it before it seeds). 5 to 10 sentences,
  in the order drawn, make one document, one sentence a line.

Types that are no HIPAA Safe Harbor identifier (organisations, job titles,
name prefixes, nationalities, religions, countries, states, years, weekdays,
times of day, ages up to 89) get spans of category :data:`IGNORE`: their
letters and digits count neither as PHI (no leak when visible) nor as
non-PHI (no over-masking when masked), because the package labels them as
entities and a tool that masks them does what its authors asked for.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.metadata
import io
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.masking.corpus import Document, Span

PACKAGE = "presidio-evaluator"
PACKAGE_VERSION = "0.3.2"
"""The release the corpus was recorded with (pinned in requirements.txt)."""
CORPUS_NAME = "presidio-templates"
LOWER_CASE_RATIO = 0.05  # the package's own default in its examples and __main__
SENTENCES_PER_DOC = (5, 10)
REFERENCE_NOW = "2026-01-01 00:00:00"
"""Faker draws dates and times up to *now*; the clock is frozen here while
the corpus is generated so that a run on another day draws the same values."""

IGNORE = "IGNORE"
"""Gold category of a span that is neither PHI nor non-PHI: the scorer leaves
its characters and tokens out of every count."""

# Gold category of each template placeholder (lower-cased, as the generator
# lower-cases them). "age" and "date_time" are split further by value.
PLACEHOLDER_CATEGORY: dict[str, str] = {
    **dict.fromkeys(
        (
            *("person", "name", "name_female", "name_male", "first_name"),
            *("first_name_female", "first_name_male", "first_name_nonbinary"),
            *("last_name", "last_name_female", "last_name_male"),
        ),
        "NAME",
    ),
    "phone_number": "PHONE",
    "email": "EMAIL",
    "ssn": "SSN",
    "url": "URL",
    "ip_address": "IP",
    "credit_card_number": "ACCOUNT",
    "iban": "ACCOUNT",
    "us_driver_license": "LICENSE",
    **dict.fromkeys(("address", "street_name", "building_number", "secondary_address"), "ADDRESS"),
    "city": "CITY",
    "zipcode": "ZIP",
    "postcode": "ZIP",
    "date_of_birth": "DATE",
    "date_time": "DATE",  # its time of day is split off as IGNORE
    "age": "AGE",  # IGNORE up to 89
    **dict.fromkeys(
        (
            *("organization", "job", "prefix", "prefix_male", "prefix_female"),
            *("nationality", "nation_woman", "nation_man", "nation_plural", "religion"),
            *("country", "state", "state_abbr", "year", "day_of_week"),
        ),
        IGNORE,
    ),
}
# Parts of a generated {{address}} (the package's AddressProviderNew formats).
ADDRESS_PART_CATEGORY: dict[str, str] = {
    **dict.fromkeys(
        (
            *("building_number", "street_name", "street_address", "secondary_address"),
            *("military_apo", "military_dpo", "military_ship", "last_name"),
            "first_name",  # "{{first_name}} and {{street_name}}": a street corner
        ),
        "ADDRESS",
    ),
    "city": "CITY",
    "postcode": "ZIP",
    **dict.fromkeys(("state", "state_abbr", "country", "military_state"), IGNORE),
}
# The package's default providers (presidio_additional_entity_providers)
# less HospitalProvider, which would query WikiData.
PROVIDERS = (
    *("IpAddressProvider", "NationalityProvider", "OrganizationProvider"),
    *("UsDriverLicenseProvider", "AgeProvider", "PhoneNumberProviderNew", "ReligionProvider"),
)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)")
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})([ T].*)?")


@dataclass(frozen=True, slots=True)
class HeldOutInfo:
    """What the report says about where the corpus came from."""

    package_version: str
    faker_version: str
    templates: int
    templates_sha256: str
    sentences: int

    def describe(self) -> str:
        recorded = (
            "" if self.package_version == PACKAGE_VERSION else f" (recorded with {PACKAGE_VERSION})"
        )
        return (
            f"{PACKAGE} {self.package_version}{recorded}, its {self.templates} "
            f"templates (templates.txt sha256 `{self.templates_sha256[:16]}`) filled by its "
            f"PresidioSentenceFaker ({self.sentences} sentences, lower-case ratio "
            f"{LOWER_CASE_RATIO}); Faker {self.faker_version}"
        )


def read_templates(path: Path) -> list[str]:
    """The package's templates, one a line, stripped, with a written ``\\n``
    made a newline (as ``PresidioDataGenerator.read_template_file`` does)."""
    return [line.strip().replace("\\n", "\n") for line in path.read_text().splitlines()]


def age_category(value: str) -> str:
    """AGE over 89 (Safe Harbor), else IGNORE (also for ``1.5`` or ``0.3``)."""
    try:
        return "AGE" if float(value) > 89 else IGNORE
    except ValueError:
        return IGNORE


def _shape(value: str) -> str:
    return re.sub(r"[0-9]", "#", value)[:32]


def label_value(placeholder: str, value: str, start: int) -> list[Span]:
    """Gold spans for ``value``, generated for ``{{placeholder}}`` at
    ``start`` (an address is split by :func:`_address_spans` instead)."""
    category = PLACEHOLDER_CATEGORY.get(placeholder)
    if category is None:
        raise KeyError(f"no gold category for the placeholder {{{{{placeholder}}}}}")
    end = start + len(value)
    if category == IGNORE:
        return [Span(start, end, IGNORE, f"IGNORE {placeholder}")]
    if category == "AGE":
        category = age_category(value)
        return [Span(start, end, category, f"{category} age")]
    if placeholder == "date_time":
        m = _DATE_TIME.fullmatch(value)
        if m is None:
            return [Span(start, end, "DATE", "DATE date_time")]
        spans = [Span(start, start + m.end(1), "DATE", "DATE date_time ####-##-##")]
        if m.group(2):
            spans.append(Span(start + m.end(1), end, IGNORE, "IGNORE time of day"))
        return spans
    kind = f"{category} {placeholder}"
    if category in ("PHONE", "DATE", "ZIP"):
        kind += f" {_shape(value)}"
    return [Span(start, end, category, kind)]


def _address_spans(parts: list[tuple[str, int, int]], start: int) -> list[Span]:
    spans = []
    for part, s, e in parts:
        category = ADDRESS_PART_CATEGORY.get(part)
        if category is None:
            raise KeyError(f"no gold category for the address part {{{{{part}}}}}")
        kind = "IGNORE" if category == IGNORE else f"{category}"
        spans.append(Span(start + s, start + e, category, f"{kind} address/{part}"))
    return spans


def _spanned_address_provider(base: Any, record: list[list[tuple[str, int, int]]]) -> Any:
    """``base`` (the package's AddressProviderNew) whose ``address`` also
    records the parts it was made of. It makes the same draws as the
    original (``random_element`` of the formats, then the generator's
    ``parse``, which samples the same way with or without spans)."""

    def address(self: Any) -> str:
        pattern = self.random_element(self.address_formats)
        sample = self.generator.parse(pattern, add_spans=True)
        record.append(
            [
                (s.entity_type, s.start_position, s.end_position)
                for s in sample.spans
                if s.entity_type
            ]
        )
        return str(sample.full_text)

    return type("SpannedAddressProvider", (base,), {"address": address})


def _generate(
    seed: int, n_sentences: int, templates: list[str]
) -> tuple[list[Any], list[list[tuple[str, int, int]]]]:
    data_generator = importlib.import_module("presidio_evaluator.data_generator")
    extensions = importlib.import_module("presidio_evaluator.data_generator.faker_extensions")
    addresses: list[list[tuple[str, int, int]]] = []
    providers = [getattr(extensions, name) for name in PROVIDERS]
    providers.append(_spanned_address_provider(extensions.AddressProviderNew, addresses))
    names = {m.group(1).lower() for t in templates for m in _PLACEHOLDER.finditer(t)}
    names |= {alias for _, alias in data_generator.PresidioSentenceFaker.PROVIDER_ALIASES}
    random.seed(seed)  # the package reads its record table (drawing) before it seeds
    freezegun = importlib.import_module("freezegun")
    quiet = io.StringIO()  # it prints notes and a progress bar
    with (
        freezegun.freeze_time(REFERENCE_NOW),
        contextlib.redirect_stdout(quiet),
        contextlib.redirect_stderr(quiet),
    ):
        faker = data_generator.PresidioSentenceFaker(
            locale="en_US",
            lower_case_ratio=LOWER_CASE_RATIO,
            sentence_templates=templates,
            entity_providers=providers,
            entity_type_mapping={n: n for n in names},  # keep the template's own names
            random_seed=seed,
        )
        samples = list(faker.generate_new_fake_sentences(n_sentences))
    return samples, addresses


def _sentence_spans(
    sample: Any, addresses: list[list[tuple[str, int, int]]]
) -> tuple[str, list[Span]]:
    text = str(sample.full_text)
    spans: list[Span] = []
    for s in sorted(sample.spans, key=lambda s: s.start_position):
        start, end = int(s.start_position), int(s.end_position)
        value = text[start:end]
        if value.lower() != str(s.entity_value).lower():
            raise ValueError(f"span {s.entity_type} {start}:{end} is not its value in {text!r}")
        if s.entity_type == "address":
            parts = addresses.pop(0)
            spans += _address_spans(parts, start)
            if parts and max(e for _, _, e in parts) > len(value):
                raise ValueError(f"address parts do not fit {value!r}")
        else:
            spans += label_value(str(s.entity_type), value, start)
    return text, spans


def build_heldout(n_docs: int, seed: int) -> tuple[list[Document], HeldOutInfo]:
    """``n_docs`` documents of 5 to 10 generated sentences each, and where
    they came from. Raises ModuleNotFoundError without the bench venv."""
    data_generator = importlib.import_module("presidio_evaluator.data_generator")
    faker = importlib.import_module("faker")
    path = Path(data_generator.presidio_templates_file_path)
    templates = read_templates(path)
    rng = random.Random(seed)
    sizes = [rng.randint(*SENTENCES_PER_DOC) for _ in range(n_docs)]
    samples, addresses = _generate(seed, sum(sizes), templates)
    docs: list[Document] = []
    it = iter(samples)
    for doc_id, size in enumerate(sizes):
        parts: list[str] = []
        spans: list[Span] = []
        pos = 0
        for _ in range(size):
            text, sentence_spans = _sentence_spans(next(it), addresses)
            spans += [Span(s.start + pos, s.end + pos, s.category, s.kind) for s in sentence_spans]
            parts.append(text)
            pos += len(text) + 1
        spans.sort(key=lambda s: (s.start, s.end))
        docs.append(Document(doc_id, CORPUS_NAME, "\n".join(parts), tuple(spans)))
    if addresses:
        raise ValueError(f"{len(addresses)} generated addresses were not found in the text")
    info = HeldOutInfo(
        package_version=importlib.metadata.version(PACKAGE),
        faker_version=str(faker.VERSION),
        templates=len(templates),
        templates_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        sentences=len(samples),
    )
    return docs, info
