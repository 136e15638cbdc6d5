"""Every Chinese sentence the scheduler sends, in one place.

Functions take plain figures and return text; none of them sees a session.
Group texts carry unit counts and cadre names only (the privacy guard checks).
Every name or text from the database is put on one line (:func:`ln`) before it is
spliced into a message, so a line break in it cannot forge a line of the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.facts import Coverage
from storage.progress import CadreProgress, HalfmonthRow, ProblemCounts, UnitCoverage, WeeklyFigures
from storage.safe_text import one_line as ln
from storage.vocab import TARGET_KIND_LABELS

MAX_LISTED = 20


def md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def _more(total: int, shown: int) -> str:
    return f"\n……等共 {total} 项" if total > shown else ""


# --- deadline reminders --------------------------------------------------------


def reminder_group(
    campaign: str,
    phase: str,
    deadline: date,
    days_left: int,
    coverage: Sequence[UnitCoverage],
    behind: Sequence[CadreProgress],
) -> str:
    lines = [
        f"【{ln(campaign)}】「{ln(phase)}」阶段将于{md(deadline)}截止（还有 {days_left} 天）。"
    ]
    if coverage:
        lines.append("各单位进度（入户走访 / 电话联系 / 不在家已登记 / 未走访，应走访）：")
        lines += [
            f"· {ln(c.unit)}：{c.visited} / {c.phone} / {c.away} / {c.not_visited}，共 {c.assigned} 户"
            for c in coverage
        ]
    if behind:
        names = "、".join(f"{ln(b.name)}（剩 {b.remaining} 户）" for b in behind[:MAX_LISTED])
        lines.append(f"尚未完成走访的干部：{names}{_more(len(behind), MAX_LISTED)}")
        lines.append("请抓紧时间完成走访任务。")
    else:
        lines.append("全部干部已完成走访任务，辛苦了！")
    return "\n".join(lines)


def reminder_personal(
    name: str, phase: str, deadline: date, days_left: int, remaining: Sequence[str]
) -> str:
    head = (
        f"{ln(name)}您好：「{ln(phase)}」阶段将于{md(deadline)}截止（还有 {days_left} 天），"
        f"您还有 {len(remaining)} 户未走访："
    )
    items = [f"{i}. {ln(label)}" for i, label in enumerate(remaining[:MAX_LISTED], 1)]
    tail = "请尽快完成走访，并在本应用中记录走访情况。"
    return "\n".join([head, *items]) + _more(len(remaining), MAX_LISTED) + "\n" + tail


def target_label(
    head_name: str, unit: str, grid: str, address: str, kind: str = "household"
) -> str:
    """张三家（虹桥村 3组 15号）; a shop, school or village by its own name, no 家."""
    where = " ".join(x for x in (unit, grid, address) if x)
    name = f"{head_name}家" if kind == "household" else head_name
    return f"{name}（{where}）" if where else name


# --- weekly review draw ----------------------------------------------------------


def draw_announcement(
    unit: str, week: str, revision: int, seed: str, pool_size: int, drawn: Sequence[str], when: str
) -> str:
    lines = [f"【讲评抽签】{ln(unit)} {week} 周讲评会随机抽取 {len(drawn)} 名干部汇报走访情况："]
    lines.append("、".join(map(ln, drawn)) if drawn else "（候选干部为空，本周未抽取）")
    if revision:
        lines.append(f"（第 {revision} 次重新抽取）")
    lines.append(f"候选人数：{pool_size}；抽签时间：{when}")
    lines.append(f"随机种子：{seed}")
    lines.append(f"任何人可用 minqing review-draw --unit {unit} --week {week} --verify 复核。")
    return "\n".join(lines)


def draw_personal(
    name: str,
    unit: str,
    week: str,
    assigned: int,
    contacted: int,
    found: int,
    solved: int,
    explained: int = 0,
) -> str:
    visits = f"已覆盖 {contacted} / {assigned} 户" if assigned else "本次活动暂未分配走访户"
    return (
        f"{ln(name)}您好：您被随机抽中参加{ln(unit)} {week} 周的走访讲评会，请准备汇报。\n"
        f"您的走访情况：{visits}；发现问题 {found} 个，已解决 {solved} 个，已解释 {explained} 个。"
    )


def draw_text(
    unit: str,
    week: str,
    revision: int,
    seed: str,
    pool: Sequence[str],
    drawn: Sequence[str],
    when: str,
    reason: str,
) -> str:
    """The stored draw as the CLI prints it (identical on every call)."""
    lines = [
        f"单位：{unit}",
        f"周次：{week}",
        f"修订：{revision}" + (f"（原因：{reason}）" if reason else ""),
        f"抽签时间：{when}",
        f"随机种子：{seed}",
        f"候选（{len(pool)} 人）：{'、'.join(pool)}",
        f"抽中（{len(drawn)} 人）：{'、'.join(drawn)}",
    ]
    return "\n".join(lines)


REDRAW_NEEDS_REASON = "重新抽取必须说明原因（--reason）"


def redraw_not_leader(userid: str) -> str:
    return f"{userid} 不是在册的负责人，不能重新抽取"


def redraw_wrong_unit(leader: str, unit: str) -> str:
    return f"{leader} 不是{unit}或其上级单位的负责人"


def redraw_nothing_to_redo(unit: str, week: str) -> str:
    return f"{unit} {week} 还没有抽签，无需重新抽取"


def draw_future_week(week: str, this_week: str) -> str:
    return f"{week} 还没到（本周是 {this_week}），讲评只为本周抽签，不能提前抽取"


def draw_past_week(week: str, this_week: str) -> str:
    return f"{week} 已经过去（本周是 {this_week}），讲评只为本周抽签；{week} 没有抽签记录"


# --- digests -------------------------------------------------------------------------


# WeCom's app ``markdown`` shows headings, bold, links, quotes and three font colours;
# it has no tables or lists, so digests are built from quoted lines.


def coverage_markdown(coverage: Sequence[UnitCoverage]) -> list[str]:
    if not coverage:
        return ["> （暂无分配的走访对象）"]
    return [
        f"> {ln(c.unit)}：入户走访 **{c.visited}**，电话联系 {c.phone}，不在家已登记 {c.away}，"
        f'<font color="warning">未走访 {c.not_visited}</font>'
        f"（电话未接通 {c.missed}，约访 {c.pending}），共 {c.assigned} 户；"
        f"重点对象 {c.key_contacted}/{c.key_assigned}"
        for c in coverage
    ]


def coverage_lines(coverage: Sequence[UnitCoverage]) -> list[str]:
    """Plain text for group chats and clients that cannot show markdown tables."""
    return [
        f"· {ln(c.unit)}：入户走访 {c.visited}，电话联系 {c.phone}，不在家已登记 {c.away}，"
        f"未走访 {c.not_visited}（共 {c.assigned} 户）"
        for c in coverage
    ]


def kind_lines(lines: Sequence[Coverage]) -> list[str]:
    """The 村（社区） / 单位或商铺 coverage lines (never counted as 户)."""
    return [
        f"· {TARGET_KIND_LABELS.get(c.kind, c.kind)}：已走访 {c.covered} / 应走访 {c.assigned}"
        for c in lines
    ]


def problem_lines(counts: Sequence[ProblemCounts]) -> list[str]:
    if not counts:
        return ["（无）"]
    return [
        f"· {ln(c.category)}：新增 {c.raised}，已解决 {c.solved}，已解释 {c.explained}，逾期 {c.overdue}"
        for c in counts
    ]


def weekly_lines(f: WeeklyFigures) -> list[str]:
    return [
        f"干部走访人数：{f.cadres}",
        f"走访户数：{f.households}",
        f"汇总问题数：{f.problems}",
        f"解决问题数：{f.solved}（不含已解释）",
    ]


def behind_lines(behind: Sequence[CadreProgress]) -> list[str]:
    if not behind:
        return ["（无）"]
    shown = "、".join(f"{ln(b.name)}（{b.contacted}/{b.assigned}）" for b in behind[:MAX_LISTED])
    return [shown + _more(len(behind), MAX_LISTED)]


def period_text(since: datetime, until: datetime, timezone: str) -> str:
    """``11月1日至11月15日`` for ``[since, until)`` in the campaign's time zone."""
    tz = ZoneInfo(timezone)
    first = since.astimezone(tz).date()
    last = (until - timedelta(microseconds=1)).astimezone(tz).date()
    return f"{md(first)}至{md(last)}"


