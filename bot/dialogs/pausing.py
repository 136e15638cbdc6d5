"""Answers to the two steps that hold a draft aside: 继续吗 (resume) and 确定放弃吗 (cancel_confirm)."""

from __future__ import annotations

from bot.dialogs import prompts
from bot.dialogs import state as st
from bot.dialogs.contracts import Context, Message, Reply
from bot.dialogs.flows import Outcome, current_prompt, text_of
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template

CANCEL_YES_WORDS = ("1", "确定", "确定放弃", "是")


def resume(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    """继续 returns to the paused step; 放弃 asks for confirmation; anything else re-offers."""
    text = text_of(message)
    if message.button == "resume:yes" or text in prompts.RESUME_WORDS:
        new = state.with_(step=state.resume_step or st.AT_HOME, resume_step="")
        return Outcome(new, (current_prompt(template, new, ctx),))
    if message.button == "resume:no" or text in prompts.DISCARD_WORDS:
        new = state.with_(step=st.CANCEL_CONFIRM)
        return Outcome(new, (current_prompt(template, new, ctx),))
    return Outcome(state, (current_prompt(template, state, ctx),))


def cancel_confirm(
    template: Template, state: DialogState, message: Message, ctx: Context
) -> Outcome:
    """确定 drops the draft; anything else goes back to where the draft was."""
    text = text_of(message)
    if message.button == "cancel:yes" or text in CANCEL_YES_WORDS:
        return Outcome(st.fresh(template.id), (Reply(prompts.CANCELLED),))
    new = state.with_(step=state.resume_step or st.AT_HOME, resume_step="")
    return Outcome(new, (current_prompt(template, new, ctx),))
