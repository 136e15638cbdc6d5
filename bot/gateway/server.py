"""Serving the app under gunicorn, programmatically (``minqing serve``).

Each gunicorn worker builds its own app (and database engine) after the fork by
calling ``create_app()``, which reads ``$MINQING_CONFIG``: nothing is shared
between workers but the database.

Slow clients: the worker class is gthread with a per-request deadline
(:mod:`bot.gateway.http_worker`), many threads (a thread waiting on a socket costs little) and
a short keep-alive, so a few dozen connections trickling bytes cannot starve /healthz
or WeCom's callbacks. Production still puts a reverse proxy (nginx) in front, which
buffers whole requests before they reach gunicorn (README, "Production").

Metrics: before forking, ``serve`` points ``$PROMETHEUS_MULTIPROC_DIR`` at an empty
directory of this server's own (``[server] metrics_dir``, else a fresh temporary one,
removed on exit); each worker writes its callback counters there and gunicorn's
``child_exit`` hook tells prometheus_client when a worker is gone
(:mod:`bot.gateway.metrics`, :mod:`bot.observe`).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger as GunicornLogger

from bot.gateway.http_worker import TIMEOUT_ENV
from bot.gateway.metrics import MULTIPROC_ENV
from bot.logsafe import JsonLineFormatter, one_line_handler
from bot.wecom import redact


def setup_logging(level: int = logging.INFO, log_format: str = "text") -> None:
    """Root logging to stderr, every message on one line (see :mod:`bot.logsafe`), with
    secrets masked (see :mod:`bot.wecom.redact`); ``log_format="json"`` writes JSON lines."""
    logging.basicConfig(level=level, handlers=[one_line_handler(log_format=log_format)])
    redact.protect_handlers()


class JsonGunicornLogger(GunicornLogger):  # type: ignore[misc]
    """gunicorn's own lines (workers booting, timeouts) as JSON lines too."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonLineFormatter())


@contextmanager
def metrics_directory(configured: str) -> Iterator[Path]:
    """An empty directory for this server's metric files, exported as
    ``$PROMETHEUS_MULTIPROC_DIR`` for the workers to inherit. ``configured`` (when not
    "") is emptied of the last run's files and kept; otherwise a temporary directory
    is made and removed afterwards. Stale files would add a dead server's counts."""
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()
    else:
        path = Path(tempfile.mkdtemp(prefix="minqing-metrics-"))
    os.environ[MULTIPROC_ENV] = str(path)
    try:
        yield path
    finally:
        if not configured:
            shutil.rmtree(path, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn hook: a worker exited; drop its live-gauge files."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


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
        from bot.gateway.webhook import EXTENSION
        from bot.handlers.router import warm_up

        app = self.factory()
        gateway = app.extensions.get(EXTENSION)
        if gateway is not None:  # the real app (not a bare one a benchmark serves)
            warm_up(gateway.runtime.config.campaign.template)
        return app


def serve(
    config_path: str,
    host: str,
    port: int,
    workers: int,
    threads: int = 64,
    factory: Callable[[], Flask] | None = None,
    request_timeout: float = 10.0,
    metrics_dir: str = "",
    log_format: str = "text",
) -> None:
    """Run gunicorn in the foreground until SIGTERM/SIGINT.

    ``threads`` per worker process; ``request_timeout`` seconds for each request from
    its first byte to its last response byte (slower ones are cut); ``metrics_dir``:
    see :func:`metrics_directory`; ``log_format``: ``"text"`` or ``"json"``.
    """
    os.environ["MINQING_CONFIG"] = os.path.abspath(config_path)
    os.environ[TIMEOUT_ENV] = str(request_timeout)  # read by each forked worker
    if factory is None:
        from bot.app import create_app

        factory = create_app
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "bot.gateway.http_worker.DeadlineThreadWorker",
        # Connections beyond threads wait in the event loop (idle or kept alive).
        "worker_connections": max(1000, threads * 4),
        "keepalive": 2,  # an idle kept-alive connection is closed after 2 s
        "timeout": 30,  # a worker whose main loop is stuck this long is restarted
        "graceful_timeout": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "minqing",
        "child_exit": child_exit,
    }
    if log_format == "json":
        options["logger_class"] = JsonGunicornLogger
    with metrics_directory(metrics_dir):
        GunicornServer(factory, options).run()
