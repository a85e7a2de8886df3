"""Refresh the course navigation, then regenerate every .ipynb from its .py (the source of truth).

    python tools/build_nav.py          # rewrite what is stale
    python tools/build_nav.py --check  # exit 1 if anything is stale (used by the tests)

- In notebooks/00_index.py, the table between <!-- toc:start --> and <!-- toc:end --> lists every
  chapter of the course map, linked when its notebook exists, "coming" otherwise.
- In every chapter, a markdown cell marked <!-- nav:top --> (inserted as the second cell) and one
  marked <!-- nav:bottom --> (the last cell) link to the previous and next chapters.
Running it again is safe: cells are found by their markers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"

# (number, slug, title, what it teaches) in course order; mirrors the course map.
CHAPTERS = [
    ("00", "index", "Index", "course map, how to run, instructor's guide, environment check"),
    (
        "01",
        "background",
        "Background",
        "vision tasks side by side; generative vs discriminative; where GANs sit",
    ),
    (
        "02",
        "core_concepts",
        "Core concepts",
        "G and D as networks; GAN vs CNN classifier; GAN vs autoencoder",
    ),
    (
        "03",
        "loss_math",
        "The loss, the maths",
        "V(D,G), D*, JSD, saturating vs non-saturating, the article's errors fixed",
    ),
    (
        "04",
        "toy_gan_playground",
        "Toy GAN playground",
        "GAN Lab in a notebook: 2-D data, live D heatmap, G manifold",
    ),
    (
        "05",
        "dcgan_mnist",
        "DCGAN on MNIST",
        "the article's code done right: shapes, training loop, samples, checkpoints",
    ),
    (
        "06",
        "evaluating",
        "Evaluating GANs",
        "FID with LeNet features, precision/recall, class coverage, memorisation",
    ),
    (
        "07",
        "bug_hunt",
        "Bug hunt",
        "ten classic mistakes, each run, its symptom shown, then fixed; find the bugs",
    ),
    (
        "08",
        "training_pitfalls",
        "Training pitfalls",
        "mode collapse, oscillation, vanishing gradients, diagnostics",
    ),
    (
        "09",
        "stabilizing",
        "Stabilizing GANs",
        "WGAN, WGAN-GP, spectral norm, hinge, TTUR, label smoothing, minibatch std, R1, DiffAugment on one table",
    ),
    (
        "10",
        "conditional_gan",
        "Conditional GAN",
        "class-conditional digits (projection D + auxiliary classifier: 97.8-99.3% obey their label), latent-space explorer",
    ),
    (
        "11",
        "gan_segmentation",
        "GANs for segmentation",
        "pix2pix-style image -> mask vs a plain U-Net, IoU/Dice",
    ),
    ("12", "future_and_faq", "Future and FAQ", "trends, diffusion models, the FAQ as runnable cells"),
]
TOC_RE = re.compile(r"<!-- toc:start -->.*?<!-- toc:end -->", re.S)
# Each chapter states its own measured full-mode time in its .py, on one line of its own:
#     # <!-- full-mode-time: 56 s -->
# (measure it with `make book BOOK_MODE=full`, whose build/book/book.json lists seconds per chapter, or
# by running the chapter top to bottom in full mode on a 2-core CPU). The index reads it from there, so
# every chapter's line in the index depends on that chapter's file alone.
TIME_RE = re.compile(r"<!-- full-mode-time: *(.+?) *-->")


def name(num: str, slug: str) -> str:
    return f"{num}_{slug}"


def existing() -> list[tuple[str, str, str, str]]:
    return [c for c in CHAPTERS if (NB_DIR / f"{name(c[0], c[1])}.py").exists()]


def full_mode_time(py: Path) -> str:
    """The chapter's own `<!-- full-mode-time: ... -->` marker, or "not measured yet"."""
    if not py.exists():
        return ""
    found = TIME_RE.search(py.read_text(encoding="utf-8"))
    return found.group(1) if found else "not measured yet"


def toc_block() -> str:
    rows = [
        "| # | chapter | what you will do | full mode, 2-core CPU |",
        "|---|---|---|---|",
    ]
    for num, slug, title, what in CHAPTERS:
        py = NB_DIR / f"{name(num, slug)}.py"
        nb = f"{name(num, slug)}.ipynb"
        link = f"[{title}]({nb})" if py.exists() else f"{title} *(coming)*"
        rows.append(f"| {num} | {link} | {what} | {full_mode_time(py)} |")
    return "\n".join(rows)


def nav_text(index: int, chapters: list, where: str) -> str:
    parts = []
    if index > 0:
        num, slug, title, _ = chapters[index - 1]
        parts.append(f"[← {num} {title}]({name(num, slug)}.ipynb)")
    if index > 0:
        parts.append("[Index](00_index.ipynb)")
    if index + 1 < len(chapters):
        num, slug, title, _ = chapters[index + 1]
        parts.append(f"[{num} {title} →]({name(num, slug)}.ipynb)")
    return f"<!-- nav:{where} -->\n" + " | ".join(parts)


def refresh(py: Path, index: int, chapters: list) -> str:
    nb = jupytext.read(py)
    cells = nb.cells
    for where in ("top", "bottom"):
        text = nav_text(index, chapters, where)
        found = [
            c for c in cells if c.cell_type == "markdown" and c.source.startswith(f"<!-- nav:{where} -->")
        ]
        if found:
            found[0].source = text
        else:
            cell = jupytext.formats.nbformat.v4.new_markdown_cell(text)
            cells.insert(1 if where == "top" else len(cells), cell)
    if py.stem == "00_index":
        for c in cells:
            if c.cell_type == "markdown" and "<!-- toc:start -->" in c.source:
                block = "<!-- toc:start -->\n" + toc_block() + "\n<!-- toc:end -->"
                c.source = TOC_RE.sub(lambda _, block=block: block, c.source)
    return jupytext.writes(nb, fmt="py:percent")


def main(check: bool) -> int:
    chapters = existing()
    stale = []
    for i, (num, slug, _, _) in enumerate(chapters):
        py = NB_DIR / f"{name(num, slug)}.py"
        ipynb = py.with_suffix(".ipynb")
        new_py = refresh(py, i, chapters)
        if new_py != py.read_text(encoding="utf-8"):
            stale.append(py)
            if not check:
                py.write_text(new_py, encoding="utf-8")
        nb = jupytext.read(py) if not check else jupytext.reads(new_py, fmt="py:percent")
        new_ipynb = jupytext.writes(nb, fmt="ipynb")
        if not ipynb.exists() or _cells(jupytext.read(ipynb)) != _cells(nb):
            stale.append(ipynb)
            if not check:
                ipynb.write_text(new_ipynb, encoding="utf-8")
    for path in stale:
        print(("stale: " if check else "updated: ") + str(path.relative_to(ROOT)))
    return 1 if (check and stale) else 0


def _cells(nb) -> list:
    return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
