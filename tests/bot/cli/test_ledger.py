"""`minqing classify` and `minqing problems` through the real console entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select

from bot.cli import cli
from bot.clock import frozen_environ
from bot.ledger.classify import classify
from storage.db import make_engine, session_factory, unit_of_work
from storage.models import AuditLog
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import add_problem, build_world


def run(*args: str, stdin: str | None = None):
    # The CLI's clock is frozen at the test's time (the problems were built at FROZEN_NOW).
    return CliRunner(env=frozen_environ(FROZEN_NOW)).invoke(cli, list(args), input=stdin)


def test_classify_prints_one_json_object_with_the_contract_keys():
    result = run("classify", "我家后面那个坡下雨老往下掉土")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert set(obj) == {"text", "problem", "category", "kind", "confidence", "terms"}
    assert obj["problem"] is True
    assert obj["category"] == "房屋土地"
    assert "掉土" in obj["terms"]
    # the same function the bot uses
    assert obj["category"] == classify(obj["text"]).category


def test_classify_scheme_chaihudian():
    obj = json.loads(run("classify", "--scheme", "chaihudian", "村卫生室没有医生").output)
    assert obj["category"] == "基本医疗"


def test_classify_reads_stdin_one_text_per_line():
    result = run("classify", "-", stdin="都挺好\n\n没有矛盾，但是屋顶漏水\n")
    objs = [json.loads(line) for line in result.output.splitlines()]
    assert [o["problem"] for o in objs] == [False, True]
    assert objs[0]["category"] is None and objs[0]["terms"] == []


def test_classify_rejects_an_unknown_scheme():
    result = run("classify", "--scheme", "beijing", "漏水")
    assert result.exit_code == 2
    assert "beijing" in result.output


def test_console_script_runs_classify():
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "classify", "没有"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out)["problem"] is False


def test_problems_lists_with_clock_and_filters(config_file, db_url):
    engine = make_engine(db_url)
    with unit_of_work(session_factory(engine)) as s:
        w = build_world(s)
        add_problem(s, w, "张三", "xiaoli", "屋顶漏水好几年了", FROZEN_NOW - timedelta(days=5))
        add_problem(s, w, "王五", "waizhen", "儿子找不到工作", FROZEN_NOW)
    engine.dispose()
    result = run("--config", str(config_file), "problems")
    assert result.exit_code == 0, result.output
    assert "屋顶漏水" in result.output and "儿子找不到工作" in result.output
    assert "交办 已超期" in result.output
    only = run("--config", str(config_file), "problems", "--unit", "虹桥镇")
    assert "屋顶漏水" in only.output and "儿子找不到工作" not in only.output
    late = run("--config", str(config_file), "problems", "--overdue")
    assert "屋顶漏水" in late.output and "儿子找不到工作" not in late.output
    # Three days on (an explicit --now), the second problem's 交办 clock has run out too.
    later = (FROZEN_NOW + timedelta(days=3)).isoformat()
    both = run("--config", str(config_file), "--now", later, "problems", "--overdue")
    assert "屋顶漏水" in both.output and "儿子找不到工作" in both.output
    assert "登记" in run("--config", str(config_file), "problems", "--status", "登记").output


def test_problems_bad_filters_exit_2(config_file):
    bad = run("--config", str(config_file), "problems", "--unit", "火星村")
    assert bad.exit_code == 2 and "找不到单位" in bad.output
    bad = run("--config", str(config_file), "problems", "--status", "飞了")
    assert bad.exit_code == 2 and "不认识的状态" in bad.output


def test_problems_list_masks_numbers_and_is_audited(config_file, db_url):
    engine = make_engine(db_url)
    with unit_of_work(session_factory(engine)) as s:
        w = build_world(s)
        add_problem(s, w, "张三", "xiaoli", "漏水，电话13912345678", FROZEN_NOW)
    result = run("--config", str(config_file), "problems", "--unit", "虹桥镇")
    assert result.exit_code == 0, result.output
    assert "139****5678" in result.output and "13912345678" not in result.output
    with unit_of_work(session_factory(engine)) as s:
        [entry] = s.scalars(select(AuditLog)).all()
        assert (entry.action, entry.scope, entry.detail["problems"]) == (
            "view_problem_list",
            "虹桥镇",
            1,
        )
    engine.dispose()
