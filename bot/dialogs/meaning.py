"""Does a typed answer say anything? Pure checks on free text, no classifier.

Two questions, kept apart on purpose:

- :func:`empty_of_meaning`: the text holds no word at all — only digits, punctuation,
  symbols or emoji ("1", "。。", "👍"). Typed where a sentence is asked, it is usually
  a tap meant for the previous question; the engine asks once more.
- :func:`says_none`: the text is a plain "nothing to report" (无, 没有, 同上,
  没有困难, 一切都好…), or empty of meaning. Such an answer never raises a problem.

The ledger's classifier (``bot.ledger.classify``) is the finer judge of a whole
sentence ("没有什么意见，都挺好的"); the handler passes its verdict in as
``Context.is_problem``. These lists catch what it cannot see ("同上") and keep the
engine's own tests independent of it.
"""

from __future__ import annotations

import unicodedata

# Whole answers (letters only, after dropping punctuation, digits and emoji) that say
# "nothing". Kept short and literal: a sentence is the classifier's job.
NONE_WORDS = frozenset(
    {
        "无",
        "没",
        "没有",
        "暂无",
        "暂时没有",
        "同上",
        "同前",
        "无异常",
        "正常",
        "一切正常",
        "都正常",
        "都好",
        "一切都好",
        "挺好",
        "很好",
        "都挺好",
        "还好",
        "还行",
        "好",
        "不需要",
        "没什么",
        "没啥",
        "没有什么",
        "无困难",
        "没困难",
        "没有困难",
        "无意见",
        "没意见",
        "没有意见",
        "无建议",
        "没建议",
        "没有建议",
        "无问题",
        "没问题",
        "没有问题",
        "无需求",
        "没需求",
        "没有需求",
        "无纠纷",
        "没有纠纷",
        "none",
        "no",
        "nothing",
    }
)
_TRAILING = "的了啊呀哦呢吧啦"


def words_of(text: str) -> str:
    """The letters of ``text`` (CJK and Latin), without digits, punctuation, symbols, emoji."""
    return "".join(ch for ch in text if unicodedata.category(ch).startswith("L")).lower()


def empty_of_meaning(text: str) -> bool:
    """True when ``text`` has no letter at all: digits, punctuation, emoji, blanks."""
    return not words_of(text)


def says_none(text: str) -> bool:
    """True when ``text`` is empty of meaning or a plain "nothing to report" answer."""
    core = words_of(text)
    if not core:
        return True
    return core in NONE_WORDS or core.rstrip(_TRAILING) in NONE_WORDS
