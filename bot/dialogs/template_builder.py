"""The checks behind :func:`bot.dialogs.template.parse`: TOML data -> a valid Template.

Every error names the file and the group/question: unknown or later ids in
conditions (conditions look back only, so there can be no cycle), duplicate ids,
empty choice lists, unknown types, bad expressions, unknown problem kinds/categories.
"""

from __future__ import annotations

from typing import Any

from bot.dialogs import expr
from bot.dialogs.template import (
    CATEGORIES_CHAIHUDIAN,
    CATEGORIES_CHANGZHOU,
    CHOICE_TYPES,
    ENGINE_VARIABLES,
    FIELD_LIST_TYPES,
    HANDLING_CHOICES,
    PREFILL_FIELDS,
    PROBLEM_KINDS,
    QUESTION_TYPES,
    TARGET_KINDS,
    Choice,
    Group,
    ProblemRule,
    Question,
    Template,
    TemplateError,
)


class Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.seen: dict[str, Question] = {}

    def fail(self, where: str, reason: str) -> TemplateError:
        return TemplateError(f"{self.source}: {where}: {reason}")

    def build(self, data: dict[str, Any]) -> Template:
        meta = data.get("template")
        if not isinstance(meta, dict):
            raise self.fail("[template]", "missing the [template] table")
        tid = self._ident(meta.get("id"), "[template] id")
        title = meta.get("title")
        if not isinstance(title, str) or not title.strip():
            raise self.fail("[template]", "title is missing")
        applies = tuple(meta.get("applies_to", ["household"]))
        for kind in applies:
            if kind not in TARGET_KINDS:
                raise self.fail("[template]", f"applies_to {kind!r} not one of {TARGET_KINDS}")
        kinds_raw = meta.get("target_kinds", {})
        if not isinstance(kinds_raw, dict):
            raise self.fail("[template]", "target_kinds must be a table kind = [categories]")
        target_kinds = tuple((str(k), tuple(str(c) for c in v)) for k, v in kinds_raw.items())
        groups_raw = data.get("groups")
        if not isinstance(groups_raw, list) or not groups_raw:
            raise self.fail("[[groups]]", "a template needs at least one group")
        group_ids: set[str] = set()
        groups = []
        for i, raw in enumerate(groups_raw, 1):
            group = self._group(raw, i)
            if group.id in group_ids:
                raise self.fail(f"group {group.id}", "duplicate group id")
            group_ids.add(group.id)
            groups.append(group)
        template = Template(
            id=tid,
            title=title.strip(),
            source=self.source,
            seed=str(meta.get("seed", "")),
            applies_to=applies,
            ask_at_home=bool(meta.get("ask_at_home", True)),
            target_kinds=target_kinds,
            groups=tuple(groups),
            description=str(meta.get("description", "")),
        )
        template._index.update(self.seen)
        return template

    def _ident(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not value.isidentifier():
            raise self.fail(where, f"id {value!r} must be letters, digits and _")
        return value

    def _expr(self, text: Any, where: str, allow_dot: bool, group_mates: set[str]) -> expr.Expr:
        if not isinstance(text, str):
            raise self.fail(where, "expression must be a string")
        try:
            parsed = expr.parse(text)
        except expr.ExprError as exc:
            raise self.fail(where, f"bad expression {text!r}: {exc}") from exc
        if parsed.uses_dot and not allow_dot:
            raise self.fail(where, "'.' (this answer) can only be used in constraint")
        for ref in sorted(parsed.refs):
            if ref in ENGINE_VARIABLES:
                continue
            if ref in group_mates:
                raise self.fail(where, f"${{{ref}}} is in the same field-list group")
            if ref not in self.seen:
                raise self.fail(
                    where, f"${{{ref}}} is unknown or asked later (conditions look back only)"
                )
        return parsed

    def _group(self, raw: Any, position: int) -> Group:
        if not isinstance(raw, dict):
            raise self.fail(f"group #{position}", "must be a table")
        gid = self._ident(raw.get("id"), f"group #{position}")
        label = str(raw.get("label") or gid)
        appearance = str(raw.get("appearance", ""))
        if appearance not in ("", "field-list"):
            raise self.fail(f"group {gid}", f"appearance {appearance!r} not supported")
        relevant = (
            self._expr(raw["relevant"], f"group {gid} relevant", False, set())
            if raw.get("relevant")
            else None
        )
        field_list = appearance == "field-list"
        mates: set[str] = set()
        questions = []
        for raw_q in raw.get("questions", []):
            q = self._question(raw_q, gid, field_list, mates)
            questions.append(q)
            mates.add(q.id)
        if not questions:
            raise self.fail(f"group {gid}", "has no questions")
        return Group(gid, label, str(raw.get("hint", "")), relevant, field_list, tuple(questions))

    def _question(self, raw: Any, gid: str, field_list: bool, mates: set[str]) -> Question:
        if not isinstance(raw, dict):
            raise self.fail(f"group {gid}", "each question must be a table")
        qid = self._ident(raw.get("id"), f"group {gid} question")
        where = f"question {qid}"
        if qid.startswith("_"):
            raise self.fail(where, "ids starting with _ are reserved for the engine")
        if qid in self.seen:
            raise self.fail(where, "duplicate question id")
        label = raw.get("label")
        if not isinstance(label, str) or not label.strip():
            raise self.fail(where, "label is missing")
        qtype = raw.get("type")
        if qtype not in QUESTION_TYPES:
            raise self.fail(where, f"type {qtype!r} not one of {', '.join(QUESTION_TYPES)}")
        if field_list and qtype not in FIELD_LIST_TYPES:
            raise self.fail(where, f"type {qtype} cannot be in a field-list group")
        choices = self._choices(raw.get("choices"), qtype, where)
        prefill = str(raw.get("prefill", ""))
        if prefill and prefill not in PREFILL_FIELDS:
            raise self.fail(where, f"prefill {prefill!r} not one of {PREFILL_FIELDS}")
        relevant = (
            self._expr(raw["relevant"], f"{where} relevant", False, mates if field_list else set())
            if raw.get("relevant")
            else None
        )
        if field_list and relevant is not None:
            raise self.fail(where, "questions in a field-list group cannot have relevant")
        constraint = (
            self._expr(raw["constraint"], f"{where} constraint", True, set())
            if raw.get("constraint")
            else None
        )
        question = Question(
            id=qid,
            label=label.strip(),
            type=qtype,
            group=gid,
            hint=str(raw.get("hint", "")),
            choices=choices,
            required=bool(raw.get("required", True)),
            relevant=relevant,
            constraint=constraint,
            constraint_message=str(raw.get("constraint_message", "")),
            prefill=prefill,
            detail_for=self._detail_for(raw.get("detail_for", []), qtype, where),
            handling=self._handling(raw.get("handling", False), qtype, choices, where),
        )
        rules = tuple(self._rule(r, question, where) for r in raw.get("problems", []))
        question = Question(**{**question.__dict__, "problems": rules})
        self.seen[qid] = question
        return question

    def _detail_for(self, raw: Any, qtype: str, where: str) -> tuple[str, ...]:
        if not raw:
            return ()
        if qtype != "text":
            raise self.fail(where, "detail_for is for a text question")
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            raise self.fail(where, "detail_for is a list of question ids")
        for ref in raw:
            asked = self.seen.get(ref)
            if asked is None:
                raise self.fail(where, f"detail_for {ref!r} is unknown or asked later")
            if asked.type not in CHOICE_TYPES:
                raise self.fail(where, f"detail_for {ref!r} is not a choice question")
        return tuple(raw)

    def _handling(self, raw: Any, qtype: str, choices: tuple[Choice, ...], where: str) -> bool:
        if not raw:
            return False
        if qtype != "select_one":
            raise self.fail(where, "a handling question is select_one")
        unknown = [c.id for c in choices if c.id not in HANDLING_CHOICES]
        if unknown:
            raise self.fail(where, f"handling choice ids are {HANDLING_CHOICES}, not {unknown}")
        return True

    def _choices(self, raw: Any, qtype: str, where: str) -> tuple[Choice, ...]:
        if qtype not in CHOICE_TYPES:
            if raw:
                raise self.fail(where, f"type {qtype} takes no choices")
            return ()
        if not isinstance(raw, list) or not raw:
            raise self.fail(where, "a choice question needs a non-empty choices list")
        out: list[Choice] = []
        for item in raw:
            if not isinstance(item, dict):
                raise self.fail(where, "each choice is a table {id = …, label = …}")
            cid = item.get("id")
            if not isinstance(cid, str) or not cid or any(ch.isspace() for ch in cid):
                raise self.fail(where, f"choice id {cid!r} must be non-empty without spaces")
            if any(c.id == cid for c in out):
                raise self.fail(where, f"duplicate choice id {cid!r}")
            label = item.get("label")
            if not isinstance(label, str) or not label.strip():
                raise self.fail(where, f"choice {cid!r} has no label")
            out.append(Choice(cid, label.strip(), bool(item.get("exclusive", False))))
        return tuple(out)

    def _rule(self, raw: Any, question: Question, where: str) -> ProblemRule:
        if not isinstance(raw, dict):
            raise self.fail(where, "each problems entry must be a table")
        kind = raw.get("kind")
        if kind not in PROBLEM_KINDS:
            raise self.fail(where, f"problem kind {kind!r} not one of {', '.join(PROBLEM_KINDS)}")
        choice = str(raw.get("choice", ""))
        if choice and question.choice(choice) is None and question.type != "yes_no":
            raise self.fail(where, f"problem rule names unknown choice {choice!r}")
        if choice and question.type == "yes_no" and choice not in ("yes", "no"):
            raise self.fail(where, "a yes_no problem rule's choice is 'yes' or 'no'")
        category = str(raw.get("category", ""))
        if category and category not in CATEGORIES_CHANGZHOU:
            raise self.fail(where, f"category {category!r} not one of {CATEGORIES_CHANGZHOU}")
        category_alt = str(raw.get("category_alt", ""))
        if category_alt and category_alt not in CATEGORIES_CHAIHUDIAN:
            raise self.fail(
                where, f"category_alt {category_alt!r} not one of {CATEGORIES_CHAIHUDIAN}"
            )
        self.seen[question.id] = question  # a rule may read its own question
        when = self._expr(raw["when"], f"{where} problem", True, set()) if raw.get("when") else None
        del self.seen[question.id]
        return ProblemRule(
            kind=str(kind),
            choice=choice,
            when=when,
            text=str(raw.get("text", "")),
            category=category,
            category_alt=category_alt,
            classify=bool(raw.get("classify", False)),
        )
