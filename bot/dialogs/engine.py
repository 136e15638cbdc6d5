"""The dialog engine: ``step(template, state, message, ctx) -> Outcome``.

Pure: no database, no network, no clock (``ctx.now`` is the time). The handler
loads the state, calls :func:`step`, then stores ``outcome.state`` and carries out
``outcome.effects`` in one unit of work, and sends ``outcome.replies``.

Fallbacks work in every step: 上一步, 跳过, 取消, 暂停, 进度, 帮助 (typed words or
buttons ``cmd:<name>``); 走访 / 新增 / 修改 start something new when no draft is open.
A draft idle for 12 hours is offered for resumption before anything else.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dialogs import asking, flows, matching, picking, prompts, render, saving, walk
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
    if state.has_draft and state.step not in (st.RESUME, st.CANCEL_CONFIRM) and idle_too_long:
        paused = state.with_(step=st.RESUME, resume_step=state.step)
        return Outcome(paused, (flows.resume_offer(template, paused),))
    if command:
        return _command(command, template, state, message, ctx)
    return _answer(template, state, message, ctx)


def _answer(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    step_id = state.step
    if step_id.startswith(st.QUESTION_PREFIX):
        return asking.answer_question(template, state, message, ctx)
    if step_id.startswith(st.GROUP_PREFIX):
        return asking.answer_group(template, state, message, ctx)
    if step_id == st.AT_HOME:
        return flows.at_home(template, state, message, ctx)
    if step_id == st.APPOINTMENT:
        return saving.appointment(template, state, message, ctx)
    if step_id == st.CONFIRM:
        return saving.confirm(template, state, message, ctx)
    if step_id == st.PICK_TARGET:
        return picking.pick_target(template, state, message, ctx)
    if step_id == st.NEW_TARGET:
        return picking.new_target(template, state, message, ctx)
    if step_id == st.AMEND_PICK:
        return saving.amend_pick(template, state, message, ctx)
    if step_id == st.RESUME:
        return _resume(template, state, message, ctx)
    if step_id == st.CANCEL_CONFIRM:
        return _cancel_confirm(template, state, message, ctx)
    # idle (or an unknown stored step): a typed name or门牌 picks a target directly
    text = flows.text_of(message)
    fresh = st.fresh(template.id)
    if text and not text.isdecimal() and ctx.targets:
        found = matching.rank(text[:50], ctx.targets, ctx.tokenize)
        if len(found) == 1:
            return picking.choose(template, fresh, found[0], ctx)
    return Outcome(fresh, (Reply(prompts.WELCOME),))


def _command(
    command: str, template: Template, state: DialogState, message: Message, ctx: Context
) -> Outcome:
    if command in ("visit", "new", "amend"):
        if state.has_draft and state.step not in (st.RESUME, st.CANCEL_CONFIRM):
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
        if not state.has_draft or state.step == st.RESUME:
            return Outcome(state, (Reply(prompts.NOTHING_TO_CANCEL),))
        return Outcome(
            state.with_(step=st.RESUME, resume_step=state.step), (Reply(prompts.PAUSED),)
        )
    # cancel
    if state.step == st.CANCEL_CONFIRM:
        return _cancel_confirm(template, state, Message(button="cancel:yes"), ctx)
    if state.has_draft:
        asking_state = state.with_(
            step=st.CANCEL_CONFIRM,
            resume_step=state.resume_step if state.step == st.RESUME else state.step,
        )
        return Outcome(asking_state, (current_prompt(template, asking_state, ctx),))
    if state.step in (st.PICK_TARGET, st.NEW_TARGET, st.AMEND_PICK):
        return Outcome(st.fresh(template.id), (Reply(prompts.LEFT_LIST),))
    return Outcome(state, (Reply(prompts.NOTHING_TO_CANCEL),))


def _valid_step(template: Template, state: DialogState, step_id: str) -> bool:
    """Can ``step_id`` be returned to? (A question that stopped being relevant cannot.)"""
    active = section_template(template, state)
    target = state.target or {}
    env = walk.environment(active, state.answers, target)
    if step_id.startswith(st.QUESTION_PREFIX):
        qid = step_id[len(st.QUESTION_PREFIX) :]
        known = {q.id for q in active.questions}
        return qid in known and walk.is_relevant(active, active.question(qid), env)
    if step_id.startswith(st.GROUP_PREFIX):
        gid = step_id[len(st.GROUP_PREFIX) :]
        group = next((g for g in active.groups if g.id == gid), None)
        return group is not None and walk.group_relevant(group, env)
    return step_id in (st.AT_HOME, st.PICK_TARGET, st.NEW_TARGET, st.CONFIRM, st.APPOINTMENT)


def _back(template: Template, state: DialogState, ctx: Context) -> Outcome:
    if state.step in (st.RESUME, st.CANCEL_CONFIRM):
        return _resume(template, state, Message(button="resume:yes"), ctx)
    history = list(state.history)
    while history:
        previous = history.pop()
        if previous == state.step or not _valid_step(template, state, previous):
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


def _resume(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = flows.text_of(message)
    if message.button == "resume:yes" or text in prompts.RESUME_WORDS:
        new = state.with_(step=state.resume_step or st.AT_HOME, resume_step="")
        return Outcome(new, (current_prompt(template, new, ctx),))
    if message.button == "resume:no" or text in prompts.DISCARD_WORDS:
        new = state.with_(step=st.CANCEL_CONFIRM)
        return Outcome(new, (current_prompt(template, new, ctx),))
    return Outcome(state, (flows.resume_offer(template, state),))


def _cancel_confirm(
    template: Template, state: DialogState, message: Message, ctx: Context
) -> Outcome:
    text = flows.text_of(message)
    if message.button == "cancel:yes" or text in ("1", "确定", "确定放弃", "是"):
        return Outcome(st.fresh(template.id), (Reply(prompts.CANCELLED),))
    new = state.with_(step=state.resume_step or st.AT_HOME, resume_step="")
    return Outcome(new, (current_prompt(template, new, ctx),))


def _media(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    if not state.has_draft:
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
