"""Demo mode (tools/demo.py, `make demo`): every dashboard notebook it generates runs in a fresh kernel
and leaves a live widget as its output, with no code shown by Voilà (tests/test_browser.py plays one
in a real browser). The generators that dashboards need are trained into a tmp folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402
import demo  # noqa: E402

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("chapter", list(demo.DASHBOARDS))
@pytest.mark.slow
def test_every_dashboard_runs_and_shows_a_widget(chapter, tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_LESSONS_DEMO_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("GAN_LESSONS_QUICK", "1")
    (path,) = demo.write_dashboards([chapter], tmp_path / "demo")
    nb = demo.notebook(chapter)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    last = nb.cells[-1].outputs
    assert any(WIDGET in o.get("data", {}) for o in last), f"{path.name}: no widget in {last}"
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    if "pretrained(" in nb.cells[-1].source:  # the generator was trained and saved where the demo looks
        assert len(list((tmp_path / "runs").glob("*/checkpoint.pt"))) == 1


def test_every_dashboard_belongs_to_a_registered_chapter():
    for number, (name, _, _) in demo.DASHBOARDS.items():
        assert chapters.chapter(number).number == number and name.startswith(f"{number}_"), name


def test_an_unknown_chapter_is_named(capsys):
    with pytest.raises(SystemExit):
        demo.main(["--chapter", "99"])
    assert "has no dashboard; choose one of 03, 04, 05, 10" in capsys.readouterr().err
