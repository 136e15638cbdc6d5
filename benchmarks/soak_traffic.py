"""The soak's traffic: a roster of N cadres, and the cadres logging whole visits.

:func:`write_roster` writes an import workbook (one town, one village, its grids,
N 走访干部 each with a few 一般农户 households) that ``minqing import-roster``
loads. :class:`Traffic` plays every cadre's visits (走访 → 1 → the at-home answers
→ 1 确认) as real encrypted callbacks from several threads, each with its own
keep-alive session, and behaves like WeCom: a callback whose answer is lost
(connection reset, HTTP 5xx, timeout) is posted again, the same body; some are
posted twice on purpose — concurrently, or again after the first was answered —
and every repeat must get the same reply as the first.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from bot.clock import wall_now
from bot.config import DEFAULT_TIMEZONE
from bot.devtools.callback_client import CallbackSigner, SignedCallback
from bot.dialogs import engine
from bot.dialogs.contracts import Context, Message, SaveVisit, TargetInfo
from bot.dialogs.state import DialogState
from bot.dialogs.template import load_named
from bot.wecom.crypto import CallbackCrypto
from storage import vocab
from storage.roster.demo import PHASE_PLAN, SURNAMES
from storage.roster.sheets import CADRES, PHASES, TARGETS, UNITS
from storage.roster.template import new_roster_workbook
from storage.xlsx_cells import save_workbook

TOWN, VILLAGE, GRIDS = "虹桥镇", "虹桥村", 5
# The default questionnaire (yizou_erwen_sankan), a 一般农户 at home with nothing to
# report: the script the field-speed test enforces (tests/support/dialogs.py).
AT_HOME = ("在家", "是", "1", "否", "1", "1", "1", "1")
SAVED = "已保存"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰涛明超"


def expected_answers() -> dict[str, Any]:
    """The answers a visit played with :data:`AT_HOME` saves, from the pure engine."""
    house = TargetInfo(1, "张三", "1号", "1组", "", False, ("一般农户",))
    ctx = Context(datetime(2026, 11, 23, 9, tzinfo=UTC), ZoneInfo(DEFAULT_TIMEZONE), (house,))
    template, state = load_named("yizou_erwen_sankan"), DialogState()
    for text in ("走访", "1", *AT_HOME, "1"):
        outcome = engine.step(template, state, Message(text=text), ctx)
        state = outcome.state or state
        saved = [e for e in outcome.effects if isinstance(e, SaveVisit)]
        if saved:
            return dict(saved[0].answers)
    raise RuntimeError("the at-home script no longer saves a visit")


def cadre_userid(i: int) -> str:
    return f"soak_c{i:02d}"


def write_roster(path: Path, cadres: int, households_per_cadre: int, today: date) -> Path:
    """The roster workbook: ``cadres`` visitors, each assigned ``households_per_cadre``."""
    wb = new_roster_workbook()
    units = [[TOWN, "", "镇"], ["党政办", TOWN, "线办"], [VILLAGE, TOWN, "村"]]
    units += [[f"{VILLAGE}第{g}网格", VILLAGE, "网格"] for g in range(1, GRIDS + 1)]
    people = [["管理员甲", "soak_admin", "党政办", "管理员", ""]]
    people.append(["镇长乙", "soak_leader", TOWN, "负责人", ""])
    targets = []
    kind = vocab.TARGET_KIND_LABELS[vocab.kind_of_categories([""])]
    n = 0
    for i in range(cadres):
        surname = SURNAMES[i % len(SURNAMES)][0]
        grid = i % GRIDS + 1
        people.append(
            [f"{surname}干部{i:02d}", cadre_userid(i), f"{VILLAGE}第{grid}网格", "走访干部", ""]
        )
        for _ in range(households_per_cadre):
            n += 1
            head = SURNAMES[n % len(SURNAMES)][0] + GIVEN[n % len(GIVEN)] + f"{n:03d}"
            address = f"{grid}组{n}号"
            targets.append([f"SK-{n:04d}", head, VILLAGE, f"第{grid}网格", address, "", "", 3])
            targets[-1] += [cadre_userid(i), kind]
    phases = [
        [name, today + timedelta(days=a), today + timedelta(days=b)] for name, a, b in PHASE_PLAN
    ]
    for sheet, rows in ((UNITS, units), (CADRES, people), (TARGETS, targets), (PHASES, phases)):
        for row in rows:
            wb[sheet].append(row)
    save_workbook(wb, path)
    return path


@dataclass
class Figures:
    """What the traffic did, for the report and the checks (one lock for all)."""

    unique: int = 0  # distinct callbacks (MsgIds) sent
    posts: int = 0  # HTTP posts answered 200, repeats included
    lost_answers: int = 0  # reset, 5xx or timeout: posted again like WeCom does
    repeats_after: int = 0  # posted again after the first was answered
    repeats_concurrent: int = 0  # posted twice at once
    mismatched: list[str] = field(default_factory=list)  # a repeat answered differently
    saved: int = 0  # 已保存 replies
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)

    def percentile(self, p: float) -> float:
        with self.lock:
            ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        if p == 50:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


@dataclass
class Traffic:
    """Plays ``visits`` visits for each of ``cadres`` cadres against ``url``."""

    url: str
    crypto: CallbackCrypto
    agent_id: int
    cadres: int
    visits: int
    threads: int
    seed: int
    repeat_after_rate: float = 0.06
    repeat_concurrent_rate: float = 0.04
    figures: Figures = field(default_factory=Figures)

    @property
    def planned(self) -> int:
        return self.cadres * self.visits * (len(AT_HOME) + 3)

    def script(self) -> list[str]:
        return [text for _ in range(self.visits) for text in ("走访", "1", *AT_HOME, "1")]

    def run(self) -> None:
        """Every cadre's whole script; returns when all are done (or failed)."""
        groups = [list(range(t, self.cadres, self.threads)) for t in range(self.threads)]
        with ThreadPoolExecutor(4, thread_name_prefix="repeat") as repeats:
            workers = [
                threading.Thread(
                    target=self._play, args=(g, t, repeats), name=f"cadres-{t}", daemon=True
                )
                for t, g in enumerate(groups)
            ]
            for w in workers:
                w.start()
            for w in workers:
                w.join()

    def _play(self, cadres: list[int], t: int, repeats: ThreadPoolExecutor) -> None:
        rng = random.Random(self.seed * 1000 + t)
        signer = CallbackSigner(self.crypto, self.agent_id, rng)
        http = requests.Session()
        script = self.script()
        try:
            for step, text in enumerate(script):  # the cadres take turns, step by step
                for i in cadres:
                    signer.now = int(wall_now().timestamp())
                    callback = signer.text(cadre_userid(i), text)
                    self.figures.add(unique=1)
                    reply = self._send(http, signer, callback, rng, repeats)
                    if step % (len(AT_HOME) + 3) == len(AT_HOME) + 2:
                        if SAVED in reply:
                            self.figures.add(saved=1)
                        else:
                            self._fail(f"{cadre_userid(i)} step {step}: not saved: {reply[:80]!r}")
        except Exception as exc:  # keep the other threads going; the checks report it
            self._fail(f"thread {t}: {type(exc).__name__}: {exc}")
        finally:
            http.close()  # no idle keep-alive connection left for the server to wait out

    def _fail(self, what: str) -> None:
        with self.figures.lock:
            self.figures.failures.append(what)

    def _send(
        self,
        http: requests.Session,
        signer: CallbackSigner,
        callback: SignedCallback,
        rng: random.Random,
        repeats: ThreadPoolExecutor,
    ) -> str:
        roll = rng.random()
        twin: Future[str] | None = None
        if roll < self.repeat_concurrent_rate:  # WeCom's retry racing the first try
            self.figures.add(repeats_concurrent=1)
            twin = repeats.submit(self._post_fresh, signer.reply_text, callback)
        reply = self._post(http, signer.reply_text, callback)
        if twin is not None:
            self._same(callback, reply, twin.result())
        if (
            self.repeat_concurrent_rate
            <= roll
            < self.repeat_concurrent_rate + self.repeat_after_rate
        ):
            self.figures.add(repeats_after=1)
            self._same(callback, reply, self._post(http, signer.reply_text, callback))
        return reply

    def _same(self, callback: SignedCallback, first: str, again: str) -> None:
        if first != again:
            with self.figures.lock:
                self.figures.mismatched.append(f"{first[:40]!r} then {again[:40]!r}")

    def _post_fresh(self, decrypt: Callable[[bytes], str], callback: SignedCallback) -> str:
        with requests.Session() as http:
            return self._post(http, decrypt, callback)

    def _post(
        self, http: requests.Session, decrypt: Callable[[bytes], str], callback: SignedCallback
    ) -> str:
        """POST until answered 200, like WeCom (which retries a lost answer)."""
        for _ in range(10):
            started = time.perf_counter()
            try:
                resp = http.post(
                    self.url + callback.path,
                    data=callback.body,
                    headers={"Content-Type": "text/xml"},
                    timeout=30,
                )
            except requests.RequestException:
                self.figures.add(lost_answers=1)
                continue
            elapsed = time.perf_counter() - started
            if resp.status_code >= 500:
                self.figures.add(lost_answers=1)
                continue
            if resp.status_code != 200:
                raise RuntimeError(f"callback answered HTTP {resp.status_code}")
            with self.figures.lock:
                self.figures.posts += 1
                self.figures.latencies.append(elapsed)
            return decrypt(resp.content)
        raise RuntimeError("callback never answered after 10 tries")
