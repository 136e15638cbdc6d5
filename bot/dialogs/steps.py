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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Step:
    """One step of the dialog.

    ``prompt`` renders what the cadre is asked (with an error line when given);
    ``answer`` applies a message that is not a fallback command; ``label`` names the
    step in the resume offer ("上次登记到：…"); ``returnable`` says whether 上一步
    may go back to it; ``family`` makes ``id`` a prefix (``question:``).
    """

    id: str
    prompt: Prompt
    answer: Answer
    holds_draft: bool
    label: Label
    returnable: Check
    family: bool = False


def _named(text: str) -> Label:
    return lambda active, state, step: text


def _own_id(active: Template, state: DialogState, step: str) -> str:
    return step


def _always(active: Template, state: DialogState, step: str) -> bool:
    return True


def _never(active: Template, state: DialogState, step: str) -> bool:
    return False


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


IDLE = Step(st.IDLE, flows.welcome_prompt, picking.from_idle, False, _own_id, _never)
STEPS: tuple[Step, ...] = (
    IDLE,
    Step(
        st.PICK_TARGET,
        flows.pick_target_prompt,
        picking.pick_target,
        False,
        _own_id,
        _always,
    ),
    Step(st.NEW_TARGET, flows.new_target_prompt, picking.new_target, False, _own_id, _always),
    # The amend list is not re-rendered by its prompt: a wrong answer lists it again.
    Step(st.AMEND_PICK, flows.welcome_prompt, saving.amend_pick, False, _own_id, _never),
    Step(st.AT_HOME, flows.at_home_prompt, flows.at_home, True, flows.at_home_label, _always),
    Step(
        st.QUESTION_PREFIX,
        flows.question_prompt,
        asking.answer_question,
        True,
        flows.question_label,
        _question_relevant,
        family=True,
    ),
    Step(
        st.GROUP_PREFIX,
        flows.group_prompt,
        asking.answer_group,
        True,
        flows.group_label,
        _group_relevant,
        family=True,
    ),
    Step(
        st.APPOINTMENT,
        flows.appointment_prompt,
        saving.appointment,
        True,
        _named("约访时间"),
        _always,
    ),
    Step(st.CONFIRM, flows.confirm_prompt, saving.confirm, True, _named("核对确认"), _always),
    Step(st.RESUME, flows.resume_prompt, pausing.resume, True, _own_id, _never),
    Step(
        st.CANCEL_CONFIRM,
        flows.cancel_prompt,
        pausing.cancel_confirm,
        True,
        _own_id,
        _never,
    ),
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


RESTING = tuple(s.id for s in STEPS if not s.holds_draft)
