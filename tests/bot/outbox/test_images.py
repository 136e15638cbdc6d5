"""Image payloads (``_upload``) through the outbox sender and the fake WeCom."""

from __future__ import annotations

import base64
import hashlib

import requests

from bot.devtools.fakewecom import RunningFake
from bot.devtools.simulator import render
from bot.outbox.worker import DrainCounts, drain_once
from bot.runtime import Runtime
from scheduler.sending import image_payload
from storage import outbox
from tests.bot.outbox.test_worker import control, rows
from tests.support.clock import MutableClock

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 12  # ~3 KB standing in for a chart


def queue_image(runtime: Runtime, channel: str = "message", recipient: str = "leader1") -> None:
    with runtime.unit_of_work() as s:
        payload = image_payload(PNG, "weekly-1.png")
        outbox.enqueue(s, channel, recipient, payload, runtime.clock())


def calls(fake: RunningFake, api: str) -> list[dict]:
    return [r for r in fake.state.records if r["api"] == api]


def fail_second_call(monkeypatch, fake: RunningFake, answer: dict) -> None:  # type: ignore[no-untyped-def]
    """The next API call (the upload) succeeds, the one after (the send) gets ``answer``."""
    answers = iter([None, answer])
    monkeypatch.setattr(fake.state, "injected_failure", lambda: next(answers, None))


def test_an_image_is_uploaded_then_sent_with_the_returned_media_id(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    queue_image(api_runtime)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    (upload,) = calls(fake, "media/upload")
    assert upload["body"] == {"type": "image", "filename": "weekly-1.png", "size": len(PNG)}
    (send,) = calls(fake, "message/send")
    media_id = send["body"]["image"]["media_id"]
    assert fake.state.media[media_id] == PNG and upload["seq"] < send["seq"]
    assert send["to"] == ["leader1"] and "_upload" not in send["body"]
    (row,) = rows(api_runtime)
    assert row.status == "sent" and row.payload == {
        "msgtype": "image",
        "image": {"media_id": media_id},
    }
    shown = requests.get(f"{fake.url}/fake/messages", params={"touser": "leader1"}, timeout=5)
    assert render(shown.json()[0])[0] == [f"[图片 {media_id} (3 KB)]"]


def test_a_failed_upload_keeps_the_file_and_is_retried(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    queue_image(api_runtime)
    control(fake, errcode=-1, count=1)  # the upload meets "system busy"
    assert drain_once(api_runtime) == DrainCounts(retrying=1)
    (row,) = rows(api_runtime)
    assert row.status == "pending" and "media/upload: errcode -1" in row.last_error
    assert base64.b64decode(row.payload["_upload"]["base64"]) == PNG
    assert "media_id" not in row.payload["_upload"] and calls(fake, "message/send") == []
    clock.advance(seconds=10)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert len(calls(fake, "media/upload")) == 1 and len(calls(fake, "message/send")) == 1


def test_a_failed_send_reuses_the_upload_for_three_days_then_uploads_again(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock, monkeypatch
) -> None:
    queue_image(api_runtime)
    # The upload succeeds, then the send meets "system busy": the media_id is remembered.
    fail_second_call(monkeypatch, fake, {"errcode": -1, "errmsg": "busy"})
    assert drain_once(api_runtime) == DrainCounts(retrying=1)
    monkeypatch.undo()
    (row,) = rows(api_runtime)
    remembered = row.payload["_upload"]["media_id"]
    assert remembered in fake.state.media and row.payload["_upload"]["uploaded_at"]
    clock.advance(seconds=10)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert len(calls(fake, "media/upload")) == 1  # not uploaded again
    assert calls(fake, "message/send")[-1]["body"]["image"]["media_id"] == remembered

    queue_image(api_runtime, recipient="leader2")
    control(fake, errcode=-1, count=1)  # the first try's upload fails ...
    drain_once(api_runtime)
    clock.advance(days=3)  # ... and a remembered id would be too old by now anyway
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert len(calls(fake, "media/upload")) == 2


def test_an_expired_media_id_is_forgotten_and_the_file_uploaded_again(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock, monkeypatch
) -> None:
    queue_image(api_runtime)
    fail_second_call(monkeypatch, fake, {"errcode": 40007, "errmsg": "invalid media_id"})
    assert drain_once(api_runtime) == DrainCounts(retrying=1)
    monkeypatch.undo()
    (row,) = rows(api_runtime)
    assert "media_id" not in row.payload["_upload"]
    clock.advance(seconds=10)
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert len(calls(fake, "media/upload")) == 2


def test_a_group_robot_gets_the_image_inline_without_an_upload(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    queue_image(api_runtime, channel="robot", recipient="robot-key")
    assert drain_once(api_runtime) == DrainCounts(sent=1)
    assert calls(fake, "media/upload") == []
    (sent,) = calls(fake, "webhook/send")
    image = sent["body"]["image"]
    assert base64.b64decode(image["base64"]) == PNG
    assert image["md5"] == hashlib.md5(PNG).hexdigest() and sent["media_size"] == len(PNG)
    shown = requests.get(f"{fake.url}/fake/messages", params={"chat": "robot-key"}, timeout=5)
    assert [r["seq"] for r in shown.json()] == [sent["seq"]]


def test_a_malformed_upload_fails_the_row_with_a_reason(api_runtime: Runtime) -> None:
    with api_runtime.unit_of_work() as s:
        bad = {"msgtype": "image", "image": {"media_id": ""}, "_upload": {"type": "image"}}
        outbox.enqueue(s, "message", "leader1", bad, api_runtime.clock())
    assert drain_once(api_runtime) == DrainCounts(failed=1)
    assert "_upload.base64 missing" in rows(api_runtime)[0].last_error
