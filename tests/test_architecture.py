"""The house layering, checked by walking the AST instead of by memory."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT


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
    files = python_files("bot/handlers", "bot/gateway", "bot/outbox", "bot/wecom", "bot/pages")
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


def test_tests_import_helpers_from_tests_support_never_from_a_conftest_or_benchmarks():
    # benchmarks/ may import tests.support; a test importing a benchmark (by package or,
    # after a sys.path insert, by module name) would make the benchmark part of the suite.
    benchmark_modules = tuple(p.stem for p in (ROOT / "benchmarks").glob("*.py"))
    forbidden = ("benchmarks", *benchmark_modules)
    files = python_files("tests")
    assert offenders(files, forbidden) == []
    conftest_imports = [
        f"{path.relative_to(ROOT)} imports {mod}"
        for path in files
        for mod in imported_modules(path)
        if mod.split(".")[-1] == "conftest"
    ]
    assert conftest_imports == []


def test_conftest_files_hold_fixtures_only():
    """A public function in a conftest.py is a fixture or a pytest hook, nothing else."""
    plain = []
    for path in (ROOT / "tests").rglob("conftest.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef | ast.ClassDef) or node.name.startswith("_"):
                continue
            fixture = any("fixture" in ast.unparse(d) for d in node.decorator_list)
            if not (fixture or node.name.startswith("pytest_")):
                plain.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert plain == []


def test_scheduler_does_not_import_sqlalchemy():
    # Jobs call storage/ for every query; a Session is typed as storage.db.Session.
    assert offenders(python_files("scheduler"), ("sqlalchemy",)) == []


def reads_dialect_name(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return any(
        isinstance(node, ast.Attribute)
        and node.attr == "name"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "dialect"
        for node in ast.walk(tree)
    )


def test_dialect_branches_live_in_storage():
    # Per-database SQL belongs to the repositories; the application code above them
    # must not ask which database it runs on.
    found = {
        str(p.relative_to(ROOT)) for p in python_files("bot", "scheduler") if reads_dialect_name(p)
    }
    assert found == set()
    assert any(reads_dialect_name(p) for p in python_files("storage"))


def test_every_module_opens_with_what_it_owns():
    """A newcomer reads the first lines of a module to learn its concern."""
    missing = [
        str(path.relative_to(ROOT))
        for path in python_files("bot", "storage", "scheduler")
        if "versions" not in path.parts
        and not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert missing == []
