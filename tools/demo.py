"""Demo mode for instructors: the course's dashboards full-screen, without code, served by Voilà.

    python tools/demo.py                 # every dashboard; Voilà lists them
    python tools/demo.py --chapter 04    # one chapter's dashboard
    make demo CHAPTER=04                 # the same through make (PORT=8866 by default)

Each dashboard is a small generated notebook in build/demo/ (not committed): one hidden setup cell
and the widget. Voilà runs it in a kernel and shows only the outputs. The latent explorer (05) shows the
generator that ships with the course (data/dcgan_mnist_g.pt, `gl.load_pretrained_generator()`). The
conditional explorer (10) needs a trained conditional generator: it loads
runs/class-conditional/checkpoint.pt (pre-train it before class, as the README's instructor section
says) and otherwise trains one for a short time budget and saves it there.

To add a dashboard, add one entry to DASHBOARDS: the chapter number, a file name, a title and the
code that builds the widget.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import chapters as registry
import nbformat
from chapters import ROOT

OUT = ROOT / "build" / "demo"
RUNS = ROOT / "runs"

SETUP = """\
import os
from pathlib import Path
import gan_lessons as gl
gl.set_seed(0)


def pretrained(name, config, train):
    \"\"\"The generator of runs/NAME/checkpoint.pt ($GAN_LESSONS_DEMO_RUNS overrides runs/); when it is
    missing, trained now for a short time budget and saved there.\"\"\"
    checkpoint = Path(os.environ.get("GAN_LESSONS_DEMO_RUNS", {runs!r})) / name / "checkpoint.pt"
    if not checkpoint.exists():
        train(gl.new_run(config), gl.load_mnist("train"), 1 if gl.QUICK else 30,
              max_seconds=20 if gl.QUICK else 90, checkpoint_path=checkpoint, progress=False)
    return gl.load_generator(checkpoint)
"""

# chapter number (as in tools/chapters.py) -> (notebook name, title, code that leaves the widget as the cell's value)
DASHBOARDS: dict[str, tuple[str, str, str]] = {
    "03": (
        "03_gaussian_explorer",
        "The 1-D explorer: move p_g, watch D* and the JS divergence",
        "gl.gaussian_explorer()",
    ),
    "04": (
        "04_toy_gan_playground",
        "The toy GAN playground: press Play",
        'gl.playground("ring", seed=0)',
    ),
    "05": (
        "05_latent_explorer",
        "The latent explorer on a trained DCGAN",
        """\
G = gl.load_pretrained_generator()  # shipped in data/, made by tools/make_pretrained_generator.py
gl.latent_explorer(G, seed_a=0, seed_b=1, dims=(0, 1, 2, 3))""",
    ),
    "10": (
        "10_conditional_explorer",
        "The conditional GAN: pick the digit, move through z",
        """\
G = pretrained(
    "class-conditional", gl.TrainConfig(conditional=True, seed=0, **gl.PLAIN_RECIPE, **gl.CONDITIONAL_RECIPE), gl.train_conditional
)
gl.conditional_explorer(G, digit=7, seed_a=0, seed_b=1, dims=(0, 1, 2, 3))""",
    ),
}


def notebook(chapter: str) -> nbformat.NotebookNode:
    name, title, code = DASHBOARDS[chapter]
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nGAN Lessons, chapter {chapter} · demo mode"),
        nbformat.v4.new_code_cell(SETUP.replace("{runs!r}", repr(str(RUNS)))),
        nbformat.v4.new_code_cell(code),
    ]
    return nb


def write_dashboards(chapters: list[str], out: Path = OUT) -> list[Path]:
    """Write one notebook per chapter into `out`; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for chapter in chapters:
        path = out / f"{DASHBOARDS[chapter][0]}.ipynb"
        nbformat.write(notebook(chapter), path)
        paths.append(path)
    return paths


def voila_command(target: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(target),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--theme=light",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", help=f"one of {', '.join(DASHBOARDS)}; default: all")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--out", type=Path, default=OUT, help="where the dashboard notebooks go")
    args = parser.parse_args(argv)
    try:
        chapter = registry.chapter(args.chapter).number if args.chapter else None
    except KeyError:
        chapter = args.chapter
    if chapter is not None and chapter not in DASHBOARDS:
        parser.error(f"chapter {args.chapter!r} has no dashboard; choose one of {', '.join(DASHBOARDS)}")
    paths = write_dashboards([chapter] if chapter else list(DASHBOARDS), args.out)
    target = paths[0] if chapter else args.out
    print(f"Demo mode: http://127.0.0.1:{args.port}/ (Ctrl-C stops it)", flush=True)
    os.chdir(ROOT)
    os.execv(sys.executable, voila_command(target, args.port))
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
