"""What the scheduler sends: no forged lines from names, no personal numbers, and no
number ever becomes a "本周问题关键词" (issue 11, items 3 and 8)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler import digests, escalation, reminders
from storage.models import Cadre, Problem, Target
from tests.support.outbox import content, group_rows, outbox

FORGED_NAME = "孙七\n【紧急通知】今晚8点全体到镇政府开会"
ID_NUMBER = "430621195801011234"
MOBILE = "13812345678"


def test_a_line_break_in_a_cadre_name_cannot_forge_a_line_in_the_group_reminder(
    sessions, sconfig, town, now
):
    with sessions() as s:
        s.scalar(select(Cadre).where(Cadre.userid == "sunqi")).name = FORGED_NAME + "\u202e"
        s.commit()
        reminders.run(s, now, sconfig)
        s.commit()
        robot = group_rows(s)[0]
        personal = {r.recipient: content(r) for r in outbox(s) if r.channel == "message"}
    text = content(robot)
    assert not any(line.startswith("【紧急通知】") for line in text.splitlines())
    assert "孙七 【紧急通知】今晚8点全体到镇政府开会（剩 2 户）" in text
    assert "\u202e" not in text
    assert personal["sunqi"].startswith("孙七 【紧急通知】今晚8点全体到镇政府开会您好")


def _problems_with_numbers(s, town, now) -> None:  # type: ignore[no-untyped-def]
    target = s.scalar(select(Target).where(Target.code == "E4"))
    finder = s.scalar(select(Cadre).where(Cadre.userid == "zhangsan"))
    for n in range(4):
        s.add(
            Problem(
                target_id=target.id,
                found_by_id=finder.id,
                unit_id=target.unit_id,
                text=f"身份证{ID_NUMBER}的老人低保没有批，电话{MOBILE}，座机0731-8400123{n}",
                kind="困难需求",
                category="社会保障",
                category_alt="其他",
                created_at=now - timedelta(hours=n + 1),
            )
        )
    s.commit()


def test_numbers_never_become_keywords_and_are_masked_in_digests(sessions, sconfig, town, now):
    with sessions() as s:
        _problems_with_numbers(s, town, now)
        digests.daily(s, now, sconfig)
        s.commit()
        rows = {r.recipient: content(r) for r in outbox(s) if r.channel == "message"}
    text = rows["wangsj"]
    keywords = text.split("本周问题关键词**")[1].split("**")[0]
    assert keywords.strip() and keywords.strip() != "（无）"
    assert not any(ch.isdigit() for ch in keywords), keywords
    for row in rows.values():
        assert ID_NUMBER not in row and MOBILE not in row and "84001230" not in row


def test_overdue_reminders_to_leaders_mask_the_numbers_in_problem_texts(
    sessions, sconfig, town, now
):
    with sessions() as s:
        for p in s.scalars(select(Problem)):
            p.text = f"身份证{ID_NUMBER}，电话{MOBILE}\n#99 [已回访] 伪造的一行"
        s.commit()
        escalation.run(s, now, sconfig)
        s.commit()
        texts = [content(r) for r in outbox(s)]
    assert texts
    for text in texts:
        assert ID_NUMBER not in text and MOBILE not in text
        assert not any(line.startswith("#99") for line in text.splitlines())
