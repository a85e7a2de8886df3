"""The benchmark scripts run and print their numbers (speed lives in their output, never in assertions)."""

import subprocess
import sys
from pathlib import Path

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


def test_train_benchmark_prints_throughput():
    out = run_script("benchmarks/train_dcgan.py", "--epochs", "1")
    for label in ("images/s:", "seconds per epoch:", "peak RSS:"):
        assert label in out
