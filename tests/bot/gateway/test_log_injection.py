"""A FromUserName with a line break cannot forge a server log line (issue 11, item 8);
personal numbers in logged text are masked (item 3)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.gateway.server import setup_logging
from tests.support.wecom import WecomTestClient

# Fits WeCom's 64-character userid with the "hq001\n" before it.
FORGED = "08:00:00,000 1 INFO minqing.webhook: callback user=wangsj"


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """The log as ``minqing serve`` sets it up, written to a string instead of stderr."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    stream = io.StringIO()
    try:
        setup_logging()
        for handler in root.handlers:
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(stream)
        yield stream
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def test_a_userid_with_a_line_break_stays_on_its_log_line(
    wc: WecomTestClient, server_log: io.StringIO
) -> None:
    resp = wc.post(wc.signer.text(f"hq001\n{FORGED}", "帮助"))
    assert resp.status_code == 200
    lines = server_log.getvalue().splitlines()
    callback_lines = [line for line in lines if "callback user=" in line]
    assert len(callback_lines) == 1, lines
    assert not any(line.startswith("08:00:00") for line in lines)
    assert f"user=hq001\\n{FORGED}" in callback_lines[0]


def test_control_and_bidi_characters_are_escaped_and_numbers_masked(
    server_log: io.StringIO,
) -> None:
    log = logging.getLogger("minqing.test")
    log.warning("problem text: %s", "身份证430621195801011234\r\n电话13812345678\u202e")
    lines = server_log.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        "WARNING minqing.test: problem text: 身份证430621********1234\\r\\n电话138****5678\\u202e"
    )
