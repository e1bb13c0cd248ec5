"""Stripe's search query language, parsed by hand (recursive descent) into store criteria.

    query   := clause ((AND | OR | <whitespace>) clause)*     at most 10 clauses
    clause  := ["-"] field op value
    field   := name | "metadata" "[" string "]"
    op      := ":" | "~" | ">" | "<" | ">=" | "<=" | "="
    value   := string | number | boolean | null

Strings are in double or single quotes with backslash escapes; numbers, `null` and,
on boolean fields, `true` and `false` may stand bare. AND and OR are case-insensitive
and cannot be mixed (whitespace alone means AND); there are no parentheses. Every error
is Stripe's 400 on `query` and names the character where the query went wrong (1-based).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from payintents.errors import ApiError
from payintents.store.base import fold
from payintents.store.search import Clause, Criteria

MAX_CLAUSES = 10
SUBSTRING_MIN = 3

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_BARE = re.compile(r"[^\s\"']+")
_INTEGER = re.compile(r"-?\d{1,18}")
_OPERATORS = (">=", "<=", ":", "~", ">", "<", "=")
_KEYWORD = re.compile(r"(AND|OR)(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Field:
    # "number": `:`, `=`, `>`, `<`, `>=`, `<=`; "token": `:` only; "string": `:` and `~`
    # (substring), both ignoring case; "boolean": `:` with true or false, matched as 1 or 0;
    # "metadata": `:` on a key.
    type: str
    # Values are matched ASCII-lowercased (currency codes, statuses).
    caseless: bool = False


# Why a field that Stripe searches is not searchable here, or None for a field Stripe has not.
Unsupported = Callable[[str], str | None]


def empty_query() -> ApiError:
    return ApiError(
        "Provide a query parameter with a valid search query string.",
        code="parameter_invalid_string",
        param="query",
    )


def parse(
    text: str, fields: Mapping[str, Field], resource: str, unsupported: Unsupported | None = None
) -> Criteria:
    """The criteria a query asks for, or Stripe's 400 naming where the query is wrong."""
    if not text.strip():
        raise empty_query()
    return _Parser(text, fields, resource, unsupported).query()


