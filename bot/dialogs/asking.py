"""Answering the current question (or field-list group), and 跳过.

A wrong answer changes nothing and re-asks with the reason (the constraint's
message when a constraint failed). A good one is stored, answers that stopped
being relevant are dropped, and the dialog moves to the next unanswered question.
"""

from __future__ import annotations

from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs import meaning, prompts, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import Context, Message
from bot.dialogs.flows import Outcome, current_prompt, section_template
from bot.dialogs.state import DialogState
from bot.dialogs.template import Question, Template

SKIP_FIELD = ("-", "—", "－", "跳过")


def _check(question: Question, value: Any, env: dict[str, Any]) -> str:
    """'' when ``value`` satisfies the question's constraint, else the message to show."""
    if question.constraint is None:
        return ""
    try:
        ok = question.constraint.truth(env, value)
    except ValueError:
        ok = False
    return "" if ok else (question.constraint_message or prompts.CONSTRAINT_DEFAULT)


def _advance(
    template: Template, state: DialogState, answers: dict[str, Any], ctx: Context
) -> Outcome:
    active = section_template(template, state)
    target = state.target or {}
    kept = walk.prune(active, answers, target)
    nxt = walk.next_step(active, kept, target) or st.CONFIRM
    history = (*state.history, state.step)
    new = state.with_(answers=kept, step=nxt, history=history, reasked="")
    return Outcome(new, (current_prompt(template, new, ctx),))


def answer_question(
    template: Template, state: DialogState, message: Message, ctx: Context
) -> Outcome:
    active = section_template(template, state)
    question = active.question(state.step[len(st.QUESTION_PREFIX) :])
    target = state.target or {}
    prefill = str(target.get(question.prefill, "")) if question.prefill else ""
    if prefill and answers_mod.normalise(message.text) in prompts.PREFILL_WORDS:
        message = Message(button=answers_mod.PREFILL_KEY)
    answer = answers_mod.read(question, message, ctx.now, ctx.zone, prefill)
    error = answer.error or _check(
        question, answer.value, walk.environment(active, state.answers, target)
    )
    if error:
        return Outcome(state, (current_prompt(template, state, ctx, error),))
    if _ask_again(question, answer.value, state):
        new = state.with_(reasked=question.id)
        return Outcome(new, (current_prompt(template, new, ctx, prompts.SAY_MORE),))
    return _advance(template, state, {**state.answers, question.id: answer.value}, ctx)


def _ask_again(question: Question, value: Any, state: DialogState) -> bool:
    """A required text answer with no words ("1", "。", "👍"): ask once more, then take it."""
    return (
        question.type == "text"
        and question.required
        and isinstance(value, str)
        and meaning.empty_of_meaning(value)
        and state.reasked != question.id
    )


def answer_group(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    active = section_template(template, state)
    group = next(g for g in active.groups if g.id == state.step[len(st.GROUP_PREFIX) :])
    text = answers_mod.normalise(message.text)
    labels = [q.label for q in group.questions]
    parts = (
        answers_mod.labelled_fields(text, labels) or answers_mod.split_fields(text, len(labels))
        if text
        else []
    )
    if len(parts) != len(group.questions):
        names = "、".join(q.label for q in group.questions)
        error = prompts.FIELDS_COUNT.format(count=len(group.questions), got=len(parts), names=names)
        return Outcome(state, (current_prompt(template, state, ctx, error),))
    env = walk.environment(active, state.answers, state.target)
    new_answers = dict(state.answers)
    for n, (question, part) in enumerate(zip(group.questions, parts, strict=True), 1):
        if part in SKIP_FIELD:
            if question.required:
                error = prompts.FIELD_ERROR.format(
                    n=n, label=question.label, error=prompts.REQUIRED
                )
                return Outcome(state, (current_prompt(template, state, ctx, error),))
            new_answers[question.id] = None
            continue
        answer = answers_mod.read_text(question, part, ctx.now, ctx.zone)
        problem = answer.error or _check(question, answer.value, env)
        if problem:
            error = prompts.FIELD_ERROR.format(n=n, label=question.label, error=problem)
            return Outcome(state, (current_prompt(template, state, ctx, error),))
        new_answers[question.id] = answer.value
        env[question.id] = answer.value  # later fields may be checked against this one
    return _advance(template, state, new_answers, ctx)


def skip(template: Template, state: DialogState, ctx: Context) -> Outcome:
    """跳过: only optional questions (or a field-list group whose fields are all optional)."""
    active = section_template(template, state)
    if state.step.startswith(st.QUESTION_PREFIX):
        questions = [active.question(state.step[len(st.QUESTION_PREFIX) :])]
    elif state.step.startswith(st.GROUP_PREFIX):
        gid = state.step[len(st.GROUP_PREFIX) :]
        questions = list(next(g for g in active.groups if g.id == gid).questions)
    else:
        error = prompts.UNKNOWN_COMMAND_HERE.format(action="跳过")
        return Outcome(state, (current_prompt(template, state, ctx, error),))
    if any(q.required for q in questions):
        return Outcome(state, (current_prompt(template, state, ctx, prompts.REQUIRED),))
    answers = {**state.answers, **{q.id: None for q in questions}}
    return _advance(template, state, answers, ctx)
