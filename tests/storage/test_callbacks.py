"""What a callback writes at its end (storage.callbacks.finish_callback), on both backends:
the dialog row only when the handler changed it, and only from the version it read; the
dedupe row once per key."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy import Engine, event, select

from storage import callbacks
from storage.db import unit_of_work
from storage.models import DialogSession, InboundMessage
from tests.support.wecom import add_cadre

NOW = datetime(2026, 11, 29, 1, 30, tzinfo=UTC)


def statements(engine: Engine, run) -> tuple[object, list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_rest):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        return run(), seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def dialog_row(sessions) -> DialogSession:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        return s.scalars(select(DialogSession)).one()


def test_finish_writes_the_dialog_only_when_changed_and_each_key_once(
    engine: Engine, sessions
) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        add_cadre(s, "zs")
    with unit_of_work(sessions) as s:  # unchanged dialog: the dedupe row alone
        claimed = callbacks.claim_callback(s, "zs", "k1", NOW)
        outcome, sent = statements(
            engine, lambda: callbacks.finish_callback(s, claimed, "k1", "text", NOW, "好")
        )
        assert outcome == "applied"
        assert not any("UPDATE" in q for q in sent)
    assert dialog_row(sessions).version == 0
    with unit_of_work(sessions) as s:  # changed: written, version + 1
        claimed = callbacks.claim_callback(s, "zs", "k2", NOW)
        assert claimed.dialog is not None
        claimed.dialog.state, claimed.dialog.data = "question:x", {"a": 1}
        assert callbacks.finish_callback(s, claimed, "k2", "text", NOW, "下一题") == "applied"
    row = dialog_row(sessions)
    assert (row.state, row.data, row.version) == ("question:x", {"a": 1}, 1)
    with unit_of_work(sessions) as s:  # the same key again: taken, the caller rolls back
        claimed = callbacks.claim_callback(s, "zs", "k2", NOW)
        assert claimed.seen_reply == "下一题"
        assert claimed.dialog is not None
        claimed.dialog.data = {"a": 2}
        assert callbacks.finish_callback(s, claimed, "k2", "text", NOW, "again") == "taken"
        s.rollback()
    with unit_of_work(sessions) as s:
        replies = s.scalars(select(InboundMessage.reply).order_by(InboundMessage.id)).all()
        assert replies == ["好", "下一题"]


def test_finish_from_an_old_version_writes_nothing_of_the_dialog(sessions) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as s:
        add_cadre(s, "zs")
    with unit_of_work(sessions) as s:  # the first callback creates the row
        callbacks.claim_callback(s, "zs", "k0", NOW)
    with unit_of_work(sessions) as s:
        claimed = callbacks.claim_callback(s, "zs", "k1", NOW)
        assert claimed.dialog is not None and claimed.read is not None
        claimed.dialog.state = "question:x"
        # As if another callback of this user had moved the row after this one read it.
        stale = dataclasses.replace(
            claimed, read=dataclasses.replace(claimed.read, version=claimed.read.version - 1)
        )
        assert callbacks.finish_callback(s, stale, "k1", "text", NOW, "x") == "moved"
        s.rollback()
    row = dialog_row(sessions)
    assert (row.state, row.version) == ("idle", 0)
