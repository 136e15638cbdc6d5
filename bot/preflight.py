"""``minqing check-config``: what must be right before going live, one item per line.

Each check takes the runtime and returns a :class:`Check` (passed or not, and why, in
Chinese and English). They read the database through storage/ and call WeCom for real
(``gettoken`` against ``[wecom] api_base_url``); they change nothing, except that a
fresh token is fetched and thrown away. The order is the order an operator fixes
things in: the database first, since the groups and the scheduler checks need it.
"""

from __future__ import annotations

import re
import secrets
from base64 import b64decode
from binascii import Error as Base64Error
from dataclasses import dataclass

import requests
from sqlalchemy.exc import SQLAlchemyError

from bot.runtime import Runtime
from bot.wecom.client import WecomApiError, WecomNetworkError
from bot.wecom.crypto import CallbackCrypto
from bot.wecom.parser import CallbackError
from bot.wecom.tokens import make_client
from storage import cadres, leases, schema, units

CHECKMARK, CROSS = "✓", "✗"
DATABASE = "数据库 (database)"
MIGRATIONS = "数据库版本 (migrations)"
CREDENTIALS = "企业微信应用凭证 (WeCom credentials)"
CALLBACK = "回调 Token 与 EncodingAESKey (callback token and key)"
GROUPS = "群聊或群机器人 (group chats)"
SCHEDULER = "定时任务进程 (scheduler)"
# WeCom's rules for the 接收消息 settings: Token is letters and digits, at most 32 long;
# EncodingAESKey is 43 letters and digits (base64 of a 32-byte AES key, "=" left off).
TOKEN_RE = re.compile(r"[A-Za-z0-9]{1,32}")
AES_KEY_RE = re.compile(r"[A-Za-z0-9]{43}")
MAX_NAMED = 10  # units named in one line; the rest are counted
# gettoken's errcodes an operator can fix, in their words (WeCom's 全局错误码).
GETTOKEN_ERRORS = {
    40001: "Secret 不对 (wrong secret)",
    40013: "企业ID 不对 (wrong corp_id)",
    40091: "Secret 格式不对 (malformed secret)",
    60020: "本机 IP 不在应用的可信IP里 (this server's IP is not in the app's trusted IPs)",
}


@dataclass(frozen=True)
class Check:
    """One item of the list: passed or not, what was checked, and why."""

    ok: bool
    item: str
    reason: str

    def line(self) -> str:
        return f"{CHECKMARK if self.ok else CROSS} {self.item}: {self.reason}"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMED])
    return shown if len(names) <= MAX_NAMED else f"{shown} 等 {len(names)} 个 ({len(names)} units)"


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def database(rt: Runtime) -> Check:
    item = DATABASE
    url = rt.engine.url.render_as_string(hide_password=True)
    try:
        schema.current_revision(rt.engine)
    except SQLAlchemyError as exc:
        return Check(False, item, f"无法连接 (cannot connect to {url}): {_first_line(exc)}")
    return Check(True, item, f"可以连接 (reachable: {url})")


def migrations(rt: Runtime) -> Check:
    item = MIGRATIONS
    head = schema.head_revision(rt.engine)
    current = schema.current_revision(rt.engine)
    if current == head:
        return Check(True, item, f"已是最新 (at head {head})")
    if current is None:
        return Check(False, item, f"尚未建表，请运行 minqing init-db (empty; head is {head})")
    return Check(
        False,
        item,
        f"数据库在 {current}，程序需要 {head}，请运行 minqing init-db "
        f"(database at {current}, code expects {head})",
    )


def credentials(rt: Runtime) -> Check:
    item = CREDENTIALS
    w = rt.config.wecom
    if not w.secret:
        return Check(False, item, "未设置 Secret (wecom.secret or $MINQING_WECOM_SECRET is empty)")
    if not w.agent_id:
        return Check(False, item, "未设置 AgentId (wecom.agent_id is 0)")
    try:
        make_client(rt, requests.Session()).fetch_token()
    except WecomApiError as exc:
        why = GETTOKEN_ERRORS.get(exc.errcode, "gettoken 被拒绝 (refused)")
        return Check(False, item, f"{why}; gettoken errcode {exc.errcode} at {w.api_base_url}")
    except WecomNetworkError as exc:
        return Check(False, item, f"无法访问 (cannot reach) {w.api_base_url}: {exc}")
    return Check(True, item, f"gettoken 成功 (token issued by {w.api_base_url})")


