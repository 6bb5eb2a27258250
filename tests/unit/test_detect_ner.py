"""Mode ``ner``: the ``thorough`` rules plus spaCy's en_core_web_sm named-entity
recogniser. The model is real (the ``ner`` extra is part of ``dev``); it is
loaded once per process, on the first ``ner`` call, so the whole file pays
for one load (about a second).

Positives are people and places that carry no cue and are not in the
built-in lists; negatives are clinical words the small model is tempted to
call a person or a place (eponyms, drugs, scales, departments, headings).
"""

from __future__ import annotations

import json
import string
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proctor.masking.detect import DETECTORS, MODES, Finding, NerUnavailableError, detect
from proctor.masking.detect.ner import MAX_CHUNK, SpacyNerDetector, segments

from .detect_support import Spans, found

PLACES = ("NAME", "CITY", "ADDRESS", "FACILITY")


def covered(findings: list[Finding]) -> set[int]:
    return {i for f in findings for i in range(f.start, f.end)}


# --- what ner finds ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Kaitlyn Brennan called about her results.",
            [("NAME", "Kaitlyn Brennan")],
            id="name-then-verb",
        ),
        pytest.param(
            "Bartholomew Okonkwo was admitted overnight with chest pain.",
            [("NAME", "Bartholomew Okonkwo")],
            id="uncued-name-outside-the-lists",
        ),
        pytest.param(
            "Ayodele Adeyemi is the emergency contact.",
            [("NAME", "Ayodele Adeyemi")],
            id="uncued-name-before-role",
        ),
        pytest.param(
            "Her husband, Tomasz Zieliński, signed the form.",
            [("NAME", "Tomasz Zieliński")],
            id="whole-name-not-only-the-listed-given-name",
        ),
        pytest.param(
            "Bartholomew Okonkwo's test results came back.",
            [("NAME", "Bartholomew Okonkwo")],
            id="possessive-left-out",
        ),
        pytest.param(
            "May Smith and Will Turner attended.",
            [("NAME", "May Smith"), ("NAME", "Will Turner")],
            id="given-names-that-are-words",
        ),
        pytest.param("She flew home to Gdańsk last week.", [("CITY", "Gdańsk")], id="foreign-city"),
        pytest.param(
            "Visit us at Kungsgatan 4, Stockholm.",
            [("ADDRESS", "Kungsgatan 4"), ("CITY", "Stockholm")],
            id="foreign-street-address",
        ),
        pytest.param(
            "He works at Heathrow Airport.", [("ADDRESS", "Heathrow Airport")], id="facility-fac"
        ),
    ],
)
def test_ner_finds_people_and_places_without_cues(text: str, expected: Spans) -> None:
    assert found(text, mode="ner") == expected


def test_the_model_is_what_finds_them() -> None:
    text = "Bartholomew Okonkwo flew home to Gdańsk."
    assert found(text, mode="thorough") == []
    findings = detect(text, mode="ner")
    assert [f.detector for f in findings] == ["spacy-ner", "spacy-ner"]
    assert all(f.score == pytest.approx(0.6) for f in findings)


# --- what ner leaves alone -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Patient has Hashimoto's thyroiditis and Graves' disease.", id="eponyms"),
        pytest.param("Parkinson's disease, Alzheimer's dementia, Crohn's disease.", id="diseases"),
        pytest.param("Positive Murphy's sign and McBurney's point tenderness.", id="signs"),
        pytest.param("Lachman and McMurray tests negative.", id="tests"),
        pytest.param("GCS: Glasgow coma scale 15. Seen in Cardiology dept.", id="glasgow-scale"),
        pytest.param("Glasgow Coma Scale 14 on arrival.", id="glasgow-capitalised"),
        pytest.param(
            "Started Zoloft 100 mg and Lasix 20 mg daily; continue Eliquis 5 mg BID.", id="drugs"
        ),
        pytest.param("Foley catheter removed on hospital day 3.", id="device"),
        pytest.param("Holter monitor placed, Swan-Ganz catheter removed.", id="devices"),
        pytest.param(
            "Referred to the Department of Neurology and Physical Therapy.", id="departments"
        ),
        pytest.param("Denies chest pain. Creatinine 1.42 mg/dL.", id="clinical-prose"),
        pytest.param("Low-sodium diet and 1.5 L fluid restriction reviewed.", id="volume"),
        pytest.param("ROS: negative. PMH: HTN. NKDA.", id="abbreviations"),
        pytest.param("Moved from Texas to the United States in 2019.", id="state-and-country"),
    ],
)
def test_ner_leaves_clinical_words_alone(text: str) -> None:
    assert found(text, *PLACES, mode="ner") == []


# --- ner on top of thorough ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Pt. John Smith (MRN 123456) seen 3/4/21. Bartholomew Okonkwo is his emergency contact.",
        "Seen 3/4/21 by Dr. Reyes. Ayodele Adeyemi is the emergency contact. SSN 123-45-6789.",
        "Discharged 04/05/2024; she flew home to Gdańsk to stay with her sister.",
    ],
)
def test_ner_finds_what_thorough_finds_and_more(text: str) -> None:
    thorough, ner = detect(text, mode="thorough"), detect(text, mode="ner")
    assert {f.category for f in thorough} <= {f.category for f in ner}
    assert covered(thorough) < covered(ner)


_TEXT = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + " \t\n.,:;'-" + "éŁß😀"),
    max_size=200,
)


