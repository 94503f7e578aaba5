"""Installs are reproducible: every dependency is pinned to one version with its hashes, and
the lock files are what make and the Docker image install from."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements
    }


def _pins(lock: Path) -> dict[str, str]:
    return {
        name.lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9._-]+)==([^ \\\n]+)", lock.read_text(), re.M)
    }


def test_every_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _requirement_names(project["dependencies"])
    development = _requirement_names(project["optional-dependencies"]["dev"])

    for lock, names in (
        ("requirements.lock", runtime),
        ("requirements-dev.lock", runtime | development),
    ):
        text = (ROOT / lock).read_text()
        pins = _pins(ROOT / lock)
        normalised = {name.replace("_", "-") for name in pins}
        assert {name.replace("_", "-") for name in names} <= normalised, lock
        # Every pinned package carries at least one hash (pip --require-hashes checks them).
        blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text.split("\n\n", 1)[-1])
        assert all("--hash=sha256:" in block for block in blocks if "==" in block), lock


def test_make_and_the_image_install_from_the_lock_files():
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements-dev.lock" in makefile
    assert "--require-hashes -r requirements.lock" in dockerfile
