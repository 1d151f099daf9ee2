"""The packages' layering, read from the source: the server's packages never import `model` (the
training package), the reading package imports none of the others, the synthetic drawings that
training and the benchmark share (`drawings`) only reading, and nothing imports in a circle. tests/test_serving_process.py checks the running server holds no TensorFlow."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("reading", "drawings", "webapp", "corrections", "model", "benchmarks")
# What each package may import of the others.
ALLOWED = {
    "reading": set(),
    "drawings": {"reading"},
    "corrections": set(),
    "webapp": {"reading", "corrections"},
    "model": {"reading", "drawings", "corrections"},
    "benchmarks": {"reading", "drawings", "webapp", "corrections", "model"},
}
# The server runs its models with LiteRT's interpreter (ai_edge_litert), never these.
DEEP_LEARNING = {"tensorflow", "keras"}


def modules():
    """{module name: its file} for every module of the packages."""
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = modules()


def imports(path):
    """The absolute names a module imports, at any depth (also inside functions). `from pkg import
    sub` imports the module pkg.sub (its package is already loading), `from mod import name` mod."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in MODULES else node.module)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_imports_only_what_it_may(package):
    wrong = {}
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        others = {imported.split(".")[0] for imported in imports(path)} & set(PACKAGES)
        forbidden = others - ALLOWED[package] - {package}
        if forbidden:
            wrong[name] = sorted(forbidden)
    assert not wrong, f"{package} imports what it may not: {wrong}"


@pytest.mark.parametrize("package", ["reading", "drawings", "webapp", "corrections"])
def test_the_packages_without_tensorflow_import_no_deep_learning_library(package):
    wrong = {
        name: sorted({i.split(".")[0] for i in imports(path)} & DEEP_LEARNING)
        for name, path in MODULES.items()
        if name.split(".")[0] == package
    }
    assert not {name: found for name, found in wrong.items() if found}


def test_no_module_imports_in_a_circle():
    graph = {
        name: {imported for imported in imports(path) if imported in MODULES} - {name}
        for name, path in MODULES.items()
    }

    def circle_from(start):
        stack, seen = [(start, [start])], set()
        while stack:
            name, trail = stack.pop()
            for nxt in graph[name]:
                if nxt == start:
                    return trail
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
        return None

    circles = [circle for circle in map(circle_from, sorted(graph)) if circle]
    assert not circles, f"modules importing in a circle: {circles[:3]}"


def test_the_checks_see_the_packages():
    """A walk that found nothing would pass everything above."""
    assert {"reading.verdict", "reading.preprocess", "webapp.api", "model.train"} <= set(MODULES)
    assert "drawings.streams" in set(MODULES)
    assert "reading.preprocess" in imports(MODULES["webapp.api"])
