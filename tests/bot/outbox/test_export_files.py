"""Tables asked for in chat (``_export`` payloads) through the sender and the fake WeCom.

The sender builds the workbook once, keeps it in the row, and a retry sends the same
file; a request that cannot be built fails its row with the reason, sends no file and
tells its recipient; a request without a person is never built as everything.
"""

from __future__ import annotations

import base64
from datetime import date

import pytest

from bot.outbox import export_files
from bot.outbox.worker import DrainCounts, drain_once
from bot.runtime import Runtime
from storage import outbox
from tests.bot.outbox.test_worker import control, rows
from tests.support.clock import MutableClock
from tests.support.exports import ExportTown


def queue_export(runtime: Runtime, userid: str, **changes: object) -> None:
    payload = export_files.export_payload(
        "problems", userid, 1, date(2026, 11, 1), date(2026, 11, 30)
    )
    payload["_export"].update(changes)
    with runtime.unit_of_work() as s:
        outbox.enqueue(s, "message", userid or "nobody", payload, runtime.clock())


def test_a_failed_upload_keeps_the_built_workbook_and_the_retry_sends_it(
    api_runtime: Runtime, fake, clock: MutableClock, etown: ExportTown, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    builds = []
    real_build = export_files.build

    def counting_build(*args):  # type: ignore[no-untyped-def]
        builds.append(args)
        return real_build(*args)

    monkeypatch.setattr(export_files, "build", counting_build)
    queue_export(api_runtime, "zhaozs")
    control(fake, errcode=-1, count=1)  # the upload meets "system busy"
    assert drain_once(api_runtime) == DrainCounts(retrying=1)
    (row,) = rows(api_runtime)
    assert "_export" not in row.payload and row.payload["_upload"]["type"] == "file"
    kept = base64.b64decode(row.payload["_upload"]["base64"])
    assert kept[:2] == b"PK"  # an .xlsx is a zip file

    clock.advance(seconds=30)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert len(builds) == 1  # built once, in the first pass
    (sent,) = [r for r in fake.state.records if r["api"] == "message/send"]
    assert fake.state.media[sent["body"]["file"]["media_id"]] == kept
    assert sent["media_name"] == "问题清单_2026-11-01至2026-11-30.xlsx"


@pytest.mark.parametrize(
    ("userid", "changes", "reason"),
    [
        ("gone", {}, "找不到账号“gone”"),
        ("", {}, "_export.userid missing"),  # never "everything"
        ("zhaozs", {"table": "salaries"}, "'salaries' is not a table"),
        ("zhaozs", {"first": "11月1日"}, "_export period or campaign malformed"),
    ],
)
def test_a_request_that_cannot_be_built_fails_with_the_reason_and_sends_no_file(
    api_runtime: Runtime, fake, etown: ExportTown, userid: str, changes: dict, reason: str
) -> None:  # type: ignore[no-untyped-def]
    queue_export(api_runtime, userid, **changes)
    assert drain_once(api_runtime) == DrainCounts(sent=1, failed=1)
    row, notice = rows(api_runtime)
    assert reason in row.last_error and "_export" in row.payload
    assert notice.recipient == row.recipient and notice.status == "sent"
    (sent,) = [r for r in fake.state.records if r["api"] != "gettoken"]  # the notice only
    assert sent["api"] == "message/send" and sent["body"]["msgtype"] == "text"
    assert "表格没有生成成功" in sent["body"]["text"]["content"]
