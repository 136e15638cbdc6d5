"""Walking a questionnaire: which question is relevant, which comes next, what it raised.

The next step is always "the first relevant question that has no answer yet", so
going back and answering again returns to where the cadre was, and answers that
stay relevant are never dropped. A skipped optional question holds ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs.contracts import ProblemDraft
from bot.dialogs.state import GROUP_PREFIX, QUESTION_PREFIX
from bot.dialogs.template import Group, Question, Template


def environment(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values conditions see: the answers plus the engine's ``_`` variables."""
    categories = list((target or {}).get("categories") or [])
    env: dict[str, Any] = dict(answers)
    env["_categories"] = categories
    env["_is_key"] = "yes" if (target or {}).get("is_key") else "no"
    env["_target_kind"] = template.target_kind(categories)
    return env


def group_relevant(group: Group, env: Mapping[str, Any]) -> bool:
    return group.relevant is None or group.relevant.truth(env)


def is_relevant(template: Template, question: Question, env: Mapping[str, Any]) -> bool:
    group = template.group_of(question)
    if not group_relevant(group, env):
        return False
    return question.relevant is None or question.relevant.truth(env)


def prune(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Drop answers whose questions are no longer relevant (conditions only look back)."""
    kept: dict[str, Any] = {}
    for question in template.questions:
        if question.id not in answers:
            continue
        env = environment(template, kept, target)
        if is_relevant(template, question, env):
            kept[question.id] = answers[question.id]
    return kept


def step_for(template: Template, question: Question) -> str:
    group = template.group_of(question)
    if group.field_list:
        return GROUP_PREFIX + group.id
    return QUESTION_PREFIX + question.id


def next_step(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> str | None:
    """The step id of the first relevant unanswered question, or None when all are done."""
    env = environment(template, answers, target)
    for question in template.questions:
        if question.id in answers:
            continue
        if is_relevant(template, question, env):
            return step_for(template, question)
    return None


def relevant_questions(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> list[Question]:
    env = environment(template, answers, target)
    return [q for q in template.questions if is_relevant(template, q, env)]


def final_answers(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> dict[str, Any]:
    """What is saved: relevant, non-skipped answers only."""
    kept = prune(template, answers, target)
    return {k: v for k, v in kept.items() if v is not None}


def missing_required(
    template: Template, answers: Mapping[str, Any], target: Mapping[str, Any] | None
) -> list[Question]:
    return [
        q
        for q in relevant_questions(template, answers, target)
        if q.required and answers.get(q.id) is None
    ]


def problems(template: Template, answers: Mapping[str, Any]) -> tuple[ProblemDraft, ...]:
    """Apply every question's problem rules to the (final) answers."""
    out: list[ProblemDraft] = []
    for question in template.questions:
        value = answers.get(question.id)
        if value is None or value == "" or value == []:
            continue
        for rule in question.problems:
            text = ""
            if rule.choice:
                chosen = value if isinstance(value, list) else [value]
                if rule.choice not in chosen:
                    continue
                choice = question.choice(rule.choice)
                text = rule.text or (choice.label if choice else question.label)
            elif rule.when is not None:
                if not rule.when.truth(answers, value):
                    continue
                text = rule.text or answers_mod.display(question, value)
            else:
                text = rule.text or answers_mod.display(question, value)
            out.append(
                ProblemDraft(
                    text=text,
                    kind=rule.kind,
                    source_question=question.id,
                    category=rule.category,
                    category_alt=rule.category_alt,
                    classify=rule.classify,
                )
            )
    return tuple(out)
