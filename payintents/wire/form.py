"""Decoding of Stripe's form bodies and query strings with bracket notation.

`a[b][c]=1` nests objects, `a[]=x` appends to an array, `a[0]=x` keeps an
explicit index (the parameter schema decides whether that is an array or a
hash with numeric keys, as `metadata[0]` is). Values stay strings: typing is
the schema's job.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from payintents.errors import ApiError

# Deeper than any Stripe parameter; stops pathological inputs early.
MAX_DEPTH = 12
MAX_PAIRS = 10_000

Node = str | dict[str, Any] | list[Any]


class ArrayAppend(list):
    """An array built from `name[]=` pairs."""


def _split_key(key: str) -> list[str]:
    """`a[b][]` -> ["a", "b", ""]; a malformed key is kept whole as one name."""
    head, sep, rest = key.partition("[")
    if not sep or not head:
        return [key]
    parts = [head]
    while rest:
        inner, close, rest = rest.partition("]")
        if not close or (rest and not rest.startswith("[")):
            return [key]
        parts.append(inner)
        rest = rest[1:]
    return parts


def _conflict(parts: list[str]) -> ApiError:
    name = parts[0] + "".join(f"[{p}]" for p in parts[1:])
    return ApiError(
        f"Invalid value for {name}: it was given both as a value and as a hash or array.",
        param=name,
    )


def _insert(tree: dict[str, Any], parts: list[str], value: str) -> None:
    node: Any = tree
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, ArrayAppend):
            if part != "" and not last:
                raise _conflict(parts)
            if last:
                node.append(value)
                return
            # `a[][b]=1`: each pair makes a new element.
            child: dict[str, Any] = {}
            node.append(child)
            node = child
            continue
        if not isinstance(node, dict):
            raise _conflict(parts)
        if last:
            if isinstance(node.get(part), dict | list):
                raise _conflict(parts)
            node[part] = value
            return
        want_array = parts[i + 1] == ""
        existing = node.get(part)
        if existing is None:
            existing = ArrayAppend() if want_array else {}
            node[part] = existing
        elif isinstance(existing, str) or want_array != isinstance(existing, ArrayAppend):
            raise _conflict(parts)
        node = existing


def null_byte(name: str) -> ApiError:
    """Stripe refuses a NUL in a URL with a 400 (stripe-php checks for one before it sends a
    request, to spare users that error); a string with one is refused anywhere here."""
    return ApiError(
        f"Invalid string: {name} contains a null byte (\\0); strings may not contain null bytes.",
        param=name,
    )


def decode(raw: bytes | str) -> dict[str, Any]:
    """Decode an urlencoded body or query string into nested dicts and lists."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError("Invalid request: the body is not valid UTF-8.") from None
    else:
        text = raw
    tree: dict[str, Any] = {}
    if not text:
        return tree
    pairs = text.split("&")
    if len(pairs) > MAX_PAIRS:
        raise ApiError(f"Invalid request: too many parameters (at most {MAX_PAIRS}).")
    for pair in pairs:
        if not pair:
            continue
        key, _, value = pair.partition("=")
        try:
            key = unquote_plus(key, errors="strict")
            value = unquote_plus(value, errors="strict")
        except UnicodeDecodeError:
            raise ApiError(
                "Invalid request: a parameter is not valid UTF-8 once percent-decoded."
            ) from None
        if not key:
            continue
        if "\x00" in key or "\x00" in value:
            raise null_byte(key)
        parts = _split_key(key)
        if len(parts) > MAX_DEPTH:
            raise ApiError(
                f"Invalid request: parameter {parts[0]} is nested deeper than {MAX_DEPTH} levels.",
                param=parts[0],
            )
        _insert(tree, parts, value)
    return tree
