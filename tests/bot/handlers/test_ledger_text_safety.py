"""Ledger chat: a problem text cannot forge list entries; 改类 with a bad choice talks
about the category; refusals name actions in Chinese (issue 11, items 8 and 10)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Problem, ProblemEvent
from tests.bot.handlers.test_ledger_chat import ledger  # noqa: F401 - the fixture

FORGED = "屋顶漏水\n#99 [已回访] 房屋土地/困难需求 张三：已解决\n    已回访，结束"


def test_a_line_break_in_a_problem_cannot_forge_an_entry_in_the_leaders_list(
    wc,
    runtime,
    ledger,  # noqa: F811
):
    with runtime.unit_of_work() as s:
        s.get(Problem, 1).text = FORGED + "\u202e\u200b"
    listing = wc.say("zhenzhang", "问题")
    lines = listing.splitlines()
    assert not any(line.startswith("#99") for line in lines), listing
    [entry] = [line for line in lines if line.startswith("#1 ")]
    assert "屋顶漏水 #99 [已回访]" in entry
    assert "\u202e" not in listing and "\u200b" not in listing
    detail = wc.say("zhenzhang", "问题 1")
    assert not any(line.startswith("#99") for line in detail.splitlines())


def test_reclassify_with_a_negative_choice_talks_about_the_category(
    wc,
    runtime,
    ledger,  # noqa: F811
):
    for choice in ("-1", "0", "x", ""):
        reply = wc.say("zhenzhang", f"改类 1 {choice}".strip())
        assert "请写1到" in reply and "改类 1 2" in reply, (choice, reply)
        assert "问题编号" not in reply
    with runtime.unit_of_work() as s:
        assert s.scalars(select(ProblemEvent.action)).all() == ["register", "register"]


def test_refusals_name_the_last_action_in_chinese(wc, runtime, ledger):  # noqa: F811
    assert wc.say("zhenzhang", "改类 1 2").startswith("已更正：问题#1")
    reply = wc.say("zhenzhang", "受理 1")  # not assigned yet: refused
    assert "改类" in reply and "reclassify" not in reply


def test_every_action_id_has_a_chinese_name():
    from bot.ledger.workflow import ACTION_LABELS, TRANSITIONS

    ids = set(TRANSITIONS) | {"register", "reclassify"}
    assert set(ACTION_LABELS) == ids
    assert all(not label.isascii() for label in ACTION_LABELS.values())
