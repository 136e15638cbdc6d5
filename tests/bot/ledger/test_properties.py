"""Invariants under random input: the classifier never fails, the workflow never
reaches a state it should not."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import LedgerConfig
from bot.ledger.classify import classify
from bot.ledger.workflow import TRANSITIONS, Actor, LedgerError, ProblemSnapshot, Request, decide
from storage.vocab import (
    CATEGORIES_CHAIHUDIAN,
    CATEGORIES_CHANGZHOU,
    PROBLEM_KINDS,
    PROBLEM_STATUS,
    SATISFACTION,
)
from tests.support.clock import FROZEN_NOW

WORDS = [
    "没有",
    "矛盾",
    "但是",
    "屋顶",
    "漏水",
    "，",
    "都挺好",
    "路灯",
    "不",
    "学费",
    "紧",
    "？",
    "😀",
    "a",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(WORDS), max_size=12).map("".join)))
def test_classify_total_and_in_vocabulary(text):
    got = classify(text)
    assert got == classify(text)  # deterministic
    assert 0.0 <= got.confidence <= 1.0
    if got.problem:
        assert got.category in CATEGORIES_CHANGZHOU
        assert got.category_alt in CATEGORIES_CHAIHUDIAN
        assert got.kind in PROBLEM_KINDS
    else:
        assert got.terms == ()


CFG = LedgerConfig()
ACTORS = [
    Actor(1, "visitor", frozenset({3}), 3),  # the finder
    Actor(2, "leader", frozenset({2, 3, 4}), 2),  # town leader
    Actor(3, "visitor", frozenset({4}), 4),  # office clerk
    Actor(4, "leader", frozenset({9}), 9),  # another town
]
REQUESTS = st.sampled_from(sorted(TRANSITIONS)).flatmap(
    lambda action: st.builds(
        Request,
        action=st.just(action),
        note=st.sampled_from(["", "已处理"]),
        assignee_unit_id=st.sampled_from([None, 4]),
        deadline_days=st.sampled_from([None, 0, 5]),
        extend_days=st.sampled_from([None, 3]),
        satisfaction=st.sampled_from([None, *SATISFACTION]),
    )
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(ACTORS) - 1), REQUESTS), max_size=25))
def test_random_sequences_keep_the_workflow_sound(steps):
    p = ProblemSnapshot(id=1, status="registered", unit_id=3, found_by_id=1)
    now = FROZEN_NOW
    extensions_since_assign = 0
    for actor_index, req in steps:
        now += timedelta(hours=1)
        try:
            d = decide(p, ACTORS[actor_index], req, now, CFG)
        except LedgerError as exc:
            assert exc.message  # every refusal says why
            continue
        assert d.from_status == p.status
        assert p.status in TRANSITIONS[d.action][0]
        assert d.to_status in PROBLEM_STATUS
        if d.to_status == "followed_up":
            assert p.status in ("solved", "explained") and d.changes["satisfaction"] != "不满意"
        if d.action == "assign" or (d.action == "follow_up" and d.to_status == "in_progress"):
            extensions_since_assign = 0  # a new deadline cycle may be extended once again
        if d.action == "extend":
            extensions_since_assign += 1
            assert extensions_since_assign == 1
        fields = {f.name for f in dataclasses.fields(ProblemSnapshot)}
        p = dataclasses.replace(
            p, status=d.to_status, **{k: v for k, v in d.changes.items() if k in fields}
        )
        if p.status in ("assigned", "in_progress"):
            assert p.deadline is not None and p.assignee_unit_id is not None
