"""Picking the household: the to-do list, a number, a name/address fragment, or 新增."""

from __future__ import annotations

import re
from typing import Any

from bot.dialogs import matching, prompts, render, walk
from bot.dialogs import state as st
from bot.dialogs.contracts import (
    Context,
    Message,
    Reply,
    TargetInfo,
)
from bot.dialogs.flows import Outcome, current_prompt, text_of
from bot.dialogs.state import DialogState
from bot.dialogs.template import Template

PAGE_SIZE = 8
_PHONE_IN_TEXT = re.compile(r"(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})")
# "-1", "＋2": meant as a list number, never as a fragment of a house number ("-15"
# would otherwise match 15号 and start a visit).
_SIGNED_NUMBER = re.compile(r"[-+－＋−]\s*\d+")


# --- picking a target ---------------------------------------------------------------------


def list_targets(state: DialogState, ctx: Context, page: int = 0) -> Outcome:
    todo = render.todo_sorted(ctx.targets)
    if not todo:
        return Outcome(state.with_(step=st.IDLE, shown=()), (Reply(prompts.PICK_ALL_DONE),))
    pages = max(1, -(-len(todo) // PAGE_SIZE))
    page = page % pages
    listed = todo[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    places = sum(t.kind == "place" for t in todo)
    if all(t.kind == "village" for t in todo):
        header = prompts.PICK_HEADER_VILLAGE.format(left=len(todo))
    elif places:
        header = prompts.PICK_HEADER_MIXED.format(households=len(todo) - places, places=places)
    else:
        header = prompts.PICK_HEADER.format(left=len(todo))
    reply = render.target_list(listed, header, pages > 1, ctx.zone)
    new = state.with_(step=st.PICK_TARGET, shown=tuple(t.id for t in listed), page=page)
    return Outcome(new, (reply,))


def pick_target(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    text = text_of(message)
    if message.button.startswith("pick:") and message.button[5:].isdecimal():
        target = ctx.target(int(message.button[5:]))
        if target is not None:
            return choose(template, state, target, ctx)
    if text in prompts.MORE_WORDS and state.step == st.PICK_TARGET:
        return list_targets(state, ctx, state.page + 1)
    if text.isdecimal() and state.shown:
        n = int(text)
        if 1 <= n <= len(state.shown):
            target = ctx.target(state.shown[n - 1])
            if target is not None:
                return choose(template, state, target, ctx)
        return Outcome(state, (Reply(prompts.PICK_BAD_NUMBER.format(n=n)),))
    if not text:
        return Outcome(state, (current_prompt(template, state, ctx),))
    if _SIGNED_NUMBER.fullmatch(text):
        return Outcome(state, (Reply(prompts.PICK_SIGNED_NUMBER.format(text=text[:10])),))
    found = matching.rank(text[:50], ctx.targets, ctx.tokenize)
    if len(found) == 1:
        return choose(template, state, found[0], ctx)
    if not found:
        query = text[:20]
        return Outcome(
            state.with_(step=st.PICK_TARGET), (Reply(prompts.PICK_NONE_FOUND.format(query=query)),)
        )
    listed = found[:PAGE_SIZE]
    reply = render.target_list(listed, prompts.PICK_SEVERAL, more=False, zone=ctx.zone)
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
        "missed_count": target.missed_count,
        "kind": target.kind,
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
        "missed_count": 0,
        "kind": "household",
    }
    new = start_visit(template, state, target, ctx).with_(history=(st.NEW_TARGET,))
    return _enter_first_step(template, new, ctx, [Reply(prompts.NEW_TARGET_OK.format(name=name))])


def from_idle(template: Template, state: DialogState, message: Message, ctx: Context) -> Outcome:
    """Idle (or an unknown stored step): a typed name or 门牌 picks a target directly."""
    text = text_of(message)
    fresh = st.fresh(template.id)
    if text and not text.isdecimal() and ctx.targets:
        found = matching.rank(text[:50], ctx.targets, ctx.tokenize)
        if len(found) == 1:
            return choose(template, fresh, found[0], ctx)
    return Outcome(fresh, (Reply(prompts.WELCOME),))
