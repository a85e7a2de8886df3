"""The static book (tools/build_book.py, `make book`): it builds, every chapter in notebooks/ has a page,
no internal link is broken, no page shows a traceback outside cells tagged raises-exception, solutions
are folded, widgets show a static frame and progress bars their final text, every page of a quick build
says its numbers are not results (and a full-mode page does not), the index numbers chapters one way,
nothing is fetched from the internet (MathJax is local) and every font file MathJax will ask for is in
the book. One test executes a chapter with figures and fails on a figure shown twice in one cell.

Cost: nbval already executes every chapter in quick mode, so this test executes only two cheap
chapters that between them have maths, exercises and a widget (00 and 03) and renders the others
without outputs; `make book` executes all of them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from nbclient import NotebookClient

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


# ------------------------------------------------------------------------------------------------
# Quick mode is said on every page; full mode is not
# ------------------------------------------------------------------------------------------------
def test_every_page_of_a_quick_build_says_its_numbers_are_not_results(book):
    out, _ = book
    pages = _pages(out)
    assert len(pages) == len(CHAPTERS) + 1  # the chapters and the index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert text.count(build_book.QUICK_BANNER) == 1, f"{page.name} lacks the quick-mode banner"
        body = text[text.index("<body") :]
        first = min(i for i in (body.find("jp-Cell"), body.find("<h1>")) if i >= 0)
        assert body.index(build_book.QUICK_BANNER) < first, f"{page.name}: the banner is not at the top"
    assert "Built in quick mode" in build_book.QUICK_BANNER and "make book" in build_book.QUICK_BANNER


def _small_notebook():
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 99 · A page\n\n$x^2$"), nbformat.v4.new_code_cell("1 + 1")]
    )


def test_a_full_mode_page_has_no_quick_mode_banner():
    full = build_book.render_page(_small_notebook(), "A page", "full")
    quick = build_book.render_page(_small_notebook(), "A page", "quick")
    assert build_book.QUICK_BANNER not in full and "gl-quick-banner" not in full.split("</head>")[1]
    assert build_book.QUICK_BANNER in quick  # the same function, in the other mode, does stamp it
    assert build_book.NAV in full and "jp-CodeCell" in full


def test_make_book_builds_full_mode_by_default():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^BOOK_MODE \?= full$", makefile, flags=re.M)
    assert "--mode $(BOOK_MODE)" in makefile
    assert build_book.build.__defaults__[1] == "full"


# ------------------------------------------------------------------------------------------------
# Progress bars and dashboards
# ------------------------------------------------------------------------------------------------
def _model(name: str, **state) -> dict:
    return {"model_name": name, "model_module": "@jupyter-widgets/controls", "state": state}


def _widget_notebook(state: dict, model_id: str, plain: str = "<widget>"):
    view = {"version_major": 2, "version_minor": 0, "model_id": model_id}
    out = nbformat.v4.new_output("display_data", data={"text/plain": plain, build_book.WIDGET_VIEW: view})
    cell = nbformat.v4.new_code_cell(
        "train()", outputs=[out, nbformat.v4.new_output("stream", text="done\n")]
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["widgets"] = {
        build_book.WIDGET_STATE: {"state": state, "version_major": 2, "version_minor": 0}
    }
    return nb


def _tqdm_state(value: float, total: float, hidden: bool = False) -> dict:
    """The widget state tqdm.auto leaves (an HBox of HTML, FloatProgress, HTML), as stored by nbclient."""
    return {
        "box": _model(
            "HBoxModel",
            children=["IPY_MODEL_left", "IPY_MODEL_bar", "IPY_MODEL_right"],
            layout="IPY_MODEL_lay",
        ),
        "lay": {"model_name": "LayoutModel", "state": {"visibility": "hidden" if hidden else None}},
        "left": _model("HTMLModel", value="epoch\u20071/1:\u2007100%"),
        "bar": _model("FloatProgressModel", min=0.0, max=total, value=value, bar_style="success"),
        "right": _model("HTMLModel", value="\u200762/62\u2007[00:01&lt;00:00,\u200745.2step/s]"),
    }


def test_a_progress_bar_becomes_its_final_text_state():
    nb = _widget_notebook(_tqdm_state(62, 62), "box", plain="  0%|          | 0/62 [00:00<?, ?step/s]")
    assert build_book.static_widgets(nb, "05") == 1
    out = nb.cells[0].outputs[0]
    assert out["data"] == {"text/plain": "epoch 1/1: 100%|██████████| 62/62 [00:01<00:00, 45.2step/s]"}
    assert nb.cells[0].outputs[1]["text"] == "done\n" and "widgets" not in nb.metadata
    half = _widget_notebook(_tqdm_state(31, 62), "box")
    build_book.static_widgets(half, "05")
    assert "|█████     |" in half.cells[0].outputs[0]["data"]["text/plain"]


def test_a_progress_bar_that_closed_itself_is_dropped():
    nb = _widget_notebook(_tqdm_state(62, 62, hidden=True), "box")
    assert build_book.static_widgets(nb, "05") == 1
    assert [o["output_type"] for o in nb.cells[0].outputs] == ["stream"]


def test_a_dashboard_keeps_the_run_it_live_notice_and_names_a_demo_only_where_there_is_one():
    state = {
        "dash": _model("VBoxModel", children=["IPY_MODEL_img"]),
        "img": {"model_name": "ImageModel", "state": {"value": "iVBORw0KGgo="}, "buffers": []},
    }
    for chapter, demo in (("04", True), ("08", False)):
        nb = _widget_notebook(json.loads(json.dumps(state)), "dash")
        build_book.static_widgets(nb, chapter)
        page = nb.cells[0].outputs[0]["data"]["text/html"]
        assert 'class="gl-widget-fallback"' in page and "make lab" in page and "iVBORw0KGgo=" in page
        assert ("make demo CHAPTER=" in page) == demo, page
    assert "04" in build_book.DASHBOARDS and "08" not in build_book.DASHBOARDS


def test_a_real_tqdm_bar_in_a_kernel_renders_as_its_final_state():
    """tqdm.auto in a kernel: the widget state nbclient stores is what progress_text reads."""
    code = "from tqdm.auto import tqdm\nfor _ in tqdm(range(62), desc='epoch 1/1', unit='step'):\n    pass"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    assert build_book.WIDGET_VIEW in nb.cells[0].outputs[0]["data"]  # tqdm chose its widget
    build_book.static_widgets(nb, "05")
    text = nb.cells[0].outputs[0]["data"]["text/plain"]
    assert text.startswith("epoch 1/1: 100%|██████████| 62/62 ["), text


# ------------------------------------------------------------------------------------------------
# The index
# ------------------------------------------------------------------------------------------------
def test_the_index_numbers_chapters_one_way(book):
    out, _ = book
    index = (out / "index.html").read_text(encoding="utf-8")
    entries = [
        re.sub(r"<[^>]+>", "", e) for e in re.findall(r'<a href="\d\d_[a-z0-9_]+\.html">(.*?)</a>', index)
    ]
    assert entries == [f"{c.number} · {c.title}" for c in registry.CHAPTERS]
    assert "03 · The loss, the maths" in entries and "04 · Toy GAN playground" in entries
    assert "<ol" not in index  # no second, automatic numbering


# ------------------------------------------------------------------------------------------------
# MathJax's fonts
# ------------------------------------------------------------------------------------------------
def _mathjax_config(page: str) -> dict:
    m = re.search(r"<script>window\.MathJax = (\{.*?\});</script>\s*<script[^>]*MathJax\.js", page)
    assert m, "the page sets no MathJax configuration before loading MathJax.js"
    return json.loads(m.group(1))


def test_every_font_file_mathjax_will_request_is_in_the_book(book):
    out, _ = book
    mathjax = out / "_static" / "mathjax"
    config = _mathjax_config((out / "03_loss_math.html").read_text(encoding="utf-8"))["HTML-CSS"]
    # no local-font probing, no TeX fonts (not shipped) and no image fonts: only the web font below
    assert config["availableFonts"] == [] and config["preferredFont"] is None and config["imageFont"] is None
    font = config["webFont"]
    data = mathjax / "jax" / "output" / "HTML-CSS" / "fonts" / font
    assert (data / "fontdata.js").exists() and (data / "fontdata-extra.js").exists()
    fonts = dict(
        re.findall(
            r'"?([A-Za-z0-9_-]+)"?:"([A-Za-z0-9/_-]+\.js)"',
            (data / "fontdata.js").read_text(encoding="utf-8"),
        )
    )
    assert len(fonts) > 20, "could not read the font table of fontdata.js"
    missing = []
    for name, script in fonts.items():
        # HTML-CSS's fontFace(): the web font file of font `name` (MathJax 2.7, jax/output/HTML-CSS/jax.js)
        file = name.replace("-b", "-B", 1).replace("-i", "-I", 1).replace("-Bold-", "-Bold")
        file += "" if "-" in file else "-Regular"
        for path in (mathjax / "fonts" / "HTML-CSS" / font / "woff" / f"{file}.woff", data / script):
            if not path.exists():
                missing.append(str(path.relative_to(out)))
    assert not missing, "MathJax will request files the book lacks:\n" + "\n".join(missing)
    for page in _pages(out):
        if "MathJax.js" in (text := page.read_text(encoding="utf-8")):
            assert _mathjax_config(text) == build_book.MATHJAX_CONFIG, page.name


# ------------------------------------------------------------------------------------------------
# One display per figure
# ------------------------------------------------------------------------------------------------
# The cheapest chapter in which this test can fail: 05 draws with the course's figure helpers
# (show_images, plot_history) as a cell's last line, where a helper that both displayed and returned its
# figure showed it twice (before 8717396: cells 4 and 21); about 15 s in quick mode. 01 and 03 are
# cheaper but draw into their own axes (plt.show()), so they stayed right even then.
FIGURE_CHAPTERS = ["05"]


@pytest.mark.slow  # (the whole module is; this one executes a chapter)
@pytest.mark.parametrize("number", FIGURE_CHAPTERS)
def test_no_cell_shows_the_same_figure_twice(number, monkeypatch):
    path = registry.chapter(number).ipynb
    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv("GAN_LESSONS_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend, as a student's
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    twice, figures = [], 0
    for k, cell in enumerate(nb.cells):
        pngs = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        figures += len(pngs)
        if len(pngs) != len(set(pngs)):
            twice.append(f"cell {k}: {cell.source.splitlines()[0] if cell.source else ''}")
    assert figures >= 2, f"{path.name} drew {figures} figures: pick a chapter with figures"
    assert not twice, f"{path.name} shows a figure twice in " + "; ".join(twice)


def test_the_hidden_mathml_for_screen_readers_asks_for_no_tex_font(book):
    """MathJax's AssistiveMML copy would request fonts/HTML-CSS/TeX/otf/*.otf (not shipped) through its
    NativeMML styles; the book's CSS keeps it in the page's fonts (checked in Chromium: no request)."""
    out, _ = book
    assert not (out / "_static" / "mathjax" / "fonts" / "HTML-CSS" / "TeX").exists()
    text = (out / "03_loss_math.html").read_text(encoding="utf-8")
    assert ".MJX_Assistive_MathML, .MJX_Assistive_MathML * { font-family: inherit !important; }" in text
