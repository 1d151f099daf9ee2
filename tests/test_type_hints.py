"""Every public function of the server's packages and the reading they share carries type
hints, which mypy checks (`make test` runs it, configured in pyproject.toml)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("reading", "webapp", "corrections")


def unannotated(path):
    """'name:line' of each public function or method in the file missing a hint."""
    missing = []

    def visit(body, prefix=""):
        for node in body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                visit(node.body, f"{node.name}.")
            elif isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                hinted = [a.annotation for a in arguments if a.arg not in ("self", "cls")]
                if node.returns is None or None in hinted:
                    missing.append(f"{prefix}{node.name}:{node.lineno}")

    visit(ast.parse(path.read_text(), filename=str(path)).body)
    return missing


MODULES = sorted(
    path
    for package in PACKAGES
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_public_functions_have_type_hints(path):
    assert not unannotated(path)


def test_the_check_sees_a_missing_hint(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def shown(x: int):\n    return x\n\ndef _private(x):\n    return x\n")
    assert unannotated(module) == ["shown:1"]
    assert len(MODULES) > 30  # the packages were found
