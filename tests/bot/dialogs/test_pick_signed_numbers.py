"""The household picker: a signed number is refused and starts no visit (issue 11, item 10)."""

from __future__ import annotations

from bot.dialogs import state as st


def test_a_signed_number_in_the_picker_starts_no_visit(chat):
    for typed in ("-1", "－1", "+2", "- 3", "-0", "-15"):  # "-15" used to pick 张三 (15号)
        c = chat()
        c.say("走访")
        before = c.state
        reply = c.say(typed)
        assert c.state.step == st.PICK_TARGET and c.state.target is None, typed
        assert c.state.shown == before.shown
        assert "编号" in reply and "正负号" in reply, (typed, reply)
