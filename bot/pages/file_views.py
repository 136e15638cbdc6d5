"""下载 and 名册 on the pages: the official tables for the viewer's scope and a period
(the functions ``minqing export`` uses), and the roster upload with its dry run.

名册 is for administrators. An upload is checked like ``minqing import-roster
--dry-run`` (:func:`storage.roster.prepare`, which writes nothing): every problem as
``sheet row column: reason``, else what would be added and changed. The file waits in
a private folder under its SHA-256; only the administrator's 确认导入, naming that
hash from their own session, imports it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request, session

from bot.dialogs.timeparse import local_today
from bot.exporting import audit_period, export_request
from bot.pages import auth
from bot.pages import prompts as P
from bot.pages.views import Page, bp, page
from storage import audit
from storage.campaigns import CampaignError
from storage.exports import TABLES, export_table, resolve_scope
from storage.roster import CampaignSpec, RosterFileError, commit_plan, prepare, summary_lines
from storage.roster.template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD = "roster_upload"


def period(choice: str, since: str, until: str, today: date) -> tuple[date | None, date | None]:
    """First and last day (inclusive) of 本周 / 本月 / 全部 / 起止日期; ValueError if bad."""
    if choice == "week":
        return today - timedelta(days=today.weekday()), today
    if choice == "month":
        return today.replace(day=1), today
    if choice == "custom":
        first, last = date.fromisoformat(since), date.fromisoformat(until)
        if first > last:
            raise ValueError("order")
        return first, last
    return None, None


@bp.get("/downloads")
def downloads() -> str:
    with page():
        pass  # the viewer must be an active cadre
    return render_template(
        "downloads.html", tab="downloads", tables=TABLES.values(), periods=P.PERIODS
    )


@bp.get("/downloads/<key>.xlsx")
def download(key: str) -> Response | tuple[str, int]:
    rt = auth.state().runtime
    if key not in TABLES:
        abort(404)
    today = local_today(rt.clock(), rt.zone)
    try:
        first, last = period(
            request.args.get("period", "all"),
            request.args.get("from", ""),
            request.args.get("to", ""),
            today,
        )
    except ValueError:
        return render_template("message.html", title=P.DOWNLOADS, text=P.BAD_DATES), 400
    with page() as p:
        if p.campaign is None:
            abort(404)
        scope = resolve_scope(p.db, p.campaign.id, None, p.viewer.userid)
        tz = ZoneInfo(rt.config.campaign.timezone)
        req = export_request(p.campaign.id, scope, first, last, rt.clock(), tz)
        fd, tmp = tempfile.mkstemp(suffix=".xlsx")
        os.close(fd)
        try:
            book = export_table(p.db, key, req, tmp)
            content = Path(tmp).read_bytes()
            audit.record(
                p.db,
                rt.clock(),
                p.viewer.userid,
                audit.VIEW_EXPORT,
                f"user:{p.viewer.userid}",
                {
                    "table": key,
                    "records": book.records,
                    "via": "pages",
                    **audit_period(first, last),
                },
            )
        finally:
            os.unlink(tmp)
    name = f"{TABLES[key].title}.xlsx"
    resp = Response(content, 200, mimetype=XLSX)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    resp.headers["Cache-Control"] = "no-store"
    return resp


def uploads() -> Path:
    """The private folder uploads wait in until confirmed (one per machine and user)."""
    folder = Path(tempfile.gettempdir()) / f"minqing-roster-uploads-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def admin(p: Page) -> None:
    if p.viewer.role != "admin":
        abort(403)


@bp.get("/roster")
def roster() -> str:
    with page() as p:
        admin(p)
    return render_template("roster.html", tab="roster")


@bp.get("/roster/template.xlsx")
def roster_template() -> Response:
    with page() as p:
        admin(p)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        write_template(tmp)
        content = Path(tmp).read_bytes()
    finally:
        os.unlink(tmp)
    resp = Response(content, 200, mimetype=XLSX)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('名册模板.xlsx')}"
    return resp


@bp.post("/roster")
def roster_check() -> str | tuple[str, int]:
    auth.check_csrf()
    upload = request.files.get("file")
    with page() as p:
        admin(p)
        if upload is None or not upload.filename:
            return render_template("roster.html", tab="roster", error=P.ROSTER_NO_FILE), 400
        content = upload.read()
        digest = hashlib.sha256(content).hexdigest()
        # The file keeps its own name: a .csv names its sheet (走访对象.csv).
        name = Path(upload.filename.replace("\\", "/")).name or "roster.xlsx"
        folder = uploads() / digest
        folder.mkdir(mode=0o700, exist_ok=True)
        path = folder / name
        path.write_bytes(content)
        try:
            prepared = prepare(p.db, path, sheet=None)
        except RosterFileError as exc:
            path.unlink(missing_ok=True)
            return render_template("roster.html", tab="roster", error=str(exc)), 400
        finally:
            p.db.rollback()
        if not prepared.ok:
            path.unlink(missing_ok=True)
            return render_template(
                "roster.html",
                tab="roster",
                name=name,
                problems=[str(problem) for problem in prepared.problems],
            )
        session[UPLOAD] = {"hash": digest, "name": name}
        return render_template(
            "roster.html",
            tab="roster",
            name=name,
            plan=summary_lines(prepared.plan.counts),
            changes=prepared.plan.changes,
            digest=digest,
        )


@bp.post("/roster/confirm")
def roster_confirm() -> str | tuple[str, int]:
    auth.check_csrf()
    rt = auth.state().runtime
    waiting = session.get(UPLOAD) or {}
    digest = request.form.get("digest", "")
    if not digest or waiting.get("hash") != digest:
        return render_template("roster.html", tab="roster", error=P.ROSTER_EXPIRED), 400
    path = uploads() / digest / Path(str(waiting.get("name", ""))).name
    if not path.is_file():
        return render_template("roster.html", tab="roster", error=P.ROSTER_EXPIRED), 400
    spec = CampaignSpec(
        rt.config.campaign.name, rt.config.campaign.template, rt.config.campaign.quota_per_cadre
    )
    try:
        with page() as p:
            admin(p)
            prepared = prepare(p.db, path, sheet=None)
            if not prepared.ok:
                return render_template(
                    "roster.html",
                    tab="roster",
                    problems=[str(problem) for problem in prepared.problems],
                )
            commit_plan(p.db, prepared, spec, rt.clock(), f"pages:{p.viewer.userid}")
    except (CampaignError, RosterFileError) as exc:
        return render_template("roster.html", tab="roster", error=str(exc)), 400
    session.pop(UPLOAD, None)
    path.unlink(missing_ok=True)
    return render_template(
        "roster.html",
        tab="roster",
        done=P.ROSTER_DONE.format(changes=prepared.plan.changes),
        plan=summary_lines(prepared.plan.counts),
    )
