"""The student edition (tools/make_student_edition.py): the stub rule, the markers of every chapter, and
every student notebook run top to bottom: each cell that is not an exercise runs without error, and
each exercise cell ends with the checker's "Not done yet" line (the full edition runs under nbval).
"""

import os
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.ipkernel import IPythonKernel
from nbclient import NotebookClient

from gan_lessons.checks import NOT_DONE

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402
import make_student_edition as mse  # noqa: E402

CHAPTERS = chapters.chapter_paths(".py")
WITH_EXERCISES = [
    py for py in CHAPTERS if any(chapters.has_solution(c.source) for c in mse.jupytext.read(py).cells)
]

SOURCE = """def f(x):
    ### BEGIN SOLUTION
    # Task: return x squared.
    y = x * x
    return y
    ### END SOLUTION


check(f)"""


def test_stub_replaces_the_block_and_keeps_the_rest():
    out = mse.student_source(SOURCE)
    assert out == 'def f(x):\n    raise NotImplementedError("return x squared.")\n\n\ncheck(f)'
    namespace = {}
    exec(out.replace("check(f)", ""), namespace)
    with pytest.raises(NotImplementedError, match="return x squared"):
        namespace["f"](2)


@pytest.mark.parametrize(
    "bad, message",
    [
        (SOURCE.replace("    ### END SOLUTION\n", ""), "without"),
        (SOURCE.replace("    ### BEGIN SOLUTION\n", ""), "without a"),
        (SOURCE.replace("    # Task: return x squared.\n", ""), "Task:"),
        (SOURCE.replace("# Task: return x squared.", "# Task:"), "empty"),
        ("### BEGIN SOLUTION\n# Task: a number\nx = 1\n### END SOLUTION", "function body"),
    ],
)
def test_bad_markers_are_named(bad, message):
    with pytest.raises(chapters.MarkerError, match=message):
        mse.student_source(bad, "ch, cell 3")


def test_every_chapter_follows_the_convention_and_every_exercise_is_stubbed(tmp_path):
    """Markers, `exercise` tags and `# Task:` lines are right in every chapter (MarkerError otherwise),
    and no solution line survives in the student edition."""
    written = mse.build(tmp_path)
    assert {p.stem for p in written} == {p.stem for p in CHAPTERS}
    assert WITH_EXERCISES, "no chapter has an exercise"
    for path in written:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert chapters.BEGIN not in text and chapters.END not in text, path.name
        exercises = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
        assert all("raise NotImplementedError(" in c.source for c in exercises), path.name
        assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
        # the kernel to start, and what it will report: JupyterLab opens the notebook unmodified
        assert nb.metadata["kernelspec"] == chapters.KERNELSPEC, path.name
        assert nb.metadata["language_info"] == IPythonKernel.language_info, path.name


@pytest.mark.parametrize("py", WITH_EXERCISES, ids=lambda p: p.stem)
@pytest.mark.slow
def test_student_edition_runs_top_to_bottom(py, tmp_path):
    """Run All on the student edition: no cell fails, and every exercise cell says "Not done yet"."""
    nb = mse.student_notebook(py)
    env_quick = os.environ.get("GAN_LESSONS_QUICK")
    os.environ["GAN_LESSONS_QUICK"] = "1"
    try:
        client = NotebookClient(
            nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        )
        client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    finally:
        if env_quick is None:
            os.environ.pop("GAN_LESSONS_QUICK")
        else:
            os.environ["GAN_LESSONS_QUICK"] = env_quick
    exercises = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
    assert exercises
    for cell in exercises:
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        lines = [line for line in text.strip().split("\n") if line]
        assert lines and lines[-1].startswith(NOT_DONE), f"{py.stem}: exercise cell ends with {lines[-1:]}"


def test_without_force_a_students_notebook_is_kept(tmp_path):
    mse.build(tmp_path)
    mine = tmp_path / f"{CHAPTERS[-1].stem}.ipynb"
    mine.write_text("my answers")
    assert mine not in mse.build(tmp_path, force=False) and mine.read_text() == "my answers"
    assert mine in mse.build(tmp_path, force=True) and mine.read_text() != "my answers"


def test_a_long_stub_is_wrapped_and_says_the_same():
    task = "return D's loss, -(mean of log D(x) + mean of log(1 - D(G(z)))), one number, on logits or probabilities."
    source = SOURCE.replace("return x squared.", task)
    out = mse.student_source(source)
    assert max(len(line) for line in out.split("\n")) <= mse.STUB_WIDTH
    namespace = {}
    exec(out.replace("check(f)", ""), namespace)
    with pytest.raises(NotImplementedError) as err:
        namespace["f"](2)
    assert str(err.value) == task
