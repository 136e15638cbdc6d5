"""Top-level commands as fallbacks: in a step that holds no draft (right after 走访, 新增)
问题, 进度, 帮助 and 模板 answer as they do when idle; while a draft is held it is
protected (its answers and the dialog's own fallbacks only). Transcripts through the
real webhook.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.handlers import prompts as handler_prompts
from bot.runtime import Runtime
from storage.models import DialogSession
from tests.support.roster import CADRE, LEADER, seed
from tests.support.wecom import WecomTestClient

GENERAL_HELP = handler_prompts.HELP_TITLE
VISIT_HELP = "用法："  # the dialog's own help (bot.dialogs.prompts.HELP)
NOT_FOUND = "没有找到"


def step_of(runtime: Runtime, userid: str) -> str:
    with runtime.unit_of_work() as s:
        row = s.scalars(select(DialogSession).where(DialogSession.userid == userid)).one()
        return row.state


def file_a_problem(wc: WecomTestClient) -> None:
    """王大's visit, saved with 墙体有裂缝 (安全隐患) among its problems."""
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    wc.say(CADRE, "在家")
    for answer in ["是", "有困难", "孩子上学路远，没有校车", "否", "2", "1", "1", "跳过", "1"]:
        wc.say(CADRE, answer)
    assert wc.say(CADRE, "确认").startswith("已保存：王大")


def test_problems_after_visit_lists_the_problems(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    file_a_problem(wc)
    assert "李二" in wc.say(CADRE, "走访")
    assert step_of(runtime, CADRE) == "pick_target"
    listing = wc.say(CADRE, "问题")
    assert listing.startswith("【问题清单】")
    assert "墙体有裂缝" in listing and NOT_FOUND not in listing
    # The problem list replaced the household list: the dialog rests at idle again.
    assert step_of(runtime, CADRE) == "idle"
    assert "李二" in wc.say(CADRE, "走访")


def test_progress_after_visit_shows_progress_and_the_list_again(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    answer = wc.say(CADRE, "进度")
    assert answer.startswith("我的进度：") and NOT_FOUND not in answer
    assert "李二" in answer  # the list, shown again: its numbers still pick from it
    assert step_of(runtime, CADRE) == "pick_target"


def test_a_leaders_progress_while_registering_is_the_units(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    assert "新户信息" in wc.say(LEADER, "新增")
    answer = wc.say(LEADER, "进度")
    assert answer.startswith("【测试村 走访进度】")
    assert step_of(runtime, LEADER) == "new_target"  # nothing typed yet is lost


def test_help_after_visit_shows_the_general_help(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    answer = wc.say(CADRE, "帮助")
    assert answer == handler_prompts.help_text()
    assert VISIT_HELP not in answer and "模板" in answer
    assert step_of(runtime, CADRE) == "pick_target"
    assert wc.say(CADRE, "王大").startswith("王大（3组 15号）：在家吗？")


def test_template_after_visit_is_the_template_command(
    runtime: Runtime, wc: WecomTestClient
) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    assert wc.say(CADRE, "模板") == handler_prompts.TEMPLATE_ADMIN_ONLY
    assert step_of(runtime, CADRE) == "pick_target"


def test_a_held_draft_keeps_its_words(runtime: Runtime, wc: WecomTestClient) -> None:
    seed(runtime)
    wc.say(CADRE, "走访")
    wc.say(CADRE, "王大")
    wc.say(CADRE, "在家")
    question = wc.say(CADRE, "是")
    assert question.startswith("【二问】2/7 一问家庭情况：家里有困难吗？")
    # 问题 and 模板 are answers to the open question (a choice, so asked again) ...
    for word in ("问题", "模板"):
        answer = wc.say(CADRE, word)
        assert answer == "请点选按钮，或回复选项编号。\n" + question
        assert "【问题清单】" not in answer
        assert step_of(runtime, CADRE) == "question:family"
    # ... and 帮助 is the dialog's own help, followed by the open question.
    answer = wc.say(CADRE, "帮助")
    assert answer.startswith(VISIT_HELP) and answer.endswith(question)
    assert GENERAL_HELP not in answer
    assert step_of(runtime, CADRE) == "question:family"
