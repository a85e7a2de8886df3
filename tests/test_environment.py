"""environment.yml and pyproject.toml pin the same versions; the README's commands exist."""

import re
import subprocess
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def _pins(lines):
    pins = {}
    for line in lines:
        m = re.fullmatch(r"\s*-?\s*\"?([A-Za-z0-9_.-]+)==([^\"\s,]+)\"?,?\s*", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [d for ds in project["optional-dependencies"].values() for d in ds]
    py_pins = _pins(declared)
    assert all("==" in d for d in declared), "every dependency is pinned with =="
    yml_pins = _pins((ROOT / "environment.yml").read_text().splitlines())
    assert py_pins == yml_pins
    assert py_pins["torch"] == "2.14.1" and py_pins["torchvision"] == "0.29.1"


def test_readme_commands_are_make_targets_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^\s*(make \w+)\s*$", readme, re.M)
    assert set(commands) == {"make lab", "make test"}
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    ci = [
        row
        for row in (ROOT / ".ci" / "run").read_text().splitlines()
        if row.strip() and not row.startswith("#")
    ]
    assert ci[-1].strip() == "make test"


def test_make_lab_prints_and_opens_the_index():
    """`make lab` starts JupyterLab on student/00_index.ipynb (so the server's root is student/) with the
    index as its default URL: the URL the server prints, and where / redirects, is the index, not the
    Launcher. Read from `make -n` (a dry run: nothing is started). `-o` with a stamp of its own, not
    STAMP=Makefile: make remakes a Makefile that is a target even under -n, so whenever pyproject.toml
    was newer than the Makefile that dry run created .venv and pip-installed the project into it."""
    stamp = ".gl-test-no-stamp"
    result = subprocess.run(
        ["make", "-n", "lab", f"STAMP={stamp}", "-o", stamp],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pip" not in result.stdout and not (ROOT / stamp).exists(), result.stdout
    lab = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1, result.stdout
    args = lab[0].split()
    assert args[args.index("lab") + 1] == "student/00_index.ipynb"
    assert "--LabApp.default_url=/lab/tree/00_index.ipynb" in args
    assert "/lab/tree/00_index.ipynb" in result.stdout.split(lab[0])[0], "a line before it says where to go"
