"""The house layering, checked by walking the AST instead of by memory."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from bot import devtools`` imports the module bot.devtools.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def python_files(*folders: str) -> list[Path]:
    return [p for f in folders for p in (ROOT / f).rglob("*.py")]


def offenders(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in files:
        for mod in imported_modules(path):
            if any(mod == f or mod.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    return bad


def test_only_bot_wecom_imports_wechatpy():
    # Any module of the bot/wecom/ package may; nothing else in the code base may.
    wecom = ROOT / "bot/wecom"
    files = [p for p in python_files("bot", "storage", "scheduler") if wecom not in p.parents]
    assert files, "no source files found"
    assert offenders(files, ("wechatpy",)) == []


def test_handlers_gateway_outbox_and_wecom_do_not_import_sqlalchemy():
    # Their queries live in storage/; they type sessions with storage.db.Session.
    files = python_files("bot/handlers", "bot/gateway", "bot/outbox", "bot/wecom")
    assert files, "no source files found"
    assert offenders(files, ("sqlalchemy",)) == []


# The CLI module whose commands (minqing fake-wecom, simulate, demo) start the dev tools.
DEVTOOLS_ENTRY_POINTS = ("bot/cli/gateway.py",)


def test_production_code_does_not_import_the_dev_tools():
    devtools = ROOT / "bot/devtools"
    files = [
        p
        for p in python_files("bot", "storage", "scheduler")
        if devtools not in p.parents and str(p.relative_to(ROOT)) not in DEVTOOLS_ENTRY_POINTS
    ]
    assert files, "no source files found"
    assert offenders(files, ("bot.devtools",)) == []


def test_storage_and_scheduler_do_not_import_flask_or_wechatpy():
    assert offenders(python_files("storage", "scheduler"), ("flask", "wechatpy", "werkzeug")) == []


def test_storage_does_not_import_the_application():
    # storage is the inner layer: the bot and the scheduler use it, never the reverse.
    assert offenders(python_files("storage"), ("bot", "scheduler")) == []


def test_dialogs_are_pure():
    forbidden = (
        "flask",
        "werkzeug",
        "wechatpy",
        "sqlalchemy",
        "storage",
        "bot.handlers",
        "requests",
    )
    assert offenders(python_files("bot/dialogs"), forbidden) == []
