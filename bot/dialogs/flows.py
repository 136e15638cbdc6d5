"""The per-step handlers: picking a target, at home or not, questions, confirm, amend.

Every handler takes (template, state, message, ctx) and returns an Outcome; the
dispatcher in :mod:`bot.dialogs.engine` chooses one by the state's step id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs import matching, prompts, render, walk
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
    TargetInfo,
)
from bot.dialogs.state import DialogState
from bot.dialogs.template import TEMPLATES_DIR, Template, load
from bot.dialogs.timeparse import parse_when

PAGE_SIZE = 8
AMEND_WINDOW = timedelta(hours=24)
_PHONE_IN_TEXT = re.compile(r"(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")


@dataclass(frozen=True)
class Outcome:
    state: DialogState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default_factory=tuple)


@lru_cache(maxsize=4)
def builtin(name: str) -> Template:
    """The built-in not-at-home sections (templates/builtin/away.toml, phone.toml)."""
    return load(TEMPLATES_DIR / "builtin" / f"{name}.toml")


def section_template(template: Template, state: DialogState) -> Template:
    if state.section == st.SECTION_AWAY:
        return builtin("away")
    if state.section == st.SECTION_PHONE:
        return builtin("phone")
    return template


def outcome_of(state: DialogState) -> str:
    return {st.SECTION_AWAY: "away", st.SECTION_PHONE: "phone"}.get(state.section, "visited")


def text_of(message: Message) -> str:
    return answers_mod.normalise(message.text)


# --- rendering the current step ----------------------------------------------------------


def current_prompt(template: Template, state: DialogState, ctx: Context, error: str = "") -> Reply:
    """The question (or list, or summary) the cadre is being asked in ``state``."""
    target = state.target or {}
    step = state.step
    active = section_template(template, state)
    if step.startswith(st.QUESTION_PREFIX):
        q = active.question(step[len(st.QUESTION_PREFIX) :])
        return render.question(active, q, state.answers, target, error)
    if step.startswith(st.GROUP_PREFIX):
        group = next(g for g in active.groups if g.id == step[len(st.GROUP_PREFIX) :])
        return render.group(active, group, state.answers, error)
    if step == st.AT_HOME:
        text = prompts.AT_HOME_ASK.format(
            name=target.get("name", ""), place=render.place_of(target)
        )
        return Reply(
            (error + "\n" if error else "") + text, render.buttons(prompts.AT_HOME_BUTTONS)
        )
    if step == st.APPOINTMENT:
        return Reply((error + "\n" if error else "") + prompts.APPOINTMENT_ASK)
    if step == st.CONFIRM:
        final = walk.final_answers(active, state.answers, target)
        problems = walk.problems(active, final)
        return render.summary(active, state.answers, target, outcome_of(state), problems, error)
    if step == st.PICK_TARGET:
        return list_targets(state, ctx, state.page).replies[-1]
    if step == st.NEW_TARGET:
        return Reply((error + "\n" if error else "") + prompts.NEW_TARGET_ASK)
    if step == st.RESUME:
        return resume_offer(template, state)
    if step == st.CANCEL_CONFIRM:
        text = prompts.CANCEL_ASK.format(name=target.get("name", ""))
        return Reply(text, render.buttons(prompts.CANCEL_BUTTONS))
    return Reply((error + "\n" if error else "") + prompts.WELCOME)


def where_label(template: Template, state: DialogState) -> str:
    step = state.resume_step or state.step
    active = section_template(template, state)
    if step.startswith(st.QUESTION_PREFIX):
        return active.question(step[len(st.QUESTION_PREFIX) :]).label
    if step.startswith(st.GROUP_PREFIX):
        return next((g.label for g in active.groups if g.id == step[len(st.GROUP_PREFIX) :]), "")
    return {st.AT_HOME: "在家吗", st.CONFIRM: "核对确认", st.APPOINTMENT: "约访时间"}.get(
        step, step
    )


def resume_offer(template: Template, state: DialogState) -> Reply:
    target = state.target or {}
    text = prompts.RESUME_OFFER.format(
        name=target.get("name", ""),
        place=render.place_of(target),
        where=where_label(template, state),
    )
    return Reply(text, render.buttons(prompts.RESUME_BUTTONS))


# --- picking a target ---------------------------------------------------------------------


def list_targets(state: DialogState, ctx: Context, page: int = 0) -> Outcome:
    todo = render.todo_sorted(ctx.targets)
    if not todo:
        return Outcome(state.with_(step=st.IDLE, shown=()), (Reply(prompts.PICK_ALL_DONE),))
    pages = max(1, -(-len(todo) // PAGE_SIZE))
    page = page % pages
    listed = todo[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    reply = render.target_list(listed, prompts.PICK_HEADER.format(left=len(todo)), pages > 1)
    new = state.with_(step=st.PICK_TARGET, shown=tuple(t.id for t in listed), page=page)
    return Outcome(new, (reply,))


def pick_target(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    if message.button.startswith("pick:") and message.button[5:].isdigit():
        target = ctx.target(int(message.button[5:]))
        if target is not None:
            return choose(template, state, target, ctx)
    if text in prompts.MORE_WORDS and state.step == st.PICK_TARGET:
        return list_targets(state, ctx, state.page + 1)
    if text.isdigit() and state.shown:
        n = int(text)
        if 1 <= n <= len(state.shown):
            target = ctx.target(state.shown[n - 1])
            if target is not None:
                return choose(template, state, target, ctx)
        return Outcome(state, (Reply(prompts.PICK_BAD_NUMBER.format(n=n)),))
    if not text:
        return Outcome(state, (current_prompt(template, state, ctx),))
    found = matching.rank(text[:50], ctx.targets, ctx.tokenize)
    if len(found) == 1:
        return choose(template, state, found[0], ctx)
    if not found:
        query = text[:20]
        return Outcome(
            state.with_(step=st.PICK_TARGET), (Reply(prompts.PICK_NONE_FOUND.format(query=query)),)
        )
    listed = found[:PAGE_SIZE]
    reply = render.target_list(listed, prompts.PICK_SEVERAL, more=False)
    return Outcome(state.with_(step=st.PICK_TARGET, shown=tuple(t.id for t in listed)), (reply,))


def target_dict(target: TargetInfo) -> dict[str, Any]:
    return {
        "id": target.id,
        "name": target.name,
        "address": target.address,
        "grid": target.grid,
        "phone": target.phone,
        "is_key": target.is_key,
        "categories": list(target.categories),
        "status": target.status,
        "not_home_count": target.not_home_count,
    }


def start_visit(
    template: Template, state: DialogState, target: dict[str, Any], ctx: Context
) -> DialogState:
    return state.with_(
        template=template.id,
        target=target,
        answers={},
        section=st.SECTION_MAIN,
        history=(st.PICK_TARGET,),
        started_at=st.iso(ctx.now),
        media=(),
        latitude=None,
        longitude=None,
        amend_visit_id=None,
        shown=(),
    )


def choose(template: Template, state: DialogState, target: TargetInfo, ctx: Context) -> Outcome:
    new = start_visit(template, state, target_dict(target), ctx)
    notes = []
    if target.done:
        notes.append(
            Reply(prompts.PICK_ALREADY_DONE.format(status=prompts.STATUS_TEXT[target.status]))
        )
    return _enter_first_step(template, new, ctx, notes)


def _enter_first_step(
    template: Template, state: DialogState, ctx: Context, notes: list[Reply]
) -> Outcome:
    if template.ask_at_home:
        new = state.with_(step=st.AT_HOME)
    else:
        new = state.with_(step=walk.next_step(template, {}, state.target) or st.CONFIRM)
    return Outcome(new, (*notes, current_prompt(template, new, ctx)))


def new_target(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    phone_match = _PHONE_IN_TEXT.search(text)
    phone = phone_match.group(1).replace("-", "") if phone_match else ""
    rest = _PHONE_IN_TEXT.sub(" ", text)
    parts = [p for p in re.split(r"[\s,，、;；]+", rest) if p]
    if not parts or not (1 <= len(parts[0]) <= 20):
        return Outcome(state, (Reply(prompts.NEW_TARGET_BAD),))
    name, address = parts[0], " ".join(parts[1:])[:200]
    target: dict[str, Any] = {
        "id": None,
        "new": True,
        "name": name,
        "address": address,
        "grid": "",
        "phone": phone,
        "is_key": False,
        "categories": [],
        "status": "todo",
        "not_home_count": 0,
    }
    new = start_visit(template, state, target, ctx).with_(history=(st.NEW_TARGET,))
    return _enter_first_step(template, new, ctx, [Reply(prompts.NEW_TARGET_OK.format(name=name))])


# --- at home, not at home, appointment ---------------------------------------------------


def at_home(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    key = message.button
    history = (*state.history, st.AT_HOME)
    target = state.target or {}
    if key == "home:in" or text in prompts.AT_HOME_WORDS:
        section = st.SECTION_MAIN
        notes: list[Reply] = []
    elif key == "home:out" or text in prompts.NOT_HOME_WORDS:
        section = st.SECTION_PHONE if target.get("is_key") else st.SECTION_AWAY
        notes = [Reply(prompts.KEY_NOT_HOME if target.get("is_key") else prompts.GENERAL_NOT_HOME)]
    elif key == "home:appt" or text in prompts.APPOINTMENT_WORDS:
        new = state.with_(step=st.APPOINTMENT, history=history)
        return Outcome(new, (current_prompt(template, new, ctx),))
    else:
        return Outcome(state, (current_prompt(template, state, ctx, prompts.AT_HOME_BAD),))
    answers = state.answers if section == state.section else {}
    active = section_template(template, state.with_(section=section))
    first = walk.next_step(active, answers, target) or st.CONFIRM
    new = state.with_(step=first, section=section, answers=answers, history=history)
    return Outcome(new, (*notes, current_prompt(template, new, ctx)))


def appointment(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    when = parse_when(text_of(message), ctx.now)
    if when is None:
        return Outcome(state, (current_prompt(template, state, ctx, prompts.APPOINTMENT_BAD),))
    if when <= ctx.now:
        return Outcome(state, (current_prompt(template, state, ctx, prompts.APPOINTMENT_PAST),))
    target = state.target or {}
    effects: list[Effect] = [_save(template.id, state, "appointment", {}, (), ctx, when)]
    effects.extend(_not_home_flag(target))
    text = prompts.SAVED_APPOINTMENT.format(
        name=target.get("name", ""), place=render.place_of(target), when=render.local_time(when)
    )
    return Outcome(
        st.fresh(template.id), (Reply(text + "\n" + prompts.SAVED_NEXT),), tuple(effects)
    )


def _not_home_flag(target: dict[str, Any]) -> list[Effect]:
    if target.get("id") is not None and int(target.get("not_home_count") or 0) == 1:
        return [FlagNotHomeTwice(int(target["id"]), str(target.get("name", "")))]
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
    problems = walk.problems(active, final)
    place = render.place_of(target)
    if state.amend_visit_id is not None:
        text_out = prompts.AMENDED.format(name=target.get("name", ""), place=place)
        effects: list[Effect] = [AmendVisit(state.amend_visit_id, final, problems)]
    else:
        outcome = outcome_of(state)
        effects = [_save(template.id, state, outcome, final, problems, ctx)]
        if outcome != "visited":
            effects.extend(_not_home_flag(target))
        text_out = prompts.SAVED.format(
            name=target.get("name", ""), place=place, outcome=prompts.OUTCOME_TEXT[outcome]
        )
    lines = [text_out]
    if problems:
        lines.append(prompts.SAVED_PROBLEMS.format(count=len(problems)))
        lines.extend(render.problem_lines(problems))
    elif outcome_of(state) == "visited":
        lines.append(prompts.SAVED_NO_PROBLEMS)
    lines.append(prompts.SAVED_NEXT)
    return Outcome(st.fresh(template.id), (Reply("\n".join(lines)),), tuple(effects))


# --- amending a submitted visit --------------------------------------------------------


def amendable(ctx: Context) -> list[Any]:
    return [
        v
        for v in sorted(ctx.recent_visits, key=lambda v: v.submitted_at, reverse=True)
        if v.outcome == "visited" and ctx.now - v.submitted_at <= AMEND_WINDOW
    ][:PAGE_SIZE]


def list_amendable(state: DialogState, ctx: Context) -> Outcome:
    visits = amendable(ctx)
    if not visits:
        return Outcome(state.with_(step=st.IDLE), (Reply(prompts.AMEND_NONE),))
    lines = [prompts.AMEND_HEADER]
    for i, v in enumerate(visits, 1):
        when = render.local_time(v.submitted_at)
        lines.append(prompts.AMEND_LINE.format(n=i, name=v.target_name, place=v.address, when=when))
    new = state.with_(step=st.AMEND_PICK, shown=tuple(v.visit_id for v in visits))
    return Outcome(new, (Reply("\n".join(lines)),))


def amend_pick(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    visits = {v.visit_id: v for v in amendable(ctx)}
    if (
        not (text.isdigit() and 1 <= int(text) <= len(state.shown))
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
    answers = {
        q.id: visit.answers.get(q.id)
        for q in walk.relevant_questions(template, visit.answers, target)
    }
    answers = walk.prune(template, answers, target)
    new = start_visit(template, state, target, ctx).with_(
        answers=answers, amend_visit_id=visit.visit_id, step=st.CONFIRM, history=()
    )
    return Outcome(new, (current_prompt(template, new, ctx),))
