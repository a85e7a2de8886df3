"""The static book (tools/build_book.py, `make book`): it builds, every chapter in notebooks/ has a page,
no internal link is broken, no page shows a traceback outside cells tagged raises-exception, solutions
are folded, widgets show a static frame, and nothing is fetched from the internet (MathJax is local).

Cost: nbval already executes every chapter in quick mode, so this test executes only two cheap
chapters that between them have maths, exercises and a widget (00 and 03) and renders the others
without outputs; `make book` executes all of them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_book  # noqa: E402
import chapters as registry  # noqa: E402

pytestmark = pytest.mark.slow  # the module's fixture builds the book, executing two chapters

EXECUTED = {"00", "03"}
CHAPTERS = [c.stem for c in registry.CHAPTERS]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("book")
    report = build_book.build(out, "quick", EXECUTED)
    return out, report


def _pages(out: Path) -> list[Path]:
    return sorted(out.glob("*.html"))


def test_every_chapter_has_a_page_and_the_index_links_it(book):
    out, report = book
    assert CHAPTERS and set(report["chapters"]) == set(CHAPTERS)
    index = (out / "index.html").read_text(encoding="utf-8")
    for stem in CHAPTERS:
        assert (out / f"{stem}.html").stat().st_size > 1000, f"{stem}.html is missing or empty"
        assert f'href="{stem}.html"' in index
    assert all(report["chapters"][c]["executed"] == (c[:2] in EXECUTED) for c in CHAPTERS)


def test_no_internal_link_is_broken(book):
    out, _ = book
    broken = []
    for page in _pages(out):
        for target in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            url = urlparse(target)
            if url.scheme in ("http", "https", "mailto", "data") or target.startswith("#"):
                continue
            path = (page.parent / unquote(url.path)).resolve()
            if not path.exists():
                broken.append(f"{page.name} -> {target}")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_links_between_chapters_become_links_between_pages(book):
    out, _ = book
    text = (out / "03_loss_math.html").read_text(encoding="utf-8")
    assert 'href="04_toy_gan_playground.html"' in text and ".ipynb" not in re.sub(
        r"<pre.*?</pre>", "", text, flags=re.S
    )


def test_no_traceback_outside_raises_exception_cells(book):
    out, _ = book
    bad = []
    for page in _pages(out):
        cells = re.split(r'(?=<div\s+class="jp-Cell )', page.read_text(encoding="utf-8"))
        for cell in cells[1:]:
            head = cell[: cell.index(">")]
            outputs = cell[cell.find("jp-OutputArea") :] if "jp-OutputArea" in cell else ""
            if "Traceback" in outputs and "celltag_raises-exception" not in head:
                bad.append(page.name)
    assert not bad, f"tracebacks outside raises-exception cells in {sorted(set(bad))}"


def test_solutions_are_folded(book):
    out, report = book
    for stem in CHAPTERS:
        source = registry.chapter(stem).ipynb.read_text(encoding="utf-8")
        text = (out / f"{stem}.html").read_text(encoding="utf-8")
        assert "### BEGIN SOLUTION" not in text
        n = source.count(registry.BEGIN)
        assert report["chapters"][stem]["solutions"] == n and text.count('class="gl-solution"') == n


def test_widgets_show_their_last_frame(book):
    out, report = book
    text = (out / "03_loss_math.html").read_text(encoding="utf-8")
    assert report["chapters"]["03_loss_math"]["widgets"] >= 1
    assert re.search(r'class="gl-widget-fallback"><img [^>]*src="data:image/png;base64,', text)
    assert "make demo CHAPTER=03" in text and "widget-view+json" not in text


def test_offline_maths_and_no_internet(book):
    out, _ = book
    assert (out / "_static" / "mathjax" / "MathJax.js").exists()
    for page in _pages(out):
        text = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', text)
        assert not remote, f"{page.name} loads {remote}"
    assert "_static/mathjax/MathJax.js" in (out / "03_loss_math.html").read_text(encoding="utf-8")


def test_split_solution_keeps_the_rest_of_the_cell():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n\ncheck(f)"
    shown, solution = build_book.split_solution(src)
    assert solution == "    return 2 * x" and "check(f)" in shown and "return 2 * x" not in shown
    assert build_book.split_solution("x = 1") is None


def test_links_to_chapters_not_yet_written_become_text():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("see [09 Stabilizing](09_stabilizing.ipynb)")]
    )
    missing = build_book.rewrite_links(nb, {"03_loss_math"})
    assert missing == ["09_stabilizing"] and nb.cells[0].source == "see 09 Stabilizing *(coming)*"