@dataclass(frozen=True)
class DigestFigures:
    """Everything one leader digest shows (kind: daily, weekly or halfmonth)."""

    kind: str
    title: str
    unit: str
    stamp: str
    coverage: Sequence[UnitCoverage] = ()
    other_kinds: Sequence[Coverage] = ()
    visits_today: int = 0
    visits_week: int = 0
    counts: Sequence[ProblemCounts] = ()
    behind: Sequence[CadreProgress] = ()
    keywords: Sequence[str] = ()
    weekly: WeeklyFigures | None = None
    halfmonth: Sequence[HalfmonthRow] = ()
    halfmonth_label: str = ""


def _halfmonth_totals(rows: Sequence[HalfmonthRow]) -> tuple[int, int, int]:
    return (
        sum(r.solved for r in rows),
        sum(r.pending for r in rows),
        sum(r.explained for r in rows),
    )


def digest_markdown(d: DigestFigures) -> str:
    """The leader's digest (markdown; may name categories and keywords)."""
    lines = [f"## {ln(d.title)}", f"**{ln(d.unit)}**　{d.stamp}", ""]
    if d.kind == "halfmonth":
        solved, pending, explained = _halfmonth_totals(d.halfmonth)
        lines.append(
            f"**群众入户调查问题建议汇总（附件5）{d.halfmonth_label}**"
            "（已解决 / 待解决 / 已解释 / 小计；已解决不含已解释）"
        )
        lines += [
            f"> {ln(r.label)}：{r.solved} / {r.pending} / {r.explained} / {r.subtotal}"
            for r in d.halfmonth
        ]
        total = solved + pending + explained
        lines.append(f"> **合计：{solved} / {pending} / {explained} / {total}**")
        return "\n".join(lines)
    label = "今日" if d.kind == "daily" else "本周"
    lines += ["**走访覆盖（户）**", *coverage_markdown(d.coverage)]
    lines += [f"> {x[2:]}" for x in kind_lines(d.other_kinds)]
    lines.append("")
    lines.append(f"走访户数：今日 {d.visits_today} 户，本周 {d.visits_week} 户")
    lines += ["", f"**问题（{label}新增 / 已解决 / 已解释，当前逾期）**", *problem_lines(d.counts)]
    lines += ["", "**进度落后的干部**", *behind_lines(d.behind)]
    lines += ["", "**本周问题关键词**", "、".join(map(ln, d.keywords)) if d.keywords else "（无）"]
    if d.weekly is not None:
        lines += ["", "**本周汇总**", *[f"> {x}" for x in weekly_lines(d.weekly)]]
    return "\n".join(lines)


