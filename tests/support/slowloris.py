"""A slowloris attacker and a p99, for the tests that hold a real server under slow clients."""

from __future__ import annotations

import select
import socket
import threading
import time


class Slowloris:
    """Keeps ``count`` connections open, each sending one byte a second; bounded in time.

    Even-numbered connections trickle a never-ending header line, odd ones send complete
    headers of a 4 000-byte POST and trickle its body. A connection the server closes
    (it becomes readable: a FIN or an error response) is counted and opened again, as an
    attacker would.
    """

    def __init__(self, port: int, count: int, seconds: float) -> None:
        self.port, self.count, self.seconds = port, count, seconds
        self.opened = threading.Event()
        self.stop = threading.Event()
        self.cut_per_connection = [0] * count
        self.error: BaseException | None = None

    def _open(self, i: int) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        if i % 2 == 0:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        else:
            s.sendall(
                b"POST /wecom/callback?msg_signature=x&timestamp=1&nonce=1 HTTP/1.1\r\n"
                b"Host: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 4000\r\n\r\n"
            )
        return s

    def run(self) -> None:
        socks: list[socket.socket] = []
        try:
            socks = [self._open(i) for i in range(self.count)]
            self.opened.set()
            until = time.monotonic() + self.seconds
            while not self.stop.is_set() and time.monotonic() < until:
                readable, _, _ = select.select(socks, [], [], 0)
                for i, s in enumerate(socks):
                    if s in readable:
                        self.cut_per_connection[i] += 1
                        s.close()
                        socks[i] = self._open(i)
                        continue
                    try:
                        s.send(b"a")
                    except OSError:
                        self.cut_per_connection[i] += 1
                        s.close()
                        socks[i] = self._open(i)
                self.stop.wait(1.0)  # the attack's pace: one byte a second per connection
        except BaseException as exc:  # reported by the test, never swallowed
            self.error = exc
            self.opened.set()
        finally:
            for s in socks:
                s.close()


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
