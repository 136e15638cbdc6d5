"""A terminal WeCom: type as a cadre, see what the bot answers and what it pushed.

Each line becomes the callback WeCom would POST (encrypted, signed, new MsgId).
The passive reply is printed, then every message the fake WeCom API received for
this user since the line was sent (cards rendered as text with numbered buttons,
images as ``[图片 media_id (N KB)]``). :meth:`Simulator.poll` picks up what was
pushed meanwhile (a scheduler job's reminder); the interactive chat polls every
second while it waits for input.

Script / transcript format (``--script FILE`` or lines on stdin)::

    # a comment (ignored)
    帮助                      a text message
    !image [MEDIA_ID]         an image message
    !location 28.1 113.2 [标签]  a location message
    !event enter_agent [KEY]  an event (enter_agent, subscribe, click KEY …)
    !click KEY [TASK_ID]      a template-card button press
    !user USERID              from here on, chat as USERID (e.g. an administrator)
    2                         after a card: press its button number 2

The transcript printed is ``> line`` for what the user sent and ``< line`` for
every line the bot said (passive reply and pushed messages alike).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import requests

from bot.clock import Clock, system_clock, unix_seconds
from bot.devtools.callback_client import CallbackSigner, SignedCallback

QUIET_SECONDS = 0.3
MEDIA_LABELS = {"image": "图片", "file": "文件", "voice": "语音", "video": "视频"}


@dataclass
class Card:
    task_id: str
    buttons: list[tuple[str, str]]  # (label, key) in display order
    submit_key: str = ""  # vote/multiple cards: options are chosen, then submitted


def render(record: dict[str, Any]) -> tuple[list[str], Card | None]:
    """A fake-WeCom record → the lines a user would see, and the card if it had buttons."""
    body = record.get("body", {})
    api = record.get("api", "")
    if api == "message/update_template_card":
        button = body.get("button", {}).get("replace_name")
        return ([f"【卡片已更新】{button}"] if button else ["【卡片已更新】"]), None
    kind = body.get("msgtype", "")
    if kind in ("text", "markdown"):
        return str(body.get(kind, {}).get("content", "")).splitlines() or [""], None
    if kind == "textcard":
        tc = body.get("textcard", {})
        lines = [f"【{tc.get('title', '')}】", *str(tc.get("description", "")).splitlines()]
        return [*lines, f"{tc.get('btntxt') or '详情'}：{tc.get('url', '')}"], None
    if kind == "template_card":
        return _render_card(body.get("template_card", {}))
    if kind in MEDIA_LABELS:
        line = media_line(kind, body.get(kind) or {}, record.get("media_size"))
        name = record.get("media_name")
        return [f"{line[:-1]} {name}]" if name else line], None
    return [f"【{kind or api}】"], None


def media_line(kind: str, media: dict[str, Any], size: int | None) -> str:
    """``[图片 media-1a2b (45 KB)]`` for an image (or file, voice, video) message."""
    ident = str(media.get("media_id") or ("内嵌" if media.get("base64") else "?"))
    shown = f" ({max(1, round(size / 1024))} KB)" if size is not None else ""
    return f"[{MEDIA_LABELS[kind]} {ident}{shown}]"


def _render_card(tc: dict[str, Any]) -> tuple[list[str], Card | None]:
    lines = [f"【{tc.get('main_title', {}).get('title', '卡片')}】"]
    if desc := tc.get("main_title", {}).get("desc"):
        lines.append(str(desc))
    if sub := tc.get("sub_title_text"):
        lines.extend(str(sub).splitlines())
    for item in tc.get("horizontal_content_list", []):
        lines.append(f"{item.get('keyname', '')}：{item.get('value', '')}")
    buttons: list[tuple[str, str]] = [
        (str(b.get("text", "")), str(b.get("key", ""))) for b in tc.get("button_list", [])
    ]
    submit = ""
    checkbox = tc.get("checkbox") or {}
    if checkbox.get("option_list"):
        if q := checkbox.get("question_key"):
            lines.append(f"（{q}）")
        buttons = [(str(o.get("text", "")), str(o.get("id", ""))) for o in checkbox["option_list"]]
        submit = str(tc.get("submit_button", {}).get("key", "submit"))
    for i, (label, _key) in enumerate(buttons, 1):
        lines.append(f"  [{i}] {label}")
    card = Card(str(tc.get("task_id", "")), buttons, submit) if buttons else None
    return lines, card


@dataclass
class Simulator:
    """One user chatting with the webhook at ``webhook_url``; ``fake_url`` is the fake API."""

    signer: CallbackSigner
    userid: str
    webhook_url: str
    fake_url: str = ""
    settle: Callable[[], None] | None = None  # run after each line (e.g. drain the outbox)
    wait_seconds: float = 1.5
    http: requests.Session = field(default_factory=requests.Session)
    clock: Clock = field(default_factory=system_clock)  # the server's clock (same env)
    last_card: Card | None = None
    _seen: int = 0
    _start: int = 0
    _seen_by: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)  # send vs. idle polling

    def __post_init__(self) -> None:
        self._seen = self._start = self._latest_seq()

    def switch_user(self, userid: str) -> None:
        """Chat as ``userid`` from now on; each user's pushed messages are shown once."""
        self._seen_by[self.userid] = self._seen
        self.userid = userid
        self._seen = self._seen_by.get(userid, self._start)
        self.last_card = None

    def _latest_seq(self) -> int:
        records = self._fake_records(0)
        return max((int(r["seq"]) for r in records), default=0)

    def _fake_records(self, since: int) -> list[dict[str, Any]]:
        if not self.fake_url:
            return []
        resp = self.http.get(
            f"{self.fake_url}/fake/messages",
            params={"touser": self.userid, "since": str(since)},
            timeout=5,
        )
        resp.raise_for_status()
        return list(resp.json())

    def callback_for(self, line: str) -> SignedCallback:
        """Turn one script line into the callback WeCom would send."""
        self.signer.now = unix_seconds(self.clock)
        s, u = self.signer, self.userid
        if line.startswith("!"):
            cmd, *args = line[1:].split()
            if cmd == "image":
                return s.image(u, args[0] if args else f"sim-media-{s.rng.randrange(10**6)}")
            if cmd == "voice":
                return s.voice(u)
            if cmd == "location":
                return s.location(u, float(args[0]), float(args[1]), " ".join(args[2:]))
            if cmd == "event":
                return s.event(u, args[0], args[1] if len(args) > 1 else "")
            if cmd == "click":
                task = (
                    args[1] if len(args) > 1 else (self.last_card.task_id if self.last_card else "")
                )
                return s.card_click(u, args[0], task)
            raise ValueError(
                f"unknown directive !{cmd} (use !image, !voice, !location, !event, !click, !user)"
            )
        card = self.last_card
        if card and line.strip().isdecimal() and 1 <= int(line) <= len(card.buttons):
            label, key = card.buttons[int(line) - 1]
            if card.submit_key:
                return s.card_click(
                    u, card.submit_key, card.task_id, selected=[key], card_type="vote_interaction"
                )
            return s.card_click(u, key, card.task_id)
        return s.text(u, line)

    def send(self, line: str) -> list[str]:
        """Send one line; return the bot's lines (passive reply, then pushed messages).

        ``!user USERID`` sends nothing: it switches who is chatting and returns the
        messages pushed to that user since they last looked.
        """
        with self._lock:
            if line.startswith("!user"):
                _, *args = line.split()
                if len(args) != 1:
                    raise ValueError("!user needs one userid, e.g. !user demo_admin")
                self.switch_user(args[0])
                return self._pushed()
            return self._send(line)

    def _send(self, line: str) -> list[str]:
        cb = self.callback_for(line)
        resp = self.http.post(self.webhook_url, params=cb.query, data=cb.body, timeout=10)
        out: list[str] = []
        if resp.status_code != 200:
            out.append(f"[HTTP {resp.status_code}] {resp.text.strip()[:80]}")
        elif reply := self.signer.reply_text(resp.content):
            out.extend(reply.splitlines())
            self.last_card = None
        out.extend(self._pushed())
        return out

    def poll(self) -> list[str]:
        """Lines pushed to this user since the last look (e.g. a scheduler job's message)."""
        with self._lock:
            return self._collect()

    def _collect(self) -> list[str]:
        lines: list[str] = []
        for record in self._fake_records(self._seen):
            self._seen = max(self._seen, int(record["seq"]))
            shown, card = render(record)
            lines.extend(shown)
            if card is not None or record.get("api") == "message/send":
                self.last_card = card
        return lines

    def _pushed(self) -> list[str]:
        if self.settle is not None:
            self.settle()
        # Without a settle hook the outbox worker delivers on its own schedule: poll
        # until something arrives, then a short quiet period for the rest of a burst.
        deadline = time.monotonic() + (0 if self.settle else self.wait_seconds)
        lines: list[str] = []
        while True:
            fresh = self._collect()
            lines.extend(fresh)
            if fresh and not self.settle:
                deadline = min(deadline, time.monotonic() + QUIET_SECONDS)
            if time.monotonic() >= deadline:
                return lines
            time.sleep(0.1)


def script_lines(lines: Iterable[str]) -> Iterator[str]:
    """The non-empty, non-comment lines of a script, stripped."""
    for raw in lines:
        line = raw.rstrip("\n").strip()
        if line and not line.startswith("#"):
            yield line


def play(sim: Simulator, lines: Iterable[str], write: Callable[[str], None]) -> None:
    """Play a script and write the transcript: ``> sent`` then ``< answer`` lines."""
    for line in script_lines(lines):
        write(f"> {line}")
        for answer in sim.send(line):
            write(f"< {answer}")
