"""Mounting the pages on the app: the session settings and the /m/ blueprint."""

from __future__ import annotations

from flask import Flask

from bot.pages import auth, file_views, ledger_views
from bot.pages.views import bp
from bot.runtime import Runtime

# The route modules register their views on ``bp`` when imported.
ROUTES = (ledger_views, file_views)


def register(app: Flask, runtime: Runtime) -> None:
    """Serve the pages under /m/ (only when ``[pages] enabled``)."""
    auth.install(app, runtime)
    app.register_blueprint(bp)
