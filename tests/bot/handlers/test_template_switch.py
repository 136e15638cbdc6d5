"""模板 by chat: administrators list and switch the campaign's questionnaire; others
are refused and nothing changes. A per-village template offers the cadre's village."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.runtime import Runtime
from storage.models import Assignment, AuditLog, Campaign, Target, Visit
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient, add_cadre

ADMIN = "admin1"


def campaign_template(runtime: Runtime) -> str:
    with runtime.unit_of_work() as s:
        return s.scalars(select(Campaign)).one().template


def audit(runtime: Runtime) -> list[tuple[str, dict]]:
    with runtime.unit_of_work() as s:
        return [(a.actor, a.detail) for a in s.scalars(select(AuditLog).order_by(AuditLog.id))]


def test_an_admin_lists_and_switches_templates(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    with runtime.unit_of_work() as s:
        add_cadre(s, ADMIN, name="管理员", role="admin")
    listing = wc.say(ADMIN, "模板")
    assert listing.startswith("【走访问卷模板】当前：yizou_erwen_sankan")
    assert "6. yizou_erwen_sankan —— 一走二问三看" in listing and "← 当前" in listing
    assert "changzhou_village —— 村（社区）调查表" in listing and "【每村一份" in listing

    reply = wc.say(ADMIN, "模板 fangminqing")
    assert reply.startswith("已把活动“民情大走访”的走访问卷改为 fangminqing")
    assert "原为 yizou_erwen_sankan" in reply
    assert campaign_template(runtime) == "fangminqing"
    assert "已把活动" in wc.say(ADMIN, "模板 3")  # by number: changzhou_village
    assert campaign_template(runtime) == "changzhou_village"
    assert audit(runtime) == [
        (ADMIN, {"campaign": "民情大走访", "from": "yizou_erwen_sankan", "to": "fangminqing"}),
        (ADMIN, {"campaign": "民情大走访", "from": "fangminqing", "to": "changzhou_village"}),
    ]
    assert "已经在用模板 changzhou_village" in wc.say(ADMIN, "模板 changzhou_village")
    assert wc.say(ADMIN, "模板 火星表") == "没有模板“火星表”。发送“模板”查看可选的模板。"
    assert len(audit(runtime)) == 2


def test_others_are_refused_and_nothing_changes(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    for user in (CADRE, LEADER):
        assert wc.say(user, "模板 fangminqing") == (
            "只有管理员可以查看或切换走访问卷模板。如需更换，请联系管理员。"
        )
        assert "只有管理员" in wc.say(user, "模板")
    assert campaign_template(runtime) == "yizou_erwen_sankan"
    assert audit(runtime) == []


def test_during_a_visit_the_word_is_an_answer_not_a_command(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    with runtime.unit_of_work() as s:
        add_cadre(s, ADMIN, name="管理员", role="admin")
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")  # a draft is held from here (在家吗？)
    assert "只有管理员" not in wc.say(CADRE, "模板")  # the dialog's own answer
    assert audit(runtime) == []


def test_a_per_village_template_offers_the_cadres_village(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime, template="changzhou_village")
    with runtime.unit_of_work() as s:  # this time the roster has no village record
        villages = select(Target.id).where(Target.kind == "village")
        s.execute(delete(Assignment).where(Assignment.target_id.in_(villages)))
        s.execute(delete(Target).where(Target.kind == "village"))
    listing = wc.say(CADRE, "走访")
    # Only villages: the cadre's own 测试村 (added on first use), no household.
    assert "测试村" in listing
    assert "王大" not in listing and "李二" not in listing
    wc.say(CADRE, "测试村")
    for line in ("820 2950 31000 86000", "6 12 95 3 1", "260 120 3500", "1", "王书记 13800000011"):
        wc.say(CADRE, line)
    saved = wc.say(CADRE, "1")
    assert saved.startswith("已保存：测试村（测试村村委会）村（社区）调查表已填报。")
    with runtime.unit_of_work() as s:
        village = s.scalars(select(Target).where(Target.head_name == "测试村")).one()
        assert (village.kind, village.categories) == ("village", [])
        assert s.scalars(select(Visit)).one().target_id == village.id
    after = wc.say(CADRE, "走访")  # done: off the list
    assert "测试村" not in after
