"""The pages in a real browser (Debian's Chromium through Playwright), at 375×812.

The app and the fake WeCom run for real on free ports: the OAuth round trip goes
through the fake's authorize page and auth/getuserinfo; a 交办 filed on the page
reaches the assignee unit at the fake once the outbox is drained. Screenshots of
every page land in tests/output/pages/ (looked at by hand; docs/img/ holds copies).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.outbox.worker import drain_once
from storage import facts
from storage.roster import prepare
from tests.support.db import dump_tables
from tests.support.pages import ADMIN, PHONE, PagesWorld, browser, screenshot, serve_pages
from tests.support.roster_sheets import BASE_SHEETS, write_workbook

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as b:
        yield b


@pytest.fixture
def world(db_url: str) -> Iterator[PagesWorld]:
    with serve_pages(db_url) as w:
        yield w


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def path_of(page: Any) -> str:
    return str(page.url).split("://", 1)[1].split("/", 1)[1].split("#")[0]


def test_oauth_round_trip_through_the_fake_logs_the_leader_in(world, phone):
    world.login_as("wangsj")
    phone.goto(f"{world.url}/m/problems?status=registered&overdue=1")
    assert path_of(phone) == "m/problems?status=registered&overdue=1"  # back where it started
    phone.click("text=总览")
    with world.runtime.unit_of_work() as s:
        cadre_scope = facts.viewer_scope(s, _cadre(s, "wangsj"))
        total = facts.of_kind(facts.coverage(s, world.town.campaign_id, cadre_scope))
    assert phone.inner_text("#covered") == str(total.covered)
    assert phone.inner_text("#assigned") == str(total.assigned)
    assert "虹桥镇" in phone.inner_text("header")


def test_without_wecom_a_stranger_gets_no_page(world, phone):
    world.login_as("nobody")  # WeCom knows them; the roster does not
    response = phone.goto(f"{world.url}/m/")
    assert response.status == 403
    assert "无权查看" in phone.inner_text("h1")


def test_a_cadre_cannot_open_another_villages_household_or_problem(world, phone):
    world.login_as("sunqi")  # a visiting cadre of 西河村
    with world.runtime.unit_of_work() as s:
        from storage.models import Target

        east = s.query(Target).filter(Target.code == "E1").one().id
        own = s.query(Target).filter(Target.code == "W1").one().id
    assert phone.goto(f"{world.url}/m/").status == 200
    assert phone.inner_text("#assigned") == "3"  # 孙七's own three households
    assert phone.locator("#cadres").count() == 0  # no one else's figures
    assert phone.locator("#own li").count() == 3
    screenshot(phone, "overview-cadre")
    assert phone.goto(f"{world.url}/m/households/{own}").status == 200
    assert phone.goto(f"{world.url}/m/households/{east}").status == 404
    slope = world.town.problem_ids["slope"]  # 东山村's
    school = world.town.problem_ids["school"]  # found by 孙七
    assert phone.goto(f"{world.url}/m/problems/{school}").status == 200
    assert phone.goto(f"{world.url}/m/problems/{slope}").status == 404
    assert phone.goto(f"{world.url}/m/?unit={world.town.east_id}").status == 404


def test_a_village_leader_cannot_drill_into_the_other_village(world, phone):
    world.login_as("zhaozs")  # 东山村's leader
    assert phone.goto(f"{world.url}/m/?unit={world.town.east_id}").status == 200
    assert phone.goto(f"{world.url}/m/?unit={world.town.west_id}").status == 404
    medical = world.town.problem_ids["medical"]  # 西河村's
    assert phone.goto(f"{world.url}/m/problems/{medical}").status == 404


def test_a_leader_files_jiaoban_on_the_page_and_the_assignee_is_told(world, phone):
    world.login_as("wangsj")
    medical = world.town.problem_ids["medical"]  # registered, in 西河村
    phone.goto(f"{world.url}/m/problems/{medical}")
    phone.select_option("#assign select[name=unit]", label="东山村")
    phone.fill("#assign input[name=days]", "5")
    phone.click("#assign button")
    assert "已交办" in phone.inner_text(".flash.ok")
    assert phone.inner_text("#status") == "交办"
    assert "交办" in phone.inner_text("#timeline")
    drain_once(world.runtime)
    got = requests.get(f"{world.fake.url}/fake/messages?touser=zhaozs", timeout=10).json()
    texts = [m["body"].get("text", {}).get("content", "") for m in got]
    assert any(f"#{medical}" in t or str(medical) in t for t in texts), texts
    assert not requests.get(f"{world.fake.url}/fake/messages?touser=sunqi", timeout=10).json()


def test_a_stale_page_cannot_overwrite_a_newer_change(world, chromium):
    world.login_as("wangsj")
    medical = world.town.problem_ids["medical"]
    pages = []
    for _ in range(2):
        context = chromium.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(f"{world.url}/m/problems/{medical}")
        pages.append(page)
    first, second = pages
    first.select_option("#assign select[name=unit]", label="东山村")
    first.click("#assign button")
    assert "已交办" in first.inner_text(".flash.ok")
    second.select_option("#assign select[name=unit]", label="西河村")
    second.click("#assign button")
    assert "刚被王书记" in second.inner_text(".flash.error")
    assert "东山村" in second.inner_text("#assignee")


def broken_roster(path: Path) -> Path:
    sheets = copy.deepcopy(BASE_SHEETS)
    sheets["干部"][1][3] = "老板"  # no such role
    sheets["干部"][2][4] = "12345"  # not a phone number
    sheets["走访对象"][1][2] = "不存在村"  # no such unit
    sheets["活动阶段"][1][1] = "明天"  # not a date
    return write_workbook(path, sheets)


def test_the_roster_dry_run_lists_every_error_and_writes_nothing(world, phone, tmp_path):
    workbook = broken_roster(tmp_path / "名册.xlsx")
    with world.runtime.unit_of_work() as s:
        expected = [str(p) for p in prepare(s, workbook).problems]
        s.rollback()
    assert len(expected) >= 4
    world.login_as(ADMIN)
    phone.goto(f"{world.url}/m/roster")
    before = dump_tables(world.runtime.engine)  # after the login (it caches a token)
    phone.set_input_files("input[name=file]", str(workbook))
    phone.click("#check")
    shown = phone.locator("#problems li").all_inner_texts()
    assert shown == expected
    assert dump_tables(world.runtime.engine) == before
    screenshot(phone, "roster")


def test_the_roster_dry_run_then_confirm_imports(world, phone, tmp_path):
    sheets = copy.deepcopy(BASE_SHEETS)
    workbook = write_workbook(tmp_path / "名册.xlsx", sheets)
    world.login_as(ADMIN)
    phone.goto(f"{world.url}/m/roster")
    phone.set_input_files("input[name=file]", str(workbook))
    phone.click("#check")
    assert phone.locator("#plan li").count() >= 1
    with world.runtime.unit_of_work() as s:
        assert _cadre(s, "zhangwei") is None  # the dry run wrote nothing
    phone.click("#confirm")
    assert "名册已导入" in phone.inner_text("#done")
    with world.runtime.unit_of_work() as s:
        assert _cadre(s, "zhangwei") is not None


def test_a_signed_link_from_chat_logs_its_reader_in(world, phone):
    from bot.pages.links import overview_url

    url = overview_url(world.runtime.config, "zhaozs", world.runtime.clock())
    world.login_as("")  # the fake would ask: the token alone must do
    phone.goto(url.replace(url.split("/m/")[0], world.url))
    assert path_of(phone) == "m/"
    assert "东山村" in phone.inner_text("header")


def test_screenshots_of_every_page(world, phone):
    from scheduler import review

    with world.runtime.unit_of_work() as s:
        review.run(s, world.runtime.clock(), world.runtime.config, seed_source=lambda: "ab" * 32)
    world.login_as(ADMIN)
    shots = {}
    phone.goto(f"{world.url}/m/")
    shots["overview"] = screenshot(phone, "overview")
    phone.goto(f"{world.url}/m/problems")
    shots["problems"] = screenshot(phone, "problems")
    phone.goto(f"{world.url}/m/problems/{world.town.problem_ids['medical']}")
    shots["problem"] = screenshot(phone, "problem")
    phone.click("text=查看该户")
    assert "西河村" in phone.inner_text("main")
    shots["household"] = screenshot(phone, "household")
    phone.goto(f"{world.url}/m/review")
    assert "复核通过" in phone.inner_text("#verify")
    shots["review"] = screenshot(phone, "review")
    phone.goto(f"{world.url}/m/downloads")
    shots["downloads"] = screenshot(phone, "downloads")
    with phone.expect_download() as download:
        phone.click("a.dl[data-key=summary]")
    assert download.value.suggested_filename.endswith(".xlsx")
    phone.goto(f"{world.url}/m/roster")
    shots["roster-upload"] = screenshot(phone, "roster-upload")
    for name, path in shots.items():
        assert path.stat().st_size > 5_000, name
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def _cadre(session: Any, userid: str) -> Any:
    from storage.cadres import find_by_userid

    return find_by_userid(session, userid)
