"""Building the replies: question prompts, the summary, target lists, progress.

Each function takes plain values and returns a :class:`Reply` (text that stands on
its own, plus buttons the handler may render as a template card).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs import prompts, walk
from bot.dialogs.answers import CHOICE_KEY, PREFILL_KEY
from bot.dialogs.contracts import Button, Context, ProblemDraft, Reply, TargetInfo
from bot.dialogs.template import Group, Question, Template
from bot.dialogs.timeparse import local_today

MAX_BUTTONS = 6  # WeCom button cards hold at most 6 buttons; longer lists are typed


def place_of(target: Mapping[str, Any]) -> str:
    return " ".join(p for p in (target.get("grid", ""), target.get("address", "")) if p) or "-"


def local_time(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%m-%d %H:%M")


def outcome_label(target: Mapping[str, Any], outcome: str) -> str:
    """The outcome's word in chat; a village's form is a form, not a visit outcome."""
    if target.get("kind") == "village":
        return prompts.VILLAGE_FORM
    return prompts.OUTCOME_TEXT[outcome]


def buttons(pairs: Sequence[tuple[str, str]]) -> tuple[Button, ...]:
    return tuple(Button(k, label) for k, label in pairs)


def question(
    template: Template,
    q: Question,
    answers: Mapping[str, Any],
    target: Mapping[str, Any] | None,
    error: str = "",
) -> Reply:
    """The prompt for one question, with its choices numbered and as buttons."""
    relevant = walk.relevant_questions(template, answers, target)
    # Count only questions whose conditions are already decided, so "n/total" does not
    # promise follow-ups that an unanswered question may still switch off.
    ids = [x.id for x in relevant if x.id == q.id or _decided(template, x, answers)]
    n = ids.index(q.id) + 1 if q.id in ids else len(ids)
    group = template.group_of(q)
    lines = [error] if error else []
    lines.append(
        prompts.QUESTION_HEAD.format(group=group.label, n=n, total=len(ids), label=q.label)
    )
    if q.hint:
        lines.append(q.hint)
    choice_buttons: tuple[Button, ...] = ()
    if q.choice_list:
        lines.extend(f"{i}. {c.label}" for i, c in enumerate(q.choice_list, 1))
        if q.type == "select_multiple":
            lines.append(prompts.QUESTION_MULTI)
        choice_buttons = tuple(Button(CHOICE_KEY + c.id, c.label) for c in q.choice_list)
    prefill = str((target or {}).get(q.prefill, "")) if q.prefill else ""
    if prefill:
        lines.append(prompts.QUESTION_PREFILL.format(value=prefill))
        choice_buttons = (Button(PREFILL_KEY, f"沿用 {prefill}"),)
    if not q.required:
        lines.append(prompts.QUESTION_OPTIONAL)
    if q.id in answers:
        lines.append(prompts.QUESTION_PREVIOUS.format(value=answers_mod.display(q, answers[q.id])))
    multi = q.type == "select_multiple"
    if not multi and len(choice_buttons) > MAX_BUTTONS:
        choice_buttons = ()
    return Reply("\n".join(lines), choice_buttons, multi=multi, title=group.label)


def _decided(template: Template, q: Question, answers: Mapping[str, Any]) -> bool:
    refs: set[str] = set()
    for condition in (q.relevant, template.group_of(q).relevant):
        if condition is not None:
            refs |= condition.refs
    return all(ref.startswith("_") or ref in answers for ref in refs)


def group(template: Template, g: Group, answers: Mapping[str, Any], error: str = "") -> Reply:
    """A field-list group: every question answered in one message."""
    lines = [error] if error else []
    lines.append(f"【{g.label}】" + prompts.GROUP_FIELDS)
    for i, q in enumerate(g.questions, 1):
        mark = "" if q.required else "（选填）"
        previous = f" 原：{answers_mod.display(q, answers[q.id])}" if q.id in answers else ""
        lines.append(f"{i}. {q.label}{mark}{previous}")
    if g.hint:
        lines.append(g.hint)
    return Reply("\n".join(lines), title=g.label)


def summary_items(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> list[Question]:
    return [q for q in walk.relevant_questions(template, answers, target) if q.id in answers]


def summary(
    template: Template,
    answers: Mapping[str, Any],
    target: Mapping[str, Any],
    outcome: str,
    problems: Sequence[ProblemDraft],
    error: str = "",
) -> Reply:
    lines = [error] if error else []
    lines.append(
        prompts.SUMMARY_HEAD.format(
            name=target.get("name", ""), outcome=outcome_label(target, outcome)
        )
    )
    for i, q in enumerate(summary_items(template, answers, target), 1):
        value = answers_mod.display(q, answers.get(q.id))
        lines.append(prompts.SUMMARY_LINE.format(n=i, label=q.label, value=value))
    if problems:
        lines.append(prompts.SUMMARY_PROBLEMS.format(count=len(problems)))
        lines.extend(problem_lines(problems))
    lines.append(prompts.SUMMARY_FOOT)
    return Reply("\n".join(lines), buttons(prompts.SUMMARY_BUTTONS), title="核对")


def problem_lines(problems: Sequence[ProblemDraft]) -> list[str]:
    return [
        prompts.PROBLEM_LINE.format(
            n=i, kind=p.kind, text=p.text, handling=prompts.HANDLING_NOTE.get(p.handling, "")
        )
        for i, p in enumerate(problems, 1)
    ]


def todo_sorted(targets: Sequence[TargetInfo]) -> list[TargetInfo]:
    """Not yet done, key targets first, then 约访 by time, then by place."""
    todo = [t for t in targets if not t.done]
    return sorted(
        todo,
        key=lambda t: (
            not t.is_key,
            t.appointment_at is None,
            t.appointment_at.timestamp() if t.appointment_at else 0.0,
            t.grid,
            t.address,
            t.id,
        ),
    )


def target_list(
    listed: Sequence[TargetInfo], header: str, more: bool, zone: tzinfo, start: int = 1
) -> Reply:
    lines = [header]
    for i, t in enumerate(listed, start):
        extra = ""
        if t.appointment_at and t.status == "appointment":
            extra = prompts.PICK_APPOINTMENT.format(when=local_time(t.appointment_at, zone))
        elif t.status == "phone_missed":
            extra = prompts.PICK_MISSED.format(count=t.missed_count)
        key = prompts.PICK_KEY_MARK if t.is_key else ""
        place = " ".join(p for p in (t.grid, t.address) if p)
        lines.append(prompts.PICK_LINE.format(n=i, name=t.name, place=place, key=key, extra=extra))
    if more:
        lines.append(prompts.PICK_MORE)
    pick_buttons = tuple(
        Button(f"pick:{t.id}", f"{i}. {t.name}") for i, t in enumerate(listed, start)
    )
    return Reply("\n".join(lines), pick_buttons[:MAX_BUTTONS], title="选择走访对象")


def progress(ctx: Context) -> Reply:
    p = ctx.progress
    done = p.visited + p.phone + p.away
    percent = p.percent
    if percent is None:
        percent = round(100 * done / p.assigned) if p.assigned else 0
    deadline = ""
    if p.deadline is not None:
        days = (p.deadline - local_today(ctx.now, ctx.zone)).days
        deadline = (
            prompts.PROGRESS_DEADLINE.format(date=p.deadline.isoformat(), days=days)
            if days >= 0
            else prompts.PROGRESS_OVERDUE.format(date=p.deadline.isoformat())
        )
    text = prompts.PROGRESS.format(
        visited=p.visited,
        phone=p.phone,
        away=p.away,
        assigned=p.assigned,
        percent=percent,
        key_left=p.key_left,
        deadline=deadline,
    )
    if p.missed or p.pending:
        text += "\n" + prompts.PROGRESS_STILL_TO_VISIT.format(missed=p.missed, pending=p.pending)
    for label, covered, assigned in p.kinds:
        text += "\n" + prompts.PROGRESS_KIND.format(label=label, covered=covered, assigned=assigned)
    return Reply(text)
