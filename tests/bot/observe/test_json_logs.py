"""``[server] log_format = "json"``: one JSON object per line, numbers masked, no content.

The log is set up as ``minqing serve --log-format json`` sets it up, written to a string.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.gateway.server import setup_logging
from tests.support.wecom import WecomTestClient

PHONE = "13812345678"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    stream = io.StringIO()
    try:
        setup_logging(log_format="json")
        for handler in root.handlers:
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(stream)
        yield stream
    finally:
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_callback_logs_one_json_line_without_its_content(
    wc: WecomTestClient, cadre: str, json_log: io.StringIO
) -> None:
    wc.say(cadre, f"李奶奶家低保没批下来，电话{PHONE}")
    [line] = [e for e in entries(json_log) if e.get("event") == "callback"]
    assert line["user"] == "zhangsan" and line["outcome"] == "applied"
    assert line["logger"] == "minqing.webhook" and line["level"] == "INFO"
    assert isinstance(line["ms"], float) and isinstance(line["pid"], int)
    assert str(line["ts"]).endswith("+00:00")
    text = json_log.getvalue()
    assert PHONE not in text and "低保" not in text and "李奶奶" not in text


def test_numbers_are_masked_in_message_fields_and_traceback(json_log: io.StringIO) -> None:
    log = logging.getLogger("minqing.test")
    try:
        raise ValueError(f"bad row: 电话{PHONE}")
    except ValueError:
        log.exception(
            "import failed for %s\nforged line", PHONE, extra={"fields": {"who": f"x{PHONE}"}}
        )
    [line] = entries(json_log)  # the line break stayed inside one JSON line
    assert line["msg"] == "import failed for 138****5678\\nforged line"
    assert line["who"] == "x138****5678"
    assert "138****5678" in str(line["exc"]) and "ValueError" in str(line["exc"])
    assert PHONE not in json_log.getvalue()
