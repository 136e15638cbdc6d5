"""Roster import/export: units, cadres, targets, assignments and campaign phases.

The workbook layout is :mod:`storage.roster.sheets`; the import runs
read → validate (every problem, nothing written) → plan → apply (bulk writes).
"""

from storage.roster.apply import CampaignSpec
from storage.roster.reader import RosterFileError
from storage.roster.rows import RowError
from storage.roster.service import Prepared, commit_plan, import_roster, prepare, summary_lines

__all__ = [
    "CampaignSpec",
    "Prepared",
    "RowError",
    "RosterFileError",
    "commit_plan",
    "import_roster",
    "prepare",
    "summary_lines",
]
