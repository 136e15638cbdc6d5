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
# so they are repeated here; tests/bot/dialogs/test_template.py keeps them equal to storage.vocab.
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
# A question with ``handling = true`` records how the door handled what it raised
# (seed 003 意见建议处理落实情况); its choice ids are the problem's first state.
HANDLING_CHOICES = ("solved", "explained", "registered")


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
    # A text question whose answer details the ticks of these earlier choice
    # questions: a ticked problem's text becomes this answer (the tick is the hint).
    detail_for: tuple[str, ...] = ()
    handling: bool = False  # see HANDLING_CHOICES

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
    from bot.dialogs.template_builder import Builder  # the checks need the classes above

    return Builder(source).build(data)


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
