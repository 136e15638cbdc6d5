"""Hypothesis through the real webhook: ledger and 模板 commands with random arguments.

For a leader, a visiting cadre and an administrator, every command
(问题/交办/受理/办结/解释/延期/回访/改类/模板, and taps on classification cards) with
random arguments — huge numbers, full-width and superscript digits, emoji, long
text — answers 200 with a Chinese reply, never a 500.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as hs
from sqlalchemy import select

from bot.app import create_app
from bot.runtime import Runtime
from storage.models import Cadre
from tests.bot.handlers.test_ledger_chat import ledger  # noqa: F401  (fixture)
from tests.support.wecom import WecomTestClient

CHINESE = re.compile(r"[\u4e00-\u9fff]")
VERBS = ["问题", "交办", "受理", "办结", "解释", "延期", "回访", "改类", "模板"]
WORDS = ["1", "2", "#1", "0", "-1", "99999999999999999999999", "9223372036854775808",
         "2147483648", "１", "²", "١٢", "7天", "９９天", "99999999999天", "镇综治办", "综",
         "%", "_", "逾期", "房屋土地", "交办", "满意", "不满意", "😀", "长" * 3000, "",
         "yizou_erwen_sankan", "../x", "\u3000"]  # fmt: skip
# Control characters cannot travel in WeCom's XML; everything else can.
typed = hs.text(hs.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
words = hs.one_of(hs.sampled_from(WORDS), typed)
USERS = ["zhenzhang", "xiaoli", "guanli"]
# The database lives across examples: each example signs with fresh MsgIds, or its
# callbacks would be taken for WeCom retries of an earlier example's and replayed.
SEEDS = itertools.count(1000)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    user=hs.sampled_from(USERS),
    verb=hs.sampled_from(VERBS),
    args=hs.lists(words, max_size=4),
    sep=hs.sampled_from([" ", "", "\u3000", "  "]),
    card=hs.none() | hs.tuples(words, words),
)
@example(user="guanli", verb="问题", args=["99999999999999999999999"], sep=" ", card=None)
@example(user="xiaoli", verb="回访", args=["9223372036854775808"], sep=" ", card=None)
@example(user="zhenzhang", verb="改类", args=["2147483648", "1"], sep=" ", card=None)
@example(user="zhenzhang", verb="问题", args=[], sep=" ", card=("99999999999999999999", "1"))
@example(user="guanli", verb="模板", args=["²"], sep=" ", card=None)
def test_ledger_commands_never_fail(
    runtime: Runtime,
    ledger,  # noqa: F811
    user: str,
    verb: str,
    args: list[str],
    sep: str,
    card: tuple[str, str] | None,
) -> None:
    with runtime.unit_of_work() as s:
        guanli = s.scalar(select(Cadre).where(Cadre.userid == "guanli"))
        assert guanli is not None
    wc = WecomTestClient.for_app(create_app(runtime=runtime), seed=next(SEEDS))
    if card is None:
        resp = wc.post(wc.signer.text(user, sep.join([verb, *args])))
    else:
        key = f"ledger:reclass:{card[0]}:{card[1]}"
        resp = wc.post(wc.signer.card_click(user, key, "ledger-reclass-1-1"))
    assert resp.status_code == 200
    if card is None or re.fullmatch(r"ledger:reclass:\d+:\d+", key):
        assert CHINESE.search(wc.reply(resp))
