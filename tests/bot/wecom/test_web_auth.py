"""WeCom web authorization against the fake: authorize hands back a one-use code,
auth/getuserinfo turns it into the userid once, and the fake asks who is logged in
when it does not know."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.devtools.fakewecom import RunningFake
from bot.runtime import Runtime
from bot.wecom.client import WecomApiError
from bot.wecom.tokens import make_client


def authorize(fake: RunningFake, **params: str) -> requests.Response:
    query = {"appid": "wwtest", "redirect_uri": "http://app.example/m/oauth", "state": "s1"}
    return requests.get(
        f"{fake.url}/connect/oauth2/authorize",
        params={**query, **params},
        allow_redirects=False,
        timeout=10,
    )


def test_a_code_names_its_user_once(api_runtime: Runtime, fake: RunningFake) -> None:
    answer = authorize(fake, userid="lisi")
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "app.example" and back.path == "/m/oauth"
    query = parse_qs(back.query)
    assert query["state"] == ["s1"]
    client = make_client(api_runtime)
    assert client.user_of_code(query["code"][0]) == "lisi"
    with pytest.raises(WecomApiError) as refused:
        client.user_of_code(query["code"][0])
    assert refused.value.errcode == 40029


def test_without_a_known_user_the_fake_asks_who(fake: RunningFake) -> None:
    answer = authorize(fake)
    assert answer.status_code == 200
    assert 'name="userid"' in answer.text and "redirect_uri" in answer.text


def test_fake_login_remembers_the_user_for_authorize(fake: RunningFake) -> None:
    browser = requests.Session()
    browser.get(
        f"{fake.url}/fake/login",
        params={"userid": "wangwu", "next": f"{fake.url}/fake/stats"},
        timeout=10,
    )
    answer = browser.get(
        f"{fake.url}/connect/oauth2/authorize",
        params={"redirect_uri": "http://app.example/m/oauth", "state": "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302 and "code=" in answer.headers["Location"]
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    assert fake.state.oauth_codes[code] == "wangwu"
