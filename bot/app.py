"""The Flask app factory (Flask tutorial style): ``bot.app:create_app``.

``create_app()`` reads the config from ``$MINQING_CONFIG`` (else ./config.toml),
so any WSGI server can serve ``bot.app:create_app()``. Tests pass a ``config`` or
a ready ``runtime`` (with a frozen clock) and, if they need one, their own handler
list. There is no module-level app.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask

from bot import config as config_mod
from bot.gateway import webhook
from bot.handlers.router import Handler
from bot.observe import routes as observe
from bot.runtime import Runtime


def create_app(
    config: config_mod.Config | None = None,
    runtime: Runtime | None = None,
    handlers: Sequence[Handler] | None = None,
) -> Flask:
    """Build the web app: ``/wecom/callback``, ``/healthz``, ``/readyz``, ``/metrics`` and,
    with ``[pages] enabled``, the pages under ``/m/``."""
    if runtime is None:
        if config is None:
            config = config_mod.load(config_mod.resolve_path(None))
        runtime = Runtime.from_config(config)
    app = Flask(__name__)
    app.extensions[webhook.EXTENSION] = webhook.Gateway.from_runtime(runtime, handlers)
    app.register_blueprint(webhook.bp)
    if runtime.config.pages.enabled:
        from bot.pages.web import register  # the pages are optional: load them only if on

        register(app, runtime)

    observe.init_app(app, runtime)
    return app
