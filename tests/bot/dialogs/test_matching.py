"""Finding a household from a typed name or address fragment."""

from __future__ import annotations

from bot.dialogs.contracts import TargetInfo
from bot.dialogs.matching import jieba_tokenizer, rank

TARGETS = (
    TargetInfo(1, "王大", "15号", "3组", "", False, ("一般农户",)),
    TargetInfo(2, "张三", "1号", "11组", "", False, ("一般农户",)),
    TargetInfo(3, "李四", "1号", "1组", "", True, ("党员",)),
)


def names(query: str) -> list[str]:
    return [t.name for t in rank(query, TARGETS, jieba_tokenizer())]


def test_address_numbers_must_match_whole():
    assert names("1组1号") == ["李四"]  # not 11组1号, not 3组15号
    assert names("3组15号") == ["王大"]
    assert names("15号") == ["王大"]


def test_an_address_nobody_has_finds_nobody():
    assert names("7组2号") == []


def test_typo_in_name_with_a_fitting_number_still_finds():
    assert names("王太 15号") == ["王大"]
    assert names("张山") == ["张三"]
