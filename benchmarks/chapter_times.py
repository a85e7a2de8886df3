"""Run a chapter's jupytext source (notebooks/NN_slug.py) as a script, cell by cell, and print each cell's
wall time and the total: a way to time full mode on a machine without Jupyter. Cells tagged
`raises-exception` may raise (the error is printed); any other error stops the run with its traceback.

    PYTHONPATH=$PWD MPLBACKEND=agg .venv/bin/python benchmarks/chapter_times.py notebooks/10_conditional_gan.py
    (add GAN_LESSONS_QUICK=1 for quick mode)
"""

from __future__ import annotations

import re
import sys
import time
import traceback
from pathlib import Path


def cells(path: Path) -> list[tuple[str, str]]:
    """(header line, code) of each code cell of a jupytext percent file."""
    out, header, lines = [], None, []
    for line in path.read_text().splitlines():
        if line.startswith("# %%"):
            if header is not None and "[markdown]" not in header:
                out.append((header, "\n".join(lines)))
            header, lines = line, []
        else:
            lines.append(line)
    if header is not None and "[markdown]" not in header:
        out.append((header, "\n".join(lines)))
    return out


def main(path: str) -> int:
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": "__main__", "display": print}
    total = time.perf_counter()
    for i, (header, code) in enumerate(cells(Path(path))):
        start = time.perf_counter()
        try:
            exec(compile(code, f"{path}:cell{i}", "exec"), namespace)
        except Exception as exc:
            if "raises-exception" in header:
                print(f"cell {i}: raised {type(exc).__name__} as intended: {str(exc)[:120]}")
            else:
                traceback.print_exc()
                print(f"cell {i} FAILED after {time.perf_counter() - total:.1f} s")
                return 1
        first = re.sub(r"\s+", " ", code.strip())[:60]
        print(f"cell {i}: {time.perf_counter() - start:6.1f} s  {first}", flush=True)
    print(f"TOTAL {Path(path).stem}: {time.perf_counter() - total:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
