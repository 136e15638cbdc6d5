"""Where a form is from: 市（区） / 镇（街道） / 村（社区）, read off the roster's unit tree.

The seeds' forms (003 附件1, 附件3, 附件5) open or close with these three blanks.
A unit fills the slot of its own kind and its ancestors fill the others (a 网格 or
a 线办 takes its village or town from above). With no unit (the whole roster) a
slot is filled when the roster has exactly one unit of that level.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Unit

CITY, TOWN, VILLAGE = "市（区）", "镇（街道）", "村（社区）"
SLOT_OF_KIND = {"县": CITY, "镇": TOWN, "街道": TOWN, "村": VILLAGE, "社区": VILLAGE}


@dataclass(frozen=True)
class Place:
    city: str = ""
    town: str = ""
    village: str = ""

    def line(self) -> str:
        """``市（区）：平江县    镇（街道）：虹桥镇    村（社区）：东山村``."""
        return "    ".join(
            f"{slot}：{name}"
            for slot, name in ((CITY, self.city), (TOWN, self.town), (VILLAGE, self.village))
        )


def place_of(session: Session, unit_id: int | None) -> Place:
    """The three slots for ``unit_id`` (None: the whole roster)."""
    found: dict[str, str] = {}
    if unit_id is None:
        by_slot: dict[str, list[str]] = {}
        for name, kind in session.execute(select(Unit.name, Unit.kind)):
            if kind in SLOT_OF_KIND:
                by_slot.setdefault(SLOT_OF_KIND[kind], []).append(name)
        found = {slot: names[0] for slot, names in by_slot.items() if len(names) == 1}
        found.pop(VILLAGE, None)  # the whole roster is never one village's form
    else:
        unit = session.get(Unit, unit_id)
        while unit is not None:
            slot = SLOT_OF_KIND.get(unit.kind)
            if slot and slot not in found:
                found[slot] = unit.name
            unit = unit.parent
        if VILLAGE not in found and TOWN not in found:
            return _with_roster_town(session, found)
    return Place(found.get(CITY, ""), found.get(TOWN, ""), found.get(VILLAGE, ""))


def _with_roster_town(session: Session, found: dict[str, str]) -> Place:
    """A unit outside any town (a 市直部门): the roster's single town, if it has one."""
    whole = place_of(session, None)
    return Place(found.get(CITY, whole.city), whole.town, "")


def place_of_label(session: Session, unit_label: str) -> Place:
    """The slots for a unit named ``unit_label`` (empty: the whole roster)."""
    unit_id = session.scalar(select(Unit.id).where(Unit.name == unit_label)) if unit_label else None
    return place_of(session, unit_id)
