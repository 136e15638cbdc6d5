"""The service: the race loser is told in Chinese who changed what, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import LedgerConfig
from bot.handlers.ledger_service import act, act_on
from bot.ledger.workflow import LedgerError, Request
from storage.models import Cadre, OutboxMessage, Problem
from tests.support.clock import FROZEN_NOW, ZONE
from tests.support.ledger import add_problem, build_world

CFG = LedgerConfig()


def cadre(session, userid):
    return session.scalar(select(Cadre).where(Cadre.userid == userid))


def test_two_leaders_at_once_the_loser_hears_what_changed(sessions):
    with sessions() as s:
        w = build_world(s)
        pid = add_problem(s, w, "张三", "xiaoli", "屋顶漏水", FROZEN_NOW).id
        office, village2 = w.unit("镇综治办"), w.unit("二村")
        s.commit()
    a, b = sessions(), sessions()
    try:
        admin = cadre(a, "guanli")
        mine = a.get(Problem, pid)  # admin opened the problem …
        a.commit()  # … (SQLite: read finished, lock released)
        act(
            b,
            cadre(b, "zhenzhang"),
            pid,
            Request("assign", assignee_unit_id=office),
            FROZEN_NOW,
            CFG,
            ZONE,
        )
        b.commit()  # … while the town leader assigned it
        with pytest.raises(LedgerError) as lost:
            act_on(
                a, admin, mine, Request("assign", assignee_unit_id=village2), FROZEN_NOW, CFG, ZONE
            )
        assert lost.value.message.startswith(
            f"问题#{pid}刚刚被镇长于11月23日17:00交办，当前状态“交办”"
        )
        a.rollback()
        with sessions() as s:
            assert s.get(Problem, pid).assignee_unit_id == office
            # only the winner's notice was queued
            assert len(s.scalars(select(OutboxMessage)).all()) == 1
    finally:
        a.close()
        b.close()


def test_two_threads_assign_at_once_exactly_one_wins(sessions):
    """Real concurrency: two units of work race; one assigns, the other is told why not."""
    import threading

    from storage.db import unit_of_work

    with sessions() as s:
        w = build_world(s)
        pid = add_problem(s, w, "张三", "xiaoli", "屋顶漏水", FROZEN_NOW).id
        units = {"zhenzhang": w.unit("镇综治办"), "guanli": w.unit("二村")}
        s.commit()
    results: dict[str, str] = {}

    def leader(userid: str) -> None:
        try:
            with unit_of_work(sessions) as s:
                req = Request("assign", assignee_unit_id=units[userid])
                act(s, cadre(s, userid), pid, req, FROZEN_NOW, CFG, ZONE)
            results[userid] = "ok"
        except LedgerError as exc:
            results[userid] = exc.message

    threads = [threading.Thread(target=leader, args=(u,)) for u in units]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [u for u, r in results.items() if r == "ok"]
    assert len(winners) == 1, results
    [loser] = [u for u in units if u not in winners]
    assert ("刚刚被" in results[loser] and "没有执行" in results[loser]) or (
        "不能交办" in results[loser] and "最近一次" in results[loser]
    )
    with sessions() as s:
        p = s.get(Problem, pid)
        assert p.assignee_unit_id == units[winners[0]]
        assert p.version == 2


def test_offer_corrections_queues_one_card_per_problem(session):
    from bot.handlers.ledger_service import offer_corrections

    w = build_world(session)
    p = add_problem(session, w, "张三", "xiaoli", "屋顶漏水", FROZEN_NOW)
    assert offer_corrections(session, w.cadre("xiaoli"), [p], "changzhou", FROZEN_NOW) == 1
    [row] = session.scalars(select(OutboxMessage)).all()
    assert row.recipient == "xiaoli"
    assert row.payload["template_card"]["task_id"] == f"ledger-reclass-{p.id}-1"
