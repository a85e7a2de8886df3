"""The course's chapters and their exercise markers, in one place: which chapters exist, in what
order, and where a solution starts and ends. Every tool, test and benchmark reads them from here.

    import chapters                     # with tools/ on sys.path (a script in tools/ has it)
    chapters.CHAPTERS                   # the ordered registry
    chapters.chapter_paths(".ipynb")    # notebooks/NN_slug.ipynb of every chapter, in course order
    chapters.chapter("06")              # by number, slug ("evaluating") or stem ("06_evaluating")

- `CHAPTERS` mirrors the course map (COURSE.md): number, slug, title, and the one-line description
  that the index's table of contents shows. tools/build_nav.py writes the index and the prev/next cells
  from it; tools/build_book.py, tools/make_student_edition.py, tools/demo.py,
  benchmarks/chapter_times.py and the tests take their chapters from it. tests/test_notebooks.py
  checks that it matches notebooks/: every `NN_slug.py` there is registered and every registered
  chapter is there. To add, move or rename a chapter, `git mv` its pair, edit its entry here and
  run `make nav`.
- `solution_blocks` is the one parser of the exercise markers (nbgrader's `### BEGIN SOLUTION` /
  `### END SOLUTION`): the student edition replaces each block by a stub, the book folds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
#: The kernel every notebook names in its metadata (tools/build_nav.py writes it into notebooks/*.ipynb,
#: tools/make_student_edition.py into student/), so JupyterLab starts it without a "Select Kernel" dialog.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: A chapter's file name without its suffix: two digits, an underscore, a lower-case slug.
STEM_RE = re.compile(r"^(\d\d)_[a-z0-9_]+$")


@dataclass(frozen=True)
class Chapter:
    number: str  # two digits: the chapter's place in the course
    slug: str
    title: str
    description: str  # what you will do, in one line (the index's table of contents)

    @property
    def stem(self) -> str:
        """`NN_slug`, the name of its notebook pair."""
        return f"{self.number}_{self.slug}"

    @property
    def py(self) -> Path:
        """notebooks/NN_slug.py, the source of truth."""
        return NB_DIR / f"{self.stem}.py"

    @property
    def ipynb(self) -> Path:
        """notebooks/NN_slug.ipynb, its generated pair."""
        return NB_DIR / f"{self.stem}.ipynb"


# In course order; mirrors the course map.
CHAPTERS: tuple[Chapter, ...] = (
    Chapter("00", "index", "Index", "course map, how to run, instructor's guide, environment check"),
    Chapter(
        "01",
        "background",
        "Background",
        "vision tasks side by side; generative vs discriminative; where GANs sit",
    ),
    Chapter(
        "02",
        "core_concepts",
        "Core concepts",
        "G and D as networks; GAN vs CNN classifier; GAN vs autoencoder",
    ),
    Chapter(
        "03",
        "loss_math",
        "The loss, the maths",
        "V(D,G), D*, JSD, saturating vs non-saturating, the article's errors fixed",
    ),
    Chapter(
        "04",
        "toy_gan_playground",
        "Toy GAN playground",
        "GAN Lab in a notebook: 2-D data, live D heatmap, G manifold",
    ),
    Chapter(
        "05",
        "dcgan_mnist",
        "DCGAN on MNIST",
        "the article's code done right: shapes, training loop, samples, checkpoints",
    ),
    Chapter(
        "06",
        "evaluating",
        "Evaluating GANs",
        "FID with LeNet features, precision/recall, class coverage, memorisation",
    ),
    Chapter(
        "07",
        "bug_hunt",
        "Bug hunt",
        "ten classic mistakes, each run, its symptom shown, then fixed; find the bugs",
    ),
    Chapter(
        "08",
        "training_pitfalls",
        "Training pitfalls",
        "mode collapse, oscillation, vanishing gradients, diagnostics",
    ),
    Chapter(
        "09",
        "stabilizing",
        "Stabilizing GANs",
        "WGAN, WGAN-GP, spectral norm, hinge, TTUR, label smoothing, minibatch std, R1, DiffAugment on one table",
    ),
    Chapter(
        "10",
        "conditional_gan",
        "Conditional GAN",
        "class-conditional digits: projection vs class-linear D, auxiliary classifier (97-99% obey), per-class diversity, explorer",
    ),
    Chapter(
        "11",
        "gan_segmentation",
        "GANs for segmentation",
        "per-pixel vs pix2pix vs semi-supervised adversarial U-Nets at 16-1,024 labels; IoU, boundary F1, stray blobs",
    ),
    Chapter(
        "12",
        "where_gans_stand",
        "Where GANs stand",
        "2014-2026: diffusion, flow matching, distillation, R3GAN; GAN vs diffusion vs flow matching measured",
    ),
    Chapter(
        "13", "faq", "FAQ and references", "the questions learners ask, each as a runnable cell; references"
    ),
)


def chapter_paths(suffix: str = ".py") -> list[Path]:
    """notebooks/NN_slug{suffix} of every registered chapter, in course order."""
    return [NB_DIR / f"{c.stem}{suffix}" for c in CHAPTERS]


def chapter(key: str) -> Chapter:
    """The chapter with this number ("6" or "06"), slug ("evaluating") or stem ("06_evaluating")."""
    key = str(key).strip()
    number = key.zfill(2) if key.isdigit() else None
    for c in CHAPTERS:
        if key in (c.slug, c.stem) or c.number == number:
            return c
    raise KeyError(f"no chapter {key!r}; the chapters are {', '.join(c.stem for c in CHAPTERS)}")


def on_disk(suffix: str = ".py") -> list[Path]:
    """Every notebooks/NN_slug{suffix} file, registered or not (what the registry is checked against)."""
    return sorted(p for p in NB_DIR.glob(f"[0-9][0-9]_*{suffix}") if STEM_RE.match(p.name[: -len(suffix)]))


# ------------------------------------------------------------------------------------------------
# Exercise markers
# ------------------------------------------------------------------------------------------------
BEGIN, END, TASK = "### BEGIN SOLUTION", "### END SOLUTION", "# Task:"


class MarkerError(ValueError):
    """Solution markers that do not pair up (or a block that the student edition cannot stub); the
    message names the cell."""


def solution_blocks(lines: list[str], where: str = "cell") -> list[tuple[int, int]]:
    """(index of the BEGIN line, index of its END line) of each solution block in `lines`, in order.
    A marker is a line that is exactly BEGIN or END once stripped. Raises MarkerError, naming `where`,
    for an END without a BEGIN, a BEGIN without an END, or a BEGIN inside a block."""
    blocks: list[tuple[int, int]] = []
    start = None
    for i, line in enumerate(lines):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise MarkerError(f"{where}: nested `{BEGIN}`.")
            start = i
        elif marker == END:
            if start is None:
                raise MarkerError(f"{where}: `{END}` without a `{BEGIN}` before it.")
            blocks.append((start, i))
            start = None
    if start is not None:
        raise MarkerError(f"{where}: `{BEGIN}` without `{END}`.")
    return blocks


def has_solution(source: str) -> bool:
    """Whether a cell's source holds a BEGIN marker."""
    return any(line.strip() == BEGIN for line in source.split("\n"))
