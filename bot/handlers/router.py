"""Choose the handler for a callback: the first in :data:`HANDLERS` that matches wins.

A handler is any object with (python-telegram-bot style)::

    name: str
    def matches(self, incoming: Incoming, user: UserState) -> bool
    def handle(self, session, ctx: HandlerContext, incoming, user) -> HandlerReply

``matches`` must be cheap and must not write. ``handle`` runs inside the callback's
one unit of work: it may add rows (visits, problems, outbox messages) but never commits,
and changes the user's :class:`~storage.models.DialogSession` (``user.dialog``, not in
the session) by assigning ``state``/``data``; :mod:`bot.gateway.apply` writes it back.
Whatever it raises rolls the whole callback back and WeCom gets a 500 (it will retry).
On SQLite it may run twice for one message (another message of the same user committed
in between): nothing but its database writes may have effects.

To add your area's handlers, add ONE line in your area's slot below, e.g.::

    *ledger.handlers(),  # bot/handlers/ledger.py

and a line to ``bot.handlers.prompts.HELP_LINES`` for each new command.
Most specific first; the built-in fallbacks at the end catch the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.dialogs import matching
from bot.dialogs.template import TemplateError
from bot.handlers import basic, ledger
from bot.handlers.base import HandlerContext, HandlerReply, Incoming, UserState
from bot.handlers.exports import ExportCommand
from bot.handlers.leader_progress import LeaderProgress
from bot.handlers.overview_link import ReportLink
from bot.handlers.template_switch import TemplateCommand
from bot.handlers.visit import VisitHandler, campaign_template
from bot.ledger import classify
from storage.db import Session


class Handler(Protocol):
    name: str

    def matches(self, incoming: Incoming, user: UserState) -> bool: ...

    def handle(
        self, session: Session, ctx: HandlerContext, incoming: Incoming, user: UserState
    ) -> HandlerReply: ...


HANDLERS: list[Handler] = [
    basic.UnknownUser(),  # must stay first: nobody else sees unknown users
    basic.Greeting(),
    # --- ledger area (bot/handlers/ledger*.py): add lines below this one ---
    *ledger.handlers(),  # bot/handlers/ledger.py
    LeaderProgress(),  # bot/handlers/leader_progress.py: 进度 for leaders (the unit)
    # --- (end of ledger area) ---
    # --- tables and pages (bot/handlers/exports.py, overview_link.py) ---
    ExportCommand(),  # bot/handlers/exports.py: 导出 [表] [时间] (files in chat)
    ReportLink(),  # bot/handlers/overview_link.py: 报表 (link card to the pages' 总览)
    # --- dialog area (bot/handlers/visit*.py, bot/dialogs/): add lines below this one ---
    TemplateCommand(),  # bot/handlers/template_switch.py: 模板 (admins switch the template)
    VisitHandler(),  # bot/handlers/visit.py: 走访 and every message during a visit
    # --- (end of dialog area) ---
    # --- built-in fallbacks: keep last ---
    basic.Help(),
    basic.SilentEvent(),
    basic.UnknownType(),
    basic.NotUnderstood(),
]


def warm_up(template: str) -> None:
    """Load once per process what a first callback would otherwise load while WeCom
    waits: the ledger classifier (jieba and its dictionaries: a second or two), the
    dialog's tokenizer and the configured questionnaire (``minqing serve``'s workers call
    this before taking requests)."""
    classify.model()
    matching.jieba_tokenizer()
    try:
        campaign_template(template)
    except TemplateError:
        pass  # the visit handler reports it to the cadre and the log


def dispatch(
    session: Session,
    ctx: HandlerContext,
    incoming: Incoming,
    user: UserState,
    handlers: Sequence[Handler] | None = None,
) -> HandlerReply:
    """Run the first matching handler and return its reply.

    ``user`` is the one the caller loaded and locked
    (:func:`storage.callbacks.claim_callback`); ``handlers`` defaults to :data:`HANDLERS`.
    """
    for handler in HANDLERS if handlers is None else handlers:
        if handler.matches(incoming, user):
            return handler.handle(session, ctx, incoming, user)
    return HandlerReply()
