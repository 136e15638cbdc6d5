"""Shared step machinery: the Outcome, each step's prompt and label, resume offer, 在家吗.

Every step's answer takes (template, state, message, ctx) and returns an Outcome; the
table in :mod:`bot.dialogs.steps` says which prompt and answer belong to a step id.
Picking a target lives in :mod:`bot.dialogs.picking`, saving and amending in
:mod:`bot.dialogs.saving`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs import prompts, render, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import (
    Context,
    Effect,
    Message,
    Reply,
)
from bot.dialogs.state import DialogState
from bot.dialogs.template import TEMPLATES_DIR, Template, load


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
    if state.section == st.SECTION_CLOSED:
        return builtin("closed")
    return template


def is_place(target: dict[str, Any] | None) -> bool:
    """A shop, school, company or office: received (有人接待), never "at home"."""
    return (target or {}).get("kind") == "place"


def outcome_of(state: DialogState) -> str:
    """The outcome the draft will be saved with (ids as in storage.vocab).

    A key target's call that did not get through is ``phone_missed``, not a contact:
    the target stays on the cadre's to-visit list.
    """
    if state.section in (st.SECTION_AWAY, st.SECTION_CLOSED):
        return "away"  # on a kind='place' target: nobody received the cadre
    if state.section == st.SECTION_PHONE:
        return "phone_missed" if state.answers.get("reached") == "no" else "phone"
    return "visited"


def text_of(message: Message) -> str:
    return answers_mod.normalise(message.text)


# --- rendering the current step ----------------------------------------------------------


def current_prompt(template: Template, state: DialogState, ctx: Context, error: str = "") -> Reply:
    """The question (or list, or summary) the cadre is being asked in ``state``.

    Each step's prompt is declared in :data:`bot.dialogs.steps.STEPS`.
    """
    # Imported here: the step table refers to the answer functions, which call this one.
    from bot.dialogs.steps import step_of

    return step_of(state.step).prompt(template, state, ctx, error)


def where_label(template: Template, state: DialogState) -> str:
    """What a paused draft was at (its resume step, else its step), as the cadre reads it."""
    from bot.dialogs.steps import step_of

    step = state.resume_step or state.step
    return step_of(step).label(section_template(template, state), state, step)


def _with_error(error: str, text: str) -> str:
    return (error + "\n" if error else "") + text


def question_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    active = section_template(template, state)
    q = active.question(state.step[len(st.QUESTION_PREFIX) :])
    return render.question(active, q, state.answers, state.target or {}, error)


def group_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    active = section_template(template, state)
    group = next(g for g in active.groups if g.id == state.step[len(st.GROUP_PREFIX) :])
    return render.group(active, group, state.answers, error)


def at_home_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    target = state.target or {}
    place = is_place(target)
    ask = prompts.PLACE_AT_HOME_ASK if place else prompts.AT_HOME_ASK
    text = ask.format(name=target.get("name", ""), place=render.place_of(target))
    return Reply(
        _with_error(error, text),
        render.buttons(prompts.PLACE_AT_HOME_BUTTONS if place else prompts.AT_HOME_BUTTONS),
        title=at_home_label(template, state, st.AT_HOME),
    )


def appointment_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    return Reply(_with_error(error, prompts.APPOINTMENT_ASK))


def confirm_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    active = section_template(template, state)
    target = state.target or {}
    final = walk.final_answers(active, state.answers, target)
    problems = walk.problems(active, final, ctx.is_problem)
    return render.summary(active, state.answers, target, outcome_of(state), problems, error)


def pick_target_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    listed = [t for t in (ctx.target(i) for i in state.shown) if t is not None]
    return render.target_list(listed, prompts.PICK_AGAIN, more=False, zone=ctx.zone)


def new_target_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    return Reply(_with_error(error, prompts.NEW_TARGET_ASK))


def resume_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    return resume_offer(template, state)


def cancel_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    text = prompts.CANCEL_ASK.format(name=(state.target or {}).get("name", ""))
    return Reply(text, render.buttons(prompts.CANCEL_BUTTONS))


def welcome_prompt(template: Template, state: DialogState, ctx: Context, error: str) -> Reply:
    return Reply(_with_error(error, prompts.WELCOME))


def question_label(active: Template, state: DialogState, step: str) -> str:
    return active.question(step[len(st.QUESTION_PREFIX) :]).label


def group_label(active: Template, state: DialogState, step: str) -> str:
    return next((g.label for g in active.groups if g.id == step[len(st.GROUP_PREFIX) :]), "")


def at_home_label(active: Template, state: DialogState, step: str) -> str:
    return "有人接待吗" if is_place(state.target) else "在家吗"


def resume_offer(template: Template, state: DialogState) -> Reply:
    target = state.target or {}
    text = prompts.RESUME_OFFER.format(
        name=target.get("name", ""),
        place=render.place_of(target),
        where=where_label(template, state),
    )
    return Reply(text, render.buttons(prompts.RESUME_BUTTONS))


# --- at home or not ---------------------------------------------------


def at_home(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    key = message.button
    history = (*state.history, st.AT_HOME)
    target = state.target or {}
    if key == "home:in" or text in prompts.AT_HOME_WORDS:
        section = st.SECTION_MAIN
        notes: list[Reply] = []
    elif (key == "home:out" or text in prompts.NOT_HOME_WORDS) and is_place(target):
        section = st.SECTION_CLOSED
        notes = [Reply(prompts.PLACE_NOT_RECEIVED)]
    elif key == "home:out" or text in prompts.NOT_HOME_WORDS:
        section = st.SECTION_PHONE if target.get("is_key") else st.SECTION_AWAY
        notes = [Reply(prompts.KEY_NOT_HOME if target.get("is_key") else prompts.GENERAL_NOT_HOME)]
    elif key == "home:appt" or text in prompts.APPOINTMENT_WORDS:
        new = state.with_(step=st.APPOINTMENT, history=history)
        return Outcome(new, (current_prompt(template, new, ctx),))
    else:
        bad = prompts.PLACE_AT_HOME_BAD if is_place(target) else prompts.AT_HOME_BAD
        return Outcome(state, (current_prompt(template, state, ctx, bad),))
    answers = state.answers if section == state.section else {}
    active = section_template(template, state.with_(section=section))
    first = walk.next_step(active, answers, target) or st.CONFIRM
    new = state.with_(step=first, section=section, answers=answers, history=history)
    return Outcome(new, (*notes, current_prompt(template, new, ctx)))
