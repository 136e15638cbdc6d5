"""Issue 10's bullets on the fact layer, its exports and the digests (docs/facts.md).

The world is tests/support/facts.py: one village with two 网格, a 线办 whose cadre
visits in the village, every outcome, a village form, a shop, a problem solved later
and one explained at the door.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import config as config_mod
from bot.cli import cli
from bot.handlers.visit_io import build_context
from scheduler import digests
from storage import facts, visit_queries
from storage.exports import ExportRequest, export_table, resolve_scope
from storage.models import Cadre, Campaign, OutboxMessage, Unit
from storage.problems import list_visible
from storage.vocab import CATEGORIES_CHANGZHOU, PROBLEM_STATUS
from tests.support.clock import FROZEN_NOW, ZONE
from tests.support.exports import Workbook, read_workbook
from tests.support.facts import FactsWorld, build_facts_world

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEC_1 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def world(sessions) -> FactsWorld:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return build_facts_world(s)


def local_midnight(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=SHANGHAI)


def export(  # type: ignore[no-untyped-def]
    session,
    world: FactsWorld,
    tmp_path: Path,
    key: str,
    *,
    unit: str | None = None,
    userid: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime = FROZEN_NOW,
) -> Workbook:
    request = ExportRequest(
        campaign_id=world.campaign_id,
        scope=resolve_scope(session, world.campaign_id, unit, userid),
        tz=SHANGHAI,
        since=since,
        until=until,
        now=now,
    )
    path = tmp_path / f"{key}.xlsx"
    export_table(session, key, request, path)
    return read_workbook(path, 2 if key == "summary" else 1)


def suggestions(table: Workbook) -> dict[str, list[int]]:
    """附件5's 意见建议 block: category -> [已解决, 待解决, 已解释, 小计]."""
    return {r[1]: r[2:] for r in table.body if r[1] in CATEGORIES_CHANGZHOU}


def digest(config_file: Path, *args: str) -> str:
    out = CliRunner().invoke(cli, ["--config", str(config_file), "digest", *args])
    assert out.exit_code == 0, out.output
    return out.output


def cadre(session, userid: str) -> Cadre:  # type: ignore[no-untyped-def]
    found = session.scalar(select(Cadre).where(Cadre.userid == userid))
    assert found is not None
    return found


# --- an unanswered call ----------------------------------------------------------------


def test_an_unanswered_call_stays_on_the_list_and_is_not_contact(session, world, tmp_path):
    me = cadre(session, "wangge1")
    campaign = session.get(Campaign, world.campaign_id)
    ctx = build_context(session, campaign, me, FROZEN_NOW, ZONE)
    status = {t.name: t for t in ctx.targets}
    assert status["赵二"].status == "phone_missed" and not status["赵二"].done
    assert status["赵三"].done and status["赵四"].done
    # 进度: households only; the village form and the shop have their own lines.
    p = ctx.progress
    assert (p.visited, p.phone, p.away, p.missed, p.assigned) == (1, 1, 1, 1, 5)
    assert p.percent == 60 and p.key_left == 1
    assert ("村（社区）", 1, 1) in p.kinds and ("单位或商铺", 1, 1) in p.kinds
    # 走访户数 on 11-21 counts the call that got through, not the missed one.
    day = facts.Period(local_midnight(11, 21), local_midnight(11, 22))
    place = facts.scope_for_unit(session, session.get(Unit, world.units["虹桥村"]))
    assert facts.activity(session, world.campaign_id, place, day).households == 1
    no_problem = export(session, world, tmp_path, "no-problem")
    assert no_problem.column("群众姓名") == ["赵一", "赵三"]  # not 赵二, not away, no village


def test_phone_counts_only_calls_that_got_through(session, world, tmp_path):
    summary = export(session, world, tmp_path, "summary", unit="虹桥村")
    (row,) = summary.body
    assert row[1] == "虹桥村"
    assert summary.header[0][2] == "走访任务（户）" and row[2] == 7  # households only
    figures = dict(zip(summary.header[1][3:9], row[3:9], strict=True))
    assert figures == {
        "入户走访": 3,
        "电话联系": 1,
        "不在家已登记": 1,
        "未走访": 2,  # 赵二 (电话未接通) and 赵五
        "应访": 2,
        "已访": 1,
    }


# --- periods -----------------------------------------------------------------------------