@settings(max_examples=40, deadline=None)
@given(text=_TEXT)
def test_ner_never_masks_less_than_thorough(text: str) -> None:
    ner = detect(text, mode="ner")
    end = 0
    for f in ner:
        assert end <= f.start < f.end <= len(text)
        end = f.end
    assert covered(detect(text, mode="thorough")) <= covered(ner)


def test_ner_registers_thorough_plus_the_model() -> None:
    assert MODES == ("fast", "thorough", "ner")
    assert DETECTORS["ner"][:-1] == DETECTORS["thorough"]
    assert isinstance(DETECTORS["ner"][-1], SpacyNerDetector)


def test_a_narrow_request_does_not_run_the_model() -> None:
    # The engine runs a detector only for the categories asked for.
    assert found("Bartholomew Okonkwo, SSN 123-45-6789", "SSN", mode="ner") == [
        ("SSN", "123-45-6789")
    ]


# --- long texts, offsets, threads ----------------------------------------------


def test_segments_are_lines_and_long_lines_are_cut() -> None:
    text = "a b\n\n123\n" + "word " * 5000 + "\nend"
    pieces = list(segments(text, limit=1000))
    assert all(text[o : o + len(p)] == p for o, p in pieces)
    assert all(len(p) <= 1000 for _, p in pieces)
    assert pieces[0] == (0, "a b")  # blank and letterless lines are skipped
    assert pieces[-1] == (len(text) - 3, "end")
    assert "".join(p for _, p in pieces[1:-1]) == "word " * 5000


def test_a_long_text_keeps_python_string_offsets() -> None:
    # One line over three model chunks, with characters outside the BMP
    # before the names (one Python character, four UTF-8 bytes each).
    filler = "😀 The patient rested well overnight without complaints. " * 120
    names = ["Bartholomew Okonkwo", "Ayodele Adeyemi", "Tomasz Zieliński"]
    text = "".join(f"{filler}{name} was seen today. " for name in names)
    assert len(text) > 2 * MAX_CHUNK and "\n" not in text
    assert [t for c, t in found(text, "NAME", mode="ner")] == names


def test_concurrent_calls_agree_with_a_sequential_one() -> None:
    texts = [
        "Bartholomew Okonkwo flew home to Gdańsk.",
        "Visit us at Kungsgatan 4, Stockholm.",
        "Ayodele Adeyemi is the emergency contact.",
    ]
    expected = [detect(t, mode="ner") for t in texts * 5]
    results: list[list[list[Finding]]] = []

    def work() -> None:
        results.append([detect(t, mode="ner") for t in texts * 5])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def _python(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run this Python with ``args`` in a fresh process (the model load included)."""
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- errors --------------------------------------------------------------------


def test_a_misspelt_mode_is_an_error_naming_the_modes() -> None:
    with pytest.raises(ValueError, match="'fast', 'thorough', 'ner'; got 'NER'"):
        detect("x", mode="NER")  # type: ignore[arg-type]


def test_cli_rejects_a_misspelt_mode_in_one_line() -> None:
    r = _python("-m", "proctor.service.cli", "detect", "--mode", "nerd")
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "invalid choice: 'nerd'" in r.stderr


def test_cli_detect_runs_the_model() -> None:
    text = "Bartholomew Okonkwo flew home to Gdańsk."
    r = _python(
        "-m",
        "proctor.service.cli",
        "detect",
        "--mode",
        "ner",
        stdin=json.dumps({"id": 1, "text": text}) + "\n",
    )
    assert r.returncode == 0, r.stderr
    spans = json.loads(r.stdout)["spans"]
    assert [(s["category"], text[s["start"] : s["end"]]) for s in spans] == [
        ("NAME", "Bartholomew Okonkwo"),
        ("CITY", "Gdańsk"),
    ]


# Runs Python with spaCy made unimportable (``sys.modules[name] = None`` is
# how the import system spells "not installed"), as in an install without
# the ``ner`` extra.
_WITHOUT_SPACY = "import sys; sys.modules['spacy'] = None; "


def test_without_spacy_ner_says_what_to_install() -> None:
    code = _WITHOUT_SPACY + (
        "from proctor.masking.detect import NerUnavailableError, detect\n"
        "assert detect('Jane Doe, SSN 123-45-6789', mode='thorough')\n"
        "try:\n"
        "    detect('Bartholomew Okonkwo', mode='ner')\n"
        "except NerUnavailableError as exc:\n"
        "    print(exc)\n"
    )
    r = _python("-c", code)
    assert r.returncode == 0, r.stderr
    assert "pip install 'proctor[ner]'" in r.stdout
    assert issubclass(NerUnavailableError, RuntimeError)


@pytest.mark.parametrize(
    "args", [["detect", "--mode", "ner"], ["mask", "--directives", "$.n=detect", "--mode", "ner"]]
)
def test_without_spacy_the_cli_exits_2_in_one_line(args: list[str]) -> None:
    code = _WITHOUT_SPACY + (f"from proctor.service.cli import main; sys.exit(main({args!r}))")
    r = _python("-c", code, stdin='{"id": 1, "text": "x"}\n')
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "pip install 'proctor[ner]'" in r.stderr


def test_the_masking_package_does_not_import_spacy_until_ner_is_used() -> None:
    code = (
        "import sys\n"
        "from proctor.masking import detect\n"
        "detect('Jane Doe flew to Boston', mode='thorough')\n"
        "assert 'spacy' not in sys.modules\n"
        "detect('Jane Doe flew to Boston', mode='ner')\n"
        "assert 'spacy' in sys.modules\n"
    )
    r = _python("-c", code)
    assert r.returncode == 0, r.stderr
