"""The benchmark scripts run and print their numbers (speed lives in their output, never in assertions)."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the benchmarks' smoke runs, each a subprocess that trains

ROOT = Path(__file__).resolve().parent.parent


def run_script(*args: str) -> str:
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    print(result.stdout)
    return result.stdout


def test_time_to_quality_quick_prints_its_table():
    out = run_script("benchmarks/time_to_quality.py", "--quick")
    assert "== course:" in out and "== reference:" in out
    assert "MFLOP per image" in out and "peak RSS" in out
    assert "Time to reach the reference's final FID" in out


def test_step_cost_prints_one_ratio_per_recipe():
    out = run_script("benchmarks/step_cost.py", "--rounds", "1", "--seconds", "0.5")
    lines = [line for line in out.splitlines() if "ms/step" in line]
    assert len(lines) == 3 and lines[0].startswith("plain") and lines[0].endswith("x1.00")


def test_train_benchmark_prints_throughput():
    out = run_script("benchmarks/train_dcgan.py", "--epochs", "1")
    for label in ("images/s:", "seconds per epoch:", "peak RSS:"):
        assert label in out


def test_gpu_check_script_exists_and_explains_itself():
    script = ROOT / "benchmarks" / "gpu_check.sh"
    assert script.is_file() and script.stat().st_mode & 0o111, "benchmarks/gpu_check.sh must be executable"
    result = subprocess.run(["bash", str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    for words in ("CUDA", "time-to-quality", "AMP", "torchrun", "2 GPUs", "one table"):
        assert words in result.stdout, words
    bad = subprocess.run(["bash", str(script), "--fly"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "unknown option --fly" in bad.stderr


def test_ddp_throughput_quick_prints_its_table():
    out = run_script("benchmarks/ddp_throughput.py", "--quick")
    assert "processes x threads" in out and "1 x 2" in out and "2 x 1" in out and "gloo" in out


def test_conditional_recipes_prints_one_row_per_variant(tmp_path):
    out = run_script(
        "benchmarks/conditional_recipes.py",
        "--digits",
        "1280",
        "--epochs",
        "1",
        "--at",
        "10,20",
        "--n-eval",
        "100",
        "--variants",
        "plain,pooled,recipe",
        "--json",
        str(tmp_path / "rows.json"),
    )
    rows = [line for line in out.splitlines() if line.startswith("| ") and "steps" not in line]
    assert len(rows) == 4 and "(the recipe)" in out and "pooled (Miyato & Koyama)" in out, out
    assert all(line.count("%") == 3 for line in rows[1:]), out  # both steps and the worst digit in every row
    assert (tmp_path / "rows.json").read_text().count('"recall_per_class"') == 4  # real + 3 runs


def test_chapter_times_names_a_chapter_by_path_number_or_slug(tmp_path):
    spec = importlib.util.spec_from_file_location("chapter_times", ROOT / "benchmarks" / "chapter_times.py")
    chapter_times = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(chapter_times)
    evaluating = ROOT / "notebooks" / "06_evaluating.py"
    assert chapter_times.chapter_source("6") == chapter_times.chapter_source("evaluating") == evaluating
    assert chapter_times.chapter_source(str(tmp_path / "99_mine.py")) == tmp_path / "99_mine.py"
    with pytest.raises(SystemExit, match="no chapter '99'"):
        chapter_times.chapter_source("99")


def test_chapter_times_sets_a_constant_and_keeps_going_past_a_failing_claim(tmp_path):
    chapter = tmp_path / "99_seeded.py"
    chapter.write_text(
        "# %% [markdown]\n# a chapter\n\n# %%\nSEED = 0\n\n"
        "# %%\nassert SEED == 0, f'seed {SEED}'\n\n# %%\nprint(f'claim measured with seed {SEED}')\n"
    )

    def chapter_times(*options: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "benchmarks/chapter_times.py", str(chapter), *options]
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)

    out = run_script("benchmarks/chapter_times.py", str(chapter))
    assert "claim measured with seed 0" in out and "TOTAL 99_seeded" in out
    failing = chapter_times("--set", "SEED=3", "--keep-going")
    assert failing.returncode == 1 and "AssertionError: seed 3" in failing.stderr
    assert "claim measured with seed 3" in failing.stdout and "FAILED cells: [1]" in failing.stdout
    stops = chapter_times("--set", "SEED=3")
    assert stops.returncode == 1 and "claim measured" not in stops.stdout
    unknown = chapter_times("--set", "LR=1")
    assert unknown.returncode != 0 and "no top-level line `LR = ...`" in unknown.stderr
