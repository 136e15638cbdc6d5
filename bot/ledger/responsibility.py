"""责任分类 (seed 004): who must solve a problem, set when it is assigned (交办).

- 市直部门单独解决 (``city``): the assignee unit is a city-level department;
- 镇与市直部门联动 (``linked``): a town/village unit with a city-level co-assignee;
- 镇村解决 (``town``): everything else.

A leader may also state the class in the command ("交办 12 市住建局 联动"); the stated
class wins. The unit's level comes from the roster (:func:`storage.units.unit_level`);
the class sets the default deadline (``ledger.resolve_days_town/linked/city``). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

# Words a leader may type for a class (the short form, and 004's full wording).
CLASS_WORDS = {
    "镇村": "town",
    "镇村解决": "town",
    "联动": "linked",
    "镇与市直部门联动": "linked",
    "市直": "city",
    "市直部门": "city",
    "市直部门单独解决": "city",
}


def responsibility_for(
    assignee_level: str, co_assignee_levels: Sequence[str] = (), stated: str | None = None
) -> str:
    """The class for an assignment: ``stated`` when given, else from the units' levels
    (``city`` or ``town``, see :func:`storage.units.unit_level`)."""
    if stated is not None:
        return stated
    if assignee_level == "city":
        return "city"
    if "city" in co_assignee_levels:
        return "linked"
    return "town"
