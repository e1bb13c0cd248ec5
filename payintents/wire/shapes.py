"""JSON Schema building blocks for the shapes of wire objects.

Each resource declares its object's shape once, beside the code that renders it, with these;
`wire.openapi` serves the declarations as the response schemas of `/openapi.json`, where
schemathesis checks every answer against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
BOOLEAN: Schema = {"type": "boolean"}
# A field Stripe has for a feature payintents does not implement: always null here.
NULL: Schema = {"type": "null"}
METADATA: Schema = {"type": "object", "additionalProperties": STRING}
# A hash stored as the client gave it, or whose keys depend on a type.
FREE_OBJECT: Schema = {"type": "object"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, NULL]}


def const(value: str) -> Schema:
    return {"type": "string", "const": value}


def enum(values: Iterable[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(
    properties: Mapping[str, Schema], *, optional: Iterable[str] = (), open: bool = False
) -> Schema:
    """An object with exactly these properties, every one present unless `optional`;
    `open` allows others (sub-objects whose keys depend on what the client gave)."""
    absent = set(optional)
    unknown = absent - set(properties)
    assert not unknown, f"optional names no property: {sorted(unknown)}"
    schema: Schema = {
        "type": "object",
        "properties": dict(properties),
        "required": [name for name in properties if name not in absent],
    }
    if not open:
        schema["additionalProperties"] = False
    return schema


def expandable(kind: str) -> Schema:
    """An id, the object it names when `expand[]` asked for it, or null."""
    return nullable({"anyOf": [STRING, ref(kind)]})


def list_of(item: Schema) -> Schema:
    """A list envelope (`wire.lists.envelope`)."""
    return obj({"object": const("list"), "data": array(item), "has_more": BOOLEAN, "url": STRING})


def search_result_of(item: Schema) -> Schema:
    """A search envelope (`wire.lists.search_envelope`)."""
    return obj(
        {
            "object": const("search_result"),
            "data": array(item),
            "has_more": BOOLEAN,
            "next_page": nullable(STRING),
            "url": STRING,
        }
    )


def deleted(kind: str) -> Schema:
    """What a DELETE answers: the id, the type and `deleted: true`."""
    return obj({"id": STRING, "object": const(kind), "deleted": {"type": "boolean", "const": True}})
