"""Roster fixtures: a fresh copy of the small valid workbook, a writer, an importer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.db import unit_of_work
from storage.roster import Prepared, import_roster
from tests.support.roster_sheets import BASE_SHEETS, CAMPAIGN, IMPORT_AT, Sheets, write_workbook


@pytest.fixture
def sheets() -> Sheets:
    """A fresh copy of the small valid roster, to edit per test."""
    return copy.deepcopy(BASE_SHEETS)


@pytest.fixture
def write_book(tmp_path: Path) -> Callable[..., Path]:
    def write(sheets: Sheets, name: str = "roster.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets)

    return write


@pytest.fixture
def run_import(sessions) -> Callable[..., Prepared]:  # type: ignore[no-untyped-def]
    """Import a file in its own unit of work, as the CLI does; return the Prepared."""

    def run(path: Path, sheet: str | None = None) -> Prepared:
        with unit_of_work(sessions) as session:
            return import_roster(session, path, CAMPAIGN, IMPORT_AT, "test", sheet=sheet)

    return run
