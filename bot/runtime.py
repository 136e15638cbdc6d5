"""The wiring shared by the web app, the CLI and the scheduler.

A :class:`Runtime` holds the config, the database engine, a session factory and
the clock. Nothing in it is state that matters between requests: every process
(web workers, the scheduler, CLI commands) builds its own from the same config.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, describe, system_clock
from bot.config import Config
from storage.db import make_engine, session_factory, unit_of_work

log = logging.getLogger("minqing.clock")


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default_factory=system_clock)

    @classmethod
    def from_config(cls, config: Config, clock: Clock | None = None) -> Runtime:
        """``clock`` defaults to the process clock (:func:`bot.clock.system_clock`)."""
        if clock is None and (note := describe()):
            log.warning("%s", note)  # a rehearsal or a test: say so in every process's log
        engine = make_engine(config.database.url, config.database.echo, config.database.pool_size)
        return cls(
            config=config,
            engine=engine,
            sessions=session_factory(engine),
            clock=clock or system_clock(),
        )

    @property
    def zone(self) -> tzinfo:
        """The campaign's time zone (``[campaign] timezone``)."""
        return ZoneInfo(self.config.campaign.timezone)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.sessions) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
