"""Small handlers used only by the gateway tests (cards, counting), registered per app."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from storage import outbox


class SendCard:
    """'卡片' → a button card pushed through the outbox; empty passive reply."""

    name = "test_send_card"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.content.strip() == "卡片"

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        card = {
            "card_type": "button_interaction",
            "task_id": "task-42",
            "main_title": {"title": "是否在家？", "desc": "张三户"},
            "horizontal_content_list": [{"keyname": "地址", "value": "一组3号"}],
            "button_list": [{"text": "在家", "key": "home"}, {"text": "不在家", "key": "away"}],
        }
        payload = {"msgtype": "template_card", "template_card": card}
        outbox.enqueue(session, "message", incoming.userid, payload, ctx.now)
        return HandlerReply()


class CardClick:
    name = "test_card_click"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.event == "template_card_event"

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        return HandlerReply(f"你按了 {incoming.event_key}（{incoming.task_id}）")


class AppendToSession:
    """Read-modify-write of the user's dialog data: loses updates unless callbacks serialise."""

    name = "test_append"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.content.startswith("n:")

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        assert user.dialog is not None
        log = list(user.dialog.data.get("log", []))
        session.flush()
        log.append(incoming.content)
        user.dialog.data = {**user.dialog.data, "log": log}
        user.dialog.version += 1
        return HandlerReply(f"ok {len(log)}")


def counting_app():  # type: ignore[no-untyped-def]
    """App factory for the multi-worker test: the real app plus AppendToSession."""
    from bot.app import create_app
    from bot.handlers import router

    return create_app(handlers=[AppendToSession(), *router.HANDLERS])
