"""The dialog's steps, declared once (like a ConversationHandler's ``states`` or an
aiogram ``StatesGroup``): what each step asks, who answers it, whether it holds a draft,
what it is called, and whether 上一步 may return to it.

A step's ``id`` is stored in ``DialogSession.state``: it is part of the data format and
is never renamed. A family (``question:<id>``, ``group:<id>``) is one entry matched by
prefix. A stored id the table does not know behaves as ``idle``.

A step that holds no draft (idle, a list to pick from, a name to type) has nothing to
protect: the bot's top-level commands (问题, 进度, 帮助, 模板 ...) work there as
fallbacks. In a step that holds a draft every word is an answer to the draft, except the
dialog's own fallbacks (上一步, 跳过, 取消, 暂停, 进度, 帮助).
``storage.sessions.RESTING_STEPS`` mirrors the steps holding no draft (storage may not
import bot; a test keeps the two equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass

from bot.dialogs import asking, flows, pausing, picking, saving, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import Context, Message, Reply
from bot.dialogs.flows import Outcome, section_template
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template

Answer = Callable[[Template, DialogState, Message, Context], Outcome]
Prompt = Callable[[Template, DialogState, Context, str], Reply]
# (the section's template, the state, the step id) -> a label or a yes/no
Label = Callable[[Template, DialogState, str], str]
Check = Callable[[Template, DialogState, str], bool]


def _named(text: str) -> Label:
    return lambda active, state, step: text


def _own_id(active: Template, state: DialogState, step: str) -> str:
    return step


def _always(active: Template, state: DialogState, step: str) -> bool:
    return True


def _never(active: Template, state: DialogState, step: str) -> bool:
    return False


@dataclass(frozen=True)
class Step:
    """One step of the dialog.

    ``prompt`` renders what the cadre is asked (with an error line when given);
    ``answer`` applies a message that is not a fallback command; ``label`` names the
    step in the resume offer (停在「…」); ``returnable`` says whether 上一步
    may go back to it; ``family`` makes ``id`` a prefix (``question:``).
    """

    id: str
    prompt: Prompt
    answer: Answer
    _: KW_ONLY
    holds_draft: bool
    label: Label = _own_id
    returnable: Check = _never
    family: bool = False


def _question_relevant(active: Template, state: DialogState, step: str) -> bool:
    qid = step[len(st.QUESTION_PREFIX) :]
    if qid not in {q.id for q in active.questions}:
        return False
    env = walk.environment(active, state.answers, state.target or {})
    return walk.is_relevant(active, active.question(qid), env)


def _group_relevant(active: Template, state: DialogState, step: str) -> bool:
    gid = step[len(st.GROUP_PREFIX) :]
    group = next((g for g in active.groups if g.id == gid), None)
    env = walk.environment(active, state.answers, state.target or {})
    return group is not None and walk.group_relevant(group, env)


# Steps holding no draft: nothing to protect, top-level commands work as fallbacks.
IDLE = Step(st.IDLE, flows.welcome_prompt, picking.from_idle, holds_draft=False)
PICK_TARGET = Step(
    st.PICK_TARGET,
    flows.pick_target_prompt,
    picking.pick_target,
    holds_draft=False,
    returnable=_always,
)
NEW_TARGET = Step(
    st.NEW_TARGET,
    flows.new_target_prompt,
    picking.new_target,
    holds_draft=False,
    returnable=_always,
)
# saving.list_amendable shows the list and a wrong answer shows it again; the prompt
# (only asked for after 进度) is the welcome line.
AMEND_PICK = Step(st.AMEND_PICK, flows.welcome_prompt, saving.amend_pick, holds_draft=False)

# Steps holding a draft: every word answers it, except the dialog's own fallbacks.
AT_HOME = Step(
    st.AT_HOME,
    flows.at_home_prompt,
    flows.at_home,
    holds_draft=True,
    label=flows.at_home_label,
    returnable=_always,
)
QUESTION = Step(
    st.QUESTION_PREFIX,
    flows.question_prompt,
    asking.answer_question,
    holds_draft=True,
    label=flows.question_label,
    returnable=_question_relevant,
    family=True,
)
GROUP = Step(
    st.GROUP_PREFIX,
    flows.group_prompt,
    asking.answer_group,
    holds_draft=True,
    label=flows.group_label,
    returnable=_group_relevant,
    family=True,
)
APPOINTMENT = Step(
    st.APPOINTMENT,
    flows.appointment_prompt,
    saving.appointment,
    holds_draft=True,
    label=_named("约访时间"),
    returnable=_always,
)
CONFIRM = Step(
    st.CONFIRM,
    flows.confirm_prompt,
    saving.confirm,
    holds_draft=True,
    label=_named("核对确认"),
    returnable=_always,
)
RESUME = Step(st.RESUME, flows.resume_prompt, pausing.resume, holds_draft=True)
CANCEL_CONFIRM = Step(
    st.CANCEL_CONFIRM, flows.cancel_prompt, pausing.cancel_confirm, holds_draft=True
)

STEPS: tuple[Step, ...] = (
    IDLE,
    PICK_TARGET,
    NEW_TARGET,
    AMEND_PICK,
    AT_HOME,
    QUESTION,
    GROUP,
    APPOINTMENT,
    CONFIRM,
    RESUME,
    CANCEL_CONFIRM,
)

_BY_ID = {s.id: s for s in STEPS if not s.family}
_FAMILIES = tuple(s for s in STEPS if s.family)


def step_of(step_id: str) -> Step:
    """The declared step for a stored step id; an unknown id (or '') is ``idle``."""
    found = _BY_ID.get(step_id)
    if found is not None:
        return found
    return next((s for s in _FAMILIES if step_id.startswith(s.id)), IDLE)


def holds_draft(step_id: str) -> bool:
    """Does a stored step id hold a draft? (False for idle, lists, unknown ids.)"""
    return step_of(step_id).holds_draft


def has_draft(state: DialogState) -> bool:
    """Does ``state`` hold a visit draft (a target chosen, in a step that keeps it)?"""
    return state.target is not None and holds_draft(state.step)


def can_return_to(template: Template, state: DialogState, step_id: str) -> bool:
    """Can 上一步 go back to ``step_id``? (A question that stopped being relevant cannot.)"""
    return step_of(step_id).returnable(section_template(template, state), state, step_id)
