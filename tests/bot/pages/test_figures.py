"""总览 says what the weekly digest and the exports say, for the same scope and period.

The leader 王书记 (虹桥镇) opens 总览 and downloads the 走访汇总表 for 本周 from the
page; the weekly digest is built for the same unit at the same moment. Coverage, its
outcome kinds, the per-village lines, the week's four figures and the week's problem
counts must agree, figure by figure.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import openpyxl
import pytest
from flask.testing import FlaskClient

from bot.app import create_app
from bot.pages.figures import overview, this_week
from bot.pages.links import overview_url
from scheduler import digests
from storage import audit, facts
from storage.campaigns import find_active_campaign
from storage.exports import labels
from storage.units import UnitTree
from tests.support.pages import PagesWorld, serve_pages


@pytest.fixture
def world(db_url: str) -> Iterator[PagesWorld]:
    with serve_pages(db_url) as w:
        yield w


def logged_in(world: PagesWorld, userid: str) -> FlaskClient:
    client = create_app(runtime=world.runtime).test_client()
    url = urlsplit(overview_url(world.runtime.config, userid, world.runtime.clock()))
    assert client.get(f"{url.path}?{url.query}").status_code == 302
    return client


def shown(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">(\d+)<', html)
    assert found, element_id
    return int(found[1])


def test_overview_figures_equal_the_weekly_digest_and_the_summary_export(world):
    client = logged_in(world, "wangsj")
    html = client.get("/m/").get_data(as_text=True)
    rt = world.runtime
    now = rt.clock()
    with rt.unit_of_work() as s:
        campaign = find_active_campaign(s)
        assert campaign is not None
        tree = UnitTree.load(s)
        scope = facts.scope_for_unit(s, tree.units[world.town.town_id])
        digest, _ = digests.figures(
            s, campaign, tree, scope, "weekly", "周报", now, rt.config, leader=True
        )
        page = overview(s, campaign, scope, now, rt.config)

    # coverage: page == digest
    covered = sum(row.covered for row in digest.coverage)
    assigned = sum(row.assigned for row in digest.coverage)
    assert (shown(html, "covered"), shown(html, "assigned")) == (covered, assigned)
    for kind in ("visited", "phone", "away", "missed", "pending"):
        assert shown(html, kind) == sum(getattr(row, kind) for row in digest.coverage), kind
    villages = {(r.unit, r.covered, r.assigned) for r in digest.coverage}
    assert {(p.row.unit, p.row.covered, p.row.assigned) for p in page.places} == villages
    # the week: page == digest
    assert digest.weekly is not None
    assert shown(html, "week-cadres") == digest.weekly.cadres
    assert shown(html, "week-households") == digest.weekly.households
    assert shown(html, "week-problems") == digest.weekly.problems
    assert shown(html, "week-solved") == digest.weekly.solved
    assert page.problems == list(digest.counts)

    # coverage: page == the 走访汇总表 downloaded from the page for 本周
    answer = client.get("/m/downloads/summary.xlsx?period=week")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == labels.TOTAL)
    assigned_x, visited_x, phone_x, away_x, not_covered_x = total[2:7]
    assert assigned_x == shown(html, "assigned")
    assert (visited_x, phone_x, away_x) == (
        shown(html, "visited"),
        shown(html, "phone"),
        shown(html, "away"),
    )
    assert not_covered_x == shown(html, "assigned") - shown(html, "covered")
    raised_x = total[9]
    assert raised_x == digest.weekly.problems == shown(html, "week-problems")
    assert covered > 0 and digest.weekly.problems > 0  # the comparison is not of zeros
    with rt.unit_of_work() as s:  # a bulk view of personal data is audited
        (entry,) = audit.entries(s, actions=[audit.VIEW_EXPORT])
        assert entry.detail["table"] == "summary" and entry.detail["via"] == "pages"


def test_the_weekly_trend_counts_covered_like_coverage_as_of_each_week_end(world):
    rt = world.runtime
    now = rt.clock()
    with rt.unit_of_work() as s:
        campaign = find_active_campaign(s)
        assert campaign is not None
        tree = UnitTree.load(s)
        for unit_id in (world.town.town_id, world.town.east_id, world.town.west_id):
            scope = facts.scope_for_unit(s, tree.units[unit_id])
            points = overview(s, campaign, scope, now, rt.config).trend
            monday = this_week(now, rt.config).since
            assert monday is not None
            weeks_back = range(len(points) - 1, -1, -1)
            ends = [min(monday - timedelta(weeks=back - 1), now) for back in weeks_back]
            expected = [
                facts.of_kind(facts.coverage(s, campaign.id, scope, end)).covered for end in ends
            ]
            assert [p.covered for p in points] == expected
            assert expected[-1] > expected[0]  # the trend moves: a real comparison
