"""The pages served for real: the app on a free port with the fake WeCom behind it.

:func:`serve_pages` builds the town (tests/support/town.py) plus an administrator,
starts the fake WeCom and the app (``[pages] enabled``, OAuth and the API pointed at
the fake) in threads, and yields a :class:`PagesWorld`. :func:`browser` launches
Debian's Chromium through Playwright (never a downloaded browser); when it or the
playwright package is missing the test is skipped on a developer's machine and FAILS
under CI=true.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import config as config_mod
from bot.app import create_app
from bot.devtools.fakewecom import RunningFake, start_in_thread
from bot.runtime import Runtime
from storage.models import Cadre
from tests.support.clock import FROZEN_NOW
from tests.support.config import config_dict
from tests.support.paths import ROOT
from tests.support.town import Town, build_town
from tests.support.wecom import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
SECRET = "pages-test-secret-0123456789abcdef"
ADMIN = "dangzb"  # 党政办's administrator, added to the town
PHONE = {"width": 375, "height": 812}
SHOTS = ROOT / "tests" / "output" / "pages"


@dataclass
class PagesWorld:
    url: str
    fake: RunningFake
    runtime: Runtime
    town: Town

    def login_as(self, userid: str) -> None:
        """The user the fake's authorize page signs in (as if logged into WeCom)."""
        self.fake.state.oauth_user = userid


def pages_config(db_url: str, fake_url: str) -> config_mod.Config:
    raw = config_dict(
        db_url,
        wecom={"api_base_url": fake_url},
        pages={"enabled": True, "secret_key": SECRET, "oauth_base_url": fake_url},
        campaign={"quota_per_cadre": 3},
    )
    return config_mod.from_dict(raw, environ={})


@contextmanager
def serve_pages(db_url: str) -> Iterator[PagesWorld]:
    fake = start_in_thread()
    runtime = Runtime.from_config(pages_config(db_url, fake.url), clock=lambda: FROZEN_NOW)
    try:
        with runtime.unit_of_work() as s:
            town = build_town(s)
            s.add(Cadre(userid=ADMIN, name="党政办管理员", unit_id=town.town_id, role="admin"))
        with serve_in_thread(create_app(runtime=runtime)) as live:
            yield PagesWorld(live.url, fake, runtime, town)
    finally:
        fake.stop()
        runtime.close()


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Debian's) driven by Playwright; skip or, under CI, fail."""
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if in_ci:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if in_ci:
            pytest.fail(f"{CHROMIUM} is missing: .ci/setup installs it when run as root")
        pytest.skip("chromium is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def screenshot(page: Any, name: str) -> Path:
    """Save the whole page at 375 px wide under tests/output/pages/ (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
