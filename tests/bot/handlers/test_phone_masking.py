"""Phone and ID numbers in problem texts: whole for the household's cadre and the
leaders over it, masked (138****5678) for everyone else who may see the problem.

张三's household (一村) is 小李's; its problem quotes a mobile and is assigned to
镇综治办, whose 综治员 may open it but is not the household's cadre. Group chats
never get the number at all (tests/scheduler/test_privacy.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.ledger.classify import classify
from storage.models import AuditLog, OutboxMessage, Visit
from storage.problems import RaisedItem, create_from_visit
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import build_world

PHONE = "13912345678"
MASKED = "139****5678"


@pytest.fixture
def assigned(runtime, wc):
    with runtime.unit_of_work() as s:
        w = build_world(s)
        visit = Visit(
            campaign_id=1,
            target_id=w.targets["张三"].id,
            cadre_id=w.cadre("xiaoli").id,
            template="yizou_erwen_sankan",
            outcome="visited",
            started_at=FROZEN_NOW - timedelta(hours=1),
            submitted_at=FROZEN_NOW - timedelta(hours=1),
        )
        s.add(visit)
        s.flush()
        create_from_visit(
            s, visit, [RaisedItem(f"屋顶漏水{PHONE}", "erwen_difficulty")], classify, FROZEN_NOW
        )
    assert wc.say("zhenzhang", "交办 1 镇综治办 5天").startswith("已交办")


@pytest.mark.parametrize("who", ["xiaoli", "zhenzhang", "cunzhishu"])
def test_the_households_cadre_and_its_leaders_read_the_number_whole(wc, assigned, who):
    assert PHONE in wc.say(who, "问题")
    assert PHONE in wc.say(who, "问题 1")


def test_another_units_cadre_reads_it_masked_in_list_detail_and_notice(wc, runtime, assigned):
    listing = wc.say("zongzhi", "问题")
    detail = wc.say("zongzhi", "问题 1")
    for text in (listing, detail):
        assert MASKED in text and PHONE not in text
    with runtime.unit_of_work() as s:
        rows = s.scalars(select(OutboxMessage)).all()
        [notice] = [r for r in rows if r.recipient == "zongzhi"]
        assert MASKED in notice.payload["text"]["content"]
        assert PHONE not in str(notice.payload)


def test_every_problem_list_page_is_in_the_audit_log(wc, runtime, assigned):
    wc.say("zongzhi", "问题")
    with runtime.unit_of_work() as s:
        [entry] = s.scalars(select(AuditLog).where(AuditLog.action == "view_problem_list"))
        assert (entry.actor, entry.scope, entry.detail["problems"]) == (
            "zongzhi",
            "user:zongzhi",
            [1],
        )
        assert PHONE not in str(entry.detail)
