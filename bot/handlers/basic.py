"""Built-in handlers: unknown user, 帮助/help, greeting, unknown type, not understood.

Each handler answers two questions: does this callback concern me
(``matches(incoming, user)``) and what to do with it (``handle(session, ctx,
incoming, user) -> HandlerReply``). See :mod:`bot.handlers.router` for the order.
"""

from __future__ import annotations

from bot.dialogs.prompts import COMMAND_WORDS
from bot.handlers import prompts
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from storage import callbacks
from storage.db import Session

HELP_WORDS = frozenset({*COMMAND_WORDS["help"], "菜单"})  # the dialog's 帮助 words too
GREETING_EVENTS = frozenset({"enter_agent", "subscribe"})
SILENT_EVENTS = frozenset({"unsubscribe", "location", "view"})


class UnknownUser:
    """A userid that is not an active cadre: a polite refusal and one audit row."""

    name = "unknown_user"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return user.cadre is None

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        callbacks.audit_unknown_user(
            session, incoming.userid, incoming.msg_type, incoming.event, ctx.now
        )
        if incoming.event in SILENT_EVENTS:
            return HandlerReply()
        return HandlerReply(prompts.UNKNOWN_USER)


class Help:
    name = "help"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.msg_type == "text" and incoming.content.strip().lower() in HELP_WORDS

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        return HandlerReply(prompts.help_text())


class Greeting:
    """enter_agent / subscribe: greet by name and show the menu."""

    name = "greeting"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.msg_type == "event" and incoming.event in GREETING_EVENTS

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        name = user.cadre.name if user.cadre is not None else ""
        return HandlerReply(prompts.GREETING.format(name=name) + "\n" + prompts.help_text())


class SilentEvent:
    """Events that need no answer (unsubscribe, location reports, menu links)."""

    name = "silent_event"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.msg_type == "event" and incoming.event in SILENT_EVENTS

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        return HandlerReply()


class UnknownType:
    """Anything that is not text and nobody claimed: voice, video, files, odd events."""

    name = "unknown_type"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return incoming.msg_type != "text"

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        return HandlerReply(prompts.UNKNOWN_TYPE)


class NotUnderstood:
    """The last resort for text: say so and point at 帮助."""

    name = "not_understood"

    def matches(self, incoming: Incoming, user: UserState) -> bool:
        return True

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply:
        text = incoming.content.strip()
        if not text:
            return HandlerReply(prompts.EMPTY_TEXT)
        shown = text if len(text) <= 20 else text[:20] + "…"
        return HandlerReply(prompts.NOT_UNDERSTOOD.format(text=shown))
