"""问题台账 on the pages: the filtered list, one problem's timeline, and the actions
交办 / 延期 / 改类 through the chat's own service (:mod:`bot.handlers.ledger_service`).

The form carries the problem's version as the page showed it: if someone changed the
problem since, nothing is written and the page says who did what (the chat's
optimistic-lock rule); the service itself re-checks the version when it writes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bot.handlers import ledger_service as svc
from bot.ledger.clocks import overdue_thresholds
from bot.ledger.workflow import LedgerError, Request, action_label
from bot.pages import auth
from bot.pages import prompts as P
from bot.pages.views import bp, page
from storage.pages import cadre_names
from storage.problems import (
    OPEN_STATUSES,
    count_visible,
    history_with_actors,
    latest_change,
    list_visible,
)
from storage.units import UnitTree
from storage.vocab import CATEGORIES_CHANGZHOU, PROBLEM_STATUS, RESPONSIBILITY

PAGE_SIZE = 30


@bp.get("/problems")
def problems() -> str:
    rt = auth.state().runtime
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    responsibility = request.args.get("responsibility", "")
    overdue = request.args.get("overdue") == "1"
    unit_id = request.args.get("unit", type=int)
    after = request.args.get("after", 0, type=int)
    with page() as p:
        tree = UnitTree.load(p.db)
        units = None
        if unit_id is not None:
            if unit_id not in tree.units:
                abort(404)
            units = set(tree.subtree(unit_id))
        filters: dict[str, Any] = {
            "statuses": (status,) if status in PROBLEM_STATUS else OPEN_STATUSES,
            "category": category if category in CATEGORIES_CHANGZHOU else None,
            "responsibility": responsibility if responsibility in RESPONSIBILITY else None,
            "unit_ids": units,
            "overdue": overdue_thresholds(rt.clock(), rt.config.ledger) if overdue else None,
        }
        rows = list_visible(p.db, p.viewer, limit=PAGE_SIZE, after_id=after, **filters)
        total = count_visible(p.db, p.viewer, **filters)
        mine = tree.subtree(p.viewer.unit_id) if p.is_leader else []
        kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "after"}
        return render_template(
            "problems.html",
            tab="problems",
            rows=rows,
            total=total,
            more_url=url_for("pages.problems", **{**kept, "after": rows[-1].id})
            if len(rows) == PAGE_SIZE
            else None,
            args=request.args,
            units=[(u, tree.name(u)) for u in mine],
            unit_names={u: tree.name(u) for u in tree.units},
            categories=CATEGORIES_CHANGZHOU,
            responsibilities=RESPONSIBILITY,
            zone=rt.zone,
        )


@bp.get("/problems/<int:problem_id>")
def problem(problem_id: int) -> str:
    rt = auth.state().runtime
    with page() as p:
        try:
            found = svc.load(p.db, p.viewer, problem_id)
        except LedgerError:
            abort(404)
        tree = UnitTree.load(p.db)
        return render_template(
            "problem.html",
            tab="problems",
            p=found,
            leader=p.is_leader,
            events=history_with_actors(p.db, found.id),
            finder=cadre_names(p.db, [found.found_by_id]).get(found.found_by_id, ""),
            unit_names={u: tree.name(u) for u in tree.units},
            all_units=sorted(tree.units, key=lambda u: tree.name(u)),
            categories=CATEGORIES_CHANGZHOU,
            responsibilities=RESPONSIBILITY,
            clock=svc.clock_label(found, rt.clock(), rt.config.ledger, rt.zone),
            label=action_label,
            local=lambda dt: svc.local(dt, rt.zone),
        )


def _days(field: str, what: str) -> int | None:
    raw = request.form.get(field, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise LedgerError(P.BAD_NUMBER.format(what=what))
    return int(raw)


def _request(action: str) -> Request:
    note = request.form.get("note", "").strip()
    if action == "assign":
        unit = request.form.get("unit", type=int)
        if unit is None:
            raise LedgerError(P.NEED_UNIT)
        resp = request.form.get("responsibility") or None
        return Request(
            "assign",
            note=note,
            assignee_unit_id=unit,
            deadline_days=_days("days", "办理期限"),
            responsibility=resp if resp in RESPONSIBILITY else None,
        )
    if action == "extend":
        return Request("extend", note=note, extend_days=_days("days", "延期"))
    abort(400)


@bp.post("/problems/<int:problem_id>")
def act(problem_id: int) -> BaseResponse:
    auth.check_csrf()
    rt = auth.state().runtime
    action = request.form.get("action", "")
    shown = request.form.get("version", type=int)
    with page() as p:
        try:
            found = svc.load(p.db, p.viewer, problem_id)
        except LedgerError:
            abort(404)
        now = rt.clock()
        try:
            if shown != found.version:
                info = latest_change(p.db, found.id)
                raise LedgerError(
                    P.STALE.format(
                        id=found.id,
                        actor=info.actor_name or "他人",
                        at=svc.local(info.at, rt.zone),
                        action=action_label(info.action),
                        status=PROBLEM_STATUS.get(info.status, info.status),
                    )
                )
            if action == "reclassify":
                index = request.form.get("category", type=int) or 0
                svc.reclassify(p.db, p.viewer, found.id, "changzhou", index, now, rt.zone)
            else:
                svc.act_on(p.db, p.viewer, found, _request(action), now, rt.config.ledger, rt.zone)
            flash(P.ACTION_DONE.format(action=action_label(action), id=found.id), "ok")
        except LedgerError as exc:
            p.db.rollback()
            flash(exc.message, "error")
    return redirect(url_for("pages.problem", problem_id=problem_id))
