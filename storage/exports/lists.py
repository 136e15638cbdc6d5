"""What the list-shaped tables share: household rows in the viewer's order, and the
sheet of numbered rows with a 共 N 条 total."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from storage.exports import labels
from storage.exports.base import ExportRequest, Row, Sheet
from storage.exports.lookup import unit_names
from storage.facts import StatusVisit
from storage.models import Target


def ordered(
    session: Session, req: ExportRequest, found: list[tuple[Target, StatusVisit]]
) -> list[tuple[Target, StatusVisit]]:
    """Fact-layer household rows, narrowed to a visiting viewer's own targets (``--as``),
    ordered by village, group and target."""
    own = req.scope.viewer_targets
    rows = [(t, s) for t, s in found if own is None or t.id in own]
    units = unit_names(session)
    return sorted(rows, key=lambda ts: (units[ts[0].unit_id], ts[0].grid, ts[0].id))


def list_sheet(
    req: ExportRequest,
    title: str,
    header: tuple[str, ...],
    widths: tuple[float, ...],
    rows: Sequence[Row],
    date_columns: Collection[int] = (),
    notes: tuple[str, ...] | None = None,
) -> Sheet:
    """A numbered list under the scope line, closed by a 合计 / 共 N 条 row."""
    return Sheet(
        title=title,
        notes=notes or (labels.scope_note(req.scope.unit_label, req.period_label()),),
        header=(header,),
        widths=widths,
        rows=rows,
        totals=((labels.TOTAL, labels.count_note(len(rows))) + ("",) * (len(header) - 2),),
        date_columns=frozenset(date_columns),
    )