class _Parser:
    def __init__(
        self,
        text: str,
        fields: Mapping[str, Field],
        resource: str,
        unsupported: Unsupported | None,
    ) -> None:
        self.text = text
        self.pos = 0
        self.fields = fields
        self.resource = resource
        self.unsupported = unsupported

    def error(self, detail: str, at: int | None = None) -> ApiError:
        where = self.pos if at is None else at
        return ApiError(f"Invalid search query at character {where + 1}: {detail}", param="query")

    def skip_space(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos > start

    def query(self) -> Criteria:
        self.skip_space()
        clauses = [self.clause()]
        conjunction: str | None = None
        while True:
            spaced = self.skip_space()
            if self.pos == len(self.text):
                break
            if not spaced:
                raise self.error("expected whitespace, AND or OR after a clause.")
            at = self.pos
            keyword = _KEYWORD.match(self.text, self.pos)
            word = "AND"
            if keyword is not None:
                word = keyword.group(1).upper()
                self.pos = keyword.end()
                self.skip_space()
                if self.pos == len(self.text):
                    raise self.error(f"expected a clause after {word}.")
            if conjunction is not None and word != conjunction:
                raise self.error(
                    "AND and OR cannot be combined in one query; use only one of them "
                    "(whitespace between clauses means AND).",
                    at,
                )
            conjunction = word
            if len(clauses) == MAX_CLAUSES:
                raise self.error(f"a query can have at most {MAX_CLAUSES} clauses.")
            clauses.append(self.clause())
        return Criteria(tuple(clauses), any=conjunction == "OR")

    def clause(self) -> Clause:
        start = self.pos
        negated = self.text.startswith("-", self.pos)
        if negated:
            self.pos += 1
        name_at = self.pos
        match = _NAME.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a field name.")
        name = match.group(0)
        field = self.fields.get(name)
        if field is None:
            reason = self.unsupported(name) if self.unsupported else None
            if reason is not None:
                raise self.error(reason, name_at)
            raise self.error(
                f"`{name}` is not a supported search field for {self.resource}. "
                f"Supported fields: {', '.join(sorted(self.fields))}.",
                name_at,
            )
        self.pos = match.end()
        key = None
        if field.type == "metadata":
            key = self.metadata_key()
        op_at = self.pos
        op = self.operator(name)
        value_at = self.pos
        value = self.value(name, field)
        op, value = self.check(name, field, op, value, op_at, value_at)
        return Clause(name, op, value, negated=negated, key=key, position=start)

    def metadata_key(self) -> str:
        if not self.text.startswith("[", self.pos):
            raise self.error('expected ["key"] after metadata, as in metadata["key"]:"value".')
        self.pos += 1
        if self.pos >= len(self.text) or self.text[self.pos] not in "\"'":
            raise self.error('expected a quoted metadata key, as in metadata["key"].')
        key = self.string()
        if not key:
            raise self.error("the metadata key is empty.", self.pos - 2)
        if not self.text.startswith("]", self.pos):
            raise self.error("expected ] after the metadata key.")
        self.pos += 1
        return key

    def operator(self, name: str) -> str:
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                return op
        raise self.error(f"expected an operator (:, ~, >, <, >=, <= or =) after `{name}`.")

    def value(self, name: str, field: Field) -> str | int | None:
        if self.pos >= len(self.text) or self.text[self.pos].isspace():
            raise self.error("expected a value.")
        if self.text[self.pos] in "\"'":
            return self.string()
        at = self.pos
        match = _BARE.match(self.text, self.pos)
        if match is None:
            raise self.error("expected a value.")
        word = match.group(0)
        self.pos = match.end()
        if word.lower() == "null":
            return None
        if _INTEGER.fullmatch(word):
            # Elsewhere a bare number is its text as written (a last4 of "0005").
            return int(word) if field.type == "number" else word
        if field.type == "boolean" and word.lower() in ("true", "false"):
            return word
        if field.type == "number":
            raise self.error(f"`{name}` is numeric: expected an integer.", at)
        raise self.error(
            f'string values must be quoted, as in "{word}"; only numbers and null may '
            "stand without quotes.",
            at,
        )

    def string(self) -> str:
        start = self.pos
        quote = self.text[self.pos]
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return "".join(out)
            out.append(char)
        raise self.error("unterminated string: the quote that opens it is never closed.", start)

    def check(
        self, name: str, field: Field, op: str, value: str | int | None, op_at: int, at: int
    ) -> tuple[str, str | int | None]:
        """The clause's comparison and value in store terms, once they fit the field."""
        if op == "~":
            if field.type != "string":
                raise self.error(f"`{name}` does not support substring matching (~).", op_at)
            if value is None or len(str(value)) < SUBSTRING_MIN:
                raise self.error(
                    f"substring matching (~) needs a value of at least {SUBSTRING_MIN} characters.",
                    at,
                )
            return "~", str(value)
        if field.type == "boolean":
            if op != ":":
                raise self.error(f"`{name}` is true or false: use `:`.", op_at)
            if value is None or str(value).lower() not in ("true", "false"):
                raise self.error(f'`{name}` is true or false: expected "true" or "false".', at)
            return "=", int(str(value).lower() == "true")
        if field.type != "number":
            if op != ":":
                raise self.error(
                    f"`{op}` compares numbers, and `{name}` is not a numeric field; use `:`.",
                    op_at,
                )
            if value is None:
                return "=", None
            text = str(value)
            return "=", fold(text) if field.caseless else text
        if value is None:
            if op != ":":
                raise self.error(f"null can only be matched with `:`, not `{op}`.", at)
            return "=", None
        if isinstance(value, str):
            if not _INTEGER.fullmatch(value):
                raise self.error(f"`{name}` is numeric: expected an integer.", at)
            value = int(value)
        return ("=" if op in (":", "=") else op), value
