"""The wheel ships every package: pyproject lists packages by hand (a
namespace assembled from several folders), and a subpackage missing from the
list is absent from a non-editable install while an editable one works."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, Any]:
    section: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
        "setuptools"
    ]
    return section


def test_every_package_on_disk_is_listed_for_the_wheel() -> None:
    section = _setuptools()
    listed = set(section["packages"])
    package_dir: dict[str, str] = section["package-dir"]
    on_disk = set()
    for name, folder in package_dir.items():
        base = ROOT / folder
        assert (base / "__init__.py").is_file(), f"{folder} is not a package"
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            on_disk.add(".".join([name, *rel.parts]))
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - on_disk == set(), "listed but not on disk"
