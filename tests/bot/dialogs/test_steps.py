"""The step table: every stored step id declared once, and storage's mirror of it."""

from __future__ import annotations

from bot.dialogs import state as st
from bot.dialogs import steps
from storage import sessions
from storage.models import DialogSession

# Stored in DialogSession.state: part of the data format, never renamed.
STORED_IDS = {
    "idle",
    "pick_target",
    "new_target",
    "amend_pick",
    "at_home",
    "appointment",
    "confirm",
    "resume",
    "cancel_confirm",
    "question:",
    "group:",
}


def test_every_stored_step_id_is_declared_once() -> None:
    ids = [s.id for s in steps.STEPS]
    assert len(ids) == len(set(ids))
    assert set(ids) == STORED_IDS
    assert {s.id for s in steps.STEPS if s.family} == {st.QUESTION_PREFIX, st.GROUP_PREFIX}


def test_families_match_by_prefix_and_unknown_ids_rest_at_idle() -> None:
    assert steps.step_of("question:family").id == st.QUESTION_PREFIX
    assert steps.step_of("group:members").id == st.GROUP_PREFIX
    assert steps.step_of("confirm").id == st.CONFIRM
    assert steps.step_of("no_such_step") is steps.IDLE
    assert steps.step_of("") is steps.IDLE


RESTING = {s.id for s in steps.STEPS if not s.holds_draft}


def test_only_lists_and_idle_hold_no_draft() -> None:
    assert RESTING == {"idle", "pick_target", "new_target", "amend_pick"}
    assert steps.holds_draft("question:family") and steps.holds_draft("resume")
    assert not steps.holds_draft("pick_target") and not steps.holds_draft("")


def test_a_draft_needs_a_target_and_a_step_that_holds_it() -> None:
    target = {"id": 1, "name": "王大"}
    assert steps.has_draft(st.DialogState(step="at_home", target=target))
    assert not steps.has_draft(st.DialogState(step="at_home"))
    assert not steps.has_draft(st.DialogState(step="pick_target", target=target))


def test_storage_mirrors_the_step_table() -> None:
    """storage may not import bot, so it keeps its own copy of these ids."""
    assert set(sessions.RESTING_STEPS) == RESTING
    assert sessions.IDLE_STEP == st.IDLE == steps.IDLE.id
    assert DialogSession.__table__.c.state.default.arg == st.IDLE