def callback_secrets(rt: Runtime) -> Check:
    item = CALLBACK
    w = rt.config.wecom
    if not TOKEN_RE.fullmatch(w.token):
        return Check(False, item, "Token 须为 1–32 位英文或数字 (token: 1-32 letters or digits)")
    if not AES_KEY_RE.fullmatch(w.encoding_aes_key):
        return Check(False, item, "EncodingAESKey 须为 43 位英文或数字 (key: 43 letters or digits)")
    try:
        if len(b64decode(w.encoding_aes_key + "=", validate=True)) != 32:
            raise ValueError("not 32 bytes")
        crypto = CallbackCrypto(w.token, w.encoding_aes_key, w.corp_id)
        plain = f"<xml><Check>{secrets.token_hex(8)}</Check></xml>"
        if crypto.decrypt_reply(crypto.encrypt_reply(plain, "0", "check")) != plain:
            raise ValueError("round trip changed the text")
    except (Base64Error, ValueError, CallbackError) as exc:
        return Check(False, item, f"EncodingAESKey 无法使用 (key unusable: {exc})")
    return Check(
        True, item, "格式正确，加解密往返成功 (well-formed; encrypt/decrypt round trip ok)"
    )


def groups(rt: Runtime) -> list[Check]:
    item = GROUPS
    with rt.unit_of_work() as session:
        staffed = cadres.units_with_active_cadres(session)
        known = set(units.unit_names_offices_first(session))
    configured = {g.unit for g in rt.config.groups}
    if not staffed:
        return [Check(False, item, "花名册里没有干部，请先导入 (no active cadres: import-roster)")]
    out: list[Check] = []
    missing = [u for u in staffed if u not in configured]
    if missing:
        out.append(
            Check(
                False,
                item,
                f"这些有干部的单位没有配置 [[groups]]：{_names(missing)} "
                "(units with cadres but no group chat or robot)",
            )
        )
    else:
        out.append(
            Check(True, item, f"{len(staffed)} 个有干部的单位都已配置 (every staffed unit has one)")
        )
    strangers = sorted(configured - known)
    if strangers:
        out.append(
            Check(
                False,
                "[[groups]] 单位 (group units)",
                f"不在花名册里：{_names(strangers)} (unit not on the roster)",
            )
        )
    return out


def scheduler_lease(rt: Runtime) -> Check:
    item = SCHEDULER
    now = rt.clock()
    with rt.unit_of_work() as session:
        held = leases.last_holder(session, leases.SCHEDULER_LEASE)
    if held is None:
        return Check(False, item, "从未运行，请启动 minqing scheduler (no scheduler has ever run)")
    holder, until = held
    local = until.astimezone(rt.zone).strftime("%Y-%m-%d %H:%M:%S")
    if until <= now:
        return Check(
            False,
            item,
            f"租约已于 {local} 过期，没有调度进程在运行 (lease of {holder} expired: "
            "no scheduler alive)",
        )
    return Check(True, item, f"{holder} 持有租约至 {local} (lease holder alive)")


def run(rt: Runtime) -> list[Check]:
    """Every check in order. Those reading the tables are skipped (and fail) while the
    database is down or its schema is not current, so they never stop on a SQL error."""
    results = [database(rt)]
    if results[0].ok:
        results.append(migrations(rt))
    else:
        results.append(Check(False, MIGRATIONS, "未检查：数据库无法连接 (skipped: no database)"))
    tables_ok = results[-1].ok
    results += [credentials(rt), callback_secrets(rt)]
    if tables_ok:
        results += [*groups(rt), scheduler_lease(rt)]
    else:
        why = "未检查：数据库不可用或未升级 (skipped: database down or not current)"
        results += [Check(False, GROUPS, why), Check(False, SCHEDULER, why)]
    return results
