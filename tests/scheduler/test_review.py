"""The weekly random-five draw: fair pool, unpredictable seed, reproducible result."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.cli import cli
from bot.clock import frozen_environ
from scheduler import review
from storage.models import AuditLog, JobRun, ReviewDraw
from storage.units import UnitTree
from tests.support.clock import FROZEN_NOW
from tests.support.outbox import content, group_rows, outbox

SEED = "9f" * 32


def run_cli(args: list[str]):  # type: ignore[no-untyped-def]
    """``minqing ARGS`` with the runtime's clock frozen at FROZEN_NOW (ISO week 2026-W48)."""
    return CliRunner(env=frozen_environ(FROZEN_NOW)).invoke(cli, args)


TOWN_POOL = ["chenyi", "liner", "lisi", "sunqi", "wujiu", "zhangsan", "zhengshi", "zhouba"]


def fixed_seed() -> str:
    return SEED


def test_new_seeds_are_256_bit_and_never_repeat():
    seeds = {review.new_seed() for _ in range(50)}
    assert len(seeds) == 50
    assert all(len(s) == 64 and int(s, 16) >= 0 for s in seeds)


def test_the_result_is_a_function_of_seed_and_sorted_pool():
    drawn = review.derive(SEED, TOWN_POOL, 5)
    assert drawn == review.derive(SEED, list(reversed(TOWN_POOL)), 5)
    assert len(set(drawn)) == 5 and set(drawn) <= set(TOWN_POOL)
    assert (
        review.derive("00" * 32, TOWN_POOL, 5) != drawn
        or review.derive("01" * 32, TOWN_POOL, 5) != drawn
    )
    assert sorted(review.derive(SEED, ["a", "b"], 5)) == ["a", "b"]  # small pool: everyone


def test_the_weekly_job_draws_from_eligible_cadres_and_announces(sessions, sconfig, town, now):
    with sessions() as s:
        result = review.run(s, now, sconfig, seed_source=fixed_seed)
        s.commit()
    assert result.claimed == ("review:虹桥镇:2026-W48", "review:东山村:2026-W48")
    with sessions() as s:
        draws = {d.unit_id: d for d in s.scalars(select(ReviewDraw))}
        town_draw = draws[town.town_id]
        assert town_draw.pool == TOWN_POOL  # 王五 on leave, 赵六 inactive, leaders not visitors
        assert town_draw.seed == SEED and town_draw.size == 5
        assert town_draw.drawn == review.derive(SEED, TOWN_POOL, 5)
        assert "lisi" in town_draw.drawn
        assert draws[town.east_id].pool == ["zhangsan"]  # 李四 is the town's this week
        robot = next(r for r in group_rows(s) if r.channel == "robot")
        text = content(robot)
        assert SEED in text and "候选人数：8" in text and "2026-W48" in text
        tree = UnitTree.load(s)
        names = review.names_of(s, town_draw.drawn)
        assert all(n in text for n in names)
        assert robot.payload["text"]["mentioned_list"] == town_draw.drawn
        personal = [r for r in outbox(s) if r.channel == "message"]
        assert {r.recipient for r in personal} == set(town_draw.drawn) | {"zhangsan"}
        zhang = next(content(r) for r in personal if r.recipient == "zhangsan")
        assert "已覆盖 2 / 4 户" in zhang and "发现问题 2 个，已解决 1 个，已解释 0 个" in zhang
        assert review.verify(town_draw)
        assert "虹桥镇" in review.describe(s, tree, town_draw, sconfig)


def test_a_second_firing_the_same_week_changes_nothing(sessions, sconfig, town, now):
    with sessions() as s:
        review.run(s, now, sconfig)
        s.commit()
    with sessions() as s:
        first = [(d.seed, d.drawn) for d in s.scalars(select(ReviewDraw).order_by(ReviewDraw.id))]
        again = review.run(s, now, sconfig)
        s.commit()
        assert again.claimed == () and len(again.skipped) == 2
        assert [
            (d.seed, d.drawn) for d in s.scalars(select(ReviewDraw).order_by(ReviewDraw.id))
        ] == first


