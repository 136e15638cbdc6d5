"""Walking a questionnaire: which question is relevant, which comes next, what it raised.

The next step is always "the first relevant question that has no answer yet", so
going back and answering again returns to where the cadre was, and answers that
stay relevant are never dropped. A skipped optional question holds ``None``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from bot.dialogs import answers as answers_mod
from bot.dialogs import meaning
from bot.dialogs.contracts import ProblemDraft
from bot.dialogs.state import GROUP_PREFIX, QUESTION_PREFIX
from bot.dialogs.template import HANDLING_CHOICES, Group, Question, Template


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


def problems(
    template: Template,
    answers: Mapping[str, Any],
    is_problem: Callable[[str], bool] | None = None,
) -> tuple[ProblemDraft, ...]:
    """Apply every question's problem rules to the (final) answers.

    - A typed answer that says there is none (:func:`bot.dialogs.meaning.says_none`:
      无, 同上, a lone digit, emoji…) raises nothing; for a rule that fires on any typed
      answer, neither does one the classifier ``is_problem`` calls no problem.
    - A ticked choice whose question a later ``detail_for`` text question details takes
      the detail as its text; the tick stays the kind and category hint. When several
      ticks share one detail each reads "选项：detail".
    - A ``handling`` question's answer (solved / explained / registered) is every
      draft's handling; without one, problems are registered (登记带回).
    """
    details = _details(template, answers)
    handling = _handling(template, answers)
    out: list[ProblemDraft] = []
    detailed: list[tuple[int, str, str]] = []  # (draft index, detail question, label)
    for question in template.questions:
        value = answers.get(question.id)
        if value is None or value == "" or value == []:
            continue
        if question.type == "text" and meaning.says_none(str(value)):
            continue
        for rule in question.problems:
            text = ""
            if rule.choice:
                chosen = value if isinstance(value, list) else [value]
                if rule.choice not in chosen:
                    continue
                choice = question.choice(rule.choice)
                text = rule.text or (choice.label if choice else question.label)
                if question.id in details:
                    detail_qid, _ = details[question.id]
                    detailed.append((len(out), detail_qid, text))
            elif rule.when is not None:
                if not rule.when.truth(answers, value):
                    continue
                text = rule.text or answers_mod.display(question, value)
            else:
                text = rule.text or answers_mod.display(question, value)
                typed = question.type == "text" and not rule.text
                if typed and is_problem is not None and not is_problem(text):
                    continue
            out.append(
                ProblemDraft(
                    text=text,
                    kind=rule.kind,
                    source_question=question.id,
                    category=rule.category,
                    category_alt=rule.category_alt,
                    classify=rule.classify,
                    handling=handling,
                )
            )
    shared = Counter(qid for _, qid, _ in detailed)
    for index, qid, label in detailed:
        detail = next(d for q, d in details.values() if q == qid)
        text = detail if shared[qid] == 1 else f"{label}：{detail}"
        out[index] = replace(out[index], text=text)
    return tuple(out)


def _details(template: Template, answers: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Choice question id -> (detail question id, its answer) for answered details."""
    found: dict[str, tuple[str, str]] = {}
    for question in template.questions:
        value = answers.get(question.id)
        if not question.detail_for or not isinstance(value, str):
            continue
        if meaning.says_none(value):
            continue
        for ref in question.detail_for:
            found.setdefault(ref, (question.id, value.strip()))
    return found


def _handling(template: Template, answers: Mapping[str, Any]) -> str:
    for question in template.questions:
        if question.handling and answers.get(question.id) in HANDLING_CHOICES:
            return str(answers[question.id])
    return "registered"
