"""责任分类 at 交办 (seed 004, issue 10 item 6): from the assignee unit's level in the
roster, or as the leader states it; the default deadline follows the class."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.ledger.classify import classify
from bot.ledger.responsibility import responsibility_for
from storage.models import Cadre, Problem, ProblemEvent, Unit
from storage.problems import create_problem
from storage.units import unit_level
from tests.support.clock import FROZEN_NOW
from tests.support.ledger import build_world


@pytest.fixture
def world(runtime):
    """The ledger world plus 市住建局 (a 部门 directly under the 县: a 市直部门) and three
    problems at 张三's (一村)."""
    with runtime.unit_of_work() as s:
        w = build_world(s)
        city = Unit(name="市住建局", kind="部门", parent_id=w.unit("华容县"))
        s.add(city)
        s.flush()
        s.add(Cadre(userid="zhujian", name="住建员", unit_id=city.id, role="visitor"))
        for text in ("屋顶漏水好几年了", "村道塌了一段", "危房需要改造"):
            create_problem(
                s,
                target_id=w.targets["张三"].id,
                found_by_id=w.cadre("xiaoli").id,
                text=text,
                classification=classify(text),
                now=FROZEN_NOW,
            )
        w.units["市住建局"] = city
    return w


def stored(runtime, pid: int) -> tuple[str, timedelta | None]:
    with runtime.unit_of_work() as s:
        p = s.get(Problem, pid)
        assert p is not None
        return p.responsibility, (p.deadline - FROZEN_NOW) if p.deadline else None


def test_units_have_a_level_from_the_roster(runtime, world):
    with runtime.unit_of_work() as s:
        assert unit_level(s, world.unit("市住建局")) == "city"  # 部门 under the 县
        assert unit_level(s, world.unit("华容县")) == "city"
        assert unit_level(s, world.unit("镇综治办")) == "town"  # 部门 inside a 镇
        assert unit_level(s, world.unit("一村")) == "town"


def test_the_three_classes_and_their_deadlines(wc, runtime, world):
    city = wc.say("zhenzhang", "交办 1 市住建局")
    assert city.startswith("已交办：问题#1 → 市住建局（市直部门）"), city
    assert stored(runtime, 1) == ("city", timedelta(days=30))

    linked = wc.say("zhenzhang", "交办 2 一村 市住建局")
    assert linked.startswith("已交办：问题#2 → 一村（镇与市直部门联动）"), linked
    assert stored(runtime, 2) == ("linked", timedelta(days=15))
    with runtime.unit_of_work() as s:
        note = s.scalar(
            select(ProblemEvent.note).where(
                ProblemEvent.problem_id == 2, ProblemEvent.action == "assign"
            )
        )
        assert note == "协办：市住建局"

    town = wc.say("zhenzhang", "交办 3 镇综治办")
    assert town.startswith("已交办：问题#3 → 镇综治办（镇村解决）"), town
    assert stored(runtime, 3) == ("town", timedelta(days=7))


def test_a_stated_class_wins_and_days_still_override(wc, runtime, world):
    assert "镇与市直部门联动" in wc.say("zhenzhang", "交办 1 市住建局 联动")
    assert stored(runtime, 1) == ("linked", timedelta(days=15))
    assert "市直部门" in wc.say("zhenzhang", "交办 2 市住建局 10天 先出方案")
    assert stored(runtime, 2) == ("city", timedelta(days=10))
    assert "天数写法不对" in wc.say("zhenzhang", "交办 3 市住建局 一周")
    assert stored(runtime, 3) == ("town", None)  # refused: nothing changed


def test_the_rule_itself() -> None:
    assert responsibility_for("city") == "city"
    assert responsibility_for("town", ["city"]) == "linked"
    assert responsibility_for("town", ["town"]) == "town"
    assert responsibility_for("city", [], "town") == "town"
