"""The classifier: negations raise nothing, mixed answers still find the problem,
both schemes are filled, the accuracy stays above its floor."""

from __future__ import annotations

import pytest

from bot.ledger import classify as classify_mod
from bot.ledger.classify import Classification, classify, model
from bot.ledger.learned import TRAINING_PATH, NaiveBayes
from bot.ledger.lexicon import load_lexicon, missing_userdict_words
from storage.vocab import CATEGORIES_CHAIHUDIAN, CATEGORIES_CHANGZHOU, PROBLEM_KINDS
from tests.support.classifier import (
    DATA_DIR,
    TRAINING_SETS,
    cross_validate,
    evaluate,
    read_rows,
    training_text,
)

NO_PROBLEM_ANSWERS = [
    "没有",
    "无",
    "暂无",
    "都挺好",
    "没什么困难",
    "没有什么困难，都挺好",
    "没有矛盾",
    "没有矛盾纠纷",
    "一切正常",
    "没啥问题",
    "家里没人生病",
    "没有发现安全隐患",
    "暂无意见建议",
    "不需要帮助",
    "暂无困难需求和意见建议",
    "没有困难、矛盾和安全隐患",
    "困难需求、意见建议、矛盾纠纷都没有",
    "老师挺负责的",
]


@pytest.mark.parametrize("text", NO_PROBLEM_ANSWERS)
def test_no_problem_answers_raise_nothing(text):
    got = classify(text)
    assert got.problem is False
    assert got.terms == ()


def test_mixed_answer_finds_the_problem_after_the_negation():
    got = classify("没有矛盾，但是屋顶漏水")
    assert got.problem
    assert (got.category, got.category_alt) == ("房屋土地", "居住环境")
    assert "漏水" in got.terms
    assert "矛盾" not in got.terms


def test_negated_dispute_is_not_a_dispute():
    got = classify("没有矛盾，就是孙子学费有点紧")
    assert got.kind != "矛盾纠纷"
    assert got.category == "教育文化"


@pytest.mark.parametrize(
    ("text", "cz", "chd", "kind"),
    [
        ("我家后面那个坡下雨老往下掉土", "房屋土地", "居住环境", "安全隐患"),
        ("隔壁老王家的牛老是吃我家的菜", "平安治理", "社会治安", "矛盾纠纷"),
        ("想问问我家这种情况能不能吃低保", "社会保障", "社会帮扶", "政策咨询"),
        ("村里没有路灯，晚上黑", "房屋土地", "居住环境", None),
    ],
)
def test_examples(text, cz, chd, kind):
    got = classify(text)
    assert got.problem
    assert (got.category, got.category_alt) == (cz, chd)
    if kind:
        assert got.kind == kind


def test_a_problem_with_no_known_subject_is_other_and_flagged():
    got = classify("这个事情太麻烦了")
    assert got.problem
    assert (got.category, got.category_alt) == ("其他", "其他")
    assert got.needs_review


def test_verdict_is_frozen_and_in_the_vocabularies():
    got = classify("老伴有糖尿病，每个月光买药就得几百块")
    assert isinstance(got, Classification)
    with pytest.raises(AttributeError):
        got.problem = False  # type: ignore[misc]
    assert got.category in CATEGORIES_CHANGZHOU
    assert got.category_alt in CATEGORIES_CHAIHUDIAN
    assert got.kind in PROBLEM_KINDS
    assert 0 < got.confidence <= 1


def test_json_shape_per_scheme():
    got = classify("孩子上学太远")
    assert got.as_json("孩子上学太远", "chaihudian")["category"] == "基础教育"
    assert set(got.as_json("x")) == {"text", "problem", "category", "kind", "confidence", "terms"}
    with pytest.raises(ValueError):
        got.category_in("beijing")


def test_the_model_is_built_once_per_process(monkeypatch):
    first = model()
    calls = []
    monkeypatch.setattr(classify_mod, "load_lexicon", lambda: calls.append(1))
    for _ in range(3):
        classify("屋顶漏水")
    assert model() is first
    assert calls == []


def test_every_keyword_is_one_jieba_token():
    lex = load_lexicon()
    split = [t for t in lex.all_terms() if len(t) > 1 and lex.tokenizer.lcut(t, HMM=False) != [t]]
    assert split == []


def test_lexicon_has_several_hundred_terms():
    assert len(model().lex.all_terms()) >= 500


@pytest.fixture(scope="module")
def labelled_scores():
    return evaluate(read_rows(DATA_DIR / "problems_labelled.tsv"))


def test_labelled_set_is_big_and_covers_every_label(labelled_scores):
    rows = read_rows(DATA_DIR / "problems_labelled.tsv")
    assert len(rows) >= 300
    problems = [r for r in rows if r.problem]
    assert {r.changzhou for r in problems} == set(CATEGORIES_CHANGZHOU)
    assert {r.chaihudian for r in problems} == set(CATEGORIES_CHAIHUDIAN)
    assert {r.kind for r in problems} == set(PROBLEM_KINDS)


def test_accuracy_floors(labelled_scores):
    # In-sample figures (docs/ledger.md, v3): 100 / 100 / 100 / 99.3 %.
    assert labelled_scores.changzhou >= 0.97
    assert labelled_scores.chaihudian >= 0.97
    assert labelled_scores.detection >= 0.97
    assert labelled_scores.kind >= 0.95


