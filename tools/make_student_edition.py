"""Generate the student edition of the course from the chapters' .py sources.

    python tools/make_student_edition.py            # writes student/NN_slug.ipynb for each chapter not there yet
    python tools/make_student_edition.py --force    # rewrites them all (a student's work in student/ is lost)
    python tools/make_student_edition.py --out DIR  # somewhere else (the tests use a tmp dir)

Without --force an existing student notebook is kept, so `make lab` never overwrites a student's work.

The convention (nbgrader's markers, so instructors who use nbgrader can take the sources as they are):
an exercise cell is tagged `exercise`; inside a function body it holds

    def my_d_loss(d_real, d_fake):
        ### BEGIN SOLUTION
        # Task: return D's loss, -(mean log D(x) + mean log(1 - D(G(z)))), on logits or on probabilities.
        return ...
        ### END SOLUTION


    check_d_loss(my_d_loss)

In the student edition the block between the markers becomes
`raise NotImplementedError("return D's loss, ...")` (the text of the `# Task:` line), and the
checker, which every `check_...` function gets from `gan_lessons.checks.core.checker`, prints
"Not done yet: return D's loss, ..." instead of a traceback, so Run All runs the whole chapter.
The block must be indented (inside a `def`): a stub at the top level of a cell would stop the cell
before its checker runs. Anything that is wrong with the markers is an error here, with the cell named.

The student edition is generated and never committed: `student/` is git-ignored (students write their
answers there), and `make lab` creates the notebooks that are missing before opening it (see README,
"For instructors").
"""

from __future__ import annotations

import argparse
import copy
import sys
import textwrap
from pathlib import Path

import jupytext
import nbformat
from chapters import BEGIN, KERNELSPEC, ROOT, TASK, MarkerError, chapter_paths, has_solution, solution_blocks

OUT_DIR = ROOT / "student"
STUB_WIDTH = 88  # columns: a stub's line fits a JupyterLab cell at a laptop's usual width
EXERCISE_TAG = "exercise"
STUDENT_NOTE = (
    "**Student edition.** Each exercise cell holds a stub, `raise NotImplementedError(...)`, that says what "
    "to write; until you replace it, the cell's checker prints *Not done yet* and the chapter runs on."
)


def student_source(source: str, where: str = "cell") -> str:
    """`source` with each BEGIN/END SOLUTION block replaced by `raise NotImplementedError("<task>")`."""
    lines = source.split("\n")
    out: list[str] = []
    done = 0  # lines before this one are in `out` already
    for begin, end in solution_blocks(lines, where):
        line = lines[begin]
        indent = line[: len(line) - len(line.lstrip())]
        if not indent:
            raise MarkerError(
                f"{where}: the solution block must be inside a function body (indented); a stub at the top "
                "level of a cell would stop the cell before its checker runs."
            )
        body = lines[begin + 1 : end]
        if not body or not body[0].strip().startswith(TASK):
            raise MarkerError(f"{where}: the first line after `{BEGIN}` must be `{TASK} <what to write>`.")
        task = body[0].strip()[len(TASK) :].strip()
        if not task:
            raise MarkerError(f"{where}: the `{TASK}` line is empty.")
        out += lines[done:begin]
        out += stub_lines(indent, task)
        done = end + 1
    return "\n".join(out + lines[done:])


def stub_lines(indent: str, task: str, width: int = STUB_WIDTH) -> list[str]:
    """`raise NotImplementedError("<task>")`, on one line when it fits in `width` columns, else with the
    message wrapped into string literals that Python joins back into the same text, so that the stub does
    not run off the right edge of the cell."""
    line = f"{indent}raise NotImplementedError({_literal(task)})"
    if len(line) <= width:
        return [line]
    inner = indent + "    "
    chunks = textwrap.wrap(task, width=width - len(inner) - 3, break_long_words=False, break_on_hyphens=False)
    parts = [c + " " for c in chunks[:-1]] + chunks[-1:]
    if "".join(parts) != task:  # runs of spaces, tabs: keep the text exact on one line
        return [line]
    return [f"{indent}raise NotImplementedError(", *(f"{inner}{_literal(p)}" for p in parts), f"{indent})"]


def _literal(text: str) -> str:
    """`text` as a double-quoted Python string literal (the course's style, as ruff format writes it)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def student_notebook(py: Path):
    """The student edition of one chapter (a nbformat notebook, no outputs)."""
    nb = jupytext.read(py)
    n_exercises = 0
    for k, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or not has_solution(cell.source):
            if EXERCISE_TAG in tags:
                raise MarkerError(f"{py.name}, cell {k}: tagged `{EXERCISE_TAG}` but has no `{BEGIN}` block.")
            continue
        if EXERCISE_TAG not in tags:
            raise MarkerError(
                f"{py.name}, cell {k}: has a `{BEGIN}` block but is not tagged `{EXERCISE_TAG}`."
            )
        cell.source = student_source(cell.source, f"{py.name}, cell {k}")
        n_exercises += 1
    if n_exercises:
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(STUDENT_NOTE))
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = language_info()
    return nb


def language_info() -> dict:
    """What this Python's ipykernel reports as its language_info. `make lab` writes the student edition
    with the Python that then runs its kernel, so JupyterLab finds the same value when the kernel starts and
    does not mark the notebook modified as it opens (it sets language_info from the kernel, and a notebook
    whose stored value differs, or that has none, becomes "unsaved")."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(IPythonKernel.language_info)


def build(out_dir: Path = OUT_DIR, force: bool = True) -> list[Path]:
    """Write the student edition of every chapter into out_dir (only the missing ones unless `force`);
    returns the notebooks written. Every chapter is converted first, so a marker error writes nothing."""
    notebooks = {py: student_notebook(py) for py in chapter_paths(".py")}
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for py, nb in notebooks.items():
        target = out_dir / f"{py.stem}.ipynb"
        if target.exists() and not force:
            continue
        jupytext.write(nb, target, fmt="ipynb")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where to write (default: student/)")
    parser.add_argument("--force", action="store_true", help="overwrite student notebooks that exist")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, force=args.force)
    except MarkerError as err:
        print(f"make_student_edition: {err}", file=sys.stderr)
        return 1
    kept = len(chapter_paths(".py")) - len(written)
    print(f"Student edition in {args.out}: {len(written)} written, {kept} kept (--force rewrites them).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
