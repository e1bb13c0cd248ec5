"""Parameter schemas: typed decoding and validation with Stripe's errors.

A schema turns the string tree from `wire.form.decode` into Python values, or
raises the exact `ApiError` Stripe answers for that input. An empty string on
an emptyable parameter decodes to `UNSET` (the caller clears the field);
absent parameters are absent from the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from payintents.domain.values import METADATA_MAX_KEYS, UNSET
from payintents.errors import ApiError

_INT_RE = re.compile(r"^-?\d+$")
# Integers are 64-bit signed, like the stores' INTEGER/BIGINT columns and JSON encoders: a
# value past that range is no integer the API takes (not a 500 from the layers beneath).
_INT64 = range(-(2**63), 2**63)


def _invalid_empty(path: str) -> ApiError:
    return ApiError(
        f"You passed an empty string for '{path}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{path}' cannot be unset. You should remove '{path}' "
        "from your request or supply a non-empty value.",
        code="parameter_invalid_empty",
        param=path,
    )


def _join_or(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    if len(values) == 2:
        return f"{values[0]} or {values[1]}"
    return ", ".join(values[:-1]) + f", or {values[-1]}"


def _child(path: str, key: str) -> str:
    return f"{path}[{key}]" if path else key


def _emptyable(spec: Spec, schema: dict[str, Any]) -> dict[str, Any]:
    """An empty string unsets an emptyable parameter."""
    return {"anyOf": [schema, {"type": "string", "enum": [""]}]} if spec.emptyable else schema


def _object_schema(fields: Mapping[str, Spec], required: Sequence[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
    schema["properties"] = {name: spec.json_schema() for name, spec in fields.items()}
    if required:
        schema["required"] = list(required)
    return schema


class Spec:
    emptyable: bool = False

    def parse(self, value: Any, path: str) -> Any:
        if value == "":
            if self.emptyable:
                return UNSET
            raise _invalid_empty(path)
        return self.convert(value, path)

    def convert(self, value: Any, path: str) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """The OpenAPI (JSON Schema) description of the values `convert` accepts."""
        raise NotImplementedError


def _expect_scalar(value: Any, path: str, what: str) -> str:
    if not isinstance(value, str):
        raise ApiError(f"Invalid {what}: {path} must be a {what}, not a hash or array.", param=path)
    return value


def _elide(text: str) -> str:
    """A long value as Stripe quotes it in an error: its first and last ten characters."""
    return text if len(text) <= 23 else f"{text[:10]}...{text[-10:]}"


@dataclass(frozen=True)
class Str(Spec):
    max_length: int = 5000
    emptyable: bool = False
    check: Callable[[str, str], None] | None = None

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, {"type": "string", "maxLength": self.max_length})

    def convert(self, value: Any, path: str) -> str:
        text = _expect_scalar(value, path, "string")
        if len(text) > self.max_length:
            raise ApiError(
                f"Invalid string: {_elide(text)}; must be at most {self.max_length} characters",
                param=path,
            )
        if self.check is not None:
            self.check(text, path)
        return text


@dataclass(frozen=True)
class Int(Spec):
    min: int | None = None
    max: int | None = None
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        bounds = {"minimum": self.min, "maximum": self.max}
        schema = {"type": "integer"} | {k: v for k, v in bounds.items() if v is not None}
        return _emptyable(self, schema)

    def convert(self, value: Any, path: str) -> int:
        text = _expect_scalar(value, path, "integer")
        # The length check keeps int() from parsing thousands of digits.
        if not _INT_RE.match(text) or len(text) > 20 or int(text) not in _INT64:
            raise ApiError(
                f"Invalid integer: {text[:100]}", code="parameter_invalid_integer", param=path
            )
        number = int(text)
        if self.min is not None and number < self.min:
            raise ApiError(
                f"This value must be greater than or equal to {self.min}.",
                code="parameter_invalid_integer",
                param=path,
            )
        if self.max is not None and number > self.max:
            raise ApiError(
                f"This value must be less than or equal to {self.max}.",
                code="parameter_invalid_integer",
                param=path,
            )
        return number


# Stripe's v1 API takes booleans lower-case and capitalized (older stripe-python and
# stripe-dotnet send `True`/`False`); anything else, `1` and `0` included, it refuses.
_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


@dataclass(frozen=True)
class Bool(Spec):
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, {"type": "boolean"})

    def convert(self, value: Any, path: str) -> bool:
        text = _expect_scalar(value, path, "boolean")
        if text in _BOOLEANS:
            return _BOOLEANS[text]
        raise ApiError(f"Invalid boolean: {text[:100]}", param=path)


@dataclass(frozen=True)
class Enum(Spec):
    values: tuple[str, ...]
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, {"type": "string", "enum": list(self.values)})

    def convert(self, value: Any, path: str) -> str:
        text = _expect_scalar(value, path, "string")
        if text not in self.values:
            raise ApiError(
                f"Invalid {path}: must be one of {_join_or(self.values)}",
                param=path,
            )
        return text


@dataclass(frozen=True)
class OneOf(Spec):
    """A parameter that takes one of several shapes (e.g. `off_session`: a boolean or an enum)."""

    options: tuple[Spec, ...]
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, {"anyOf": [o.json_schema() for o in self.options]})

    def convert(self, value: Any, path: str) -> Any:
        # Report the error of the option shaped like the value (a hash for a hash, ...).
        nested = isinstance(value, dict | list)
        fitting = [o for o in self.options if isinstance(o, Obj | Arr | Free) == nested]
        first: ApiError | None = None
        for option in fitting or self.options:
            try:
                return option.convert(value, path)
            except ApiError as err:
                first = first or err
        assert first is not None
        raise first


@dataclass(frozen=True)
class Arr(Spec):
    item: Spec
    max_items: int = 100
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        schema = {"type": "array", "items": self.item.json_schema(), "maxItems": self.max_items}
        return _emptyable(self, schema)

    def convert(self, value: Any, path: str) -> list[Any]:
        if isinstance(value, dict):
            value = _indexed_to_list(value, path)
        if not isinstance(value, list):
            raise ApiError(f"Invalid array: {path} must be an array.", param=path)
        if len(value) > self.max_items:
            raise ApiError(
                f"Invalid array: {path} must have at most {self.max_items} items.", param=path
            )
        return [self.item.parse(v, f"{path}[{i}]") for i, v in enumerate(value)]


def _indexed_to_list(value: dict[str, Any], path: str) -> list[Any]:
    keys = list(value)
    if not all(k.isdigit() for k in keys) or sorted(int(k) for k in keys) != list(range(len(keys))):
        got = ", ".join(f"`{k}`" for k in keys)
        missing = next(i for i in range(len(keys) + 1) if str(i) not in value)
        raise ApiError(
            "If passing an array with explicit keys (e.g. foo[0]=a&foo[1]=b) instead of as an "
            "array (e.g. foo[]=a&foo[]=b), the keys must be numeric and sequential starting "
            f"from 0. You passed the keys {got}, we expected to have a key with the value "
            f"`{missing}`.",
            param=path,
        )
    return [value[str(i)] for i in range(len(keys))]


def unknown_parameters(names: Sequence[str]) -> ApiError:
    if len(names) == 1:
        return ApiError(
            f"Received unknown parameter: {names[0]}", code="parameter_unknown", param=names[0]
        )
    return ApiError(
        f"Received unknown parameters: {', '.join(names)}",
        code="parameter_unknown",
        param=names[0],
    )


def missing_parameter(path: str) -> ApiError:
    return ApiError(f"Missing required param: {path}.", code="parameter_missing", param=path)


@dataclass(frozen=True)
class Obj(Spec):
    fields: Mapping[str, Spec]
    required: tuple[str, ...] = ()
    emptyable: bool = False

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, _object_schema(self.fields, self.required))

    def convert(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ApiError(f"Invalid object: {path or 'the request'} must be a hash.", param=path)
        unknown = [_child(path, k) for k in value if k not in self.fields]
        if unknown:
            raise unknown_parameters(unknown)
        out: dict[str, Any] = {}
        for name, spec in self.fields.items():
            if name in value:
                out[name] = spec.parse(value[name], _child(path, name))
            elif name in self.required:
                raise missing_parameter(_child(path, name))
        return out


@dataclass(frozen=True)
class Free(Spec):
    """A nested hash Stripe accepts whose inner shape payintents stores without interpreting.

    Leaves must be strings; depth is bounded by the form decoder.
    """

    emptyable: bool = True

    def json_schema(self) -> dict[str, Any]:
        return _emptyable(self, {"type": "object"})

    def convert(self, value: Any, path: str) -> Any:
        if isinstance(value, dict | list):
            return value
        raise ApiError(f"Invalid object: {path} must be a hash.", param=path)


METADATA_KEY_MAX = 40
METADATA_VALUE_MAX = 500


@dataclass(frozen=True)
class Metadata(Spec):
    """`metadata[k]=v`; an empty value unsets k, `metadata=` unsets every key."""

    emptyable: bool = True

    def json_schema(self) -> dict[str, Any]:
        value = {"type": "string", "maxLength": METADATA_VALUE_MAX}
        schema = {
            "type": "object",
            "maxProperties": METADATA_MAX_KEYS,
            "propertyNames": {"maxLength": METADATA_KEY_MAX, "pattern": r"^[^\[\]]*$"},
            "additionalProperties": value,
        }
        return _emptyable(self, schema)

    def convert(self, value: Any, path: str) -> dict[str, str | None]:
        if not isinstance(value, dict):
            raise ApiError(
                "Invalid object: metadata must be a hash of keys and string values.",
                param=path,
            )
        if len(value) > METADATA_MAX_KEYS:
            raise ApiError(
                f"Invalid metadata: metadata can have up to {METADATA_MAX_KEYS} keys, but you "
                f"passed in {len(value)} keys.",
                param=path,
            )
        out: dict[str, str | None] = {}
        for key, item in value.items():
            item_path = _child(path, key)
            if len(key) > METADATA_KEY_MAX:
                raise ApiError(
                    f"Metadata keys can have up to {METADATA_KEY_MAX} characters, but you passed "
                    f"in a key that is {len(key)} characters. Invalid key: {key[:100]}",
                    param=item_path,
                )
            if "[" in key or "]" in key:
                raise ApiError(
                    f"Metadata keys may not contain '[' or ']'. Invalid key: {key[:100]}",
                    param=item_path,
                )
            if not isinstance(item, str):
                raise ApiError(
                    f"Invalid metadata value for {key[:100]}: values must be strings.",
                    param=item_path,
                )
            if len(item) > METADATA_VALUE_MAX:
                raise ApiError(
                    f"Metadata values can have up to {METADATA_VALUE_MAX} characters, but you "
                    f"passed in a value that is {len(item)} characters. Invalid value: "
                    f"{item[:100]}",
                    param=item_path,
                )
            out[key] = item or None
        return out


EXPAND = Arr(Str(max_length=5000), max_items=100)


@dataclass(frozen=True)
class Params:
    """The schema of one endpoint's parameters (query string or form body)."""

    fields: Mapping[str, Spec] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def parse(self, tree: Mapping[str, Any]) -> dict[str, Any]:
        spec = Obj({**self.fields, "expand": EXPAND}, required=self.required)
        return spec.convert(dict(tree), "")

    def json_schema(self) -> dict[str, Any]:
        """The request body (or the query parameters' object) this schema validates."""
        return _object_schema({**self.fields, "expand": EXPAND}, self.required)
