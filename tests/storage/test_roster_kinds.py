"""Target kinds from the roster: 户 / 村（社区） / 单位或商铺 (issue 10 item 1, seed 004)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.db import unit_of_work
from storage.models import Target
from storage.roster.demo import make_demo_roster
from storage.vocab import PLACE_CATEGORIES, TARGET_KIND_LABELS
from tests.support.db import dump_tables
from tests.support.roster_sheets import TARGET_HEADERS

KIND = TARGET_HEADERS.index("类型")


def kinds(sessions) -> dict[str, tuple[str, list[str]]]:
    with unit_of_work(sessions) as s:
        return {t.head_name: (t.kind, list(t.categories)) for t in s.scalars(select(Target))}


def row(*cells, kind=""):
    cells = list(cells) + [""] * (KIND - len(cells))
    return [*cells, kind]


def test_place_categories_make_a_place_and_the_type_column_is_read(
    sheets, write_book, run_import, sessions
):
    sheets["走访对象"] += [
        row("", "虹桥小学", "虹桥村", "", "村东1号", "", "学校"),
        row("", "虹桥村", "虹桥村", "", "虹桥村村委会", "", "", kind="村（社区）"),
        row("", "县供电所虹桥营业厅", "虹桥村", "", "街上5号", "", "", kind="单位或商铺"),
        row("", "刘德明", "虹桥村", "2组", "2组3号", "", "老党员", kind="户"),
    ]
    prepared = run_import(write_book(sheets))
    assert prepared.problems == ()
    found = kinds(sessions)
    assert found["桃源便民超市"] == ("place", ["商铺"])  # 类别 商铺, no 类型: a place
    assert found["虹桥小学"] == ("place", ["学校"])
    assert found["虹桥村"] == ("village", [])  # not an 一般农户
    assert found["县供电所虹桥营业厅"] == ("place", [])
    assert found["刘德明"] == ("household", ["老党员"])
    assert found["周红梅"] == ("household", ["一般农户"])


def test_a_file_without_the_type_column_still_imports(sheets, write_book, run_import, sessions):
    sheets["走访对象"] = [r[:KIND] for r in sheets["走访对象"]]
    assert "类型" not in sheets["走访对象"][0]
    prepared = run_import(write_book(sheets))
    assert prepared.problems == ()
    assert kinds(sessions)["桃源便民超市"][0] == "place"


def test_a_bad_or_contradicting_type_is_reported_and_nothing_is_written(
    sheets, write_book, run_import, engine
):
    sheets["走访对象"] += [
        row("", "青山砖厂", "桃源村", "", "3组1号", "", "企业", kind="工厂"),
        row("", "桃源粮油店", "桃源村", "", "3组2号", "", "商铺", kind="户"),
    ]
    prepared = run_import(write_book(sheets))
    lines = [str(p) for p in prepared.problems]
    assert lines == [
        "走访对象 6 类型: 走访对象类型不对 “工厂”（只能是 户、村（社区）、单位或商铺）",
        "走访对象 7 类型: 类型 “户” 与类别 “商铺” 不符（商铺应为 单位或商铺）",
    ]
    assert dump_tables(engine)["targets"] == []


def test_reimport_with_types_changes_nothing(sheets, write_book, run_import, engine):
    sheets["走访对象"].append(row("", "虹桥村", "虹桥村", "", "村委会", "", "", kind="村"))
    path = write_book(sheets)
    run_import(path)
    before = dump_tables(engine)
    again = run_import(path)
    assert again.plan.counts["targets"].updated == 0
    assert dump_tables(engine) == before


def test_demo_roster_marks_shops_schools_and_companies_as_places():
    demo = make_demo_roster(date(2026, 11, 23))
    by_kind: dict[str, set[str]] = {}
    for r in demo.targets:
        by_kind.setdefault(r[KIND], set()).add(r[6] or "一般农户")
    assert set(by_kind) == {TARGET_KIND_LABELS["household"], TARGET_KIND_LABELS["place"]}
    assert by_kind["单位或商铺"] == {"学校", "商铺", "企业"}
    assert not by_kind["户"] & set(PLACE_CATEGORIES)
