"""The small arithmetic of the rule catalogue, evaluated in Python.

A row rule states its checks once, in the catalogue, as `<left> = <right>` or
`<left> <= <right>` over column names, whole numbers, `+`, `-`, `*` and parentheses, every token
separated by a space ("accepted = carried_over + new", "attendees <= 1000 * sessions"). dbt
turns a statement into SQL (macros/quality/quality_rules.sql: the same tokens, identifiers
quoted); this module reads the same text for what Python needs: the operands a check names, and
the value of a side for the message ("(= 1.826.000 nghìn đồng)"). No `eval`: a tiny
recursive-descent parser over the tokens, so a catalogue typo is a ValueError, never code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

Operator = Literal["=", "<="]
OPERATORS = ("+", "-", "*", "(", ")")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+")


def tokens(expression: str) -> list[str]:
    """The tokens of an expression, checked: identifiers, whole numbers and operators."""
    out = expression.split()
    if not out:
        raise ValueError("empty expression")
    for token in out:
        if token not in OPERATORS and not _IDENTIFIER.fullmatch(token) \
                and not _NUMBER.fullmatch(token):
            raise ValueError(f"{token!r} in {expression!r} is not a column name, a whole number"
                             " or one of + - * ( ) separated by spaces")
    _Parser(out, {}).parse()  # well formed (balanced, no dangling operator)
    return out


def operands(expression: str) -> list[str]:
    """The column names an expression reads, in order of first appearance."""
    return list(dict.fromkeys(t for t in tokens(expression) if _IDENTIFIER.fullmatch(t)))


def is_column(expression: str) -> bool:
    """True when the expression is a single column name (Great Expectations can compare it)."""
    return bool(_IDENTIFIER.fullmatch(expression.strip()))


def comparison(statement: str) -> tuple[str, Operator, str]:
    """'accepted = carried_over + new' -> ('accepted', '=', 'carried_over + new')."""
    for operator in ("<=", "="):  # " <= " first: it is no " = "
        left, found, right = statement.partition(f" {operator} ")
        if found:
            if f" {operator} " in right or " = " in right or " <= " in right:
                raise ValueError(f"one comparison per check, not {statement!r}")
            tokens(left)
            tokens(right)
            return left.strip(), operator, right.strip()
    raise ValueError(f"{statement!r} is not '<left> = <right>' or '<left> <= <right>'")


def evaluate(expression: str, values: Mapping[str, Any]) -> Any:
    """The value of an expression over a row's values; None when an operand is not reported
    (as SQL's NULL arithmetic, which skips the rule)."""
    return _Parser(tokens(expression), values).parse()


class _Parser:
    """expression := term (('+' | '-') term)* ; term := factor ('*' factor)* ;
    factor := number | column | '(' expression ')'  (SQL's precedence)."""

    def __init__(self, parts: list[str], values: Mapping[str, Any]) -> None:
        self.parts = parts
        self.values = values
        self.at = 0

    def parse(self) -> Any:
        value = self._expression()
        if self.at != len(self.parts):
            raise ValueError(f"unexpected {self.parts[self.at]!r} in {' '.join(self.parts)!r}")
        return value

    def _next(self) -> str:
        if self.at >= len(self.parts):
            raise ValueError(f"{' '.join(self.parts)!r} ends too early")
        self.at += 1
        return self.parts[self.at - 1]

    def _peek(self) -> str | None:
        return self.parts[self.at] if self.at < len(self.parts) else None

    def _expression(self) -> Any:
        value = self._term()
        while self._peek() in ("+", "-"):
            operator, right = self._next(), self._term()
            value = None if value is None or right is None \
                else value + right if operator == "+" else value - right
        return value

    def _term(self) -> Any:
        value = self._factor()
        while self._peek() == "*":
            self._next()
            right = self._factor()
            value = None if value is None or right is None else value * right
        return value

    def _factor(self) -> Any:
        part = self._next()
        if part == "(":
            value = self._expression()
            if self._next() != ")":
                raise ValueError(f"unbalanced parentheses in {' '.join(self.parts)!r}")
            return value
        if _NUMBER.fullmatch(part):
            return int(part)
        if _IDENTIFIER.fullmatch(part):
            return self.values.get(part)
        raise ValueError(f"unexpected {part!r} in {' '.join(self.parts)!r}")
