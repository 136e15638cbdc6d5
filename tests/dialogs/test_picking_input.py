"""The household picker: a signed number is refused and starts no visit; names stay on
one line (issue 11, items 8 and 10)."""

from __future__ import annotations

from bot.dialogs import render
from bot.dialogs import state as st
from bot.dialogs.contracts import TargetInfo


def test_a_signed_number_in_the_picker_starts_no_visit(chat):
    for typed in ("-1", "－1", "+2", "- 3", "-0", "-15"):  # "-15" used to pick 张三 (15号)
        c = chat()
        c.say("走访")
        before = c.state
        reply = c.say(typed)
        assert c.state.step == st.PICK_TARGET and c.state.target is None, typed
        assert c.state.shown == before.shown
        assert "编号" in reply and "正负号" in reply, (typed, reply)


def test_a_name_with_a_line_break_or_bidi_mark_stays_on_its_list_line():
    listed = [
        TargetInfo(1, "王\n【紧急通知】今晚8点开会", address="3组\u202e15号"),
        TargetInfo(2, "李\u200b四", address="4组"),
    ]
    reply = render.target_list(listed, "请选择：", more=False)
    lines = reply.text.splitlines()
    assert len(lines) == 3 and not any(line.startswith("【紧急通知】") for line in lines)
    assert "\u202e" not in reply.text and "李四" in lines[2]
    assert [b.label for b in reply.buttons] == ["1. 王 【紧急通知】今晚8点开会", "2. 李四"]
