"""The wiring shared by the web app, the CLI and the scheduler.

A :class:`Runtime` holds the config, the database engine, a session factory and
the clock. Nothing in it is state that matters between requests: every process
(web workers, the scheduler, CLI commands) builds its own from the same config.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Config
from storage.db import make_engine, session_factory, unit_of_work

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = field(default=utc_now)

    @classmethod
    def from_config(cls, config: Config, clock: Clock = utc_now) -> Runtime:
        engine = make_engine(config.database.url, config.database.echo, config.database.pool_size)
        return cls(config=config, engine=engine, sessions=session_factory(engine), clock=clock)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        with unit_of_work(self.sessions) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
