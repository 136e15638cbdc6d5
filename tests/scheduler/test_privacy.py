"""Nothing private reaches a group chat: the guard, and a sweep over every job's output."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.config import GroupChat
from scheduler import digests, escalation, prompts, reminders, review
from scheduler.privacy import PrivacyError, check_group_payload, problems_in
from scheduler.sending import Spreader, send_group
from storage.models import AuditLog, JobRun
from storage.outbox import text_payload
from tests.support.outbox import content, group_rows, outbox
from tests.support.town import PROBLEM_TEXTS


@pytest.mark.parametrize(
    "text",
    [
        "刘大（信教人士）已走访",
        "五包一对象已联系",
        "利剑护蕾工作进展",
        "信访户情况",
        "联系电话13812345678",
        "电话 138 1234 5678",
        "座机0730-5123456",
        "+86 13912345678",
    ],
)
def test_the_guard_finds_sensitive_words_and_phones(text):
    assert problems_in(text) != []
    with pytest.raises(PrivacyError):
        check_group_payload(text_payload(text))


@pytest.mark.parametrize(
    "text",
    [
        "东山村：3 / 2 / 2，共 7 户",
        "抽签时间：2026-11-23 08:30",
        "随机种子：" + "a13812345678b" * 4,
        "干部走访人数：12",
    ],
)
def test_the_guard_lets_counts_dates_and_seeds_through(text):
    assert problems_in(text) == []


def test_problem_texts_and_allowed_names():
    text = "本周问题：" + PROBLEM_TEXTS["road"]
    assert problems_in(text, PROBLEM_TEXTS.values())
    assert problems_in("信访局：已走访 3 户", allow=["信访局"]) == []
    assert problems_in("种子 " + "13812345678" + "0" * 53) == []  # digits inside a longer run


def test_mentions_and_uploads_are_not_scanned_as_text():
    payload = text_payload("请以下干部抓紧")
    payload["text"]["mentioned_list"] = ["13812345678"]  # a userid that looks like a phone
    check_group_payload(payload)


def test_send_group_refuses_and_queues_nothing(session, now):
    group = GroupChat(unit="东山村", robot_key="k")
    note = send_group(session, Spreader(session, now), group, "刘大是信教人士", now, job="x")
    assert note == "group message to 东山村 skipped (group message refused: 敏感词)"
    assert outbox(session) == []
    [audit] = session.scalars(select(AuditLog)).all()
    assert audit.action == "group_message_refused" and audit.actor == "scheduler"
    assert audit.detail == {
        "job": "x",
        "group": "东山村",
        "reason": "group message refused: 敏感词",
    }


def test_one_refused_group_message_does_not_block_the_run(
    sessions, sconfig, town, now, monkeypatch, caplog
):
    """A buggy text for one group is skipped; the other group and the leaders get theirs."""
    real = prompts.digest_group_text

    def leaky(d):  # type: ignore[no-untyped-def]
        return real(d) + ("\n联系电话13812345678" if d.unit == "东山村" else "")

    monkeypatch.setattr(prompts, "digest_group_text", leaky)
    with sessions() as s:
        result = digests.daily(s, now, sconfig)
        s.commit()
    assert result.claimed == ("digest:daily:2026-11-23",)
    assert result.notes == ("group message to 东山村 skipped (group message refused: 电话号码)",)
    assert "东山村 skipped" in result.summary()
    with sessions() as s:
        groups = [(r.channel, r.recipient) for r in group_rows(s)]
        personal = [r for r in outbox(s) if r.channel == "message"]
        [audit] = s.scalars(select(AuditLog)).all()
        summary = s.scalar(select(JobRun.summary))
    assert groups == [("robot", "robot-town-key")]  # 虹桥镇 delivered, 东山村 skipped
    assert personal and result.messages == len(personal) + 1
    assert audit.detail["group"] == "东山村" and audit.detail["job"] == "digest_daily"
    assert "东山村 skipped" in summary
    logged = caplog.text + repr(audit.detail) + summary
    assert "电话号码" in logged and "13812345678" not in logged


def test_no_job_puts_anything_private_in_a_group(sessions, sconfig, town, now):
    with sessions() as s:
        reminders.run(s, now, sconfig)
        review.run(s, now, sconfig)
        digests.daily(s, now, sconfig)
        digests.weekly(s, now, sconfig)
        digests.halfmonth(s, now, sconfig)
        escalation.run(s, now, sconfig)
        s.commit()
        rows = group_rows(s)
    assert len(rows) >= 10
    for row in rows:
        text = content(row)
        assert problems_in(text, PROBLEM_TEXTS.values(), allow=[_seed(text)]) == [], text
        for word in ("信教", "信访", "五包一", "利剑护蕾", "1370000", "1390000", "13812345678"):
            assert word not in text.replace(_seed(text), "")


def _seed(text: str) -> str:
    return text.split("随机种子：")[1].split("\n")[0] if "随机种子：" in text else "\0"


@given(
    before=st.text(alphabet="走访干部东山村已完成户，。：", max_size=12),
    after=st.text(alphabet="走访干部东山村已完成户，。：", max_size=12),
    second=st.sampled_from("3456789"),
    rest=st.text(alphabet="0123456789", min_size=9, max_size=9),
)
def test_a_mobile_number_anywhere_in_chinese_text_is_caught(before, after, second, rest):
    assert problems_in(f"{before}1{second}{rest}{after}") != []


def test_the_refusal_names_the_kind_of_leak_but_not_the_private_text():
    leaked = "王大电话13812345678，屋顶漏水好几年了"
    with pytest.raises(PrivacyError) as info:
        check_group_payload(text_payload(leaked), problem_texts=["屋顶漏水好几年了"])
    message = str(info.value)  # it goes to the scheduler's log
    assert "电话号码" in message and "问题原文" in message
    assert "13812345678" not in message and "屋顶漏水" not in message
