"""Repository-wide pytest settings (tests/ and the notebooks that nbval runs): one torch thread per
pytest-xdist worker, the time each file took (notebooks included), printed at the end, and the `notebook`
marker on every notebook cell."""

import os
from collections import defaultdict

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist runs one worker per core (pyproject.toml's addopts): one torch thread each, set before
    # torch starts, and inherited by the notebook kernels and subprocesses that a worker starts. Two
    # threads per worker on a 2-core machine would oversubscribe the cores and slow every test down.
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["MKL_NUM_THREADS"] = "1"

_seconds: dict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report):
    _seconds[report.nodeid.split("::")[0]] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _seconds:
        return
    terminalreporter.section("time per file")
    for path, seconds in sorted(_seconds.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{seconds:8.1f} s  {path}")
    terminalreporter.write_line(f"{sum(_seconds.values()):8.1f} s  in all")


def pytest_collection_modifyitems(items):
    """Every cell that nbval collects from a notebook is marked `notebook`, so that `-m "not notebook"`
    (make unit) leaves the notebooks out and `-m notebook` runs them alone."""
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.notebook)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Every notebook cell that nbval runs shows each figure once: two identical images in one cell's outputs
    mean a plotting helper drew a figure and the cell displayed it again (the wrong world of issue 26)."""
    result = yield
    outputs = getattr(item, "test_outputs", None) if item.path.suffix == ".ipynb" else None
    pngs = [o["data"]["image/png"] for o in outputs or () if "image/png" in o.get("data", {})]
    if len(pngs) != len(set(pngs)):
        raise AssertionError(
            f"{item.path.name}, {item.name}: the same figure is displayed twice in one cell. A plotting helper "
            "returns its figure (closed in pyplot); show it once, with display(fig) or as the cell's last line."
        )
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """nbval starts a notebook's kernel in its first cell's setup: start it on the inline backend, as JupyterLab
    does, whatever MPLBACKEND the test process has (make test sets agg), so that the cells show their figures
    the way a student sees them, and a figure shown twice is seen by the check above."""
    if item.path.suffix != ".ipynb":
        return (yield)
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        return (yield)
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before
