"""The empty template, the export and the demo roster all import cleanly."""

from __future__ import annotations

from collections import Counter
from datetime import date

import openpyxl
from sqlalchemy import func, select

from storage import vocab
from storage.db import unit_of_work
from storage.models import Assignment, Cadre, Campaign, Target
from storage.roster.demo import DEMO_CADRE, build_demo_roster
from storage.roster.export import export_roster
from storage.roster.reader import read_roster
from storage.roster.sheets import COLUMN_NOTES, SHEETS
from storage.roster.template import write_template
from tests.support.db import dump_tables
from tests.support.paths import ROOT

EXAMPLE = ROOT / "examples" / "demo_roster.xlsx"


def test_template_has_every_header_and_a_notes_sheet(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [s.name for s in SHEETS] + ["说明"]
    for spec in SHEETS:
        ws = wb[spec.name]
        assert tuple(c.value for c in ws[1]) == spec.headers
        assert all(c.font.bold for c in ws[1])
        assert ws.max_row == 1
    lists = {str(dv.sqref): dv.formula1 for dv in wb["干部"].data_validations.dataValidation}
    assert lists == {"D2:D5000": '"走访干部,负责人,管理员"'}
    assert (
        wb["单位"].data_validations.dataValidation[0].formula1.count(",")
        == len(vocab.UNIT_KINDS) - 1
    )
    notes = {(r[0], r[1]) for r in wb["说明"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert notes == {(spec.name, h) for spec in SHEETS for h in spec.headers}
    assert len(COLUMN_NOTES) == sum(len(s.headers) for s in SHEETS)


def test_template_filled_in_imports(tmp_path, run_import, sessions):
    path = tmp_path / "template.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    wb["单位"].append(["青山村", "", "村"])
    wb["干部"].append(["彭涛", "pengtao", "青山村", "走访干部", "13800005555"])
    wb["走访对象"].append(["QS-1", "袁玉兰", "青山村", "5组", "5组3号", "", "党员", 2, "彭涛"])
    wb["活动阶段"].append(["走访排查", date(2026, 12, 1), date(2026, 12, 31)])
    wb.save(path)
    prepared = run_import(path)
    assert prepared.problems == ()
    assert prepared.plan.changes == 5
    with unit_of_work(sessions) as s:
        a = s.scalars(select(Assignment)).one()
        assert (a.target.head_name, a.cadre.userid) == ("袁玉兰", "pengtao")


def test_export_round_trips(sheets, write_book, run_import, sessions, engine, tmp_path):
    run_import(write_book(sheets))
    before = dump_tables(engine)
    with unit_of_work(sessions) as s:
        counts = export_roster(s, tmp_path / "export.xlsx")
    assert counts == {"units": 4, "cadres": 4, "targets": 4, "phases": 2}
    again = run_import(tmp_path / "export.xlsx")
    assert again.problems == ()
    assert again.plan.changes == 0
    assert dump_tables(engine) == before


def test_demo_roster_imports_cleanly(tmp_path, run_import, sessions):
    path = build_demo_roster(tmp_path / "demo.xlsx", date(2026, 11, 23))
    prepared = run_import(path)
    assert prepared.problems == ()
    counts = {k: c.created for k, c in prepared.plan.counts.items()}
    assert counts == {"units": 17, "cadres": 31, "targets": 600, "assignments": 600, "phases": 5}
    with unit_of_work(sessions) as s:
        demo = s.scalars(select(Cadre).where(Cadre.userid == DEMO_CADRE)).one()
        assert s.scalar(select(func.count()).where(Assignment.cadre_id == demo.id)) == 20
        roles = Counter(s.scalars(select(Cadre.role)))
        assert roles["admin"] == 1 and 3 <= roles["leader"] <= 6 and roles["visitor"] >= 20
        categories = Counter(c for cats in s.scalars(select(Target.categories)) for c in cats)
        assert categories["一般农户"] > 300
        for some in ("党员", "组长", "退役军人", "乡贤", "离职村干部", "商铺", "企业", "学校"):
            assert categories[some] > 0, some
        assert 0 < sum(categories[c] for c in vocab.SENSITIVE_CATEGORIES) < 30
        phases = s.scalars(select(Campaign)).one().phases
        assert [p.name for p in phases][:2] == ["动员部署", "走访排查"]
        assert phases[1].start_date <= date(2026, 11, 23) <= phases[1].deadline


def test_demo_roster_is_reproducible_and_matches_the_committed_example(tmp_path):
    a = build_demo_roster(tmp_path / "a.xlsx", date(2026, 11, 23))
    b = build_demo_roster(tmp_path / "b.xlsx", date(2026, 11, 23))
    assert a.read_bytes() == b.read_bytes()
    committed, fresh = read_roster(EXAMPLE), read_roster(a)
    assert committed.sheets == fresh.sheets
    later = read_roster(build_demo_roster(tmp_path / "c.xlsx", date(2027, 3, 1)))
    assert later.sheets["走访对象"] == fresh.sheets["走访对象"]
    assert later.sheets["活动阶段"] != fresh.sheets["活动阶段"]
