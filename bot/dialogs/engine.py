"""The dialog engine: ``step(template, state, message, ctx) -> Outcome``.

Pure: no database, no network, no clock (``ctx.now`` is the time). The handler
loads the state, calls :func:`step`, then stores ``outcome.state`` and carries out
``outcome.effects`` in one unit of work, and sends ``outcome.replies``.

Fallbacks work in every step: 上一步, 跳过, 取消, 暂停, 进度, 帮助 (typed words or
buttons ``cmd:<name>``); 走访 / 新增 / 修改 start something new when no draft is open.
A draft idle for 12 hours is offered for resumption before anything else.
Each step's prompt and answer are declared once, in :mod:`bot.dialogs.steps`.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dialogs import asking, flows, pausing, picking, prompts, render, saving, steps, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import AttachMedia, Context, Message, Reply
from bot.dialogs.flows import Outcome, current_prompt, section_template
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template

IDLE_RESUME_AFTER = timedelta(hours=12)
MAX_HISTORY = 200
MAX_MEDIA = 20

__all__ = ["IDLE_RESUME_AFTER", "Outcome", "command_of", "step"]


def command_of(message: Message) -> str:
    """The fallback command a message means ('' when it is an answer)."""
    if message.button.startswith("cmd:"):
        return message.button[4:]
    text = message.text.strip().lower()
    for name, words in prompts.COMMAND_WORDS.items():
        if text in words:
            return name
    return ""


def step(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    """Apply one message to ``state``; returns the new state, replies and effects."""
    if not state.template:
        state = state.with_(template=template.id)
    state = _repair(template, state)
    outcome = _dispatch(template, state, message, ctx)
    new = outcome.state.with_(
        updated_at=st.iso(ctx.now), history=outcome.state.history[-MAX_HISTORY:]
    )
    return Outcome(new, outcome.replies, outcome.effects)


def _repair(template: Template, state: DialogState) -> DialogState:
    """A stored step the template no longer has (edited or switched) -> the next open question.

    Answers to questions the template still has are kept; the others are dropped.
    """
    active = section_template(template, state)
    steps = {walk.step_for(active, q) for q in active.questions}
    stale = [
        s
        for s in (state.step, state.resume_step)
        if s.startswith((st.QUESTION_PREFIX, st.GROUP_PREFIX)) and s not in steps
    ]
    if not stale and state.template == template.id:
        return state
    answers = walk.prune(active, state.answers, state.target)
    nxt = walk.next_step(active, answers, state.target) or st.CONFIRM
    step = nxt if state.step in stale else state.step
    resume = nxt if state.resume_step in stale else state.resume_step
    history = tuple(
        h for h in state.history if h in steps or not h.startswith(("question:", "group:"))
    )
    return state.with_(
        template=template.id, answers=answers, step=step, resume_step=resume, history=history
    )


def _dispatch(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    if message.image_media_id or message.latitude is not None:
        return _media(template, state, message, ctx)
    command = command_of(message)
    if command in ("progress", "help"):
        info = render.progress(ctx) if command == "progress" else Reply(prompts.HELP)
        if state.step == st.IDLE:
            return Outcome(state, (info,))
        return Outcome(state, (info, current_prompt(template, state, ctx)))
    updated = st.parse_iso(state.updated_at)
    idle_too_long = updated is not None and ctx.now - updated > IDLE_RESUME_AFTER
    if (
        steps.has_draft(state)
        and state.step not in (st.RESUME, st.CANCEL_CONFIRM)
        and idle_too_long
    ):
        paused = state.with_(step=st.RESUME, resume_step=state.step)
        return Outcome(paused, (flows.resume_offer(template, paused),))
    if command:
        return _command(command, template, state, message, ctx)
    return _answer(template, state, message, ctx)


def _answer(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    """A message that is not a fallback command: the current step's answer (see steps.STEPS)."""
    return steps.step_of(state.step).answer(template, state, message, ctx)


