"""Notebook hygiene: the chapter registry matches notebooks/, .py/.ipynb pairs in sync, navigation fresh,
no stored outputs, anatomy.

The notebooks themselves are run by nbval (`pytest` collects notebooks/*.ipynb with --nbval-lax).
"""

import json
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

PY_FILES = chapters.chapter_paths(".py")
IPYNB_FILES = chapters.chapter_paths(".ipynb")


def test_the_registry_matches_the_notebooks_on_disk():
    """Every notebooks/NN_slug.py (and .ipynb) is a registered chapter, and every registered chapter is
    there (tools/chapters.py; after a `git mv`, edit its entry there and run `make nav`)."""
    registered = [c.stem for c in chapters.CHAPTERS]
    for suffix in (".py", ".ipynb"):
        on_disk = [p.stem for p in chapters.on_disk(suffix)]
        assert set(on_disk) - set(registered) == set(), f"notebooks/*{suffix} not in tools/chapters.py"
        assert set(registered) - set(on_disk) == set(), f"registered, not in notebooks/*{suffix}"
    # course order is file-name order
    assert [p.name for p in PY_FILES] == [p.name for p in chapters.on_disk(".py")]


def test_the_registry_is_well_formed():
    numbers = [c.number for c in chapters.CHAPTERS]
    assert numbers == [f"{i:02d}" for i in range(len(numbers))], "chapters are numbered 00, 01, ... in order"
    assert len({c.slug for c in chapters.CHAPTERS}) == len(numbers), "slugs are unique"
    assert all(chapters.STEM_RE.match(c.stem) and c.title and c.description for c in chapters.CHAPTERS)
    assert chapters.chapter("6") == chapters.chapter("06") == chapters.chapter("evaluating")
    assert chapters.chapter("06_evaluating").py == ROOT / "notebooks" / "06_evaluating.py"
    with pytest.raises(KeyError, match="no chapter '99'"):
        chapters.chapter("99")


def test_every_notebook_has_its_pair():
    assert PY_FILES, "no notebooks found"
    assert all(p.exists() for p in PY_FILES + IPYNB_FILES)


@pytest.mark.parametrize("py", PY_FILES, ids=lambda p: p.stem)
def test_pair_in_sync(py):
    """Regenerating the .ipynb from the .py gives the same cells (run `make nav` to fix)."""
    from_py = jupytext.read(py)
    stored = jupytext.read(py.with_suffix(".ipynb"))
    cells = lambda nb: [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]
    assert cells(from_py) == cells(stored), f"{py.name} and its .ipynb differ: run `make nav`"


@pytest.mark.parametrize("ipynb", IPYNB_FILES, ids=lambda p: p.stem)
def test_every_notebook_names_the_course_kernel(ipynb):
    """JupyterLab asks "Select Kernel" for a notebook without a kernelspec (run `make nav` to fix)."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    assert nb["metadata"].get("kernelspec") == chapters.KERNELSPEC, f"{ipynb.name}: run `make nav`"
    assert chapters.KERNELSPEC == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }


@pytest.mark.parametrize("ipynb", IPYNB_FILES, ids=lambda p: p.stem)
def test_no_stored_outputs(ipynb):
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [], f"{ipynb.name} stores outputs"
            assert cell.get("execution_count") is None, f"{ipynb.name} stores execution counts"


def test_navigation_and_index_are_fresh():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_nav.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("py", [p for p in PY_FILES if p.stem != "00_index"], ids=lambda p: p.stem)
def test_chapter_anatomy(py):
    """Title first, setup imports from gan_lessons, and a summary section."""
    nb = jupytext.read(py)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "a chapter starts with its title"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from gan_lessons import" in code
    assert f'setup_chapter("{py.stem}"' in code, (
        "the setup cell calls setup_chapter with the chapter's own name"
    )
    assert "set_num_threads(" not in code, (
        "threads: setup_chapter(..., threads=N) scopes them to the chapter's cells"
    )
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown").lower()
    assert "## summary" in text


def test_the_index_starts_with_start_here():
    """The first thing under the index's title says what to do first: the environment check (the first code
    cell, before the table of chapters), then chapter 01."""
    nb = jupytext.read(ROOT / "notebooks" / "00_index.py")
    title = nb.cells[0].source
    after_title = title.split("\n## ")[1]
    assert after_title.startswith("Start here"), "the first section under the title is Start here"
    assert after_title.index("environment check") < after_title.index("(01_background.ipynb)")
    first_code = next(k for k, c in enumerate(nb.cells) if c.cell_type == "code")
    assert (
        'setup_chapter("00_index")' in nb.cells[first_code].source
        and "load_mnist()" in nb.cells[first_code].source
    )
    toc = next(k for k, c in enumerate(nb.cells) if "<!-- toc:start -->" in c.source)
    assert first_code < toc and all(c.cell_type == "markdown" for c in nb.cells[1:first_code])
