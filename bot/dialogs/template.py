"""Questionnaire templates: the data model and the checked TOML loader.

A template is a TOML file (see docs/dialog.md): ``[template]`` metadata, then
``[[groups]]`` each holding ``[[groups.questions]]``; a question may carry
``[[groups.questions.problems]]`` rules that turn answers into ledger problems.

``load(path)`` / ``parse(data, source)`` return a :class:`Template` or raise
:class:`TemplateError` naming the file and the question.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.dialogs import expr

# The ledger's vocabularies. bot/dialogs may not import storage (tests/test_architecture.py),
# so they are repeated here; tests/dialogs/test_template.py keeps them equal to storage.vocab.
PROBLEM_KINDS = ("困难需求", "意见建议", "矛盾纠纷", "安全隐患", "信访诉求", "政策咨询")
CATEGORIES_CHANGZHOU = (
    "房屋土地",
    "医疗卫生",
    "教育文化",
    "平安治理",
    "就业创业",
    "社会保障",
    "其他",
)
CATEGORIES_CHAIHUDIAN = (
    "居住环境",
    "社会治安",
    "基本医疗",
    "文体生活",
    "基础教育",
    "社会帮扶",
    "其他",
)

QUESTION_TYPES = (
    "text",
    "integer",
    "decimal",
    "phone",
    "select_one",
    "select_multiple",
    "yes_no",
    "date",
)
CHOICE_TYPES = ("select_one", "select_multiple")
FIELD_LIST_TYPES = ("text", "integer", "decimal", "phone", "date")
PREFILL_FIELDS = ("phone", "name", "address")
# Variables the engine exposes to conditions (about the visited target).
ENGINE_VARIABLES = frozenset({"_target_kind", "_is_key", "_categories"})
TARGET_KINDS = ("household", "village", "place")
YES_NO_CHOICES = (("yes", "是"), ("no", "否"))


class TemplateError(ValueError):
    """A template that cannot be used; the message names the file and the question."""


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    exclusive: bool = False  # e.g. 无异常: cannot be combined with another choice


@dataclass(frozen=True)
class ProblemRule:
    """Turns an answer into a problem.

    ``choice``: fires when that choice is selected (text = the choice's label);
    ``when``: fires when the expression holds (text = ``text`` or the answer);
    neither: fires whenever the question has a non-empty answer (text = the answer).
    ``classify``: the ledger's classifier decides the category from the text later;
    ``category``/``category_alt`` are then only hints.
    """

    kind: str
    choice: str = ""
    when: expr.Expr | None = None
    text: str = ""
    category: str = ""
    category_alt: str = ""
    classify: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    type: str
    group: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    required: bool = True
    relevant: expr.Expr | None = None
    constraint: expr.Expr | None = None
    constraint_message: str = ""
    prefill: str = ""
    problems: tuple[ProblemRule, ...] = ()

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    @property
    def choice_list(self) -> tuple[Choice, ...]:
        if self.type == "yes_no":
            return tuple(Choice(i, label) for i, label in YES_NO_CHOICES)
        return self.choices


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    hint: str = ""
    relevant: expr.Expr | None = None
    field_list: bool = False  # XLSForm appearance=field-list: all answered in one message
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    source: str
    seed: str = ""
    applies_to: tuple[str, ...] = ("household",)
    ask_at_home: bool = True
    target_kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    groups: tuple[Group, ...] = ()
    description: str = ""
    _index: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    def question(self, qid: str) -> Question:
        return self._index[qid]

    def group_of(self, question: Question) -> Group:
        return next(g for g in self.groups if g.id == question.group)

    def target_kind(self, categories: tuple[str, ...] | list[str]) -> str:
        """The first ``[template.target_kinds]`` entry sharing a category, else 'general'."""
        for kind, cats in self.target_kinds:
            if any(c in cats for c in categories):
                return kind
        return "general"


# --- loading -------------------------------------------------------------------


def load(path: str | Path) -> Template:
    """Read and check one template file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path.name}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path.name}: not valid TOML: {exc}") from exc
    return parse(data, path.name)


def parse(data: dict[str, Any], source: str) -> Template:
    """Build a :class:`Template` from parsed TOML ``data``; ``source`` names it in errors."""
    return _Builder(source).build(data)


class _Builder:
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
        )
        rules = tuple(self._rule(r, question, where) for r in raw.get("problems", []))
        question = Question(**{**question.__dict__, "problems": rules})
        self.seen[qid] = question
        return question

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


# --- the shipped templates ---------------------------------------------------------

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "yizou_erwen_sankan"


def available(directory: Path = TEMPLATES_DIR) -> dict[str, Path]:
    """Template id (file stem) -> path, for every ``*.toml`` in ``directory``."""
    return {p.stem: p for p in sorted(directory.glob("*.toml"))}


def load_named(name: str, directory: Path = TEMPLATES_DIR) -> Template:
    """Load a shipped (or administrator-added) template by id; TemplateError if unknown."""
    paths = available(directory)
    if name not in paths:
        raise TemplateError(f"unknown template {name!r}; available: {', '.join(paths)}")
    template = load(paths[name])
    if template.id != name:
        raise TemplateError(f"{paths[name].name}: [template] id {template.id!r} != file name")
    return template
