"""Scope and privacy of the exports: ``--as`` gives exactly the chat's scope, ``--unit``
a subtree, and phones or sensitive categories never appear where the seed form has none."""

from __future__ import annotations

import pytest

from storage.exports import TABLES, ScopeError, export_table, resolve_scope
from storage.vocab import SENSITIVE_CATEGORIES
from tests.support.exports import (
    DISPUTE_TEXT,
    EAST_AWAY_PHONE,
    WEST_AWAY_PHONE,
    export_and_read,
    request_for,
)
from tests.support.town import SENSITIVE_PHONE


def test_a_village_leader_gets_only_their_village(session, etown, tmp_path):
    away = export_and_read(session, etown, tmp_path, "away", userid="zhaozs")
    assert away.column("村（社区）") == ["东山村"]
    assert EAST_AWAY_PHONE in away.text() and WEST_AWAY_PHONE not in away.text()
    summary = export_and_read(session, etown, tmp_path, "summary", userid="zhaozs")
    assert [row[1] for row in summary.body] == ["东山村"]
    problems = export_and_read(session, etown, tmp_path, "problems", userid="zhaozs")
    assert set(problems.column("村（社区）")) == {"东山村"} and len(problems.body) == 2
    assert (
        "西河村"
        not in export_and_read(session, etown, tmp_path, "no-problem", userid="zhaozs").text()
    )


def test_the_town_leader_sees_both_villages(session, etown, tmp_path):
    away = export_and_read(session, etown, tmp_path, "away", userid="wangsj")
    assert away.column("村（社区）") == ["东山村", "西河村"]
    assert len(export_and_read(session, etown, tmp_path, "problems", userid="wangsj").body) == 5


def test_a_cadre_gets_only_their_own_targets(session, etown, tmp_path):
    away = export_and_read(session, etown, tmp_path, "away", userid="sunqi")
    assert away.column("户主姓名") == ["黄三"]
    assert export_and_read(session, etown, tmp_path, "away", userid="zhangsan").body == []
    assert export_and_read(session, etown, tmp_path, "no-problem", userid="lisi").column(
        "群众姓名"
    ) == ["陈大", "陈二"]
    summary = export_and_read(session, etown, tmp_path, "summary", userid="sunqi")
    assert summary.body == [[1, "西河村", 3, 1, 0, 1, 1, 1, 1, 3, 1, 0, 2]]  # W1-W3 only


def test_cadre_problem_tables_follow_the_chat_rule(session, etown, tmp_path):
    # visible_query: 孙七 sees the problems of his targets; 周八 (same village) none.
    # 附件4 is one sheet per cadre who raised problems in the scope
    issues = export_and_read(session, etown, tmp_path, "issues", userid="sunqi")
    assert len(issues.body) == 3 and issues.notes[1] == "走访人：孙七"
    leader = export_and_read(session, etown, tmp_path, "issues", userid="zhaozs")
    assert leader.notes[1] == "走访人：张三" and len(leader.body) == 2
    request = request_for(session, etown.town.campaign_id, userid="zhouba")
    assert export_table(session, "issues", request, tmp_path / "none.xlsx").sheets == ()
    disputes = export_and_read(session, etown, tmp_path, "disputes", userid="zhouba")
    assert DISPUTE_TEXT not in disputes.text()


def test_unit_limits_to_the_subtree_and_combines_with_as(session, etown, tmp_path):
    west = export_and_read(session, etown, tmp_path, "problems", unit="西河村")
    assert set(west.column("村（社区）")) == {"西河村"} and len(west.body) == 3
    # the east leader asking for the west village gets nothing of it
    assert (
        export_and_read(session, etown, tmp_path, "problems", unit="西河村", userid="zhaozs").body
        == []
    )


@pytest.mark.parametrize("key", sorted(k for k, spec in TABLES.items() if not spec.has_phone))
def test_no_phone_and_no_sensitive_category_outside_the_away_table(session, etown, tmp_path, key):
    text = export_and_read(session, etown, tmp_path, key).text()
    for phone in (SENSITIVE_PHONE, EAST_AWAY_PHONE, WEST_AWAY_PHONE, "13700001111", "13900000000"):
        assert phone not in text
    for category in SENSITIVE_CATEGORIES:
        assert category not in text


def test_unknown_unit_or_user_is_refused(session, etown):
    with pytest.raises(ScopeError, match="找不到单位"):
        resolve_scope(session, etown.town.campaign_id, "北山村", None)
    with pytest.raises(ScopeError, match="找不到账号"):
        resolve_scope(session, etown.town.campaign_id, None, "nobody")


def test_a_village_group_is_a_place_scope(session, etown, tmp_path):
    away = export_and_read(session, etown, tmp_path, "away", unit="东山村3组")
    assert away.column("户主姓名") == ["陈三"] and "单位：东山村3组" in away.notes[0]
    with pytest.raises(ScopeError, match="找不到单位“东山村9组”"):
        resolve_scope(session, etown.town.campaign_id, "东山村9组", None)
