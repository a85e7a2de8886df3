"""Chapter 11's committed grid (benchmarks/results/segmentation_grid.json) and its reader: every cell the chapter
reads is there over 3 seeds, the softness-shortcut runs included; the grid script plans exactly those cells;
a missing file, an empty file and a missing cell get clear errors."""

import importlib.util
import json
from pathlib import Path

import pytest

from gan_lessons.pix2pix import GRID_RESULTS, METHODS, grid_cell, load_grid

ROOT = Path(__file__).resolve().parent.parent


def _grid_script():
    spec = importlib.util.spec_from_file_location(
        "segmentation_grid", ROOT / "benchmarks" / "segmentation_grid.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_grid_holds_every_cell_the_chapter_reads():
    rows = load_grid()
    for n in (16, 64, 256, 1024):
        for method in METHODS:
            assert sorted(grid_cell(rows, method, n)) == [0, 1, 2], (method, n)
    for n in (16, 64):  # the shortcut comparison: D on probabilities, both adversarial methods
        for method in ("pix2pix", "semi"):
            assert sorted(grid_cell(rows, method, n, hard=False)) == [0, 1, 2], (method, n)
    keys = [(r["method"], r["n_labelled"], r["seed"], r["hard"]) for r in rows]
    assert len(keys) == len(set(keys))  # no cell counted twice
    results = json.loads(GRID_RESULTS.read_text())
    assert "segmentation_grid.py" in results["command"] and "shortcut" in results["note"]


def test_the_grid_script_plans_exactly_the_committed_cells():
    planned = {(c["method"], c["n_labelled"], c["seed"], c["hard"]) for c in _grid_script().cells([0, 1, 2])}
    committed = {(r["method"], r["n_labelled"], r["seed"], r["hard"]) for r in load_grid()}
    assert planned == committed


def test_grid_reader_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="segmentation_grid.py"):
        load_grid(tmp_path / "missing.json")
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"rows": []}))
    with pytest.raises(ValueError, match="no grid rows"):
        load_grid(empty)
    with pytest.raises(ValueError, match="no runs of method='semi', n_labelled=256, hard=False"):
        grid_cell(load_grid(), "semi", 256, hard=False)
