"""Dependencies run one way: vocab ← registry ← harvesters. Only the two places where the parts meet — the app
factory (registry/__init__.py) and the command line (registry/cli.py) — may name harvesting."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPOSITION = {"registry/__init__.py", "registry/cli.py"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def offenders(package: str, higher: set[str], allowed: set[str] = frozenset()) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative not in allowed and imported(path) & higher:
            found.append(f"{relative} imports {sorted(imported(path) & higher)}")
    return found


def test_the_registry_never_imports_harvesting_outside_the_composition_points():
    assert offenders("registry", {"harvesters"}, COMPOSITION) == []


def test_the_vocabulary_imports_neither_the_registry_nor_harvesting():
    assert offenders("vocab", {"registry", "harvesters"}) == []
