"""导出 and 报表 in chat (issue 14, item 2), through the real webhook and the sender.

导出 lists the tables the sender may have; 导出 表 时间 answers at once and queues a file
for the sender only; the sender process builds the workbook in the sender's scope,
uploads it to the (fake) WeCom as a file and sends it as a file message. 报表 answers
with a link card to the pages' 总览.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
import requests
from flask import Flask

from bot import config as config_mod
from bot.app import create_app
from bot.devtools.fakewecom import RunningFake
from bot.devtools.simulator import render
from bot.outbox.worker import DrainCounts, drain_once
from bot.pages.tokens import verify_link
from bot.runtime import Runtime
from storage import audit
from storage.exports import TABLES
from tests.support.clock import FROZEN_NOW, MutableClock
from tests.support.config import config_dict
from tests.support.exports import DISPUTE_TEXT, ExportTown
from tests.support.outbox import outbox
from tests.support.town import PROBLEM_TEXTS
from tests.support.wecom import WecomTestClient

PAGES = {
    "enabled": True,
    "public_url": "https://minqing.example.gov.cn/",
    "secret_key": "test-pages-key-0123456789",
    "link_ttl_minutes": 24 * 60,
}


@pytest.fixture
def live(db_url: str, fake: RunningFake, clock: MutableClock) -> Iterator[Runtime]:
    """A runtime on the fake WeCom with the pages configured (the app and the sender)."""
    raw = config_dict(db_url, wecom={"api_base_url": fake.url}, pages=PAGES)
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}), clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def chat(live: Runtime) -> WecomTestClient:
    app: Flask = create_app(runtime=live)
    return WecomTestClient.for_app(app)


def calls(fake: RunningFake, api: str) -> list[dict]:
    return [r for r in fake.state.records if r["api"] == api]


def cells(content: bytes) -> str:
    """Every cell of every sheet of an .xlsx, as one text (raises if not a workbook)."""
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def received_file(fake: RunningFake, userid: str) -> tuple[dict, bytes]:
    """The one file message ``userid`` received, and the uploaded bytes it points to."""
    (sent,) = [r for r in calls(fake, "message/send") if r["body"]["msgtype"] == "file"]
    assert sent["to"] == [userid] and sent["body"]["touser"] == userid
    return sent, fake.state.media[sent["body"]["file"]["media_id"]]


def test_the_list_follows_the_role_and_scope(chat: WecomTestClient, etown: ExportTown) -> None:
    cadre = chat.say("zhangsan", "导出")
    assert cadre.startswith("【可导出的表】范围：您负责走访的户")
    assert "6. 问题清单" in cadre and "1. 不在家的一般农户统计表（含联系电话）" in cadre
    assert "最美走访者" not in cadre and "民情大走访意见建议汇总表" not in cadre
    leader = chat.say("wangsj", "导出")
    assert leader.startswith("【可导出的表】范围：虹桥镇及下属单位")
    assert all(spec.title in leader for spec in TABLES.values())
    assert "导出 问题清单 本月" in leader


def test_a_cadre_gets_a_workbook_of_their_own_households_as_a_file(
    chat: WecomTestClient, live: Runtime, fake: RunningFake, etown: ExportTown
) -> None:
    reply = chat.say("zhangsan", "导出 入户清单")
    assert reply.startswith(
        "正在生成《群众入户调查表（汇总清单）》（活动以来全部，范围：您负责走访的户）"
    )
    with live.unit_of_work() as s:
        (row,) = outbox(s)
        # Nothing was built inside the callback: the row asks the sender to build it.
        assert row.recipient == "zhangsan" and row.payload["_export"]["table"] == "household-list"
        assert "_upload" not in row.payload
    assert calls(fake, "media/upload") == []

    assert drain_once(live) == DrainCounts(sent=1)
    (upload,) = calls(fake, "media/upload")
    assert upload["body"]["type"] == "file"
    assert upload["body"]["filename"] == "群众入户调查表（汇总清单）_全部.xlsx"
    sent, content = received_file(fake, "zhangsan")
    assert upload["seq"] < sent["seq"] and sent["media_size"] == len(content)
    shown = requests.get(f"{fake.url}/fake/messages", params={"touser": "zhangsan"}, timeout=5)
    assert render(shown.json()[-1])[0][0].endswith(" 群众入户调查表（汇总清单）_全部.xlsx]")
    text = cells(content)  # households with an at-home visit: 张三 visited 刘大
    assert "刘大" in text
    for other in ("陈大", "陈二", "黄大"):  # 李四's (东山村) and 孙七's (西河村)
        assert other not in text
    with live.unit_of_work() as s:
        (row,) = outbox(s)
        assert row.status == "sent" and "_upload" not in row.payload  # the bytes are dropped
        assert row.payload["file"]["media_id"] == sent["body"]["file"]["media_id"]
        (entry,) = audit.entries(s, actions=[audit.VIEW_EXPORT])  # the bulk view is audited
        assert (entry.actor, entry.detail["table"]) == ("zhangsan", "household-list")

    chat.say("zhaozs", "导出 入户清单")  # the village leader's has 李四's households too
    assert drain_once(live) == DrainCounts(sent=1)
    (village_file,) = [r for r in calls(fake, "message/send") if r["to"] == ["zhaozs"]]
    village = cells(fake.state.media[village_file["body"]["file"]["media_id"]])
    assert all(name in village for name in ("刘大", "陈大", "陈二")) and "黄大" not in village


def test_a_leader_gets_the_problem_list_of_the_unit_for_a_period(
    chat: WecomTestClient, live: Runtime, fake: RunningFake, etown: ExportTown
) -> None:
    reply = chat.say("zhaozs", "导出 问题清单 11.1-11.30")
    assert "《问题清单》（2026-11-01 至 2026-11-30，范围：东山村及下属单位）" in reply
    assert drain_once(live) == DrainCounts(sent=1)
    (upload,) = calls(fake, "media/upload")
    assert upload["body"]["filename"] == "问题清单_2026-11-01至2026-11-30.xlsx"
    _, content = received_file(fake, "zhaozs")
    text = cells(content)
    assert PROBLEM_TEXTS["road"] in text
    assert "2026-11-01 至 2026-11-30" in text
    assert DISPUTE_TEXT not in text  # 西河村's dispute is not 东山村's
    assert "13812345678" not in text  # numbers in problem texts are masked


def test_this_week_and_numbers_name_the_table_and_the_period(
    chat: WecomTestClient, live: Runtime, etown: ExportTown
) -> None:
    # FROZEN_NOW is Monday 2026-11-23 in Shanghai: 本周 is 11-23..11-29.
    assert "2026-11-23 至 2026-11-29" in chat.say("wangsj", "导出 6 本周")
    assert "2026-10-01 至 2026-10-31" in chat.say("wangsj", "导出问题清单上月")
    assert "2026-11-01 至 2026-11-30" in chat.say("wangsj", "导出 问题清单 2026-11-01至2026-11-30")
    with live.unit_of_work() as s:
        asked = [r.payload["_export"] for r in outbox(s)]
    assert [(a["table"], a["first"], a["last"]) for a in asked] == [
        ("problems", "2026-11-23", "2026-11-29"),
        ("problems", "2026-10-01", "2026-10-31"),
        ("problems", "2026-11-01", "2026-11-30"),
    ]
    assert {a["userid"] for a in asked} == {"wangsj"}


@pytest.mark.parametrize(
    ("userid", "text", "answer"),
    [
        ("zhaozs", "导出 问题清单 11.30-11.1", "没看懂时间“11.30-11.1”，没有生成表格"),
        ("zhaozs", "导出 问题清单 下辈子", "没看懂时间“下辈子”"),
        ("zhaozs", "导出 问题清单 13.1-13.5", "没看懂时间“13.1-13.5”"),
        ("zhaozs", "导出 工资表", "没有可导出的表“工资表”"),
        ("zhaozs", "导出 99", "没有可导出的表“99”"),
        ("zhangsan", "导出 最美走访者", "没有可导出的表“最美走访者”"),  # leaders only
    ],
)
def test_a_bad_request_is_explained_and_queues_nothing(
    chat: WecomTestClient, live: Runtime, etown: ExportTown, userid: str, text: str, answer: str
) -> None:
    assert answer in chat.say(userid, text)
    with live.unit_of_work() as s:
        assert outbox(s) == []


def test_report_answers_with_a_signed_link_card_to_the_overview(
    chat: WecomTestClient, live: Runtime, etown: ExportTown
) -> None:
    assert chat.say("zhaozs", "报表") == ""  # the card follows through the outbox
    with live.unit_of_work() as s:
        (row,) = outbox(s)
    assert row.recipient == "zhaozs" and row.payload["msgtype"] == "textcard"
    card = row.payload["textcard"]
    assert card["title"] == "走访总览" and "东山村及下属单位" in card["description"]
    url = urlsplit(card["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://minqing.example.gov.cn/m/"
    (token,) = parse_qs(url.query)["t"]
    config = live.config
    assert verify_link(config.pages.secret_key, token, FROZEN_NOW) == "zhaozs"
    assert verify_link(config.pages.secret_key, token, FROZEN_NOW + timedelta(hours=23)) == "zhaozs"
    assert (
        verify_link(config.pages.secret_key, token, FROZEN_NOW + timedelta(hours=24)) is None
    )  # expired
    assert verify_link(config.pages.secret_key, token[:-2] + "xx", FROZEN_NOW) is None  # tampered


def test_report_without_the_pages_configured_says_so(wc: WecomTestClient, cadre: str) -> None:
    assert "走访总览页面还没有开通" in wc.say(cadre, "报表")


def test_a_town_leaders_progress_counts_the_households_of_the_villages_below(
    chat: WecomTestClient, etown: ExportTown
) -> None:
    """Reported as "a leader's 进度 shows 0 户": the town has no households of its own,
    they are the villages', assigned to the villages' cadres (docs/facts.md: a unit's
    subtree)."""
    town = chat.say("wangsj", "进度")
    assert town.startswith("【虹桥镇 走访进度】应走访 12 户，已覆盖 7 户（58%），未覆盖 5 户"), town
    assert "· 东山村 3组：" in town and "· 西河村 3组：" in town
    village = chat.say("zhaozs", "进度")
    assert village.startswith("【东山村 走访进度】应走访 7 户，已覆盖 5 户"), village


def test_the_menus_export_and_report_clicks_answer_like_the_words(
    chat: WecomTestClient, live: Runtime, etown: ExportTown
) -> None:
    listed = chat.reply(chat.post(chat.signer.event("zhaozs", "click", "export")))
    assert listed.startswith("【可导出的表】范围：东山村及下属单位")
    assert chat.reply(chat.post(chat.signer.event("zhaozs", "click", "report"))) == ""
    with live.unit_of_work() as s:
        (card,) = outbox(s)
    assert card.payload["msgtype"] == "textcard" and card.recipient == "zhaozs"
