"""The scheduler's small town (tests/support/town.py) plus what the exports need:
two households not at home with their 附件2 details and one dispute; and a reader
that opens a written workbook the way a clerk would.

东山村: 陈三 (E7, 李四) away; 西河村: 黄三 (W3, 孙七) away on 11-22 and a 矛盾纠纷
about 黄三 assigned to 虹桥镇.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import select

from scheduler.privacy import PHONE_RE
from storage.exports import ExportRequest, export_table, resolve_scope
from storage.models import Cadre, Problem, Target, Visit
from tests.support.clock import FROZEN_NOW
from tests.support.town import Town, build_town

SHANGHAI = ZoneInfo("Asia/Shanghai")
EAST_AWAY_PHONE = "13655556666"
WEST_AWAY_PHONE = "13477778888"
DISPUTE_TEXT = "与邻居因宅基地边界有矛盾纠纷，希望村里调解"


@dataclass(frozen=True)
class ExportTown:
    town: Town
    dispute_id: int


def build_export_town(session) -> ExportTown:  # type: ignore[no-untyped-def]
    town = build_town(session)
    target = {t.code: t for t in session.scalars(select(Target))}
    cadre = {c.userid: c for c in session.scalars(select(Cadre))}
    e7 = session.scalar(select(Visit).where(Visit.target_id == target["E7"].id))
    e7.answers = {
        "phone": EAST_AWAY_PHONE,
        "away_since": "今年春节后",
        "away_address": "广东省东莞市长安镇",
        "occupation": "电子厂务工",
    }
    when = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    session.add(
        Visit(
            campaign_id=town.campaign_id,
            target_id=target["W3"].id,
            cadre_id=cadre["sunqi"].id,
            template="away",
            outcome="away",
            answers={
                "phone": WEST_AWAY_PHONE,
                "away_since": "2025年10月",
                "away_address": "浙江省义乌市",
                "occupation": "个体经营",
            },
            started_at=when - timedelta(minutes=5),
            submitted_at=when,
        )
    )
    dispute = Problem(
        target_id=target["W3"].id,
        found_by_id=cadre["sunqi"].id,
        unit_id=town.west_id,
        text=DISPUTE_TEXT,
        kind="矛盾纠纷",
        category="平安治理",
        category_alt="社会治安",
        status="assigned",
        assignee_unit_id=town.town_id,
        created_at=when,
        assigned_at=when,
        deadline=when + timedelta(days=7),
    )
    session.add(dispute)
    session.commit()
    return ExportTown(town, dispute.id)


def request_for(
    session,  # type: ignore[no-untyped-def]
    campaign_id: int,
    *,
    unit: str | None = None,
    userid: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ExportRequest:
    """The request the CLI would build, wired to the scheduler's figures."""
    return ExportRequest(
        campaign_id=campaign_id,
        scope=resolve_scope(session, campaign_id, unit, userid),
        tz=SHANGHAI,
        since=since,
        until=until,
        redact=lambda text: PHONE_RE.sub("[电话已隐去]", text),
        now=FROZEN_NOW,
    )


@dataclass(frozen=True)
class Workbook:
    """A written table as read back: title, note lines, header rows, body rows."""

    title: str
    notes: list[str]
    header: list[list[Any]]
    body: list[list[Any]]
    totals: list[Any]
    sheet: Any

    def column(self, name: str) -> list[Any]:
        index = self.header[-1].index(name)
        return [row[index] for row in self.body]

    def text(self) -> str:
        cells = [self.title, *self.notes]
        for row in [*self.header, *self.body, self.totals]:
            cells += [str(v) for v in row if v is not None]
        return "\n".join(cells)


SIGNOFF = "填报单位："
TWO_ROW_HEADERS = {"summary", "cadre-summary", "line-summary"}


def closing_lines(ws: Any) -> list[str]:
    """The lines under a table, from the first blank row after the body to the end."""
    rows = [r[0] for r in ws.iter_rows(values_only=True)]
    last = max(i for i, v in enumerate(rows) if isinstance(v, str) and v.startswith(SIGNOFF))
    start = last
    while start > 0 and rows[start - 1] is not None:
        start -= 1
    while start > 0 and rows[start - 1] is None:
        start -= 1
    return [v for v in rows[start : last + 1] if v is not None]


def read_workbook(path: Path, header_rows: int = 1) -> Workbook:
    """Open ``path`` with openpyxl; the frozen pane marks where the body starts, the
    blank row before the 填报单位 line where it ends."""
    ws = openpyxl.load_workbook(path).active
    body_start = openpyxl.utils.cell.coordinate_to_tuple(ws.freeze_panes)[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    end = len(rows)
    while end > 0 and not (rows[end - 1][0] is None and all(v is None for v in rows[end - 1])):
        end -= 1
    header_top = body_start - header_rows
    return Workbook(
        title=rows[0][0],
        notes=[r[0] for r in rows[1 : header_top - 1]],
        header=rows[header_top - 1 : body_start - 1],
        body=rows[body_start - 1 : end - 2],
        totals=rows[end - 2],
        sheet=ws,
    )


def export_and_read(session, etown: ExportTown, tmp_path: Path, key: str, **scope: Any) -> Workbook:  # type: ignore[no-untyped-def]
    """Write table ``key`` in ``scope`` (unit=, userid=, since=, until=) and read it back."""
    path = tmp_path / f"{key}.xlsx"
    export_table(session, key, request_for(session, etown.town.campaign_id, **scope), path)
    return read_workbook(path, 2 if key in TWO_ROW_HEADERS else 1)
