"""`minqing person export CODE` / `minqing person erase CODE`: a household's request.

黄三 (W3, 西河村, visited by 孙七) is quoted everywhere a household can end up: his
away visit's answers, a dispute about him, its history, a photo, a stored reply, an
outbox message, a cadre's draft. After the erasure a scan of every text and JSON
column of every table (reflected from the database, not from the models) finds
nothing of him but the audit entry.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from sqlalchemy import JSON, LargeBinary, MetaData, String, Text, func, select

from bot.cli import cli
from storage import callbacks, outbox
from storage.models import (
    AuditLog,
    Cadre,
    DialogSession,
    Problem,
    ProblemEvent,
    Target,
    Visit,
    VisitMedia,
)
from tests.support.clock import FROZEN_NOW
from tests.support.exports import DISPUTE_TEXT, WEST_AWAY_PHONE

CODE = "W3"
NAME = "黄三"
OWN_PHONE = "13511112222"
ID_NUMBER = "430621195801011236"  # a valid check digit: ID-like
ADDRESS = "西河村黄三家门口"


def run(config_file: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


def quote_him_everywhere(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s:
        target = s.scalar(select(Target).where(Target.code == CODE))
        target.phone, target.address = OWN_PHONE, ADDRESS
        sun = s.scalar(select(Cadre).where(Cadre.userid == "sunqi"))
        visit = s.scalar(select(Visit).where(Visit.target_id == target.id))
        problem = s.scalar(select(Problem).where(Problem.target_id == target.id))
        problem.text = f"{DISPUTE_TEXT}，身份证{ID_NUMBER}"
        s.add(
            ProblemEvent(
                problem_id=problem.id,
                actor_id=sun.id,
                action="note",
                note=f"{NAME}本人来电 {OWN_PHONE}",
                at=FROZEN_NOW,
            )
        )
        s.add(
            VisitMedia(
                visit_id=visit.id,
                cadre_id=sun.id,
                media_id="m-1",
                content=b"\xff\xd8jpeg",
                received_at=FROZEN_NOW,
            )
        )
        callbacks.record_applied(
            s,
            "msg:1",
            "sunqi",
            "text",
            FROZEN_NOW,
            f"已保存：{NAME}（{ADDRESS}）电话 {WEST_AWAY_PHONE}",
        )
        outbox.enqueue(
            s,
            "message",
            "wangsj",
            {"msgtype": "text", "text": {"content": f"新问题：{NAME} {OWN_PHONE}"}},
            FROZEN_NOW,
        )
        s.add(
            DialogSession(
                userid="sunqi",
                state="visit",
                updated_at=FROZEN_NOW,
                data={"target": {"name": NAME, "phone": OWN_PHONE}},
            )
        )
        s.commit()


def text_cells(engine) -> list[tuple[str, str, Any, str]]:  # type: ignore[no-untyped-def]
    """(table, column, row, text) for every string and JSON value in the database."""
    meta = MetaData()
    meta.reflect(engine)
    found = []
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            binary = [c for c in table.columns if isinstance(c.type, LargeBinary)]
            for row in conn.execute(select(table)).mappings():
                for col in cols:
                    value = row[col.name]
                    text = (
                        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    )
                    found.append((table.name, col.name, row, text))
                for col in binary:
                    raw = row[col.name] or b""
                    found.append((table.name, col.name, row, raw.decode("utf-8", "replace")))
    assert found, "the scan read nothing"
    return found


def test_export_writes_everything_held_about_the_household(config_file, etown, sessions, tmp_path):
    quote_him_everywhere(sessions)
    path = tmp_path / "w3.json"
    out = run(config_file, "person", "export", CODE, "--out", str(path))
    assert out.exit_code == 0, out.output
    held = json.loads(path.read_text(encoding="utf-8"))
    assert held["roster"]["head_name"] == NAME and held["roster"]["phone"] == OWN_PHONE
    assert held["roster"]["unit"] == "西河村"
    assert [c["userid"] for c in held["cadres"]] == ["sunqi"]
    assert held["visits"][0]["answers"]["phone"] == WEST_AWAY_PHONE
    assert ID_NUMBER in held["problems"][0]["text"]
    assert OWN_PHONE in held["events"][0]["note"] and held["photos"][0]["bytes"] == 6
    assert NAME in held["outbox"][0]["payload"]["text"]["content"]
    assert NAME in held["replies"][0]["reply"]

    xlsx = tmp_path / "w3.xlsx"
    assert run(config_file, "person", "export", CODE, "--out", str(xlsx)).exit_code == 0
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames[0] == "roster" and NAME in [c.value for c in book["roster"][2]]

    with sessions() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.action == "view_person_export")).all()
        assert [r.scope for r in rows] == [f"household:{CODE}"] * 2
        assert rows[0].detail["visits"] == 1 and rows[0].actor.startswith("cli:")


def test_erase_leaves_no_trace_but_the_audit_entry(config_file, etown, sessions, engine):
    quote_him_everywhere(sessions)
    marks = [NAME, OWN_PHONE, WEST_AWAY_PHONE, ID_NUMBER, ADDRESS, "浙江省义乌市"]
    before = [cell for cell in text_cells(engine) if any(m in cell[3] for m in marks)]
    assert {t for t, *_ in before} >= {
        "targets",
        "visits",
        "problems",
        "problem_events",
        "inbound_messages",
        "outbox",
        "dialog_sessions",
    }
    with sessions() as s:
        visits_before = s.scalar(select(func.count()).select_from(Visit))

    refused = run(config_file, "person", "erase", CODE)
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    out = run(config_file, "person", "erase", CODE, "--yes")
    assert out.exit_code == 0, out.output

    left = [(t, c) for t, c, row, text in text_cells(engine) if any(m in text for m in marks)]
    assert left == []
    with sessions() as s:
        [entry] = s.scalars(select(AuditLog).where(AuditLog.action == "person_erased")).all()
        assert entry.scope == f"household:{CODE}" and entry.detail["photos"] == 1
        assert s.scalar(select(func.count()).select_from(VisitMedia)) == 0
        # The visit still counts: outcome and dates stay, the answers are gone.
        assert s.scalar(select(func.count()).select_from(Visit)) == visits_before
        problem = s.get(Problem, etown.dispute_id)
        assert problem.kind == "矛盾纠纷" and problem.status == "assigned"
        # Other households keep their data.
        assert s.scalar(select(Target.head_name).where(Target.code == "W2")) == "黄二"
    assert run(config_file, "person", "export", CODE).exit_code == 1


def test_unknown_code_changes_nothing(config_file, etown, sessions):
    out = run(config_file, "person", "erase", "NOPE", "--yes")
    assert out.exit_code == 1 and "NOPE" in out.stderr
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == 0
