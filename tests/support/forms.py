"""The export town plus what the seed-003 paper forms are filled from.

Two village surveys (template changzhou_village, targets of kind 'village'):
东山村 by 张三, surveyed twice (11-15, then 11-20: the later one is the form);
西河村 by 孙七 on 11-21. One household survey (template changzhou_household) of
陈大 (E5) by 李四 on 11-21: a poor household with a need and a suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from storage.models import Assignment, Cadre, Target, Unit, Visit
from tests.support.exports import ExportTown, build_export_town

SECRETARY_PHONE = "13811112222"
EAST_NUMBERS: dict[str, Any] = {
    "households": 820,
    "population": 2950,
    "income_per_capita": 31000.0,
    "cadre_income": 86000.0,
    "natural_villages": 6,
    "groups_count": 12,
    "party_members": 95,
    "branches": 3,
    "graduate_officials": 1,
    "collective_income": 260.0,
    "business_income": 120.5,
    "collective_assets": 3500.0,
}
EAST_ECONOMY = "村集体经济薄弱，缺少产业项目，建议引进农产品加工"
HOUSEHOLD_ANSWERS: dict[str, Any] = {
    "phone": "13566667777",
    "members": 4,
    "income": "poor",
    "poverty_cause": "户主患慢性病，常年吃药",
    "needs": "希望帮助申请低保",
    "suggestion_areas": ["medical"],
    "suggestion": "希望村卫生室晚上也开门",
    "handling": "registered",
}


@dataclass(frozen=True)
class FormsTown:
    etown: ExportTown
    east_village_id: int
    west_village_id: int


def _visit(session, campaign_id, target, cadre, template, answers, when):  # type: ignore[no-untyped-def]
    session.add(
        Visit(
            campaign_id=campaign_id,
            target_id=target.id,
            cadre_id=cadre.id,
            template=template,
            outcome="visited",
            answers=answers,
            started_at=when - timedelta(minutes=15),
            submitted_at=when,
        )
    )


def build_forms_town(session) -> FormsTown:  # type: ignore[no-untyped-def]
    etown = build_export_town(session)
    campaign_id = etown.town.campaign_id
    cadre = {c.userid: c for c in session.scalars(select(Cadre))}
    unit = {u.name: u for u in session.scalars(select(Unit))}
    villages = {}
    for name, owner in (("东山村", "zhangsan"), ("西河村", "sunqi")):
        t = Target(code=f"V-{name}", head_name=name, unit_id=unit[name].id, kind="village")
        session.add(t)
        session.flush()
        session.add(Assignment(campaign_id=campaign_id, target_id=t.id, cadre_id=cadre[owner].id))
        villages[name] = t
    east_final = {
        **EAST_NUMBERS,
        "areas": ["economy", "jobs"],
        "economy_text": EAST_ECONOMY,
        "jobs_text": "年轻人外出多，希望就近就业",
        "secretary": "赵支书",
        "secretary_phone": SECRETARY_PHONE,
    }
    day = datetime(2026, 11, 15, 2, 0, tzinfo=UTC)
    village = "changzhou_village"
    _visit(
        session,
        campaign_id,
        villages["东山村"],
        cadre["zhangsan"],
        village,
        {**east_final, "households": 800},
        day,
    )
    _visit(
        session,
        campaign_id,
        villages["东山村"],
        cadre["zhangsan"],
        village,
        east_final,
        day + timedelta(days=5),
    )
    _visit(
        session,
        campaign_id,
        villages["西河村"],
        cadre["sunqi"],
        village,
        {"households": 410, "areas": ["none"]},
        day + timedelta(days=6),
    )
    e5 = session.scalar(select(Target).where(Target.code == "E5"))
    _visit(
        session,
        campaign_id,
        e5,
        cadre["lisi"],
        "changzhou_household",
        HOUSEHOLD_ANSWERS,
        day + timedelta(days=6),
    )
    session.commit()
    return FormsTown(etown, villages["东山村"].id, villages["西河村"].id)