def digest_group_text(d: DigestFigures) -> str:
    """The group chat's version: unit counts and totals only."""
    lines = [f"【{ln(d.title)}】{ln(d.unit)}"]
    if d.kind == "halfmonth":
        solved, pending, explained = _halfmonth_totals(d.halfmonth)
        lines.append(
            f"{d.halfmonth_label}问题已解决 {solved} 个，待解决 {pending} 个，已解释 {explained} 个。"
        )
        return "\n".join(lines)
    lines += coverage_lines(d.coverage)
    lines += kind_lines(d.other_kinds)
    lines.append(
        f"问题：新增 {sum(c.raised for c in d.counts)} 个，已解决 {sum(c.solved for c in d.counts)} 个，"
        f"已解释 {sum(c.explained for c in d.counts)} 个，逾期 {sum(c.overdue for c in d.counts)} 个。"
    )
    if d.weekly is not None:
        lines += weekly_lines(d.weekly)
    return "\n".join(lines)


def digest_title(campaign: str, kind: str, day: date, week: str) -> str:
    names = {"daily": f"每日简报 {md(day)}", "weekly": f"每周简报 {week}"}
    return campaign + names.get(kind, f"半月问题汇总 {md(day)}")


def stamp(now_local: datetime) -> str:
    return now_local.strftime("%Y-%m-%d %H:%M")


