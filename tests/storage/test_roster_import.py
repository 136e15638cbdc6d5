"""Roster import on real SQLite and PostgreSQL: what a good file writes, and re-imports."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select, text

from storage.db import unit_of_work
from storage.models import Assignment, Cadre, Campaign, Phase, Target, Unit, Visit
from tests.support.db import audit_entries, dump_tables
from tests.support.roster_sheets import TARGET_HEADERS


def targets_by_name(session) -> dict[str, Target]:
    return {t.head_name: t for t in session.scalars(select(Target))}


def test_good_workbook_writes_every_sheet(sheets, write_book, run_import, sessions):
    prepared = run_import(write_book(sheets))
    assert prepared.problems == ()
    counts = {k: (c.created, c.updated, c.unchanged) for k, c in prepared.plan.counts.items()}
    assert counts == {
        "units": (4, 0, 0),
        "cadres": (4, 0, 0),
        "targets": (4, 0, 0),
        "assignments": (3, 0, 0),
        "phases": (2, 0, 0),
    }
    with unit_of_work(sessions) as s:
        village = s.scalars(select(Unit).where(Unit.name == "虹桥村")).one()
        assert (village.kind, village.parent.name) == ("村", "虹桥镇")
        cadres = {c.userid: c for c in s.scalars(select(Cadre))}
        assert cadres["lifang"].phone == "13800001002"  # a number cell reads as text
        assert cadres["wangqiang"].role == "leader" and cadres["zhaomin"].role == "admin"
        t = targets_by_name(s)
        assert t["陈建华"].categories == ["党员", "退役军人"] and t["陈建华"].is_key
        assert t["周红梅"].categories == ["一般农户"] and not t["周红梅"].is_key
        assert t["吴国庆"].phone == "13800002003" and t["吴国庆"].code is None
        assert t["吴国庆"].member_count is None and t["桃源便民超市"].member_count == 0
        assert t["桃源便民超市"].phone == "0731-00002004"
        campaign = s.scalars(select(Campaign)).one()
        assert (campaign.name, campaign.template, campaign.quota_per_cadre) == (
            "测试走访活动",
            "yizou_erwen_sankan",
            30,
        )
        owner = {
            a.target.head_name: a.cadre.userid
            for a in s.scalars(select(Assignment).where(Assignment.campaign_id == campaign.id))
        }
        assert owner == {"陈建华": "zhangwei", "周红梅": "zhangwei", "吴国庆": "lifang"}
        assert [(p.position, p.name, p.start_date, p.deadline) for p in campaign.phases] == [
            (1, "走访排查", date(2026, 11, 16), date(2026, 12, 16)),
            (2, "汇总研判", date(2026, 12, 17), date(2026, 12, 30)),
        ]


def test_reimport_changes_no_row(sheets, write_book, run_import, engine):
    path = write_book(sheets)
    run_import(path)
    before = dump_tables(engine)
    again = run_import(path)
    assert again.plan.changes == 0
    assert dump_tables(engine) == before
    first, second = audit_entries(engine)
    assert first["changes"] == 17 and second["changes"] == 0
    assert second["counts"]["targets"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_changed_row_updates_by_code_and_by_name_address(sheets, write_book, run_import, sessions):
    run_import(write_book(sheets))
    with unit_of_work(sessions) as s:
        ids = {t.head_name: t.id for t in s.scalars(select(Target))}
    rows = sheets["走访对象"]
    rows[1][1] = "陈建华（户主变更）"  # same 编号 HQ-1: renamed in place
    rows[3][5] = "13800009999"  # no 编号: matched by 户主姓名 + 地址
    rows[3][6] = "信教人士；五包一信访对象"
    prepared = run_import(write_book(sheets, "changed.xlsx"))
    assert prepared.plan.counts["targets"].updated == 2
    assert prepared.plan.counts["targets"].unchanged == 2
    with unit_of_work(sessions) as s:
        t = {t.id: t for t in s.scalars(select(Target))}
        assert s.scalar(select(func.count(Target.id))) == 4
        assert t[ids["陈建华"]].head_name == "陈建华（户主变更）"
        assert t[ids["吴国庆"]].phone == "13800009999"
        assert t[ids["吴国庆"]].categories == ["信教人士", "五包一信访对象"]


def test_code_added_later_matches_the_stored_household(sheets, write_book, run_import, sessions):
    run_import(write_book(sheets))
    sheets["走访对象"][3][0] = "TY-7"
    prepared = run_import(write_book(sheets, "coded.xlsx"))
    assert prepared.plan.counts["targets"].created == 0
    with unit_of_work(sessions) as s:
        assert targets_by_name(s)["吴国庆"].code == "TY-7"


def _add_visit(sessions, head_name: str) -> None:
    with unit_of_work(sessions) as s:
        target = s.scalars(select(Target).where(Target.head_name == head_name)).one()
        a = s.scalars(select(Assignment).where(Assignment.target_id == target.id)).one()
        at = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
        s.add(
            Visit(
                campaign_id=a.campaign_id,
                target_id=target.id,
                cadre_id=a.cadre_id,
                template="yizou_erwen_sankan",
                outcome="visited",
                answers={},
                started_at=at,
                submitted_at=at,
            )
        )


def test_unvisited_target_may_change_cadre(sheets, write_book, run_import, sessions):
    run_import(write_book(sheets))
    sheets["走访对象"][2][8] = "lifang"
    prepared = run_import(write_book(sheets, "moved.xlsx"))
    assert prepared.problems == ()
    assert prepared.plan.counts["assignments"].updated == 1
    with unit_of_work(sessions) as s:
        target = targets_by_name(s)["周红梅"]
        a = s.scalars(select(Assignment).where(Assignment.target_id == target.id)).one()
        assert a.cadre.userid == "lifang"


def test_visited_target_keeps_its_cadre(sheets, write_book, run_import, sessions, engine):
    run_import(write_book(sheets))
    _add_visit(sessions, "周红梅")
    before = dump_tables(engine)
    sheets["走访对象"][2][8] = "李芳"
    prepared = run_import(write_book(sheets, "moved.xlsx"))
    assert [str(p) for p in prepared.problems] == [
        "走访对象 3 走访干部: 已有走访记录，不得更换走访干部 “李芳”（当前走访干部：zhangwei；一访到底）"
    ]
    assert dump_tables(engine) == before
    # Naming the same cadre again is fine: nothing changes.
    sheets["走访对象"][2][8] = "zhangwei"
    assert run_import(write_book(sheets, "same.xlsx")).problems == ()


def test_empty_cadre_cell_keeps_the_assignment(sheets, write_book, run_import, sessions):
    run_import(write_book(sheets))
    sheets["走访对象"][1][8] = ""
    prepared = run_import(write_book(sheets, "blank.xlsx"))
    assert prepared.plan.changes == 0
    with unit_of_work(sessions) as s:
        assert s.scalar(select(func.count(Assignment.id))) == 3


def test_phases_are_replaced_as_a_list_and_an_empty_sheet_keeps_them(
    sheets, write_book, run_import, sessions
):
    run_import(write_book(sheets))
    sheets["活动阶段"] = [["阶段名称", "开始日期", "截止日期"], ["集中走访", "", "2027-01-10"]]
    prepared = run_import(write_book(sheets, "phases.xlsx"))
    assert prepared.plan.counts["phases"].updated == 2  # one renamed, one dropped
    sheets["活动阶段"] = [["阶段名称", "开始日期", "截止日期"]]
    run_import(write_book(sheets, "no-phases.xlsx"))
    with unit_of_work(sessions) as s:
        phases = s.scalars(select(Phase)).all()
        assert [(p.position, p.name, p.start_date, p.deadline) for p in phases] == [
            (1, "集中走访", None, date(2027, 1, 10))
        ]


def test_existing_active_campaign_is_used(sheets, write_book, run_import, sessions):
    with unit_of_work(sessions) as s:
        s.add(Campaign(name="春季走访", template="four_look", quota_per_cadre=10, active=True))
    run_import(write_book(sheets))
    with unit_of_work(sessions) as s:
        campaigns = s.scalars(select(Campaign)).all()
        assert [c.name for c in campaigns] == ["春季走访"]
        assert s.scalar(select(func.count(Assignment.id))) == 3
        assert len(campaigns[0].phases) == 2


def test_unit_parent_may_move_and_new_units_nest(sheets, write_book, run_import, sessions):
    run_import(write_book(sheets))
    sheets["单位"] += [["虹桥村第1网格", "虹桥村", "网格"], ["一组片区", "虹桥村第1网格", "其他"]]
    sheets["单位"][2][1] = ""  # 综治办 becomes a root
    prepared = run_import(write_book(sheets, "units.xlsx"))
    assert prepared.plan.counts["units"].created == 2
    assert prepared.plan.counts["units"].updated == 1
    with unit_of_work(sessions) as s:
        units = {u.name: u for u in s.scalars(select(Unit))}
        assert units["一组片区"].parent.parent.name == "虹桥村"
        assert units["综治办"].parent_id is None


def test_csv_sheet_named_by_file_references_the_database(
    sheets, write_book, run_import, sessions, tmp_path
):
    run_import(write_book(sheets))
    csv_path = tmp_path / "走访对象.csv"
    csv_path.write_text(
        ",".join(TARGET_HEADERS) + "\nHQ-9,郑立新,虹桥村,3组,3组5号,13800003001,乡贤,5,张伟\n",
        encoding="utf-8-sig",
    )
    prepared = run_import(csv_path)
    assert prepared.problems == ()
    assert prepared.plan.counts["targets"].created == 1
    assert set(prepared.plan.counts) == {"targets", "assignments"}
    with unit_of_work(sessions) as s:
        t = targets_by_name(s)["郑立新"]
        assert t.is_key and t.unit.name == "虹桥村"
        assert s.scalar(select(func.count(Target.id))) == 5


def test_csv_in_gbk_with_sheet_option(sheets, write_book, run_import, sessions, tmp_path):
    run_import(write_book(sheets))
    csv_path = tmp_path / "export.csv"
    csv_path.write_bytes(
        "姓名,企业微信账号,单位,角色,手机\n孙涛,suntao,虹桥村,走访干部,\n".encode("gbk")
    )
    prepared = run_import(csv_path, sheet="干部")
    assert prepared.problems == ()
    with unit_of_work(sessions) as s:
        assert s.scalars(select(Cadre.name).where(Cadre.userid == "suntao")).one() == "孙涛"


def test_uncoded_row_beside_a_numbered_namesake_reimports_unchanged(
    sheets, write_book, run_import, engine
):
    """Found by Hypothesis: the same 户主姓名 + 地址 once with a 编号 and once without."""
    rows = sheets["走访对象"]
    rows.append(["A-26", "唐冬梅", "虹桥村", "4组", "4组9号", "", "", 2, ""])
    rows.append(["", "唐冬梅", "虹桥村", "4组", "4组9号", "", "", 3, ""])
    path = write_book(sheets)
    assert run_import(path).problems == ()
    before = dump_tables(engine)
    again = run_import(path)
    assert again.problems == ()
    assert again.plan.changes == 0
    assert dump_tables(engine) == before


def test_an_import_leaves_postgresql_fresh_statistics(sheets, write_book, run_import, engine):
    """A county's first import would otherwise be planned as empty tables until
    autovacuum's analyze catches up (a join then took 40 s instead of 1 s)."""
    if engine.dialect.name != "postgresql":
        assert engine.dialect.name == "sqlite"  # SQLite's planner keeps no such figures
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE targets"))  # what the planner knows now: no rows
        before = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'targets'"))
        assert before.scalar_one() == 0
    run_import(write_book(sheets))
    with engine.connect() as conn:
        after = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'targets'"))
        assert after.scalar_one() == 4
