"""The package's architecture, checked (ARCHITECTURE.md): the import direction between modules, no
cycles, no string dispatch on loss names outside the registry, notebooks importing from one place."""

from __future__ import annotations

import ast
import importlib
import re
import sys
import types
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

# ARCHITECTURE.md's module map is the one statement of the layers: its first column is the layer, the second the
# module. Lower layers never import higher ones; a module may import its own layer or any lower one.
LAYER_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`([\w.]+)`\s*\|")


def read_layers(text: str) -> dict[str, int]:
    """{module: layer} from the rows of ARCHITECTURE.md's module table."""
    return {m.group(2): int(m.group(1)) for line in text.splitlines() if (m := LAYER_ROW.match(line))}


LAYER_OF = read_layers((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
TOP = max(LAYER_OF.values()) + 1  # checks/ sits on top: a checker may use any reference implementation
EVALUATION = {"data", "feature_net", "metrics", "points2d", "segmentation"}
TRAINING = {
    "engine",
    "distributed",
    "trackers",
    "baselines",
    "toy2d",
    "conditional",
    "dcgan",
    "pix2pix",
    "ddpm",
    "remedies",
}
INTERNAL = {"validate", "shipped", "distributed", "cli", "__main__"}  # no public names of their own
NAMESPACES = {"theory", "checks"}  # imported as gan_lessons.theory, gan_lessons.checks


def _layer(module: str, layer_of: dict[str, int] = LAYER_OF) -> int:
    top = module.split(".")[0]
    if top == "checks":
        return TOP
    if top not in layer_of:
        raise AssertionError(
            f"gan_lessons/{module}: add it to the module map in ARCHITECTURE.md, with its layer"
        )
    return layer_of[top]


def upward_imports(graph: dict[str, set[str]], layer_of: dict[str, int] = LAYER_OF) -> list[str]:
    """Every import of a higher layer, as "a -> b"."""
    return [
        f"{m} -> {d}"
        for m, deps in sorted(graph.items())
        if not m.startswith("checks")
        for d in sorted(deps)
        if _layer(d, layer_of) > _layer(m, layer_of)
    ]


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


def test_every_module_has_a_layer_and_every_layer_row_a_module():
    for module in GRAPH:
        _layer(module)
    stale = sorted(set(LAYER_OF) - {m.split(".")[0] for m in GRAPH})
    assert not stale, f"ARCHITECTURE.md lists modules that do not exist: {stale}"


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


def test_evaluation_imports_no_training():
    def reach(m: str, seen: set[str]) -> set[str]:
        for d in GRAPH.get(m, ()):
            if d not in seen:
                seen.add(d)
                reach(d, seen)
        return seen

    for module in EVALUATION:
        assert not reach(module, set()) & TRAINING, f"gan_lessons.{module} reaches training code"


def test_the_layer_rule_can_fail():
    """The checker catches a made-up upward import (the wrong world: the DCGAN drawing its own figures) and a
    made-up module missing from the table."""
    made_up = {"dcgan": {"plot", "engine"}, "plot": {"config"}}
    assert upward_imports(made_up) == ["dcgan -> plot"]
    assert upward_imports({"plot": {"dcgan"}}) == []
    with pytest.raises(AssertionError, match="add it to the module map"):
        upward_imports({"cyclegan": {"engine"}})
    table = "| layer | module | what |\n|---|---|---|\n| 0 | `losses` | x |\n| 3 | `dcgan` | y |\n"
    assert read_layers(table) == {"losses": 0, "dcgan": 3}


def test_the_real_graph_has_no_upward_import():
    assert upward_imports(GRAPH) == []


def test_only_the_engine_loops_over_epochs():
    """The one loop: no module but engine.py iterates `for ... in epoch_loader(...)` or over a DataLoader."""
    offenders = []
    for module, path in MODULES.items():
        if module in ("engine",) or module.startswith("checks"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.For) and isinstance(node.iter, ast.Call):
                name = getattr(node.iter.func, "id", getattr(node.iter.func, "attr", ""))
                if name in ("epoch_loader", "DataLoader", "loader"):
                    offenders.append(f"gan_lessons/{module}.py:{node.lineno}")
    assert not offenders, f"training loops outside engine.py: {offenders}"


def _declared_all(module: str) -> list[str] | None:
    for node in ast.parse(MODULES[module].read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return None


PUBLIC_MODULES = sorted(
    m for m in GRAPH if "." not in m and m not in INTERNAL | NAMESPACES and not m.startswith("checks")
)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_is_re_exported(module):
    import gan_lessons

    names = _declared_all(module)
    assert names, f"gan_lessons/{module}.py: list its public names in __all__ (see ARCHITECTURE.md)"
    mod = importlib.import_module(f"gan_lessons.{module}")
    for name in names:
        assert hasattr(mod, name), f"gan_lessons.{module}.__all__ names {name}, which it does not define"
        assert getattr(gan_lessons, name, None) is getattr(mod, name), (
            f"gan_lessons.{module}.{name} is public (in __all__) but not re-exported by gan_lessons/__init__.py"
        )


def test_no_module_is_shadowed_by_a_function():
    import gan_lessons

    for module in GRAPH:
        top = module.split(".")[0]
        value = getattr(gan_lessons, top, None)
        assert value is None or isinstance(value, types.ModuleType), (
            f"gan_lessons.{top} is {value!r}, not the module gan_lessons/{top}.py"
        )


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


SCRIPTS = sorted([*(ROOT / "tools").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")])


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scripts_import_names_that_exist(script):
    """tools/ and benchmarks/ run outside the test suite: every `from gan_lessons.x import y` in them (at the top
    or inside a function) must name a module and names that exist. The wrong world: a name moved to another
    module, so a rebuilding tool fails only when someone runs it."""
    missing = []
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "gan_lessons":
            try:
                module = importlib.import_module(node.module)
            except ImportError:
                missing.append(f"module {node.module}")
                continue
            missing += [f"{node.module}.{a.name}" for a in node.names if not hasattr(module, a.name)]
    assert not missing, f"{script.relative_to(ROOT)}:  {missing}"
