"""gan_lessons.shipped: the registry of data/'s files is true (each file is there with its sha256, its reader
loads it, its tool exists), and the atomic writer leaves the old file whole on failure (test_checkpoint.py)."""

import importlib

import pytest

from gan_lessons.config import REPO_ROOT
from gan_lessons.shipped import SHIPPED, sha256_of


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_registered_file_is_shipped_with_its_sha256_reader_and_tool(name):
    entry = SHIPPED[name]
    assert entry.path.is_file(), f"data/{name} is registered but missing"
    assert sha256_of(entry.path) == entry.sha256
    module, _, function = entry.reader.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function)), entry.reader
    assert (REPO_ROOT / entry.tool).is_file(), entry.tool
    assert entry.sha256 in (REPO_ROOT / "data" / "README.md").read_text(), "data/README.md records the sha256"
    fix = entry.fix()
    assert f"git checkout -- data/{name}" in fix and f"python {entry.tool}" in fix


def test_every_file_in_data_is_registered():
    shipped = {p.name for p in (REPO_ROOT / "data").iterdir() if p.is_file() and p.name != "README.md"}
    assert shipped == set(SHIPPED)
