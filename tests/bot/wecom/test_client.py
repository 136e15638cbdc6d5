"""The API client against the fake WeCom over real HTTP: token sharing, refresh, errors."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
import requests

from bot.devtools.fakewecom import RunningFake
from bot.runtime import Runtime
from bot.wecom.client import WecomApiError, WecomClient, WecomNetworkError
from bot.wecom.tokens import make_client
from tests.support.clock import MutableClock
from tests.support.config import LATE


def closed_port() -> int:
    """A local port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def send_text(client: WecomClient, touser: str, content: str) -> None:
    client.send_message(touser, {"msgtype": "text", "text": {"content": content}})


def control(fake: RunningFake, **cmd: object) -> None:
    requests.post(f"{fake.url}/fake/control", json=cmd, timeout=5).raise_for_status()


def test_token_is_shared_between_clients_through_the_database(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    send_text(make_client(api_runtime), "zhangsan", "一")
    send_text(make_client(api_runtime), "lisi", "二")  # another process, same database
    assert fake.state.gettoken_calls == 1
    assert [r["to"] for r in fake.state.records] == [["zhangsan"], ["lisi"]]


def test_expired_token_is_fetched_again(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    client = make_client(api_runtime)
    send_text(client, "zhangsan", "一")
    clock.advance(hours=2)
    send_text(client, "zhangsan", "二")
    assert fake.state.gettoken_calls == 2


def test_token_error_refreshes_once_then_succeeds(api_runtime: Runtime, fake: RunningFake) -> None:
    client = make_client(api_runtime)
    send_text(client, "zhangsan", "一")
    control(fake, expire_tokens=True)  # WeCom now answers 42001 to the cached token
    send_text(client, "zhangsan", "二")
    assert fake.state.gettoken_calls == 2
    assert len(fake.state.records) == 2


def test_persistent_token_error_is_raised_after_one_refresh(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    client = make_client(api_runtime)
    client.token()
    control(fake, errcode=40014, count=10)
    with pytest.raises(WecomApiError) as err:
        send_text(client, "zhangsan", "一")
    assert err.value.errcode == 40014
    assert fake.state.gettoken_calls == 2  # the first token, one refresh, no loop


def test_bad_secret_is_a_clear_error_not_recursion(db_url: str, fake: RunningFake) -> None:
    from bot import config as config_mod
    from tests.support.config import config_dict

    raw = config_dict(db_url, wecom={"api_base_url": fake.url, "secret": "wrong"})
    rt = Runtime.from_config(config_mod.from_dict(raw, environ={}))
    try:
        with pytest.raises(WecomApiError) as err:
            send_text(make_client(rt), "zhangsan", "一")
    finally:
        rt.close()
    assert err.value.errcode == 40001 and "secret" in str(err.value)
    assert fake.state.gettoken_calls == 1


def test_untrusted_ip_error_says_so(api_runtime: Runtime, fake: RunningFake) -> None:
    control(fake, errcode=60020, count=1)
    with pytest.raises(WecomApiError) as err:
        send_text(make_client(api_runtime), "zhangsan", "一")
    assert "可信 IP" in str(err.value) and "trusted IP" in str(err.value)


def test_a_get_that_times_out_is_retried_once_then_network_error(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    client = make_client(api_runtime)
    client.token()
    control(fake, delay_seconds=LATE, count=1)  # after the client's read timeout
    assert client.get_media("m1")[0]  # first try times out, the retry goes through
    control(fake, delay_seconds=LATE, count=2)
    with pytest.raises(WecomNetworkError):
        client.get_media("m1")


def test_a_send_that_times_out_is_not_sent_again_at_once(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    """The request reached WeCom: resending now could deliver it twice; the outbox retries."""
    client = make_client(api_runtime)
    client.token()
    control(fake, slow_answer_seconds=LATE, count=1)
    with pytest.raises(WecomNetworkError, match="ReadTimeout"):
        send_text(client, "zhangsan", "一")
    assert [r["api"] for r in fake.state.records] == ["message/send"]


def test_a_refused_connection_is_retried_once_at_once(api_runtime: Runtime) -> None:
    """Nothing left: a second try is safe (and fails again here, with a clear error)."""
    attempts = []

    class Refusing(requests.Session):
        def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
            attempts.append(url)
            return super().request(method, f"http://127.0.0.1:{closed_port()}/", *args, **kwargs)

    client = make_client(api_runtime, http=Refusing())
    client.tokens.put("tok", api_runtime.clock() + timedelta(hours=1))
    with pytest.raises(WecomNetworkError, match="ConnectionError"):
        send_text(client, "zhangsan", "一")
    assert len(attempts) == 2


def test_every_message_send_asks_wecom_to_drop_duplicates(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    send_text(make_client(api_runtime), "zhangsan", "一")
    body = fake.state.records[-1]["body"]
    assert body["enable_duplicate_check"] == 1
    assert 0 < body["duplicate_check_interval"] <= 4 * 3600


def test_template_card_update_appchat_robot_and_media(
    api_runtime: Runtime, fake: RunningFake
) -> None:
    client = make_client(api_runtime)
    card = {"card_type": "button_interaction", "task_id": "t1", "main_title": {"title": "确认"}}
    client.send_message("zhangsan", {"msgtype": "template_card", "template_card": card})
    client.update_template_card(
        {"userids": ["zhangsan"], "response_code": "rc", "button": {"replace_name": "已确认"}}
    )
    client.appchat_send("chat1", {"msgtype": "text", "text": {"content": "提醒"}})
    client.robot_send("robot-key", {"msgtype": "markdown", "markdown": {"content": "**进度**"}})
    media_id = client.upload_media("file", "台账.xlsx", b"PK\x03\x04 fake xlsx")
    content, ctype = client.get_media(media_id)
    assert (content, ctype) == (b"PK\x03\x04 fake xlsx", "image/jpeg")
    apis = [r["api"] for r in fake.state.records]
    assert apis == [
        "message/send",
        "message/update_template_card",
        "appchat/send",
        "webhook/send",
        "media/upload",
    ]
    sent = fake.state.records[0]["body"]
    assert sent["agentid"] == 1000002 and sent["template_card"]["task_id"] == "t1"


def test_processes_finding_the_token_expired_together_fetch_it_once(
    api_runtime: Runtime, fake: RunningFake, clock: MutableClock
) -> None:
    """Four processes (separate clients, one database) need a token at the same moment."""
    import threading

    make_client(api_runtime).token()
    clock.advance(hours=2)  # expired for everyone
    control(fake, delay_seconds=0.3, delay_count=1)  # a slow gettoken widens the race
    clients = [make_client(api_runtime) for _ in range(4)]
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda c=c: tokens.append(c.token())) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.state.gettoken_calls == 2  # the first token, then one refresh for all four
    assert len(set(tokens)) == 1 and len(tokens) == 4
