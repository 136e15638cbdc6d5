"""Finishing a visit: 约访 time, the summary and 确认 (SaveVisit), and 修改 (AmendVisit)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.dialogs import flows, prompts, render, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import (
    AmendVisit,
    Context,
    Effect,
    FlagNotHomeTwice,
    Message,
    NewTarget,
    Reply,
    SaveVisit,
)
from bot.dialogs.flows import Outcome, current_prompt, outcome_of, section_template, text_of
from bot.dialogs.picking import PAGE_SIZE, start_visit, target_dict
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template
from bot.dialogs.timeparse import parse_when

AMEND_WINDOW = timedelta(hours=24)


def appointment(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    when = parse_when(text_of(message), ctx.now, ctx.zone)
    if when is None:
        return Outcome(state, (current_prompt(template, state, ctx, prompts.APPOINTMENT_BAD),))
    if when <= ctx.now:
        return Outcome(state, (current_prompt(template, state, ctx, prompts.APPOINTMENT_PAST),))
    target = state.target or {}
    place, shown = render.place_of(target), render.local_time(when, ctx.zone)
    if state.amend_visit_id is not None:
        amend = AmendVisit(state.amend_visit_id, {}, (), "appointment", when)
        text = prompts.AMENDED_APPOINTMENT.format(
            name=target.get("name", ""), place=place, when=shown
        )
        return Outcome(st.fresh(template.id), (Reply(text),), (amend,))
    effects: list[Effect] = [_save(template.id, state, "appointment", {}, (), ctx, when)]
    effects.extend(_not_home_flag(target, "appointment"))
    text = prompts.SAVED_APPOINTMENT.format(name=target.get("name", ""), place=place, when=shown)
    return Outcome(
        st.fresh(template.id), (Reply(text + "\n" + prompts.SAVED_NEXT),), tuple(effects)
    )


def _not_home_flag(target: dict[str, Any], outcome: str) -> list[Effect]:
    """The leader hears of the second miss: a second unanswered call, else a second
    not-at-home visit of any kind."""
    if target.get("id") is None:
        return []
    tid, name = int(target["id"]), str(target.get("name", ""))
    if outcome == "phone_missed" and int(target.get("missed_count") or 0) == 1:
        return [FlagNotHomeTwice(tid, name, "phone_missed")]
    if int(target.get("not_home_count") or 0) == 1:
        return [FlagNotHomeTwice(tid, name)]
    return []


def _save(
    template_id: str,
    state: DialogState,
    outcome: str,
    final: dict[str, Any],
    problems: tuple[Any, ...],
    ctx: Context,
    appointment_at: Any = None,
) -> SaveVisit:
    target = state.target or {}
    new_target = (
        NewTarget(target.get("name", ""), target.get("address", ""), target.get("phone", ""))
        if target.get("new")
        else None
    )
    return SaveVisit(
        template=template_id,
        target_id=target.get("id"),
        outcome=outcome,
        answers=final,
        problems=problems,
        started_at=st.parse_iso(state.started_at) or ctx.now,
        appointment_at=appointment_at,
        new_target=new_target,
        media_ids=state.media,
        latitude=state.latitude,
        longitude=state.longitude,
    )


# --- confirm and save ---------------------------------------------------------------------


def confirm(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    active = section_template(template, state)
    target = state.target or {}
    edit = re.fullmatch(r"(?:改|修改)\s*(\d+)", text)
    if edit:
        items = render.summary_items(active, state.answers, target)
        n = int(edit.group(1))
        if not 1 <= n <= len(items):
            return Outcome(
                state, (current_prompt(template, state, ctx, prompts.EDIT_BAD.format(n=n)),)
            )
        new = state.with_(
            step=walk.step_for(active, items[n - 1]), history=(*state.history, st.CONFIRM)
        )
        return Outcome(new, (current_prompt(template, new, ctx),))
    if not (message.button == "confirm:yes" or text.lower() in prompts.CONFIRM_WORDS):
        return Outcome(state, (current_prompt(template, state, ctx),))
    missing = walk.missing_required(active, state.answers, target)
    if missing:  # defensive: a step skipped a required question; go and ask it
        first = walk.step_for(active, missing[0])
        answers = {k: v for k, v in state.answers.items() if k != missing[0].id}
        new = state.with_(step=first, answers=answers)
        return Outcome(new, (current_prompt(template, new, ctx),))
    final = walk.final_answers(active, state.answers, target)
    problems = walk.problems(active, final, ctx.is_problem)
    place = render.place_of(target)
    if state.amend_visit_id is not None:
        outcome = outcome_of(state)
        text_out = prompts.AMENDED.format(
            name=target.get("name", ""), place=place, outcome=render.outcome_label(target, outcome)
        )
        effects: list[Effect] = [AmendVisit(state.amend_visit_id, final, problems, outcome)]
    else:
        outcome = outcome_of(state)
        effects = [_save(template.id, state, outcome, final, problems, ctx)]
        if outcome != "visited":
            effects.extend(_not_home_flag(target, outcome))
        text_out = prompts.SAVED.format(
            name=target.get("name", ""), place=place, outcome=render.outcome_label(target, outcome)
        )
        if outcome == "phone_missed":
            text_out += "\n" + prompts.SAVED_STILL_TODO
    lines = [text_out]
    if problems:
        lines.append(prompts.SAVED_PROBLEMS.format(count=len(problems)))
        lines.extend(render.problem_lines(problems))
    elif outcome_of(state) == "visited" and target.get("kind") != "village":
        lines.append(prompts.SAVED_NO_PROBLEMS)
    lines.append(prompts.SAVED_NEXT)
    return Outcome(st.fresh(template.id), (Reply("\n".join(lines)),), tuple(effects))


# --- amending a submitted visit --------------------------------------------------------


def amendable(ctx: Context) -> list[Any]:
    return [
        v
        for v in sorted(ctx.recent_visits, key=lambda v: v.submitted_at, reverse=True)
        if ctx.now - v.submitted_at <= AMEND_WINDOW
    ][:PAGE_SIZE]


def list_amendable(state: DialogState, ctx: Context) -> Outcome:
    visits = amendable(ctx)
    if not visits:
        return Outcome(state.with_(step=st.IDLE), (Reply(prompts.AMEND_NONE),))
    lines = [prompts.AMEND_HEADER]
    for i, v in enumerate(visits, 1):
        when = render.local_time(v.submitted_at, ctx.zone)
        outcome = prompts.OUTCOME_TEXT.get(v.outcome, v.outcome)
        lines.append(
            prompts.AMEND_LINE.format(
                n=i, name=v.target_name, place=v.address, outcome=outcome, when=when
            )
        )
    new = state.with_(step=st.AMEND_PICK, shown=tuple(v.visit_id for v in visits))
    return Outcome(new, (Reply("\n".join(lines)),))


def amend_pick(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    visits = {v.visit_id: v for v in amendable(ctx)}
    if (
        not (text.isdecimal() and 1 <= int(text) <= len(state.shown))
        or state.shown[int(text) - 1] not in visits
    ):
        return list_amendable(state, ctx)
    visit = visits[state.shown[int(text) - 1]]
    known = ctx.target(visit.target_id)
    target = (
        target_dict(known)
        if known
        else {"id": visit.target_id, "name": visit.target_name, "address": visit.address}
    )
    section = _SECTION_OF.get(visit.outcome, st.SECTION_MAIN)
    if section == st.SECTION_AWAY and flows.is_place(target):
        section = st.SECTION_CLOSED
    started = start_visit(template, state, target, ctx).with_(
        amend_visit_id=visit.visit_id, history=(), section=section
    )
    if visit.outcome == "appointment":  # a 约访 has only its time to change
        new = started.with_(step=st.APPOINTMENT)
        return Outcome(new, (current_prompt(template, new, ctx),))
    active = section_template(template, started)
    answers = {
        q.id: visit.answers.get(q.id)
        for q in walk.relevant_questions(active, visit.answers, target)
    }
    new = started.with_(answers=walk.prune(active, answers, target), step=st.CONFIRM)
    return Outcome(new, (current_prompt(template, new, ctx),))


# Which questionnaire section a submitted outcome's answers belong to.
_SECTION_OF = {
    "visited": st.SECTION_MAIN,
    "away": st.SECTION_AWAY,
    "phone": st.SECTION_PHONE,
    "phone_missed": st.SECTION_PHONE,
}