def test_cadres_drawn_in_the_previous_two_weeks_are_left_out(sessions, sconfig, town, now):
    with sessions() as s:
        for week, drawn in [
            ("2026-W45", ["chenyi"]),
            ("2026-W46", ["liner"]),
            ("2026-W47", ["lisi", "sunqi"]),
        ]:
            s.add(
                ReviewDraw(
                    unit_id=town.town_id,
                    week=week,
                    seed=SEED,
                    pool=TOWN_POOL,
                    drawn=drawn,
                    size=5,
                    created_at=datetime(2026, 11, 2, tzinfo=UTC),
                )
            )
        s.commit()
    with sessions() as s:
        pool = review.eligible_pool(s, UnitTree.load(s), town.town_id, "2026-W48", 2)
    assert pool == ["chenyi", "wujiu", "zhangsan", "zhengshi", "zhouba"]  # W45 is three weeks back


def test_review_draw_cli_draws_once_then_prints_the_stored_draw(sessions, sconfig_file, town):
    args = ["--config", str(sconfig_file), "review-draw", "--unit", "虹桥镇", "--week", "2026-W48"]
    first = run_cli(args)
    second = run_cli(args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    with sessions() as s:
        draw = s.scalars(select(ReviewDraw)).one()
        names = review.names_of(s, draw.drawn)
        assert len(outbox(s)) == 1 + 5  # one announcement, five personal notes, not doubled
    assert (
        f"抽中（5 人）：{'、'.join(f'{n}({u})' for n, u in zip(names, draw.drawn, strict=True))}"
        in first.output
    )
    assert draw.seed in first.output and draw.drawn_by == "cli"
    verified = run_cli([*args, "--verify"])
    assert verified.exit_code == 0 and "校验通过" in verified.output


def test_verify_detects_a_tampered_result(sessions, sconfig_file, town):
    args = ["--config", str(sconfig_file), "review-draw", "--unit", "东山村", "--week", "2026-W48"]
    assert run_cli(args).exit_code == 0
    with sessions() as s:
        s.execute(update(ReviewDraw).values(drawn=["zhangsan"]))  # someone edits the result
        s.commit()
    tampered = run_cli([*args, "--verify"])
    assert tampered.exit_code == 1
    assert "校验失败" in tampered.output


def test_a_leader_redraws_with_a_reason_and_it_is_logged(sessions, sconfig_file, town):
    base = ["--config", str(sconfig_file), "review-draw", "--unit", "东山村", "--week", "2026-W48"]
    assert run_cli(base).exit_code == 0
    refused = run_cli([*base, "--redraw", "--by", "zhangsan", "--reason", "想换人"])
    assert refused.exit_code != 0 and "不是在册的负责人" in refused.output
    no_reason = run_cli([*base, "--redraw", "--by", "wangsj"])
    assert no_reason.exit_code != 0 and "原因" in no_reason.output
    ok = run_cli([*base, "--redraw", "--by", "wangsj", "--reason", "张三出差"])
    assert ok.exit_code == 0, ok.output
    assert "修订：1（原因：张三出差）" in ok.output
    with sessions() as s:
        assert [
            d.revision for d in s.scalars(select(ReviewDraw).order_by(ReviewDraw.revision))
        ] == [0, 1]
        log = s.scalars(select(AuditLog)).one()
        assert (
            log.actor == "wangsj"
            and log.action == "review_redraw"
            and log.detail["reason"] == "张三出差"
        )
    assert run_cli([*base, "--verify"]).exit_code == 0  # both revisions verify
    with sessions() as s:  # an edit to the superseded revision is still caught
        s.execute(update(ReviewDraw).where(ReviewDraw.revision == 0).values(drawn=["lisi"]))
        s.commit()
    tampered = run_cli([*base, "--verify"])
    assert tampered.exit_code == 1 and "修订 0" in tampered.output


@pytest.mark.parametrize("week", ["2026-48", "W48", "2026-W60"])
def test_a_bad_week_is_refused_and_changes_nothing(sessions, sconfig_file, town, week):
    result = run_cli(
        ["--config", str(sconfig_file), "review-draw", "--unit", "虹桥镇", "--week", week]
    )
    assert result.exit_code == 2 and "2026-W48" in result.output
    with sessions() as s:
        assert s.scalars(select(ReviewDraw)).all() == [] and s.scalars(select(JobRun)).all() == []


def test_an_unknown_unit_is_refused(sconfig_file, town):
    result = run_cli(["--config", str(sconfig_file), "review-draw", "--unit", "不存在村"])
    assert result.exit_code == 1 and "找不到单位「不存在村」" in result.output


@given(
    pool=st.lists(
        st.text(alphabet="abcdefgh0123", min_size=1, max_size=6), unique=True, max_size=30
    ),
    seed=st.binary(min_size=32, max_size=32).map(bytes.hex),
    size=st.integers(min_value=1, max_value=8),
    shuffle=st.randoms(use_true_random=False),
)
def test_any_draw_is_a_fair_subset_independent_of_pool_order(pool, seed, size, shuffle):
    drawn = review.derive(seed, pool, size)
    assert len(drawn) == min(size, len(pool)) == len(set(drawn))
    assert set(drawn) <= set(pool)
    shuffled = list(pool)
    shuffle.shuffle(shuffled)
    assert review.derive(seed, shuffled, size) == drawn


# --- the draw is for this week (issue 10, item 8) ------------------------------------


def review_args(sconfig_file, unit: str, week: str) -> list[str]:
    return ["--config", str(sconfig_file), "review-draw", "--unit", unit, "--week", week]


def test_a_future_week_is_refused_and_nobody_is_told(sessions, sconfig_file, town):
    result = run_cli(review_args(sconfig_file, "虹桥镇", "2026-W50"))
    assert result.exit_code == 1
    assert "2026-W50 还没到（本周是 2026-W48），讲评只为本周抽签，不能提前抽取" in result.output
    with sessions() as s:
        assert s.scalars(select(ReviewDraw)).all() == [] and outbox(s) == []


def test_a_past_week_prints_its_draw_but_draws_no_new_one(sessions, sconfig_file, town):
    refused = run_cli(review_args(sconfig_file, "虹桥镇", "2026-W46"))
    assert refused.exit_code == 1 and "2026-W46 已经过去" in refused.output
    with sessions() as s:
        s.add(
            ReviewDraw(
                unit_id=town.town_id,
                week="2026-W46",
                seed=SEED,
                pool=TOWN_POOL,
                drawn=review.derive(SEED, TOWN_POOL, 5),
                size=5,
                created_at=datetime(2026, 11, 9, tzinfo=UTC),
            )
        )
        s.commit()
    printed = run_cli(review_args(sconfig_file, "虹桥镇", "2026-W46"))
    assert printed.exit_code == 0 and "周次：2026-W46" in printed.output
    with sessions() as s:
        assert outbox(s) == []


def test_a_redraw_leaves_out_the_person_its_reason_names(sessions, sconfig_file, town):
    base = review_args(sconfig_file, "东山村", "2026-W48")
    assert run_cli(base).exit_code == 0
    with sessions() as s:
        assert s.scalars(select(ReviewDraw)).one().drawn.count("zhangsan") == 1
    ok = run_cli([*base, "--redraw", "--by", "wangsj", "--reason", "张三出差"])
    assert ok.exit_code == 0, ok.output
    with sessions() as s:
        redrawn = s.scalars(select(ReviewDraw).where(ReviewDraw.revision == 1)).one()
        assert redrawn.pool == ["lisi"] and redrawn.drawn == ["lisi"]
        assert review.verify(redrawn)
        assert s.scalars(select(AuditLog)).one().detail["absent"] == ["zhangsan"]


def test_once_per_week_across_nested_units_unless_the_config_says_otherwise(
    sessions, sconfig, town, now
):
    with sessions() as s:
        review.run(s, now, sconfig, seed_source=fixed_seed)
        draws = {d.unit_id: d for d in s.scalars(select(ReviewDraw))}
        both = draws[town.town_id].drawn + draws[town.east_id].drawn
        assert len(both) == len(set(both))  # nobody twice in one week
        s.rollback()
    again = replace(sconfig, scheduler=replace(sconfig.scheduler, review_once_per_week=False))
    with sessions() as s:
        review.run(s, now, again, seed_source=fixed_seed)
        east = s.scalars(select(ReviewDraw).where(ReviewDraw.unit_id == town.east_id)).one()
        assert east.pool == ["lisi", "zhangsan"]  # 李四 may report to the town and the village
        s.rollback()


def test_the_config_key_is_validated(db_url):
    from bot import config as config_mod
    from tests.support.config import config_dict

    raw = config_dict(db_url)
    raw["scheduler"] = {"review_once_per_week": False}
    assert config_mod.from_dict(raw, environ={}).scheduler.review_once_per_week is False
    raw["scheduler"] = {"review_once_per_week": "yes"}
    with pytest.raises(config_mod.ConfigError, match="review_once_per_week"):
        config_mod.from_dict(raw, environ={})
