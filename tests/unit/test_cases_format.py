"""Case files are strict: unknown keys, unnamed and duplicate cases fail with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from proctor.service.cases import CaseError, load_case_file

GOOD = """\
cases:
  - name: one
    principal: Agent::"a"
    action: Action::"x"
    resource: Dataset::"d"
    expect: {decision: ALLOW}
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            GOOD.replace("    expect:", "    expct: 1\n    expect:"),
            ":6: unknown key `expct`",
            id="unknown-case-key",
        ),
        pytest.param(
            GOOD.replace("{decision: ALLOW}", "{decision: ALLOW, policy: [p]}"),
            "unknown key `policy` in `expect`",
            id="unknown-expect-key",
        ),
        pytest.param(
            GOOD.replace("  - name: one\n    principal", "  - principal"),
            "missing `name`",
            id="no-name",
        ),
        pytest.param(
            GOOD + GOOD.replace("cases:\n", ""), "duplicate case name `one`", id="duplicate-name"
        ),
        pytest.param(GOOD.replace("ALLOW", "PERMIT"), "must be one of", id="bad-decision"),
        pytest.param(
            GOOD.replace('Agent::"a"', "Agent:a"), "expected an entity like", id="bad-uid"
        ),
        pytest.param("cases: []\n", "non-empty list", id="no-cases"),
        pytest.param(
            GOOD.replace("    expect:", "    expect: {decision: DENY}\n    expect:"),
            "duplicate key `expect`",
            id="duplicate-key",
        ),
        pytest.param(
            GOOD.replace("    expect:", '    payload: {html: "x"}\n    expect:'),
            "`payload` must be",
            id="bad-payload",
        ),
        pytest.param("tests: []\n", "unknown key `tests`", id="wrong-top-key"),
        pytest.param(
            GOOD.replace("{decision: ALLOW}", '{decision: ALLOW, masks: ["$.a=redactt"]}'),
            "did you mean `redact`",
            id="bad-mask",
        ),
    ],
)
def test_bad_case_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(text)
    with pytest.raises(CaseError, match=message.replace("[", r"\[").replace("$", r"\$")) as info:
        load_case_file(path)
    assert str(info.value).startswith(str(path))


def test_good_case_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(GOOD)
    (case,) = load_case_file(path)
    assert (case.name, case.line, case.request.principal.id) == ("one", 2, "a")
