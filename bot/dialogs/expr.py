"""A small, safe expression language for ``relevant`` and ``constraint`` (XLSForm flavour).

Supported: ``${question}`` references, ``.`` (the answer being checked), numbers,
'strings' or "strings", ``= != < <= > >=``, ``+ - * div mod``, ``and or not``,
parentheses, and the functions in :data:`FUNCTIONS` (``selected``, ``count-selected``,
``string-length``, ``regex``, ``not``, ``true``, ``false``, ``number``, ``if``,
``contains``). Text is tokenised and parsed by hand into a tree; nothing is ever
passed to ``eval``.

``parse(text)`` returns an :class:`Expr` (raises :class:`ExprError` on bad syntax);
``Expr.evaluate(values, current)`` computes it against a mapping of answers, where an
unanswered question is ``None`` (read as the empty string, as in XLSForm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.dialogs.expr_tree import (
    _COMPARISONS,
    FUNCTIONS,
    Binary,
    Call,
    Dot,
    Expr,
    ExprError,
    Literal,
    Node,
    Ref,
    Unary,
)

__all__ = ["FUNCTIONS", "Expr", "ExprError", "Token", "parse", "tokenize"]

MAX_EXPRESSION_LENGTH = 1000


@dataclass(frozen=True)
class Token:
    kind: str  # num, str, ref, dot, name, op, lparen, rparen, comma
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})
      | (?P<num>\d+(?:\.\d+)?)
      | (?P<str>'[^']*'|"[^"]*")
      | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<op><=|>=|!=|=|<|>|\+|-|\*)
      | (?P<dot>\.)
      | (?P<lparen>\()
      | (?P<rparen>\))
      | (?P<comma>,)
    )""",
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises ExprError at the first character it cannot read."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise ExprError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    tokens: list[Token] = []
    pos = 0
    stripped_end = len(text.rstrip())
    while pos < stripped_end:
        match = _TOKEN_RE.match(text, pos)
        if match is None or match.end() == pos:
            raise ExprError(f"unexpected character {text[pos : pos + 1]!r} at position {pos}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


# --- the parser -----------------------------------------------------------------


class _Parser:
    """Recursive descent: or < and < not < comparison < additive < multiplicative < unary."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = tokenize(source)
        self.i = 0
        self.refs: set[str] = set()
        self.uses_dot = False

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExprError("expression ends too early")
        self.i += 1
        return token

    def expect(self, kind: str) -> Token:
        token = self.take()
        if token.kind != kind:
            raise ExprError(f"expected {kind} at position {token.pos}, found {token.text!r}")
        return token

    def at_word(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text == word

    def parse(self) -> Expr:
        if not self.tokens:
            raise ExprError("empty expression")
        root = self.or_expr()
        extra = self.peek()
        if extra is not None:
            raise ExprError(f"unexpected {extra.text!r} at position {extra.pos}")
        return Expr(self.source, root, frozenset(self.refs), self.uses_dot)

    def or_expr(self) -> Node:
        node = self.and_expr()
        while self.at_word("or"):
            self.take()
            node = Binary("or", node, self.and_expr())
        return node

    def and_expr(self) -> Node:
        node = self.not_expr()
        while self.at_word("and"):
            self.take()
            node = Binary("and", node, self.not_expr())
        return node

    def not_expr(self) -> Node:
        if self.at_word("not"):
            nxt = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
            if nxt is None or nxt.kind != "lparen":
                self.take()
                return Unary("not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        token = self.peek()
        if token is not None and token.kind == "op" and token.text in _COMPARISONS:
            self.take()
            node = Binary(token.text, node, self.additive())
        return node

    def additive(self) -> Node:
        node = self.multiplicative()
        while (t := self.peek()) is not None and t.kind == "op" and t.text in "+-":
            self.take()
            node = Binary(t.text, node, self.multiplicative())
        return node

    def multiplicative(self) -> Node:
        node = self.unary()
        while (t := self.peek()) is not None and (
            (t.kind == "op" and t.text == "*") or (t.kind == "name" and t.text in ("div", "mod"))
        ):
            self.take()
            node = Binary(t.text, node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token.kind == "op" and token.text == "-":
            self.take()
            return Unary("-", self.unary())
        return self.primary()

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "num":
            number = float(token.text)
            return Literal(int(number) if number.is_integer() else number)
        if token.kind == "str":
            return Literal(token.text[1:-1])
        if token.kind == "ref":
            name = token.text[2:-1]
            self.refs.add(name)
            return Ref(name)
        if token.kind == "dot":
            self.uses_dot = True
            return Dot()
        if token.kind == "lparen":
            node = self.or_expr()
            self.expect("rparen")
            return node
        if token.kind == "name":
            return self.call(token)
        raise ExprError(f"unexpected {token.text!r} at position {token.pos}")

    def call(self, name: Token) -> Node:
        if name.text not in FUNCTIONS:
            raise ExprError(f"unknown function or word {name.text!r} at position {name.pos}")
        self.expect("lparen")
        args: list[Node] = []
        head = self.peek()
        if head is not None and head.kind == "rparen":
            self.take()
        else:
            args.append(self.or_expr())
            closing = self.take()
            while closing.kind == "comma":
                args.append(self.or_expr())
                closing = self.take()
            if closing.kind != "rparen":
                raise ExprError(f"expected ')' at position {closing.pos}, found {closing.text!r}")
        arity = FUNCTIONS[name.text][0]
        if len(args) != arity:
            raise ExprError(f"{name.text}() takes {arity} argument(s), got {len(args)}")
        return Call(name.text, tuple(args))


def parse(source: str) -> Expr:
    """Parse ``source`` into an :class:`Expr`; raises :class:`ExprError` with the position."""
    return _Parser(source).parse()
