"""The gunicorn worker ``minqing serve`` uses: gthread with a deadline on every request.

gunicorn's threaded worker keeps idle and kept-alive connections in its event loop, but
once a request's first byte arrives one thread reads the headers and the body with
blocking reads and no overall limit. A client trickling one byte a second (slowloris)
holds that thread for as long as it likes; enough of them and /healthz and WeCom's
callbacks queue behind them.

:class:`DeadlineThreadWorker` gives each request ``request_timeout`` seconds from the
moment a thread takes it until its response is written: the worker's main loop (which
wakes at least once a second) shuts down the socket of any request past its deadline,
which ends the blocked read at once and frees the thread. A callback is answered in
well under a second, so a deadline of a few seconds never cuts an honest request.

Threads are cheap while they wait on a socket, so ``[server] threads`` is set well
above the number of slow connections one worker should survive. In production a
reverse proxy (nginx) in front buffers whole requests and is the first line; this is
the second.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# gunicorn options are fixed before the workers fork; the deadline travels in the
# environment so that this module needs no gunicorn setting of its own.
TIMEOUT_ENV = "MINQING_REQUEST_TIMEOUT"
DEFAULT_REQUEST_TIMEOUT = 10.0


def request_timeout(environ: dict[str, str] | os._Environ[str] | None = None) -> float:
    env = os.environ if environ is None else environ
    try:
        value = float(env.get(TIMEOUT_ENV, DEFAULT_REQUEST_TIMEOUT))
    except ValueError:
        return DEFAULT_REQUEST_TIMEOUT
    return value if value > 0 else DEFAULT_REQUEST_TIMEOUT


class DeadlineThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, plus a per-request deadline enforced from the worker's main loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_timeout = request_timeout()
        self._deadlines: dict[Any, float] = {}
        self._deadlines_lock = threading.Lock()

    def handle(self, conn: Any) -> Any:
        """One request on ``conn`` in a pool thread, under the deadline."""
        with self._deadlines_lock:
            self._deadlines[conn] = time.monotonic() + self.request_timeout
        try:
            return super().handle(conn)
        finally:
            with self._deadlines_lock:
                self._deadlines.pop(conn, None)

    def murder_keepalived(self, *args: Any, **kwargs: Any) -> None:
        # Called by the main loop at least once a second; a good place for our sweep too.
        super().murder_keepalived(*args, **kwargs)
        self.cut_overdue_requests()

    def cut_overdue_requests(self) -> int:
        """Shut down the sockets of requests past their deadline; return how many."""
        now = time.monotonic()
        with self._deadlines_lock:
            overdue = [conn for conn, deadline in self._deadlines.items() if deadline <= now]
            for conn in overdue:
                del self._deadlines[conn]
        for conn in overdue:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in recv()
            except OSError:
                pass  # already closed by the client
        if overdue:  # one line per sweep, not one per connection, under an attack
            self.log.warning(
                "cut %d request(s) still unfinished after %.0f s (slow clients, e.g. %s; "
                "see [server] request_timeout_seconds)",
                len(overdue),
                self.request_timeout,
                _peer(overdue[0]),
            )
        return len(overdue)


def _peer(conn: Any) -> str:
    client = getattr(conn, "client", None)
    if isinstance(client, tuple) and client:
        return str(client[0])
    return "?"
