"""What a typed answer says: nothing (raises no problem), or no word at all (asked again).

Also the template keys behind a tick's detail and the door's handling, and the pure
engine's drafts: the none-words and the injected classifier verdict decide.
"""

from __future__ import annotations

import pytest

from bot.dialogs import walk
from bot.dialogs.meaning import empty_of_meaning, says_none
from bot.dialogs.template import TemplateError, load_named, parse


@pytest.mark.parametrize("text", ["1", "2", "。", "...", "👍", "😀👍", " ", "1、2", "？？"])
def test_wordless_answers_are_empty_of_meaning(text: str) -> None:
    assert empty_of_meaning(text) and says_none(text)


@pytest.mark.parametrize(
    "text", ["无", "没有", "同上", "没有困难", "一切都好😀👍", "没意见。", "都挺好的", "没有问题！"]
)
def test_plain_none_answers_say_none(text: str) -> None:
    assert says_none(text) and not empty_of_meaning(text)


@pytest.mark.parametrize(
    "text", ["东墙裂了一指宽", "与东邻因宅基地界线争执", "没有路灯", "无人照看"]
)
def test_real_answers_say_something(text: str) -> None:
    assert not says_none(text) and not empty_of_meaning(text)


def test_a_suggestion_the_classifier_calls_no_problem_raises_nothing() -> None:
    template = load_named("yizou_erwen_sankan")
    answers = {"has_suggestion": "yes", "suggestion": "没有什么意见，都挺好的"}
    assert len(walk.problems(template, answers)) == 1  # no verdict given: the words stand
    assert walk.problems(template, answers, lambda text: False) == ()
    assert len(walk.problems(template, answers, lambda text: True)) == 1


def test_several_ticks_sharing_one_detail_each_name_their_tick() -> None:
    template = load_named("yizou_erwen_sankan")
    answers = {
        "outside": ["wall_crack"],
        "family_life": ["neighbour_dispute"],
        "details": "东墙裂了，和东邻吵过",
    }
    drafts = walk.problems(template, answers)
    assert [d.text for d in drafts] == [
        "墙体有裂缝：东墙裂了，和东邻吵过",
        "有邻里纠纷：东墙裂了，和东邻吵过",
    ]
    assert [d.category for d in drafts] == ["房屋土地", "平安治理"]


def test_the_handling_answer_is_every_drafts_state() -> None:
    template = load_named("changzhou_household")
    answers = {"income": "poor", "needs": "缺劳力", "suggestion": "修路", "handling": "explained"}
    assert {d.handling for d in walk.problems(template, answers)} == {"explained"}
    answers["handling"] = "registered"
    assert {d.handling for d in walk.problems(template, answers)} == {"registered"}


def _data(**question: object) -> dict[str, object]:
    ticks = {
        "id": "a",
        "label": "A",
        "type": "select_multiple",
        "choices": [{"id": "x", "label": "X"}],
    }
    return {
        "template": {"id": "t", "title": "t"},
        "groups": [{"id": "g", "questions": [ticks, {"id": "b", "label": "B", **question}]}],
    }


def test_detail_for_and_handling_are_checked() -> None:
    with pytest.raises(TemplateError, match="question b: detail_for is for a text question"):
        parse(_data(type="integer", detail_for=["a"]), "x.toml")
    with pytest.raises(TemplateError, match="detail_for 'zz' is unknown or asked later"):
        parse(_data(type="text", detail_for=["zz"]), "x.toml")
    with pytest.raises(TemplateError, match="handling choice ids"):
        choices = [{"id": "done", "label": "当场解决"}]
        parse(_data(type="select_one", handling=True, choices=choices), "x.toml")
    good = parse(_data(type="text", detail_for=["a"]), "x.toml")
    assert good.question("b").detail_for == ("a",)