def _command(
    command: str, template: Template, state: DialogState, message: Message, ctx: Context
) -> Outcome:
    if command in ("visit", "new", "amend"):
        if steps.has_draft(state) and state.step not in (st.RESUME, st.CANCEL_CONFIRM):
            paused = state.with_(step=st.RESUME, resume_step=state.step)
            return Outcome(paused, (flows.resume_offer(template, paused),))
        if state.step in (st.RESUME, st.CANCEL_CONFIRM):
            return Outcome(state, (current_prompt(template, state, ctx),))
        base = st.fresh(template.id)
        if command == "visit":
            return picking.list_targets(base, ctx)
        if command == "new":
            new = base.with_(step=st.NEW_TARGET)
            return Outcome(new, (current_prompt(template, new, ctx),))
        return saving.list_amendable(base, ctx)
    if command == "back":
        return _back(template, state, ctx)
    if command == "skip":
        return asking.skip(template, state, ctx)
    if command == "pause":
        if not steps.has_draft(state) or state.step == st.RESUME:
            return Outcome(state, (Reply(prompts.NOTHING_TO_CANCEL),))
        return Outcome(
            state.with_(step=st.RESUME, resume_step=state.step), (Reply(prompts.PAUSED),)
        )
    # cancel
    if state.step == st.CANCEL_CONFIRM:
        return pausing.cancel_confirm(template, state, Message(button="cancel:yes"), ctx)
    if steps.has_draft(state):
        asking_state = state.with_(
            step=st.CANCEL_CONFIRM,
            resume_step=state.resume_step if state.step == st.RESUME else state.step,
        )
        return Outcome(asking_state, (current_prompt(template, asking_state, ctx),))
    if state.step in (st.PICK_TARGET, st.NEW_TARGET, st.AMEND_PICK):
        return Outcome(st.fresh(template.id), (Reply(prompts.LEFT_LIST),))
    return Outcome(state, (Reply(prompts.NOTHING_TO_CANCEL),))


def _back(template: Template, state: DialogState, ctx: Context) -> Outcome:
    if state.step in (st.RESUME, st.CANCEL_CONFIRM):
        return pausing.resume(template, state, Message(button="resume:yes"), ctx)
    history = list(state.history)
    while history:
        previous = history.pop()
        if previous == state.step or not steps.can_return_to(template, state, previous):
            continue
        if previous == st.PICK_TARGET:
            return picking.list_targets(st.fresh(template.id), ctx)
        if previous == st.NEW_TARGET:
            new = st.fresh(template.id).with_(step=st.NEW_TARGET)
            return Outcome(new, (current_prompt(template, new, ctx),))
        new = state.with_(step=previous, history=tuple(history))
        return Outcome(new, (current_prompt(template, new, ctx),))
    if state.step in (st.PICK_TARGET, st.NEW_TARGET, st.AMEND_PICK):
        return Outcome(st.fresh(template.id), (Reply(prompts.LEFT_LIST),))
    if state.step == st.IDLE:
        return Outcome(state, (Reply(prompts.WELCOME),))
    return Outcome(state, (current_prompt(template, state, ctx, prompts.ALREADY_FIRST),))


def _media(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    if not steps.has_draft(state):
        return Outcome(state, (Reply(prompts.MEDIA_NO_VISIT),))
    prompt = current_prompt(template, state, ctx)
    if message.image_media_id:
        if len(state.media) >= MAX_MEDIA:
            return Outcome(state, (prompt,))
        new = state.with_(media=(*state.media, message.image_media_id))
        note = Reply(prompts.MEDIA_SAVED.format(n=len(new.media)))
        return Outcome(new, (note, prompt), (AttachMedia(message.image_media_id),))
    new = state.with_(latitude=message.latitude, longitude=message.longitude)
    return Outcome(new, (Reply(prompts.LOCATION_SAVED), prompt))
