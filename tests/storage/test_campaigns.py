"""The active campaign: created once from the config's settings, then reused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.campaigns import CampaignError, find_active_campaign, get_or_create_active_campaign
from storage.db import unit_of_work
from storage.models import Campaign


def test_created_once_then_returned(sessions):
    with unit_of_work(sessions) as s:
        assert find_active_campaign(s) is None
        made = get_or_create_active_campaign(s, "冬季走访", "yizou_erwen_sankan", 30)
        assert (made.name, made.template, made.quota_per_cadre, made.active) == (
            "冬季走访",
            "yizou_erwen_sankan",
            30,
            True,
        )
    with unit_of_work(sessions) as s:
        again = get_or_create_active_campaign(s, "另一个名字", "other", 5)
        assert again.id == made.id and again.name == "冬季走访"
        assert s.scalar(select(func.count(Campaign.id))) == 1


def test_inactive_campaigns_are_not_active(sessions):
    with unit_of_work(sessions) as s:
        s.add(Campaign(name="春季走访", template="t", active=False))
    with unit_of_work(sessions) as s:
        made = get_or_create_active_campaign(s, "冬季走访", "t", 0)
        assert find_active_campaign(s).id == made.id


def test_a_finished_campaign_name_is_not_reused(sessions):
    with unit_of_work(sessions) as s:
        s.add(Campaign(name="冬季走访", template="t", active=False))
    with pytest.raises(CampaignError, match="已存在但已结束"):
        with unit_of_work(sessions) as s:
            get_or_create_active_campaign(s, "冬季走访", "t", 0)
