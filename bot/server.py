"""Serving the app under gunicorn, programmatically (``minqing serve``).

Each gunicorn worker builds its own app (and database engine) after the fork by
calling ``create_app()``, which reads ``$MINQING_CONFIG``: nothing is shared
between workers but the database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from bot.logsafe import one_line_handler


def setup_logging(level: int = logging.INFO) -> None:
    """Root logging to stderr, every message on one line (see :mod:`bot.logsafe`)."""
    logging.basicConfig(level=level, handlers=[one_line_handler()])


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with options from Python and an app built in each worker."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.factory()


def serve(
    config_path: str,
    host: str,
    port: int,
    workers: int,
    threads: int = 1,
    factory: Callable[[], Flask] | None = None,
) -> None:
    """Run gunicorn in the foreground until SIGTERM/SIGINT."""
    os.environ["MINQING_CONFIG"] = os.path.abspath(config_path)
    if factory is None:
        from bot.app import create_app

        factory = create_app
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": 30,
        "graceful_timeout": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "minqing",
    }
    GunicornServer(factory, options).run()
