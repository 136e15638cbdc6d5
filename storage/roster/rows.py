"""The roster after validation: typed rows, and the problems found on the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class RowError:
    """One thing wrong with the file, printed as ``sheet row column: reason``."""

    sheet: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = " ".join(str(p) for p in (self.sheet, self.row, self.column) if p is not None)
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class UnitRow:
    row: int
    name: str
    parent: str | None
    kind: str


@dataclass(frozen=True)
class CadreRow:
    row: int
    name: str
    userid: str
    unit: str
    role: str  # stored id: visitor / leader / admin
    phone: str


@dataclass(frozen=True)
class TargetRow:
    row: int
    code: str | None
    head_name: str
    unit: str
    grid: str
    address: str
    phone: str
    categories: tuple[str, ...]
    member_count: int | None
    cadre_userid: str | None  # resolved from 走访干部 (account or unique name)
    kind: str = "household"  # 类型: household / village / place (storage.vocab)

    @property
    def key(self) -> tuple[str, str]:
        """The natural key when there is no 编号: 户主姓名 + 地址."""
        return (self.head_name, self.address)


@dataclass(frozen=True)
class PhaseRow:
    row: int
    name: str
    start: date | None
    deadline: date


@dataclass(frozen=True)
class Roster:
    """Everything the file says, validated. A sheet not in the file is ``None``."""

    units: tuple[UnitRow, ...] | None = None
    cadres: tuple[CadreRow, ...] | None = None
    targets: tuple[TargetRow, ...] | None = None
    phases: tuple[PhaseRow, ...] | None = None
    problems: tuple[RowError, ...] = field(default=())
