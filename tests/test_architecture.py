"""The import direction of docs/architecture.md, checked on every module.

cli, web -> pipeline, workflows -> engine, stats -> warehouse; only pipeline,
workflows and web touch the app database (db).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "tenure"
BASE = {"config", "definitions", "workspace", "templates", "datasets"}

# What each part of the package may import (besides itself and the base).
ALLOWED: dict[str, set[str]] = {
    "warehouse": set(),
    "sources": {"warehouse"},
    "engine": {"warehouse"},
    "stats": {"engine", "warehouse"},
    "db": set(),
    "pipeline": {"sources", "engine", "stats", "warehouse", "db"},
    "workflows": {"pipeline", "engine", "stats", "warehouse", "db"},
    "web": {"pipeline", "workflows", "engine", "stats", "warehouse", "db"},
    "cli": {"pipeline", "workflows", "sources", "engine", "stats", "warehouse", "web"},
    "config": set(),
    "workspace": set(),
    "datasets": set(),
    "templates": set(),
    "definitions": set(),
}


def imported_parts(path: Path) -> set[str]:
    parts = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        parts |= {n.split(".")[1] for n in names if n.startswith("tenure.") and "." in n}
    return parts


def part_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_every_module_imports_only_what_its_layer_may() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(path)
        if part in ("__init__", "__main__"):
            continue
        allowed = ALLOWED[part] | BASE | {part}
        wrong += [
            f"{path.relative_to(PACKAGE)} imports tenure.{p}"
            for p in imported_parts(path) - allowed
        ]
    assert not wrong


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from tenure.db import upgrade\nimport tenure.web.app\n")
    assert imported_parts(module) == {"db", "web"}
