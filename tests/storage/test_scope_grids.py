"""A place scope names a 网格 only when its village is not in the scope already."""

from __future__ import annotations

from storage.facts import scope_for_unit
from storage.models import Unit


def _sql(condition) -> str:  # type: ignore[no-untyped-def]
    return str(condition.compile(compile_kwargs={"literal_binds": True}))


def test_grids_of_a_village_in_scope_add_no_condition(session):
    town = Unit(name="镇", kind="镇")
    session.add(town)
    session.flush()
    villages = [Unit(name=f"{n}村", kind="村", parent_id=town.id) for n in range(400)]
    session.add_all(villages)
    session.flush()
    grids = [
        Unit(name=f"{v.name}第{g}网格", kind="网格", parent_id=v.id)
        for v in villages
        for g in (1, 2)
    ]
    session.add_all(grids)
    session.flush()
    county = scope_for_unit(session, town)
    assert len(county.grid_units) == 800
    assert "grid" not in _sql(county.place_condition())  # 800 ORs overflowed SQLite's depth
    one_grid = scope_for_unit(session, grids[0])
    sql = _sql(one_grid.place_condition())
    assert "targets.grid IN ('0村第1网格', '第1网格')" in sql
