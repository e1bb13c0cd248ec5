"""The OpenAPI 3.1 description served at `/openapi.json`, built from the endpoints' own
parameter schemas and their objects' declared shapes (`wire.shapes`), so it cannot drift from
what the server validates and answers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from payintents.wire.http import Endpoint
from payintents.wire.shapes import Schema, obj, ref

_PATH_PARAM = re.compile(r"{(\w+)}")

# Stripe's error body: its `error` is the `api_errors` hash the resources declare.
_ERROR = obj({"error": ref("api_errors")})


def _response(endpoint: Endpoint) -> Schema:
    """The endpoint's declared answer, or else the object named by `returns`."""
    if endpoint.response is not None:
        return endpoint.response
    if endpoint.returns is None:
        raise ValueError(f"{endpoint.method} {endpoint.path} declares no response schema")
    return ref(endpoint.returns)


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    names = _PATH_PARAM.findall(endpoint.path)
    parameters: list[dict[str, Any]] = [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
    ]
    op: dict[str, Any] = {
        "operationId": endpoint.method.lower() + re.sub(r"\W+", "_", endpoint.path).rstrip("_"),
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "Success.",
                "content": {"application/json": {"schema": _response(endpoint)}},
            },
            "default": {
                "description": "A Stripe error.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/error"}}},
            },
        },
    }
    body = endpoint.params.json_schema()
    if endpoint.method == "POST":
        op["requestBody"] = {
            "required": bool(body.get("required")),
            "content": {"application/x-www-form-urlencoded": {"schema": body}},
        }
    else:
        required = set(body.get("required", ()))
        for name, schema in body["properties"].items():
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in required,
                    "style": "deepObject",
                    "explode": True,
                    "schema": schema,
                }
            )
    if not endpoint.secret:
        op["security"] = [{"publishable_key": []}]
    elif endpoint.publishable:
        op["security"] = [{"secret_key": []}, {"basic": []}, {"publishable_key": []}]
    return op


def _link_creations(paths: dict[str, dict[str, Any]]) -> None:
    """`POST /v1/things` links to every operation on `/v1/things/{thing}...` with the new id,
    so stateful testers can create, then confirm, capture or cancel what they created."""
    for path, ops in paths.items():
        create = ops.get("post")
        if create is None or "{" in path:
            continue
        links: dict[str, Any] = {}
        for other, other_ops in paths.items():
            match = re.fullmatch(re.escape(path) + r"/{(\w+)}(/[\w/]*)?", other)
            if match is None:
                continue
            for op in other_ops.values():
                links[op["operationId"]] = {
                    "operationId": op["operationId"],
                    "parameters": {match.group(1): "$response.body#/id"},
                }
        if links:
            create["responses"]["200"]["links"] = links


def document(
    endpoints: Sequence[Endpoint], schemas: Mapping[str, Schema], version: str
) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    _link_creations(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "payintents", "version": version},
        "servers": [{"url": "/"}],
        "security": [{"secret_key": []}, {"basic": []}],
        "components": {
            "securitySchemes": {
                "secret_key": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
                "publishable_key": {"type": "http", "scheme": "bearer"},
            },
            "schemas": {**schemas, "error": _ERROR},
        },
        "paths": paths,
    }
