"""Leader digests: content per scope, counts-only group versions, the weekly chart."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from scheduler import digests
from scheduler.privacy import problems_in
from storage.models import Problem
from tests.support.outbox import content, group_rows, outbox
from tests.support.town import PROBLEM_TEXTS


def _by_recipient(rows):  # type: ignore[no-untyped-def]
    out: dict[str, list] = {}
    for r in rows:
        if r.channel == "message":
            out.setdefault(r.recipient, []).append(r)
    return out


def test_daily_digest_for_the_town_leader(sessions, sconfig, town, now):
    with sessions() as s:
        result = digests.daily(s, now, sconfig)
        s.commit()
    assert result.claimed == ("digest:daily:2026-11-23",)
    with sessions() as s:
        rows = _by_recipient(outbox(s))
    (town_row,) = rows["wangsj"]
    assert town_row.payload["msgtype"] == "markdown"
    text = content(town_row)
    assert "虹桥镇民情大走访每日简报 11月23日" in text  # the campaign's own name
    assert (  # key targets: 刘大, 刘三, 陈大; 陈三 away is not 电话联系
        "> 东山村：入户走访 **3**，电话联系 1，不在家已登记 1，"
        '<font color="warning">未走访 2</font>（电话未接通 0，约访 0），共 7 户；'
        "重点对象 2/3" in text
    )
    assert (
        "西河村：入户走访 **1**，电话联系 0" in text
        and "未走访 4</font>（电话未接通 0，约访 1），共 5 户；重点对象 1/1" in text
    )
    assert "|" not in text  # WeCom's app markdown has no tables
    assert "走访户数：今日 2 户，本周 2 户" in text
    assert "教育文化：新增 1，已解决 1，已解释 0，逾期 0" in text
    assert "医疗卫生：新增 1，已解决 0，已解释 0，逾期 0" in text
    assert "房屋土地：新增 0，已解决 0，已解释 0，逾期 1" in text
    assert "张三（2/4）、孙七（1/3）、周八（0/2）" in text  # behind 13/16 of the phase
    assert "李四" not in text.split("进度落后的干部")[1].split("**")[0]
    keywords = text.split("本周问题关键词**")[1]
    assert "报销" in keywords or "校车" in keywords
    assert "希望" not in keywords  # a word every text uses says nothing
    (east_row,) = rows["zhaozs"]
    assert "西河村" not in content(east_row) and "东山村" in content(east_row)


def test_group_digests_carry_counts_only(sessions, sconfig, town, now):
    with sessions() as s:
        digests.daily(s, now, sconfig)
        digests.weekly(s, now, sconfig)
        digests.halfmonth(s, now, sconfig)
        s.commit()
        groups = group_rows(s)
    assert len(groups) == 6  # two chats × three digests
    for row in groups:
        text = content(row)
        assert row.payload["msgtype"] == "text"
        assert problems_in(text, PROBLEM_TEXTS.values()) == []
        assert "关键词" not in text and "报销" not in text
        assert "房屋土地" not in text and "教育文化" not in text  # no per-category detail
    town_daily = content(groups[0])
    assert "东山村：入户走访 3，电话联系 1，不在家已登记 1，未走访 2（共 7 户）" in town_daily
    assert "问题：新增 2 个，已解决 1 个，已解释 0 个，逾期 1 个。" in town_daily


def test_weekly_digest_has_seed_003_figures_and_a_chart_for_the_town(sessions, sconfig, town, now):
    with sessions() as s:
        result = digests.weekly(s, now, sconfig)
        s.commit()
        rows = _by_recipient(outbox(s))
    assert result.claimed == ("digest:weekly:2026-W48",)
    markdown, image = rows["wangsj"]
    text = content(markdown)
    for line in ("干部走访人数：2", "走访户数：2", "汇总问题数：2", "解决问题数：1"):
        assert line in text
    assert image.payload["msgtype"] == "image"
    upload = image.payload["_upload"]
    assert upload["type"] == "image" and upload["content_type"] == "image/png"
    assert base64.b64decode(upload["base64"]).startswith(b"\x89PNG\r\n\x1a\n")
    # Charts go to the county's and the towns' leaders; a village leader gets the figures.
    (village_digest,) = rows["zhaozs"]
    assert village_digest.payload["msgtype"] == "markdown"
    assert "干部走访人数" in content(village_digest)


def test_half_monthly_summary_follows_attachment_5(sessions, sconfig, town, now):
    with sessions() as s:
        digests.halfmonth(s, now, sconfig)
        s.commit()
        rows = _by_recipient(outbox(s))
    text = content(rows["wangsj"][0])
    # Sent on 11-23, it counts the last completed half month, 11-01 to 11-15: the
    # problems raised this week (困难需求, 医疗卫生) belong to the next one.
    assert "11月1日至11月15日" in text and "已解决不含已解释" in text
    assert "> 困难需求：0 / 0 / 0 / 0" in text
    assert "> 房屋土地：0 / 1 / 0 / 1" in text
    assert "> 平安治理：1 / 0 / 0 / 1" in text
    assert "> 医疗卫生：0 / 0 / 0 / 0" in text
    assert "> **合计：1 / 1 / 0 / 2**" in text
    east = content(rows["zhaozs"][0])
    assert "> **合计：1 / 1 / 0 / 2**" in east


def test_each_digest_runs_once_per_period(sessions, sconfig, town, now):
    with sessions() as s:
        digests.daily(s, now, sconfig)
        s.commit()
    with sessions() as s:
        count = len(outbox(s))
        assert digests.daily(s, now + timedelta(hours=2), sconfig).skipped == (
            "digest:daily:2026-11-23",
        )
        s.commit()
        assert len(outbox(s)) == count
        tomorrow = digests.daily(s, now + timedelta(days=1), sconfig)
        assert tomorrow.claimed == ("digest:daily:2026-11-24",)


def test_leaders_of_one_unit_share_one_batched_message(sessions, sconfig, town, now):
    from storage.models import Cadre

    with sessions() as s:
        s.add(Cadre(userid="qianfsj", name="钱副书记", unit_id=town.town_id, role="leader"))
        s.commit()
    with sessions() as s:
        digests.daily(s, now, sconfig)
        s.commit()
        recipients = [r.recipient for r in outbox(s) if r.channel == "message"]
    assert "wangsj|qianfsj" in recipients


def test_a_problem_never_assigned_past_its_assign_deadline_counts_as_overdue(
    sessions, sconfig, town, now
):
    with sessions() as s:
        s.execute(
            update(Problem)
            .where(Problem.id == town.problem_ids["medical"])
            .values(created_at=datetime(2026, 11, 19, 9, 0, tzinfo=UTC))
        )
        s.commit()
    with sessions() as s:
        digests.daily(s, now, sconfig)
        s.commit()
        (town_row,) = _by_recipient(outbox(s))["wangsj"]
    assert "医疗卫生：新增 0，已解决 0，已解释 0，逾期 1" in content(town_row)


def test_with_the_pages_on_each_leader_gets_their_own_signed_link(sessions, db_url, town, now):
    from urllib.parse import parse_qs, urlsplit

    from bot import config as config_mod
    from bot.pages.tokens import verify_link
    from storage.models import Cadre
    from tests.support.config import config_dict
    from tests.support.town import groups_section

    raw = config_dict(
        db_url,
        campaign={"name": "民情大走访"},
        pages={"enabled": True, "secret_key": "digest-link-key-0123", "public_url": "https://m.x"},
    )
    raw["groups"] = groups_section()
    config = config_mod.from_dict(raw, environ={})
    with sessions() as s:
        s.add(Cadre(userid="qianfsj", name="钱副书记", unit_id=town.town_id, role="leader"))
        s.commit()
    with sessions() as s:
        digests.daily(s, now, config)
        s.commit()
        personal = {r.recipient: content(r) for r in outbox(s) if r.channel == "message"}
        groups = [content(r) for r in group_rows(s)]
    assert "wangsj|qianfsj" not in personal  # a link of one's own: one send each
    for userid in ("wangsj", "qianfsj"):
        link = personal[userid].rsplit("](", 1)[1].split(")", 1)[0]
        url = urlsplit(link)
        assert f"{url.scheme}://{url.netloc}{url.path}" == "https://m.x/m/"
        (token,) = parse_qs(url.query)["t"]
        assert verify_link("digest-link-key-0123", token, now) == userid  # intact, not masked
    # Groups get counts only, never a link that logs someone in.
    assert groups and all("/m/?t=" not in text for text in groups)
