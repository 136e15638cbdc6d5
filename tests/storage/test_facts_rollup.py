"""The digests' once-per-run figures equal the per-scope fact layer, for every unit.

:class:`scheduler.digests.RunDigests` counts each figure once per run (cells per place,
cadre unit and detail; :mod:`storage.facts.rollup`) and reads every leader unit's
figures off them; :func:`scheduler.digests.figures` asks the fact layer per scope
(the definition, itself checked against a recount in test_facts_properties.py).
Here both must give the same digest for every unit of Hypothesis' small campaigns —
nested units with a 线办 and a 网格 unit whose targets sit in their village under the
grid's name, cadres of any unit visiting anywhere (a household visited by cadres of two
units, a cadre visiting in two villages), every visit outcome, problems found by any
cadre with histories and deadlines — and of a generated town of 160 households; the
weekly 走访任务与评分 section likewise (:class:`scheduler.digest_scores.RunScores`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from scheduler import digests, prompts
from scheduler.digest_keywords import (
    JIEBA_STOP_WORDS,
    KEYWORD_SPARE,
    KEYWORD_STOPWORDS,
    KeywordCells,
    keywords,
)
from scheduler.digest_scores import RunScores, scores_section
from storage import facts
from storage.masking import mask_numbers
from storage.models import Assignment, Cadre, Campaign, Problem, Unit
from storage.progress import problem_texts
from storage.units import UnitTree
from tests.storage.test_facts_counts import NOW as TOWN_NOW
from tests.storage.test_facts_counts import generated_town
from tests.storage.test_facts_properties import NOW, store, worlds

KINDS = ("daily", "weekly", "halfmonth")
TEXTS = (
    "希望尽快修缮村里的道路，雨天积水严重",
    "孩子上学路远，校车接送不方便，希望增加校车",
    "医保报销比例低，看病贵，希望提高报销比例",
    "路灯坏了很久，晚上出行不安全，请修路灯",
    "联系电话13812345678，反映自来水水压不足",
    "垃圾清运不及时，道路两旁堆放垃圾",
)


def _plain(d: prompts.DigestFigures) -> prompts.DigestFigures:
    """The figures without the coverage lines' target ids (the per-scope path keeps
    them for other callers; no digest shows them)."""
    lines = [replace(c, target_ids=[]) for c in d.other_kinds]
    return replace(d, other_kinds=lines, behind=list(d.behind), keywords=list(d.keywords))


def _org_units(scopes: list[facts.FactScope]) -> set[int]:
    return {u for s in scopes if s.basis == facts.ORG for u in s.unit_ids}


def check_every_unit(session, config, now) -> int:  # type: ignore[no-untyped-def]
    """Compare both paths for every unit, kind and audience; returns a size of what was
    compared (so a test can insist it was not all zeros)."""
    campaign = session.scalar(select(Campaign))
    tree = UnitTree.load(session)
    units = list(session.scalars(select(Unit)))
    scopes = [facts.scope_for_unit(session, u) for u in units]
    assert [facts.scope_in_tree(tree, tree.units[u.id]) for u in units] == scopes
    seen = 0
    for kind in KINDS:
        run = digests.RunDigests(session, campaign, tree, kind, now, config, _org_units(scopes))
        for scope in scopes:
            for leader in (True, False):
                want, _ = digests.figures(
                    session, campaign, tree, scope, kind, "简报", now, config, leader
                )
                got = run.figures(scope, "简报", leader)
                assert _plain(got) == _plain(want), (kind, scope.label, leader)
                seen += sum(c.assigned for c in want.coverage) + len(want.counts)
                seen += sum(r.subtotal for r in want.halfmonth) + len(want.keywords)
    scores = RunScores(session, campaign, tree, now, config)
    for unit_id in tree.units:
        want_text = scores_section(session, campaign, tree, unit_id, now, config)
        assert scores.section(unit_id) == want_text, tree.name(unit_id)
    return seen


@settings(
    max_examples=12,  # each a whole campaign: ~0.8 s a backend; the generated town adds one more
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(w=worlds())
def test_every_units_digest_equals_the_fact_layer(session, config, w) -> None:  # type: ignore[no-untyped-def]
    try:
        store(session, w)
        for problem in session.scalars(select(Problem)):
            problem.text = TEXTS[problem.id % len(TEXTS)]
        session.flush()
        check_every_unit(session, config, NOW)
    finally:
        session.rollback()


def test_a_generated_towns_digests_equal_the_fact_layer(session, config, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    generated_town(session, tmp_path, seed=21)
    assert check_every_unit(session, config, TOWN_NOW + timedelta(hours=1)) > 500


def test_keywords_are_jiebas_tags_without_stop_words_and_numbers() -> None:
    """``keywords`` (counted with :func:`count_words`, ranked by :func:`ranked`) is
    jieba's ``extract_tags`` over the joined texts, its first candidates filtered."""
    import jieba.analyse

    texts = [TEXTS[i % len(TEXTS)] + f"，第{i}户，门牌{i}号" for i in range(40)]
    top = 10 + len(KEYWORD_STOPWORDS) + KEYWORD_SPARE
    tags = jieba.analyse.extract_tags("\n".join(mask_numbers(t) for t in texts), topK=top)
    want = [t for t in tags if t not in KEYWORD_STOPWORDS and not any(c.isdigit() for c in t)]
    assert keywords(texts) == want[:10]
    assert JIEBA_STOP_WORDS == jieba.analyse.default_tfidf.stop_words
    assert "报销" in keywords(texts) and "13812345678" not in keywords(texts)


def test_keyword_cells_rank_like_each_scopes_texts(session, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    campaign_id = generated_town(session, tmp_path, seed=22)
    assert campaign_id
    rows = session.execute(select(Assignment.target_id, Assignment.cadre_id)).all()
    for n, (target_id, cadre_id) in enumerate(rows[:120]):
        session.add(
            Problem(
                target_id=target_id,
                found_by_id=cadre_id if n % 3 else session.scalar(select(Cadre.id).limit(1)),
                unit_id=session.scalar(select(Unit.id).limit(1)),
                text=TEXTS[n % len(TEXTS)] + ("，路灯" if n % 7 == 0 else ""),
                kind="意见建议",
                category="其他",
                category_alt="其他",
                created_at=TOWN_NOW - timedelta(hours=n),
            )
        )
    session.flush()
    since = TOWN_NOW - timedelta(hours=80)
    cells = KeywordCells(session, since)
    checked = 0
    for unit in session.scalars(select(Unit)):
        scope = facts.scope_for_unit(session, unit)
        want = keywords(problem_texts(session, campaign_id, scope, since=since))
        assert cells.of(scope) == want, unit.name
        checked += len(want)
    assert checked > 20