# --- escalation ------------------------------------------------------------------------


def overdue_message(
    unit: str, items: Sequence[tuple[int, str, str, int]], total: int | None = None
) -> str:
    """``items``: (problem id, category, short text, days overdue); ``total`` how many
    there are when ``items`` holds only the first ones."""
    count = len(items) if total is None else total
    lines = [f"【问题逾期提醒】{ln(unit)} 有 {count} 个交办问题已超过办理期限："]
    lines += [
        f"{i}. #{pid}【{ln(cat)}】{ln(text)}（逾期 {days} 天）"
        for i, (pid, cat, text, days) in enumerate(items[:MAX_LISTED], 1)
    ]
    lines.append("请尽快督促办理，或在台账中说明延期原因。")
    return "\n".join(lines) + _more(count, MAX_LISTED)


def unassigned_message(
    unit: str, days: int, items: Sequence[tuple[int, str, str, int]], total: int | None = None
) -> str:
    """``items``: (problem id, category, short text, days past the 交办 deadline);
    ``total`` how many there are when ``items`` holds only the first ones."""
    count = len(items) if total is None else total
    lines = [f"【问题待交办提醒】{unit} 有 {count} 个问题登记超过 {days} 天仍未交办："]
    lines += [
        f"{i}. #{pid}【{cat}】{text}（超期 {late} 天）"
        for i, (pid, cat, text, late) in enumerate(items[:MAX_LISTED], 1)
    ]
    lines.append("请发送“交办 编号 单位”交办，或“问题 编号”查看详情。")
    return "\n".join(lines) + _more(count, MAX_LISTED)


def followup_message(name: str, items: Sequence[tuple[int, str, int]]) -> str:
    """``items``: (problem id, short text, days since solved)."""
    lines = [f"{ln(name)}您好：以下问题已办结，但还没有回访群众："]
    lines += [
        f"{i}. #{pid} {ln(text)}（办结已 {days} 天）"
        for i, (pid, text, days) in enumerate(items[:MAX_LISTED], 1)
    ]
    lines.append("请上门或电话回访，并在台账中记录回访结果和满意度。")
    return "\n".join(lines) + _more(len(items), MAX_LISTED)


def short(text: str, limit: int = 30) -> str:
    text = " ".join(ln(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- visits in progress ------------------------------------------------------------------


def draft_reminder(hours: int, household: str = "") -> str:
    which = f"（{ln(household)}）" if household else ""
    return (
        f"您有一条未完成的走访记录{which}，已 {hours} 小时没有继续。"
        "回复任意消息即可接着填写，回复「取消」可放弃这条记录。"
    )


def appointment_reminder(name: str, when: str, target: str) -> str:
    return f"{ln(name)}您好：您约好 {when} 走访{ln(target)}，请按时上门，走访后记得记录。"


# The end of a leader's digest when the pages are on: their own link to 总览.
DIGEST_PAGE_LINK = "\n\n[打开走访总览页面]({url})（链接{hours}小时内有效）"
