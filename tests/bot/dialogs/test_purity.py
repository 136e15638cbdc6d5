"""bot/dialogs stays pure: no web, WeCom, database, clock or global randomness."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.dialogs

FORBIDDEN_MODULES = (
    "flask",
    "wechatpy",
    "sqlalchemy",
    "storage.models",
    "storage.db",
    "bot.handlers",
    "bot.gateway.webhook",
    "bot.wecom",
    "bot.runtime",
    "random",
    "time",
    "requests",
    "psycopg",
)
FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("datetime", "today"),
    ("time", "time"),
}
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__"}


def modules():
    root = Path(bot.dialogs.__file__).parent
    return sorted(root.rglob("*.py"))


def _forbidden(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES)


def test_dialog_modules_import_nothing_impure():
    problems = []
    for path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                problems += [
                    f"{path.name}: import {a.name}" for a in node.names if _forbidden(a.name)
                ]
            elif isinstance(node, ast.ImportFrom) and node.module and _forbidden(node.module):
                problems.append(f"{path.name}: from {node.module}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                    problems.append(f"{path.name}: {node.value.id}.{node.attr}")
            elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
                problems.append(f"{path.name}: {node.id}")
    assert len(modules()) >= 10
    assert problems == []


def test_the_checker_catches_a_violation(tmp_path):
    sample = "import flask\nfrom sqlalchemy import select\nx = datetime.now()\neval('1')\n"
    tree = ast.parse(sample)
    found = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert _forbidden(found[0].names[0].name) and _forbidden(found[1].module)
