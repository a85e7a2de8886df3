"""Refresh the course navigation, then regenerate every .ipynb from its .py (the source of truth).

    python tools/build_nav.py          # rewrite what is stale
    python tools/build_nav.py --check  # exit 1 if anything is stale (used by the tests)

- In notebooks/00_index.py, the table between <!-- toc:start --> and <!-- toc:end --> lists every
  chapter of the registry (tools/chapters.py, which mirrors the course map), linked when its notebook
  exists, "coming" otherwise.
- In every chapter, a markdown cell marked <!-- nav:top --> (inserted as the second cell) and one
  marked <!-- nav:bottom --> (the last cell) link to the previous and next chapters.
- Every .ipynb carries the course's kernelspec (chapters.KERNELSPEC), whether or not its .py has a
  header, so JupyterLab opens it on that kernel without asking.
Running it again is safe: cells are found by their markers.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
from chapters import CHAPTERS, KERNELSPEC, ROOT, Chapter

TOC_RE = re.compile(r"<!-- toc:start -->.*?<!-- toc:end -->", re.S)
# Each chapter states its own measured full-mode time in its .py, on one line of its own:
#     # <!-- full-mode-time: 56 s -->
# (measure it with `make book BOOK_MODE=full`, whose build/book/book.json lists seconds per chapter, or
# by running the chapter top to bottom in full mode on a 2-core CPU). The index reads it from there, so
# every chapter's line in the index depends on that chapter's file alone.
TIME_RE = re.compile(r"<!-- full-mode-time: *(.+?) *-->")


def existing() -> list[Chapter]:
    return [c for c in CHAPTERS if c.py.exists()]


def full_mode_time(py: Path) -> str:
    """The chapter's own `<!-- full-mode-time: ... -->` marker, or "not measured yet"."""
    if not py.exists():
        return ""
    found = TIME_RE.search(py.read_text(encoding="utf-8"))
    return found.group(1) if found else "not measured yet"


def toc_block() -> str:
    rows = [
        "| # | chapter | what you will do | full mode, 2-core CPU |",
        "|---|---|---|---|",
    ]
    for c in CHAPTERS:
        link = f"[{c.title}]({c.stem}.ipynb)" if c.py.exists() else f"{c.title} *(coming)*"
        rows.append(f"| {c.number} | {link} | {c.description} | {full_mode_time(c.py)} |")
    return "\n".join(rows)


def nav_text(index: int, chapters: list[Chapter], where: str) -> str:
    parts = []
    if index > 0:
        prev = chapters[index - 1]
        parts.append(f"[← {prev.number} {prev.title}]({prev.stem}.ipynb)")
    if index > 0:
        parts.append("[Index](00_index.ipynb)")
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        parts.append(f"[{nxt.number} {nxt.title} →]({nxt.stem}.ipynb)")
    return f"<!-- nav:{where} -->\n" + " | ".join(parts)


def refresh(py: Path, index: int, chapters: list[Chapter]) -> str:
    nb = jupytext.read(py)
    cells = nb.cells
    for where in ("top", "bottom"):
        text = nav_text(index, chapters, where)
        found = [
            c for c in cells if c.cell_type == "markdown" and c.source.startswith(f"<!-- nav:{where} -->")
        ]
        if found:
            found[0].source = text
        else:
            cell = jupytext.formats.nbformat.v4.new_markdown_cell(text)
            cells.insert(1 if where == "top" else len(cells), cell)
    if py.stem == "00_index":
        for c in cells:
            if c.cell_type == "markdown" and "<!-- toc:start -->" in c.source:
                block = "<!-- toc:start -->\n" + toc_block() + "\n<!-- toc:end -->"
                c.source = TOC_RE.sub(lambda _, block=block: block, c.source)
    return jupytext.writes(nb, fmt="py:percent")


def main(check: bool) -> int:
    chapters = existing()
    stale = []
    for i, c in enumerate(chapters):
        py = c.py
        ipynb = py.with_suffix(".ipynb")
        new_py = refresh(py, i, chapters)
        if new_py != py.read_text(encoding="utf-8"):
            stale.append(py)
            if not check:
                py.write_text(new_py, encoding="utf-8")
        nb = jupytext.read(py) if not check else jupytext.reads(new_py, fmt="py:percent")
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        stored = jupytext.read(ipynb) if ipynb.exists() else None
        _keep_ids(nb, stored)
        new_ipynb = jupytext.writes(nb, fmt="ipynb")
        if stored is None or _cells(stored) != _cells(nb) or stored.metadata.get("kernelspec") != KERNELSPEC:
            stale.append(ipynb)
            if not check:
                ipynb.write_text(new_ipynb, encoding="utf-8")
    for path in stale:
        print(("stale: " if check else "updated: ") + str(path.relative_to(ROOT)))
    return 1 if (check and stale) else 0


def _keep_ids(nb, stored) -> None:
    """Give nb's cells the ids of the stored .ipynb's cells in the same places, so that a rewrite changes
    only what changed (a new cell gets a fresh id)."""
    if stored is None:
        return
    for cell, old in zip(nb.cells, stored.cells):
        if "id" in old and cell.cell_type == old.cell_type:
            cell["id"] = old["id"]


def _cells(nb) -> list:
    return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
