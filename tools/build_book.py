"""Build the course as a static HTML book that opens offline: `make book` (full mode: the real results,
22 to 25 minutes on a 2-core CPU) or `make book BOOK_MODE=quick` (a few steps per chapter; CI's build).

    python tools/build_book.py                    # every chapter, executed in full mode -> build/book/
    python tools/build_book.py --mode quick       # executed in quick mode: every page says its numbers are not results
    python tools/build_book.py --execute 00,03    # execute only these; the others are rendered without outputs
    python tools/build_book.py --out site/        # another output folder

What it does, chapter by chapter (the chapters of tools/chapters.py whose notebook is in notebooks/):
- executes the **full edition** (solutions in place) in a fresh kernel, in notebooks/, with
  GAN_LESSONS_QUICK set for quick mode; cells tagged `raises-exception` may fail, any other error
  stops the build and names the chapter and cell;
- folds each exercise's solution (the lines between `### BEGIN SOLUTION` and `### END SOLUTION`)
  out of the code cell into a collapsed "Solution" block right after it;
- stamps every page of a quick build with a banner saying its numbers come from a few training steps
  and are not results (QUICK_BANNER); a full build has none;
- replaces every live widget by its last frame (the images it showed) and a line on how to run it
  live (`make demo CHAPTER=NN` only where tools/demo.py has that chapter's dashboard): a static page
  has no kernel; a progress bar (tqdm's widget) becomes its final text state instead, as a terminal
  would show it, and one that closed itself (leave=False) is dropped;
- turns links between chapters into links between pages; a link to a chapter that is not in
  notebooks/ yet becomes plain text marked "coming";
- writes one page per chapter with nbconvert (lab template), MathJax served from the book folder
  itself (copied from the jupyter-server-mathjax package), and an index.html listing the chapters as
  "NN · title". That package ships only the STIX-Web fonts (not MathJax's default TeX fonts), so each
  page configures MathJax's HTML-CSS output to use them (MATHJAX_CONFIG), as Jupyter itself does.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import chapters as registry
import nbformat
from chapters import ROOT, solution_blocks
from demo import DASHBOARDS
from nbclient import NotebookClient
from nbconvert import HTMLExporter

OUT = ROOT / "build" / "book"
LINK_RE = re.compile(r"\[([^\]]+)\]\((\d\d_[a-z0-9_]+)\.ipynb(#[^)\s]*)?\)")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MATHJAX = "_static/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
REQUIRE_JS = re.compile(r'<script[^>]*src="https://[^"]*require[^"]*"[^>]*>\s*</script>\s*')
NAV = '<div class="gl-book-nav"><a href="index.html">GAN Lessons: contents</a></div>'
QUICK_BANNER = (
    "Built in quick mode: the numbers on this page come from a few training steps and are not results; "
    "run <code>make book</code> for the real ones."
)
# MathJax 2 defaults to its TeX web fonts, which jupyter-server-mathjax does not ship (the browser then
# logs "file not found" for fonts/HTML-CSS/TeX/woff/... and falls back to system fonts). It ships STIX-Web:
# use it, as Jupyter's own MathJax configuration does. Set as window.MathJax before MathJax.js loads.
MATHJAX_CONFIG = {
    "HTML-CSS": {"availableFonts": [], "preferredFont": None, "webFont": "STIX-Web", "imageFont": None},
}
MATHJAX_SCRIPT = re.compile(r'<script[^>]*src="' + re.escape(MATHJAX) + r'"[^>]*>')
PROGRESS_BAR = ("HTMLModel", "HTMLModel")  # tqdm.notebook's HBox: [HTML (left text), *Progress, HTML (right)]
CSS = """
<style>
details.gl-solution { margin: 0.3em 0 1em 5.5em; padding: 0.4em 0.8em; border: 1px solid #9ab;
  border-radius: 4px; background: #f6f9fb; }
details.gl-solution summary { cursor: pointer; font-weight: 600; }
.gl-widget-fallback { border: 1px dashed #9ab; padding: 0.5em; }
.gl-widget-fallback p { font-style: italic; margin: 0.3em 0 0; }
.gl-book-nav { font-family: sans-serif; padding: 0.5em 1em; border-bottom: 1px solid #ddd; }
.gl-quick-banner { font-family: sans-serif; padding: 0.6em 1em; background: #fff3cd; color: #5c4400;
  border-bottom: 2px solid #e0b400; font-weight: 600; }
ul.gl-toc { list-style: none; padding-left: 1em; }
/* MathJax's hidden copy of each formula for screen readers (AssistiveMML) asks, through its NativeMML
   styles, for TeX fonts (fonts/HTML-CSS/TeX/otf) that the book does not have; it is never seen, so keep
   it in the page's fonts and the browser requests nothing that is missing. */
.MJX_Assistive_MathML, .MJX_Assistive_MathML * { font-family: inherit !important; }
</style>
"""


def chapters() -> list[Path]:
    """The notebook of every registered chapter that is in notebooks/, in course order."""
    return [p for p in registry.chapter_paths(".ipynb") if p.exists()]


# ------------------------------------------------------------------------------------------------
# Solutions
# ------------------------------------------------------------------------------------------------
def split_solution(source: str, where: str = "cell") -> tuple[str, str] | None:
    """(the cell without its solution lines, the solution) or None for a cell without one."""
    lines = source.splitlines()
    blocks = solution_blocks(lines, where)
    if not blocks:
        return None
    shown, solution, done = [], [], 0
    for begin, end in blocks:
        indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
        shown += lines[done:begin]
        shown.append(f"{indent}# ... your code here (a solution is folded below)")
        solution += lines[begin + 1 : end]
        done = end + 1
    return "\n".join(shown + lines[done:]), "\n".join(solution)


def fold_solutions(nb, chapter: str = "chapter") -> int:
    """Move each solution into a collapsed block after its cell (after execution); returns how many."""
    cells, folded = [], 0
    for k, cell in enumerate(nb.cells):
        parts = split_solution(cell.source, f"{chapter}, cell {k}") if cell.cell_type == "code" else None
        cells.append(cell)
        if parts:
            cell.source, solution = parts
            block = (
                '<details class="gl-solution"><summary>Solution</summary>\n'
                f"<pre><code>{html.escape(solution)}</code></pre>\n</details>"
            )
            cells.append(nbformat.v4.new_markdown_cell(block))
            folded += 1
    nb.cells = cells
    return folded


# ------------------------------------------------------------------------------------------------
# Widgets: their last frame
# ------------------------------------------------------------------------------------------------
def _widget_images(state: dict, model_id: str, seen: set | None = None) -> list[str]:
    """base64 PNGs shown by a widget and its children (Image widgets, and images in Output widgets)."""
    seen = seen if seen is not None else set()
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    entry = state[model_id]
    model = entry.get("state", {})
    found = []
    if entry.get("model_name") == "ImageModel":
        for buf in entry.get("buffers", []):
            if buf.get("path") == ["value"]:
                found.append(buf["data"])
        if isinstance(model.get("value"), str) and model["value"]:
            found.append(model["value"])
    for out in model.get("outputs", []) if entry.get("model_name") == "OutputModel" else []:
        png = out.get("data", {}).get("image/png")
        if png:
            found.append(png if isinstance(png, str) else "".join(png))
    refs = []
    for value in model.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.startswith("IPY_MODEL_"):
                refs.append(item[len("IPY_MODEL_") :])
    for ref in refs:
        found += _widget_images(state, ref, seen)
    return found


def progress_text(state: dict, model_id: str) -> str | None:
    """A tqdm progress bar's final state as text ("epoch 1/1: 100%|##########| 62/62 [...]"), "" for a bar
    that closed itself (tqdm's leave=False hides it), None when `model_id` is not a progress bar.

    tqdm.auto shows an HBox of [HTML, FloatProgress, HTML] whose text/plain fallback is its state when it
    was first displayed (0%); the widget state stored after the run holds its last one."""
    entry = state.get(model_id, {})
    model = entry.get("state", {})
    if entry.get("model_name") != "HBoxModel":
        return None
    kids = [state.get(str(c).removeprefix("IPY_MODEL_"), {}) for c in model.get("children", [])]
    names = tuple(k.get("model_name", "") for k in kids)
    if len(names) != 3 or (names[0], names[2]) != PROGRESS_BAR or not names[1].endswith("ProgressModel"):
        return None
    layout = state.get(str(model.get("layout", "")).removeprefix("IPY_MODEL_"), {}).get("state", {})
    if layout.get("visibility") == "hidden":
        return ""
    left, bar, right = (k.get("state", {}) for k in kids)
    lo, hi, value = (float(bar.get(key) or 0) for key in ("min", "max", "value"))
    filled = round(10 * min(max((value - lo) / (hi - lo), 0.0), 1.0)) if hi > lo else 10

    def text(part: dict) -> str:  # tqdm writes escaped text with figure spaces (U+2007) into HTML widgets
        return html.unescape(re.sub(r"<[^>]*>", "", part.get("value") or "")).replace("\u2007", " ")

    return f"{text(left)}|{'█' * filled}{' ' * (10 - filled)}|{text(right)}"


def static_widgets(nb, chapter: str) -> int:
    """Replace every widget output by its images and a line on running it live, and every progress bar by its
    final text (or nothing, for a bar that closed itself); returns how many outputs were replaced."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    replaced = 0
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            view = (
                out.get("data", {}).get(WIDGET_VIEW)
                if out.get("output_type") in ("display_data", "execute_result")
                else None
            )
            if view is None:
                outputs.append(out)
                continue
            replaced += 1
            bar = progress_text(state, view.get("model_id", ""))
            if bar is not None:
                if bar:
                    out["data"] = {"text/plain": bar}
                    out["metadata"] = {}
                    outputs.append(out)
                continue
            images = _widget_images(state, view.get("model_id", ""))
            imgs = "".join(f'<img src="data:image/png;base64,{b}" alt="widget frame"> ' for b in images)
            shown = "this page shows its last frame" if images else "a static page cannot show it"
            demo = (
                f" or the dashboard alone (<code>make demo CHAPTER={chapter}</code>)"
                if chapter in DASHBOARDS
                else ""
            )
            note = f"A live widget: {shown}. To use it, run this chapter in JupyterLab (<code>make lab</code>){demo}."
            out["data"] = {"text/html": f'<div class="gl-widget-fallback">{imgs}<p>{note}</p></div>'}
            outputs.append(out)
        if "outputs" in cell:
            cell.outputs = outputs
    nb.metadata.pop("widgets", None)  # nothing to embed: a static page has no widget manager
    return replaced


# ------------------------------------------------------------------------------------------------
# Links
# ------------------------------------------------------------------------------------------------
def rewrite_links(nb, present: set[str]) -> list[str]:
    """chapter.ipynb links -> chapter.html; links to chapters not (yet) in the book -> plain text."""
    missing = []

    def sub(m: re.Match) -> str:
        text, stem, anchor = m.group(1), m.group(2), m.group(3) or ""
        if stem in present:
            return f"[{text}]({stem}.html{anchor})"
        missing.append(stem)
        return f"{text} *(coming)*"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = LINK_RE.sub(sub, cell.source)
    return missing


# ------------------------------------------------------------------------------------------------
# Build
# ------------------------------------------------------------------------------------------------
def copy_mathjax(out: Path) -> None:
    import jupyter_server_mathjax

    src = Path(jupyter_server_mathjax.__file__).parent / "static"
    dst = out / "_static" / "mathjax"
    if dst.exists():
        shutil.rmtree(dst)
    # the TeX web fonts in woff are enough for every current browser; skip the other font formats
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.eot", "*.otf", "*.svg"))


def execute(nb, path: Path, quick: bool, timeout: int) -> None:
    saved = dict(os.environ)
    os.environ["GAN_LESSONS_QUICK"] = "1" if quick else "0"  # the kernel inherits the environment
    if not quick:
        os.environ.pop("CI", None)  # CI turns quick mode on; full mode was asked for
    os.environ.pop("MPLBACKEND", None)  # the kernel's inline backend, as a student's would use
    try:
        _run(nb, path, timeout)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run(nb, path: Path, timeout: int) -> None:
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=False,  # cells tagged raises-exception may fail; nothing else
        store_widget_state=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()


def title_of(nb, stem: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return stem


def toc_entry(stem: str) -> str:
    """The index's one numbering, "NN · title", with the registry's title (as in 00_index's table of contents),
    whether or not the chapter's own heading starts with its number."""
    entry = registry.chapter(stem)
    return f"{entry.number} · {entry.title}"


def banner(mode: str) -> str:
    """The notice at the top of every page of a quick build; nothing in full mode."""
    return f'<div class="gl-quick-banner">{QUICK_BANNER}</div>' if mode == "quick" else ""


def render_page(nb, title: str, mode: str, exporter: HTMLExporter | None = None) -> str:
    """One chapter's page (its notebook already executed, folded and relinked): nbconvert's HTML with the
    book's style, navigation, the quick-mode banner in quick mode and MathJax set to the fonts it ships."""
    exporter = exporter or HTMLExporter(template_name="lab", mathjax_url=MATHJAX, exclude_input_prompt=False)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    body = body.replace("</head>", CSS + "</head>", 1)
    body = REQUIRE_JS.sub("", body)  # only the widget manager needs it, and it comes from a CDN
    config = f"<script>window.MathJax = {json.dumps(MATHJAX_CONFIG)};</script>\n"
    body, n = MATHJAX_SCRIPT.subn(lambda m: config + m.group(0), body, count=1)
    if not n:
        raise RuntimeError(f"{title}: nbconvert's page no longer loads {MATHJAX}; update MATHJAX_SCRIPT")
    return re.sub(r"<body[^>]*>", lambda m: m.group(0) + NAV + banner(mode), body, count=1)


def build(
    out: Path = OUT, mode: str = "full", execute_only: set[str] | None = None, timeout: int = 1800
) -> dict:
    """Build the book into `out`; returns a summary (pages, seconds, sizes). Raises on a failing cell."""
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out)
    exporter = HTMLExporter(template_name="lab", mathjax_url=MATHJAX, exclude_input_prompt=False)
    paths = chapters()
    present = {p.stem for p in paths}
    pages, report = [], {"mode": mode, "chapters": {}}
    for path in paths:
        num = path.stem[:2]
        nb = nbformat.read(path, as_version=4)
        run_it = execute_only is None or num in execute_only
        t0 = time.perf_counter()
        if run_it:
            print(f"executing {path.name} ({mode} mode) ...", flush=True)
            try:
                execute(nb, path, quick=(mode == "quick"), timeout=timeout)
            except Exception as err:
                raise RuntimeError(f"{path.name}: a cell failed while building the book:\n{err}") from err
        seconds = time.perf_counter() - t0
        widgets = static_widgets(nb, num)
        folded = fold_solutions(nb, path.name)
        missing = rewrite_links(nb, present)
        title = title_of(nb, path.stem)
        page = render_page(nb, title, mode, exporter)
        (out / f"{path.stem}.html").write_text(page, encoding="utf-8")
        pages.append((path.stem, run_it))
        report["chapters"][path.stem] = {
            "executed": run_it,
            "seconds": round(seconds, 1),
            "widgets": widgets,
            "solutions": folded,
            "coming": sorted(set(missing)),
        }
    rows = "\n".join(
        f'<li><a href="{stem}.html">{html.escape(toc_entry(stem))}</a>'
        + ("" if ran else " <em>(not executed in this build)</em>")
        + "</li>"
        for stem, ran in pages
    )
    index = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>GAN Lessons</title>" + CSS + "</head>"
        "<body style='font-family: sans-serif; max-width: 50em; margin: 2em auto;'>" + banner(mode) + ""
        "<h1>GAN Lessons</h1><p>An interactive course on Generative Adversarial Networks, as a static "
        f"book: every chapter with its outputs, executed in {mode} mode on "
        f"{time.strftime('%Y-%m-%d')}. Solutions are folded under each exercise. Widgets show their "
        "last frame; run the course in JupyterLab (<code>make lab</code>) to use them live.</p>"
        f"<ul class='gl-toc'>\n{rows}\n</ul></body></html>\n"
    )
    (out / "index.html").write_text(index, encoding="utf-8")
    report["seconds"] = round(time.perf_counter() - start, 1)
    report["bytes"] = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    (out / "book.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--mode",
        choices=["quick", "full"],
        default="full",
        help="full: the real results (default); quick: CI's",
    )
    parser.add_argument("--execute", help="comma-separated chapter numbers to execute (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        only = {registry.chapter(c).number for c in args.execute.split(",")} if args.execute else None
    except KeyError as err:
        parser.error(f"--execute: {err.args[0]}")
    report = build(args.out, args.mode, only, args.timeout)
    print(
        f"book: {len(report['chapters'])} chapters in {args.out} ({report['bytes'] / 1e6:.1f} MB), "
        f"built in {report['seconds']:.0f} s ({args.mode} mode)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
