"""Bulk views of personal data go to the audit log; `minqing audit` lists it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.cli.audit import cli_actor
from storage import audit
from storage.models import AuditLog
from tests.support.clock import FROZEN_NOW
from tests.support.exports import EAST_AWAY_PHONE


def run(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


def test_exports_are_written_to_the_audit_log_and_listed(config_file, etown, sessions, tmp_path):
    away = tmp_path / "away.xlsx"
    assert run(config_file, "export", "away", "--out", str(away), "--as", "zhaozs").exit_code == 0
    assert run(config_file, "export-roster", str(tmp_path / "roster.xlsx")).exit_code == 0

    with sessions() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.id)).all()
        assert [(r.action, r.actor) for r in rows] == [
            (audit.VIEW_EXPORT, cli_actor()),
            (audit.VIEW_ROSTER, cli_actor()),
        ]
        assert rows[0].scope == "user:zhaozs 东山村" and rows[0].detail["table"] == "away"
        assert rows[0].detail["records"] == 1 and rows[1].detail["targets"] == 12
        assert EAST_AWAY_PHONE not in str([r.detail for r in rows])

    out = run(config_file, "audit", "--user", cli_actor())
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert len(lines) == 2 and "view_export\tuser:zhaozs 东山村" in lines[0]
    assert "view_roster_export\tall" in lines[1]
    assert run(config_file, "audit", "--user", "nobody").stdout == ""


def test_audit_since_and_action_filters(config_file, sessions):
    with sessions() as s:
        audit.record(s, FROZEN_NOW - timedelta(days=3), "zhaozs", audit.VIEW_PROBLEM_LIST, "a")
        audit.record(s, FROZEN_NOW, "zhaozs", audit.VIEW_PROBLEM_LIST, "b")
        audit.record(s, FROZEN_NOW, "cli:x", audit.PERSON_ERASED, "household:E1")
        s.commit()
    # FROZEN_NOW is 2026-11-23 17:00 Shanghai; --since without an offset is local.
    recent = run(config_file, "audit", "--since", "2026-11-23T00:00").stdout.splitlines()
    assert [line.split("\t")[3] for line in recent] == ["b", "household:E1"]
    erased = run(config_file, "audit", "--action", audit.PERSON_ERASED).stdout.splitlines()
    assert len(erased) == 1 and erased[0].startswith("2026-11-23 17:00:00\tcli:x")