def test_cross_validated_accuracy_floors():
    # 5-fold CV over the training sets (docs/ledger.md, v3): 98.7 / 90.6 / 90.8 / 75.6 %.
    scores = cross_validate(5, model().weights)
    assert scores.detection >= 0.96
    assert scores.changzhou >= 0.87
    assert scores.chaihudian >= 0.87
    assert scores.kind >= 0.72


def test_training_file_is_what_the_script_writes_and_holds_no_blind4():
    assert TRAINING_PATH.read_text(encoding="utf-8") == training_text()
    assert "blind4" not in TRAINING_SETS
    training = {r.text for r in read_rows(TRAINING_PATH)}
    blind4 = {r.text for r in read_rows(DATA_DIR / "problems_blind4.tsv")}
    assert training & blind4 == set()


def test_learned_features_show_among_the_terms():
    got = classify("娃娃读书的钱凑不齐")
    assert got.problem
    learned = [t for t in got.terms if t not in model().lex.all_terms()]
    assert learned, got.terms


def test_naive_bayes_learns_and_explains():
    nb = NaiveBayes([{"漏水", "屋顶"}, {"屋顶", "裂缝"}, {"发烧", "医生"}], ["房", "房", "医"])
    post = nb.posterior({"漏水"})
    assert post["房"] > post["医"]
    assert abs(sum(post.values()) - 1) < 1e-9
    assert nb.explain({"漏水", "医生"}, "房") == ["漏水"]
    assert nb.posterior({"没见过"}) == nb.posterior(set())


def test_the_strongest_words_win_over_a_fine_clause():
    got = classify("邻里之间挺和睦，就是屋顶漏雨")
    assert got.problem
    assert got.category == "房屋土地"


def test_every_no_problem_row_raises_nothing():
    rows = read_rows(DATA_DIR / "problems_labelled.tsv")
    wrong = [r.text for r in rows if not r.problem and classify(r.text).problem]
    assert wrong == []


def test_userdict_holds_every_keyword():
    assert missing_userdict_words() == []


# Floors a few points under the figures measured at v3 (docs/ledger.md):
# (detection, changzhou, chaihudian, kind). All but blind4 are training sets of the
# learned layer now, so their figures are in-sample; blind4 was scored once, after.
SET_FLOORS = {
    "holdout": (0.96, 0.96, 0.96, 0.94),
    "holdout2": (0.96, 0.94, 0.92, 0.96),
    "holdout3": (0.96, 0.94, 0.96, 0.96),
    "blind": (0.95, 0.93, 0.94, 0.95),
    "blind2": (0.96, 0.96, 0.96, 0.96),
    "blind3": (0.93, 0.89, 0.86, 0.94),
    "blind4": (0.93, 0.90, 0.89, 0.75),
}


@pytest.mark.parametrize("name", sorted(SET_FLOORS))
def test_held_out_sets_do_not_regress(name):
    scores = evaluate(read_rows(DATA_DIR / f"problems_{name}.tsv"))
    detection, changzhou, chaihudian, kind = SET_FLOORS[name]
    assert scores.detection >= detection
    assert scores.changzhou >= changzhou
    assert scores.chaihudian >= chaihudian
    assert scores.kind >= kind


@pytest.mark.parametrize(
    ("name", "size"), [("blind", 150), ("blind2", 100), ("blind3", 100), ("blind4", 150)]
)
def test_blind_sets_cover_every_label_and_hold_no_problem_answers(name, size):
    rows = read_rows(DATA_DIR / f"problems_{name}.tsv")
    assert len(rows) >= size
    problems = [r for r in rows if r.problem]
    assert {r.changzhou for r in problems} == set(CATEGORIES_CHANGZHOU)
    assert {r.chaihudian for r in problems} == set(CATEGORIES_CHAIHUDIAN)
    assert {r.kind for r in problems} == set(PROBLEM_KINDS)
    assert 0.15 <= 1 - len(problems) / len(rows) <= 0.25


def test_no_blind_sentence_appears_in_another_set():
    seen: dict[str, str] = {}
    for path in sorted(DATA_DIR.glob("problems_*.tsv")):
        for row in read_rows(path):
            assert seen.setdefault(row.text, path.name) == path.name, row.text


@pytest.mark.parametrize(
    ("text", "label", "cz"),
    [
        ("镇上办个准生证来回跑了五趟", "跑N趟", "其他"),
        ("他家日子特别苦，孩子还小", "生活困难", "社会保障"),
        ("老伴前年走了，家里就剩我一个", "丧偶", "社会保障"),
    ],
)
def test_phrase_patterns_count_and_show_in_the_terms(text, label, cz):
    got = classify(text)
    assert got.problem
    assert label in got.terms
    assert got.category == cz


@pytest.mark.parametrize(
    "text",
    ["孩子们常回来看看，不孤单", "去年的问题都解决了，现在没事了", "家里人身体都好，不用担心"],
)
def test_fine_answers_with_a_negated_quality_raise_nothing(text):
    assert classify(text).problem is False


def test_a_lacking_subject_is_still_a_problem():
    got = classify("村里连个卫生室都没有")
    assert got.problem
    assert got.category == "医疗卫生"
