"""The package's architecture, checked (ARCHITECTURE.md): the import direction between modules, no
cycles, no string dispatch on loss names outside the registry, notebooks importing from one place."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import jupytext
import pytest

from gan_lessons.losses import LOSSES

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import chapters  # noqa: E402

PKG = ROOT / "gan_lessons"
MODULES = {  # dotted name relative to gan_lessons ("" for the package itself) -> file
    ".".join(p.relative_to(PKG).with_suffix("").parts).removesuffix("__init__").rstrip("."): p
    for p in PKG.rglob("*.py")
}

# Lower layers never import higher ones. A module may import its own layer or any lower one.
LAYERS = [
    {"config", "theory", "losses", "data", "models"},
    {
        "classifier",
        "autoencoder",
        "diffusion",
        "toy",
        "run",
        "train",
        "checkpoint",
        "feature_net",
        "metrics",
        "conditioning",
        "diagnostics",
        "segmentation",
        "distributed",
        "compare",
    },
    {"plot"},
    {"widgets"},
    {"cli", "__main__"},
]


def _layer(module: str) -> int:
    top = module.split(".")[0]
    if top == "checks":
        return len(LAYERS)  # the checkers sit on top: they may use any reference implementation
    for i, layer in enumerate(LAYERS):
        if top in layer:
            return i
    raise AssertionError(
        f"gan_lessons/{module}: add it to a layer in tests/test_architecture.py and ARCHITECTURE.md"
    )


def _package_imports(module: str, path: Path) -> set[str]:
    """Every gan_lessons module that `module` imports, at the top or inside functions."""
    parts = module.split(".") if module else []
    package = parts if path.name == "__init__.py" else parts[:-1]  # where `from . import` looks
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
            elif node.module and node.module.split(".")[0] == "gan_lessons":
                base, node = (
                    [],
                    ast.ImportFrom(module=node.module.partition(".")[2] or None, names=node.names),
                )
            else:
                continue
            target = ".".join(base + ([node.module] if node.module else []))
            candidates = [target] + [f"{target}.{a.name}".lstrip(".") for a in node.names]
            found |= {c for c in candidates if c in MODULES and c}
        elif isinstance(node, ast.Import):
            found |= {a.name.partition(".")[2] for a in node.names if a.name.startswith("gan_lessons.")}
    return found - {module}


GRAPH = {m: _package_imports(m, p) for m, p in MODULES.items() if m}


def test_every_module_has_a_layer():
    for module in GRAPH:
        _layer(module)


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if m != "checks" and not m.startswith("checks.")))
def test_imports_point_down(module):
    upward = {d for d in GRAPH[module] if _layer(d) > _layer(module)}
    assert not upward, (
        f"gan_lessons.{module} imports the higher layer(s) {sorted(upward)}: see ARCHITECTURE.md"
    )


def test_no_import_cycles():
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in GRAPH.get(m, ()):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path + [m, d]))
            if d not in state:
                visit(d, path + [m])
        state[m] = 2

    for module in GRAPH:
        if module not in state:
            visit(module, [])


def test_the_layer_rule_can_fail():
    """The checker above would catch an upward import (the wrong world: toy drawing its own figures)."""
    assert _layer("toy") < _layer("plot") < _layer("widgets")
    assert _layer("losses") < _layer("train") and _layer("train") < _layer("cli")


def test_no_string_dispatch_on_loss_names_outside_the_registry():
    """`if loss == "wgan_gp"` anywhere but losses.py means a new family would need edits there too."""
    names = set(LOSSES) | {n.replace("_", "-") for n in LOSSES}
    offenders = []
    for module, path in MODULES.items():
        if module == "losses" or module.startswith("checks"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                consts = [c for c in [node.left, *node.comparators] if isinstance(c, ast.Constant)]
                consts += [
                    e
                    for c in node.comparators
                    if isinstance(c, (ast.Tuple, ast.List, ast.Set))
                    for e in c.elts
                    if isinstance(e, ast.Constant)
                ]
                hits = [c.value for c in consts if c.value in names]
                if hits:
                    offenders.append(
                        f"gan_lessons/{module.replace('.', '/')}.py:{node.lineno} compares with {hits}"
                    )
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("py", chapters.chapter_paths(".py"), ids=lambda p: p.stem)
def test_notebooks_import_from_gan_lessons_and_checks_only(py):
    code = "\n".join(c.source for c in jupytext.read(py).cells if c.cell_type == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    bad = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gan_lessons"):
            if node.module not in ("gan_lessons", "gan_lessons.checks"):
                bad.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Import):
            bad += [f"import {a.name}" for a in node.names if a.name.startswith("gan_lessons.")]
    assert not bad, f"{py.name}: import these names from gan_lessons (re-export them there): {bad}"