def test_a_problem_closed_later_is_pending_in_the_earlier_period(session, world, tmp_path):
    before = export(
        session,
        world,
        tmp_path,
        "halfmonth",
        since=local_midnight(11, 16),
        until=local_midnight(11, 30),
        now=DEC_1,
    )
    rows = suggestions(before)
    assert rows["平安治理"] == [0, 1, 0, 1]  # 已解决, 待解决, 已解释, 小计
    problems = export(
        session,
        world,
        tmp_path,
        "problems",
        since=local_midnight(11, 16),
        until=local_midnight(11, 30),
        now=DEC_1,
    )
    assert PROBLEM_STATUS["assigned"] in problems.column("办理状态")
    after = export(
        session,
        world,
        tmp_path,
        "halfmonth",
        since=local_midnight(11, 16),
        until=local_midnight(12, 1),
        now=DEC_1,
    )
    rows = suggestions(after)
    assert rows["平安治理"] == [1, 0, 0, 1]


def test_explained_is_not_solved_in_attachment_5_or_the_digest(
    sessions, world, tmp_path, config_file
):
    with sessions() as session:
        table = export(session, world, tmp_path, "halfmonth", now=DEC_1)
    rows = suggestions(table)
    assert rows["社会保障"] == [0, 0, 1, 1]
    assert table.totals[2:] == [1, 0, 1, 2]
    text = digest(config_file, "weekly", "--unit", "虹桥村", "--now", "2026-11-22T20:00")
    assert "社会保障：新增 1，已解决 0，已解释 1" in text
    assert "解决问题数：0" in text  # the week of 11-16: P2 explained, P1 not yet solved


# --- scopes --------------------------------------------------------------------------------


def test_a_line_office_gets_its_cadres_visits(sessions, world, tmp_path, config_file):
    with sessions() as session:
        summary = export(session, world, tmp_path, "summary", unit="综治办")
        issues = export(session, world, tmp_path, "issues", unit="综治办")
    assert summary.body == [[1, "综治办", 2, 2, 0, 0, 0, 0, 0, 2, 0, 1, 1]]
    # 附件4 is one sheet per cadre, with 走访人 as a header line (seed 003).
    assert len(issues.body) == 2 and "走访人：综治员" in issues.notes
    text = digest(config_file, "weekly", "--unit", "综治办", "--now", "2026-11-22T20:00")
    assert "综治员：入户走访 **2**" in text
    assert "走访户数：2" in text and "干部走访人数：1" in text
    # the 综治办 leader's own digest is the unit's: the same query
    assert digest(config_file, "weekly", "--as", "zzleader", "--now", "2026-11-22T20:00") == text


def test_away_by_grid_returns_that_grids_households(session, world, tmp_path):
    first = export(session, world, tmp_path, "away", unit="虹桥村第1网格")
    assert first.column("户主姓名") == ["赵四"] and first.column("联系电话") == ["13655556666"]
    assert export(session, world, tmp_path, "away", unit="虹桥村第2网格").body == []
    grid = facts.scope_for_unit(session, session.get(Unit, world.units["虹桥村第2网格"]))
    (line,) = [c for c in facts.coverage(session, world.campaign_id, grid) if c.kind == "household"]
    assert (line.assigned, line.visited) == (2, 2)


def test_export_as_a_leader_is_their_chat_list(session, world, tmp_path):
    # The 综治办 leader sees P1 (assigned to 综治办) though it is about a 虹桥村 household.
    viewer = cadre(session, "zzleader")
    chat = list_visible(session, viewer, statuses=tuple(PROBLEM_STATUS), limit=10_000)
    table = export(session, world, tmp_path, "problems", userid="zzleader", now=DEC_1)
    assert [p.id for p in chat] == [world.p1]
    assert table.column("反映问题") == [p.text for p in chat]
    assert visit_queries.targets_for(session, world.campaign_id, viewer.id) == []


def test_the_line_office_leaders_scheduled_digest_shows_its_cadre(sessions, world, config):
    with sessions() as s:
        digests.weekly(s, FROZEN_NOW, config)
        s.commit()
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "zzleader")).all()
    text = next(
        r.payload["markdown"]["content"] for r in rows if r.payload["msgtype"] == "markdown"
    )
    assert "综治员：入户走访 **2**" in text and "共 2 户" in text
    assert "网格员" not in text.split("进度落后的干部")[0]  # another unit's cadre


def test_a_leaders_weekly_digest_printed_is_the_one_queued(sessions, world, config_file):
    """``minqing digest weekly --as`` prints exactly the leader's queued digest: the
    figures and the 走访任务与评分 section (it once left the section out)."""
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # Sunday 20:00 in Shanghai
    printed = digest(config_file, "weekly", "--as", "zzleader", "--now", now.isoformat())
    assert "走访任务与评分" in printed
    with sessions() as session:
        digests.weekly(session, now, config_mod.load(config_file, environ={}))
        session.commit()
        queued = [
            row.payload["markdown"]["content"]
            for row in session.scalars(select(OutboxMessage))
            if "zzleader" in row.recipient.split("|") and row.payload.get("msgtype") == "markdown"
        ]
    assert queued == [printed.rstrip("\n")]
