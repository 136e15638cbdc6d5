"""Invariants over generated rosters: refused means nothing written; accepted means idempotent."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.support.db import audit_entries, dump_tables
from tests.support.roster_sheets import BASE_SHEETS, TARGET_HEADERS

NAMES = ["陈建华", "周红梅", "吴国庆", "郑立新", "袁玉兰", "彭涛", "曾春生", "唐冬梅"]
ADDRESSES = ["1组1号", "1组2号", "2组7号", "3组5号", "4组9号", ""]
PHONES = ["", "13800002001", "0731-00001234", "138 0000 2002"] * 3 + ["1380000", "电话"]
CATEGORIES = ["", "党员", "一般农户、退役军人", "信教人士；乡贤"] * 3 + ["外星人"]
CADRE_REFS = ["", "zhangwei", "lifang", "李芳"] * 3 + ["nobody"]

target_rows = st.lists(
    st.tuples(
        st.one_of(st.just(""), st.integers(1, 40).map(lambda n: f"A-{n}")),
        st.sampled_from(NAMES),
        st.sampled_from(["虹桥村", "桃源村"] * 4 + ["无名村"]),
        st.sampled_from(ADDRESSES),
        st.sampled_from(PHONES),
        st.sampled_from(CATEGORIES),
        st.sampled_from(["", 0, 3] * 3 + ["三"]),
        st.sampled_from(CADRE_REFS),
    ),
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=target_rows)
def test_import_is_all_or_nothing_and_idempotent(rows, engine, run_import, tmp_path_factory):
    from tests.support.roster_sheets import write_workbook

    sheets = {k: [list(r) for r in v] for k, v in BASE_SHEETS.items()}
    sheets["走访对象"] = [TARGET_HEADERS] + [
        [code, name, unit, "1组", addr, phone, cat, count, cadre]
        for code, name, unit, addr, phone, cat, count, cadre in rows
    ]
    path = write_workbook(tmp_path_factory.mktemp("prop") / "roster.xlsx", sheets)
    before = dump_tables(engine, skip=())
    first = run_import(path)
    event("refused" if first.problems else "accepted")
    if first.problems:
        assert dump_tables(engine, skip=()) == before
        return
    after_first = dump_tables(engine)
    second = run_import(path)
    assert second.problems == ()
    assert second.plan.changes == 0
    assert dump_tables(engine) == after_first
    assert audit_entries(engine)[-1]["changes"] == 0
