"""The /m/ blueprint: login, 总览, a household, 讲评 (the ledger and the files are in
:mod:`bot.pages.ledger_views` and :mod:`bot.pages.file_views`).

Every page runs in one unit of work, loads the viewer (an active cadre) and checks
the chat's scope rules: a visiting cadre sees their own households, a leader or an
administrator the unit's subtree; anything else is 404, the same as a missing row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, abort, g, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from bot.pages import auth
from bot.pages import prompts as P
from bot.pages.figures import overview
from scheduler.base import iso_week, local_now, local_today
from scheduler.review import draw_units, names_of, verify
from storage import facts
from storage.campaigns import find_active_campaign
from storage.db import Session
from storage.facts import FactScope
from storage.masking import mask_numbers
from storage.models import Cadre, Campaign
from storage.pages import target_problems, target_visits, visible_target
from storage.problems import LEADER_ROLES
from storage.review import latest_draw
from storage.units import UnitTree
from storage.visit_queries import targets_for
from storage.vocab import PROBLEM_STATUS

bp = Blueprint(
    "pages",
    __name__,
    url_prefix="/m",
    template_folder="templates",
    static_folder="static",
)
OPEN_ENDPOINTS = ("pages.login", "pages.oauth", "pages.static")


@dataclass
class Page:
    """What every page handler works with: the session, the viewer and the campaign."""

    db: Session
    viewer: Cadre
    campaign: Campaign | None

    @property
    def is_leader(self) -> bool:
        return self.viewer.role in LEADER_ROLES


@contextmanager
def page() -> Iterator[Page]:
    """One unit of work with the logged-in viewer loaded (403 for a non-cadre)."""
    with auth.state().runtime.unit_of_work() as db:
        viewer = auth.viewer(db, g.userid)
        g.admin = viewer.role == "admin"
        yield Page(db, viewer, find_active_campaign(db))


@bp.before_request
def require_login() -> BaseResponse | None:
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    linked = auth.token_user()
    if linked is not None:
        auth.start_session(linked)
        query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "t"])
        return redirect(request.path + (f"?{query}" if query else ""))
    userid = auth.session_user()
    if userid is None:
        return redirect("/m/login?" + urlencode({"next": request.full_path.rstrip("?")}))
    g.userid = userid
    return None


@bp.app_template_filter("masked")
def masked(text: str) -> str:
    """Phone and ID numbers typed into a problem never show on a page."""
    return mask_numbers(text)


@bp.app_context_processor
def template_globals() -> dict[str, object]:
    return {
        "P": P,
        "csrf_token": auth.csrf_token,
        "STATUS": PROBLEM_STATUS,
        "OUTCOMES": P.OUTCOMES,
    }


@bp.get("/login")
def login() -> BaseResponse:
    return redirect(auth.authorize_url(request.args.get("next", "/m/")))


@bp.get("/oauth")
def oauth() -> BaseResponse | tuple[str, int]:
    target = auth.finish_oauth()
    if target is None:
        return render_template("message.html", title=P.LOGIN_FAILED, text=P.LOGIN_AGAIN), 403
    return redirect(target)


def scope_of(p: Page, unit_id: int | None) -> FactScope:
    """The viewer's own scope, or a unit of their subtree (404 outside it)."""
    if unit_id is None:
        return facts.viewer_scope(p.db, p.viewer)
    tree = UnitTree.load(p.db)
    if not p.is_leader or unit_id not in tree.subtree(p.viewer.unit_id):
        abort(404)
    return facts.scope_for_unit(p.db, tree.units[unit_id])


@bp.get("/")
def home() -> str:
    rt = auth.state().runtime
    unit_id = request.args.get("unit", type=int)
    with page() as p:
        if p.campaign is None:
            return render_template("message.html", title=P.OVERVIEW, text=P.NO_CAMPAIGN)
        scope = scope_of(p, unit_id)
        now = rt.clock()
        data = overview(p.db, p.campaign, scope, now, rt.config)
        own = [] if p.is_leader else targets_for(p.db, p.campaign.id, p.viewer.id)
        return render_template(
            "overview.html",
            tab="home",
            viewer=p.viewer,
            leader=p.is_leader,
            o=data,
            drilled=unit_id is not None,
            own=sorted(own, key=lambda t: (t.status != "todo", not t.is_key, t.id)),
            stamp=local_now(now, rt.config).strftime("%m-%d %H:%M"),
        )


@bp.get("/households/<int:target_id>")
def household(target_id: int) -> str:
    rt = auth.state().runtime
    with page() as p:
        if p.campaign is None:
            abort(404)
        target = visible_target(p.db, p.viewer, p.campaign.id, target_id)
        if target is None:
            abort(404)
        return render_template(
            "household.html",
            tab="home",
            t=target,
            unit=UnitTree.load(p.db).name(target.unit_id),
            visits=target_visits(p.db, p.campaign.id, target.id),
            problems=target_problems(p.db, p.viewer, target.id),
            zone=rt.zone,
        )


@bp.get("/review")
def review() -> str:
    rt = auth.state().runtime
    with page() as p:
        tree = UnitTree.load(p.db)
        week = iso_week(local_today(rt.clock(), rt.config))
        mine = set(tree.subtree(p.viewer.unit_id))
        draws: list[dict[str, object]] = []
        for unit_id in draw_units(tree, rt.config):
            if unit_id not in mine and p.viewer.unit_id not in tree.subtree(unit_id):
                continue
            draw = latest_draw(p.db, unit_id, week)
            if draw is None:
                draws.append({"unit": tree.name(unit_id), "draw": None})
                continue
            draws.append(
                {
                    "unit": tree.name(unit_id),
                    "draw": draw,
                    "pool": names_of(p.db, draw.pool),
                    "drawn": names_of(p.db, draw.drawn),
                    "verified": verify(draw),
                    "at": local_now(draw.created_at, rt.config).strftime("%m-%d %H:%M"),
                }
            )
        return render_template("review.html", tab="review", week=week, draws=draws)


@bp.errorhandler(403)
def forbidden(_: Exception) -> tuple[str, int]:
    return render_template("message.html", title=P.FORBIDDEN, text=P.FORBIDDEN_TEXT), 403


@bp.errorhandler(404)
def not_found(_: Exception) -> tuple[str, int]:
    return render_template("message.html", title=P.NOT_FOUND, text=P.NOT_FOUND_TEXT), 404
