"""The roster commands as an administrator runs them: exit codes 0 / 1 / 2 and what is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import cli
from storage.db import make_engine
from storage.models import AuditLog
from tests.support.config import TEST_AES_KEY
from tests.support.db import dump_tables
from tests.support.roster_sheets import BASE_SHEETS, write_workbook

MINQING = Path(sys.executable).with_name("minqing")


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "花名册.xlsx", BASE_SHEETS)


def run(config_file: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


def audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count(AuditLog.id)))


def test_import_then_reimport(config_file, roster, engine):
    first = run(config_file, "import-roster", str(roster))
    assert first.exit_code == 0, first.output
    assert "导入完成：花名册.xlsx（共 17 处变更）" in first.stdout
    assert "走访对象: 新增 4，更新 0，未变 0" in first.stdout
    before = dump_tables(engine)
    second = run(config_file, "import-roster", str(roster))
    assert second.exit_code == 0
    assert "共 0 处变更" in second.stdout and "走访对象: 新增 0，更新 0，未变 4" in second.stdout
    assert dump_tables(engine) == before
    assert audit_count(engine) == 2


def test_dry_run_writes_nothing(config_file, roster, engine):
    before = dump_tables(engine, skip=())
    result = run(config_file, "import-roster", "--dry-run", str(roster))
    assert result.exit_code == 0
    assert "试运行" in result.stdout and "单位: 新增 4" in result.stdout
    assert dump_tables(engine, skip=()) == before


def test_bad_rows_exit_1_and_write_nothing(config_file, tmp_path, engine):
    sheets = {k: [list(r) for r in v] for k, v in BASE_SHEETS.items()}
    sheets["走访对象"][1][6] = "外星人"
    sheets["干部"][2][3] = "队长"
    path = write_workbook(tmp_path / "bad.xlsx", sheets)
    before = dump_tables(engine, skip=())
    result = run(config_file, "import-roster", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "导入失败：发现 2 个问题，未写入任何数据。请修改后重新导入：",
        "  干部 3 角色: 角色不对 “队长”（只能是 走访干部、负责人、管理员）",
        "  走访对象 2 类别: 未知类别 “外星人”（可用类别见“说明”工作表）",
    ]
    assert dump_tables(engine, skip=()) == before


def test_not_a_workbook_is_one_line_exit_1(config_file, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("just text", encoding="utf-8")
    result = run(config_file, "import-roster", str(path))
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "不是有效的 Excel 工作簿" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_and_bad_sheet_option_are_usage_errors(config_file, tmp_path):
    assert run(config_file, "import-roster", str(tmp_path / "nope.xlsx")).exit_code == 2
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a\n", encoding="utf-8")
    assert run(config_file, "import-roster", "--sheet", "人员", str(csv_path)).exit_code == 2


def test_csv_with_sheet_option(config_file, roster, tmp_path):
    assert run(config_file, "import-roster", str(roster)).exit_code == 0
    csv_path = tmp_path / "cadres-2026.csv"
    csv_path.write_text(
        "姓名,企业微信账号,单位,角色,手机\n孙涛,suntao,虹桥村,走访干部,\n", encoding="utf-8"
    )
    result = run(config_file, "import-roster", "--sheet", "干部", str(csv_path))
    assert result.exit_code == 0, result.output
    assert "干部: 新增 1，更新 0，未变 0" in result.stdout
    unnamed = run(config_file, "import-roster", str(csv_path))
    assert unnamed.exit_code == 1 and "--sheet" in unnamed.stderr


def test_bad_config_exits_2_without_traceback(tmp_path, roster):
    bad = tmp_path / "bad.toml"
    bad.write_text('[database]\nurl = "sqlite:///x.db"\n[wecom]\ncorp_id = "w"\ntoken = "t"\n')
    result = CliRunner().invoke(cli, ["--config", str(bad), "import-roster", str(roster)])
    assert result.exit_code == 2
    assert "wecom.encoding_aes_key is required" in result.stderr
    assert "Traceback" not in result.output


def test_uninitialised_database_is_refused(tmp_path, roster):
    config = tmp_path / "fresh.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/empty.db"\n[wecom]\ncorp_id = "w"\n'
        f'token = "t"\nencoding_aes_key = "{TEST_AES_KEY}"\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "import-roster", str(roster)])
    assert result.exit_code == 1
    assert "请先运行 minqing init-db" in result.stderr


def test_template_then_export(config_file, roster, tmp_path):
    template = tmp_path / "模板.xlsx"
    result = CliRunner().invoke(cli, ["roster-template", str(template)])
    assert result.exit_code == 0 and template.exists()
    assert openpyxl.load_workbook(template).sheetnames[-1] == "说明"
    assert CliRunner().invoke(cli, ["roster-template", str(tmp_path / "t.xls")]).exit_code == 2

    assert run(config_file, "import-roster", str(roster)).exit_code == 0
    exported = tmp_path / "导出.xlsx"
    result = run(config_file, "export-roster", str(exported))
    assert result.exit_code == 0
    assert "单位 4，干部 4，走访对象 4" in result.stdout
    again = run(config_file, "import-roster", str(exported))
    assert again.exit_code == 0 and "共 0 处变更" in again.stdout


@pytest.mark.parametrize("command", ["import-roster", "roster-template", "export-roster"])
def test_every_roster_command_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert f"Usage: cli {command} [OPTIONS] FILE" in result.stdout


@pytest.mark.slow
def test_console_script_shows_progress_on_stderr(config_file, roster, db_url):
    env = {**os.environ, "MINQING_DATABASE_URL": db_url}
    done = subprocess.run(
        [str(MINQING), "--config", str(config_file), "import-roster", str(roster)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "导入" in done.stderr and "行" in done.stderr  # the tqdm bar
    assert "导入完成" in done.stdout and "Traceback" not in done.stderr
    engine = make_engine(db_url)
    assert audit_count(engine) == 1
    engine.dispose()


def test_finished_campaign_with_the_configured_name_refuses_cleanly(config_file, roster, engine):
    from storage.db import session_factory, unit_of_work
    from storage.models import Campaign

    with unit_of_work(session_factory(engine)) as s:
        s.add(Campaign(name="民情大走访", template="t", active=False))
    before = dump_tables(engine, skip=())
    result = run(config_file, "import-roster", str(roster))
    assert result.exit_code == 1
    assert "活动“民情大走访”已存在但已结束" in result.stderr
    assert dump_tables(engine, skip=()) == before  # units and cadres rolled back too
