"""The wheel ships every package: pyproject lists packages by hand (a
namespace assembled from several folders), and a subpackage missing from the
list is absent from a non-editable install while an editable one works."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setuptools() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    section = config["tool"]["setuptools"]
    assert isinstance(section, dict)
    return section


def test_every_package_on_disk_is_listed_for_the_wheel() -> None:
    section = _setuptools()
    listed = set(section["packages"])  # type: ignore[arg-type]
    package_dir = section["package-dir"]
    assert isinstance(package_dir, dict)
    on_disk = set()
    for name, folder in package_dir.items():
        base = ROOT / folder
        assert (base / "__init__.py").is_file(), f"{folder} is not a package"
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base)
            on_disk.add(".".join([name, *rel.parts]))
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert listed - on_disk == set(), "listed but not on disk"
