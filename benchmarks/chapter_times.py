"""Run a chapter's jupytext source (notebooks/NN_slug.py) as a script, cell by cell, and print each cell's
wall time and the total: a way to time full mode on a machine without Jupyter. Cells tagged
`raises-exception` may raise (the error is printed); any other error stops the run with its traceback.

    PYTHONPATH=$PWD MPLBACKEND=agg .venv/bin/python benchmarks/chapter_times.py notebooks/10_conditional_gan.py
    (add GAN_LESSONS_QUICK=1 for quick mode; a chapter's number or slug, `10` or `conditional_gan`, names
    its notebooks/NN_slug.py through the registry, tools/chapters.py)

A chapter's full-mode claims are checked over several seeds the same way: chapters that train keep their
seed in one constant, `SEED = 0`, and `--set SEED=3` runs the chapter with another value (the first
top-level `SEED = ...` line is replaced). `--keep-going` reports a failing cell and goes on, so that one
run shows every claim's value for that seed:

    .venv/bin/python benchmarks/chapter_times.py notebooks/05_dcgan_mnist.py --set SEED=3 --keep-going
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import chapters as registry  # noqa: E402


def chapter_source(arg: str) -> Path:
    """The jupytext source to run: `arg` itself when it is a .py file or an existing path, otherwise the
    .py of the registered chapter with that number, slug or stem."""
    path = Path(arg)
    if path.suffix == ".py" or path.exists():
        return path
    try:
        return registry.chapter(arg).py
    except KeyError as err:
        raise SystemExit(f"chapter_times: {err.args[0]}") from None


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


def override(chapter: list[tuple[str, str]], settings: list[str]) -> list[tuple[str, str]]:
    """Replace the first top-level `NAME = ...` line of the chapter for each NAME=VALUE; an error if none."""
    for setting in settings:
        name, sep, value = setting.partition("=")
        if not sep or not name.isidentifier():
            raise SystemExit(f"--set expects NAME=VALUE, e.g. SEED=3; got {setting!r}")
        pattern = re.compile(rf"^{name} = .*$", re.MULTILINE)
        for i, (header, code) in enumerate(chapter):
            if pattern.search(code):
                chapter[i] = (header, pattern.sub(f"{name} = {value}", code, count=1))
                break
        else:
            raise SystemExit(f"--set {setting}: the chapter has no top-level line `{name} = ...`")
    return chapter


def main(path: str, settings: list[str] = (), keep_going: bool = False) -> int:
    import matplotlib

    matplotlib.use("Agg")
    namespace = {"__name__": "__main__", "display": print}
    total, failed = time.perf_counter(), []
    for i, (header, code) in enumerate(override(cells(Path(path)), list(settings))):
        start = time.perf_counter()
        try:
            exec(compile(code, f"{path}:cell{i}", "exec"), namespace)
        except Exception as exc:
            if "raises-exception" in header:
                print(f"cell {i}: raised {type(exc).__name__} as intended: {str(exc)[:120]}")
            else:
                traceback.print_exc()
                print(f"cell {i} FAILED after {time.perf_counter() - total:.1f} s")
                if not keep_going:
                    return 1
                failed.append(i)
        first = re.sub(r"\s+", " ", code.strip())[:60]
        print(f"cell {i}: {time.perf_counter() - start:6.1f} s  {first}", flush=True)
    print(f"TOTAL {Path(path).stem}: {time.perf_counter() - total:.1f} s", flush=True)
    if failed:
        print(f"FAILED cells: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="notebooks/NN_slug.py, or a chapter's number or slug")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", dest="settings")
    parser.add_argument("--keep-going", action="store_true", help="report failing cells and go on")
    args = parser.parse_args()
    sys.exit(main(str(chapter_source(args.chapter)), args.settings, args.keep_going))
