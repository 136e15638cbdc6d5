"""The expression tree and its XLSForm value semantics (see :mod:`bot.dialogs.expr`).

Unanswered questions are ``None`` and read as the empty string; comparisons are
numeric when either side is a number, else textual; ``selected`` looks inside
select_multiple lists. :data:`FUNCTIONS` is the whole list of callable names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_REGEX_INPUT = 2000


class ExprError(ValueError):
    """A syntax or evaluation error in a template expression."""


@dataclass(frozen=True)
class Expr:
    """A parsed expression; ``source`` is the original text, ``refs`` the ${names} it reads."""

    source: str
    root: Node
    refs: frozenset[str] = field(default_factory=frozenset)
    uses_dot: bool = False

    def evaluate(self, values: Mapping[str, Any], current: Any = None) -> Any:
        return self.root.eval(values, current)

    def truth(self, values: Mapping[str, Any], current: Any = None) -> bool:
        return _truthy(self.evaluate(values, current))


class Node:
    def eval(self, values: Mapping[str, Any], current: Any) -> Any:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Literal(Node):
    value: Any

    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        return self.value


@dataclass(frozen=True)
class Ref(Node):
    name: str

    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        return values.get(self.name)


@dataclass(frozen=True)
class Dot(Node):
    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        return current


@dataclass(frozen=True)
class Unary(Node):
    op: str
    operand: Node

    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        value = self.operand.eval(values, current)
        if self.op == "not":
            return not _truthy(value)
        return -_number(value)


@dataclass(frozen=True)
class Binary(Node):
    op: str
    left: Node
    right: Node

    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        if self.op == "and":
            return _truthy(self.left.eval(values, current)) and _truthy(
                self.right.eval(values, current)
            )
        if self.op == "or":
            return _truthy(self.left.eval(values, current)) or _truthy(
                self.right.eval(values, current)
            )
        a = self.left.eval(values, current)
        b = self.right.eval(values, current)
        if self.op in _COMPARISONS:
            return _compare(self.op, a, b)
        x, y = _number(a), _number(b)
        if self.op == "+":
            return x + y
        if self.op == "-":
            return x - y
        if self.op == "*":
            return x * y
        if y == 0:
            return float("nan")
        return x / y if self.op == "div" else x % y


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Node, ...]

    def eval(self, values: Mapping[str, Any], current: Any) -> Any:
        return FUNCTIONS[self.name][1](*(arg.eval(values, current) for arg in self.args))


# --- values -------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(_text(value))
    except ValueError:
        return float("nan")


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0 and value == value
    return _text(value) != ""


_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")


def _compare(op: str, a: Any, b: Any) -> bool:
    x: Any
    y: Any
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        x, y = _number(a), _number(b)
        if x != x or y != y:  # NaN: an empty or non-numeric answer never satisfies a number test
            return op == "!="
    else:
        x, y = _text(a), _text(b)
    if op == "=":
        return bool(x == y)
    if op == "!=":
        return bool(x != y)
    if op == "<":
        return bool(x < y)
    if op == "<=":
        return bool(x <= y)
    if op == ">":
        return bool(x > y)
    return bool(x >= y)


def _selected(value: Any, choice: Any) -> bool:
    items = value if isinstance(value, (list, tuple)) else _text(value).split()
    return _text(choice) in [_text(v) for v in items]


def _count_selected(value: Any) -> int:
    if isinstance(value, (list, tuple)):
        return len(value)
    return len(_text(value).split())


def _regex(value: Any, pattern: Any) -> bool:
    text = _text(value)[:MAX_REGEX_INPUT]
    try:
        return re.search(_text(pattern), text) is not None
    except re.error as exc:
        raise ExprError(f"bad regular expression {pattern!r}: {exc}") from exc


def _if(cond: Any, a: Any, b: Any) -> Any:
    return a if _truthy(cond) else b


# name -> (arity, implementation)
FUNCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "selected": (2, _selected),
    "count-selected": (1, _count_selected),
    "string-length": (1, lambda v: len(_text(v))),
    "regex": (2, _regex),
    "not": (1, lambda v: not _truthy(v)),
    "true": (0, lambda: True),
    "false": (0, lambda: False),
    "number": (1, _number),
    "if": (3, _if),
    "contains": (2, lambda a, b: _text(b) in _text(a)),
}
