"""A JSON Schema validator for the keywords the sweep document's schema uses.

The schema (:mod:`.schema`) is plain JSON Schema (draft 2020-12), and the tests check
it and these answers against the ``jsonschema`` package; ``jsonschema`` itself is not a
dependency of authsweep for one schema, so this reads the subset the schema is written
in and refuses a schema that uses anything else. It stops at the first problem and says
where it is (``sweep.repositories[3].findings``) and what is wrong, in words people
read, never with the value itself when that is long.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_ARTICLES = {"object": "an object", "array": "an array", "integer": "an integer"}
KEYWORDS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$ref",
        "title",
        "description",
        "type",
        "const",
        "enum",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "pattern",
    }
)


class SchemaProblem(ValueError):
    """Where the instance breaks the schema (``where``: a path like ``a.b[2]``) and how."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem


def unsupported_keywords(schema: object) -> set[str]:
    """Keywords of ``schema`` (at any depth) this validator does not read."""
    found: set[str] = set()
    for node in _schemas(schema):
        found |= set(node) - KEYWORDS
    return found


def _schemas(schema: object) -> Iterator[dict]:
    if not isinstance(schema, dict):
        return
    yield schema
    for key in ("$defs", "properties"):
        for child in schema.get(key, {}).values():
            yield from _schemas(child)
    for key in ("items", "additionalProperties"):
        yield from _schemas(schema.get(key))
    for child in schema.get("prefixItems", []):
        yield from _schemas(child)


def validate(instance: object, schema: dict) -> None:
    """Raise :class:`SchemaProblem` for the first place ``instance`` breaks ``schema``."""
    _check(instance, schema, schema, "")


def _describe(value: object) -> str:
    for name, test in _TYPES.items():
        if test(value):
            if name in ("string", "integer", "number") and len(repr(value)) <= 40:
                return repr(value)
            return _ARTICLES.get(name, f"a {name}")
    return type(value).__name__


def _expected(types: str | list[str]) -> str:
    names = [types] if isinstance(types, str) else types
    return " or ".join(_ARTICLES.get(name, f"a {name}") for name in names)


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _check(value: object, schema: dict, root: dict, where: str) -> None:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        schema = root["$defs"][name]
    types = schema.get("type")
    if types is not None:
        names = [types] if isinstance(types, str) else types
        if not any(_TYPES[name](value) for name in names):
            raise SchemaProblem(where, f"expected {_expected(types)}, found {_describe(value)}")
    if "const" in schema and not _same(value, schema["const"]):
        raise SchemaProblem(where, f"expected {schema['const']!r}, found {_describe(value)}")
    if "enum" in schema and not any(_same(value, allowed) for allowed in schema["enum"]):
        allowed = ", ".join(repr(v) for v in schema["enum"])
        raise SchemaProblem(where, f"expected one of {allowed}, found {_describe(value)}")
    if isinstance(value, dict):
        _check_object(value, schema, root, where)
    elif isinstance(value, list):
        _check_array(value, schema, root, where)
    elif isinstance(value, str):
        _check_string(value, schema, where)
    elif _TYPES["number"](value):
        if "minimum" in schema and value < schema["minimum"]:
            raise SchemaProblem(where, f"{value} is below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise SchemaProblem(where, f"{value} is over {schema['maximum']:,}")


def _same(value: object, other: object) -> bool:
    """Equal as JSON values: ``true`` is not ``1``, as Python's ``==`` would have it."""
    return isinstance(value, bool) == isinstance(other, bool) and value == other


def _check_object(value: dict, schema: dict, root: dict, where: str) -> None:
    for key in schema.get("required", ()):
        if key not in value:
            raise SchemaProblem(where, f"{key!r} is missing")
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        if key in properties:
            _check(item, properties[key], root, _at(where, key))
        elif extra is False:
            raise SchemaProblem(where, f"unexpected key {_describe(key)}")
        elif isinstance(extra, dict):
            _check(item, extra, root, _at(where, key))


def _check_array(value: list, schema: dict, root: dict, where: str) -> None:
    if len(value) < schema.get("minItems", 0):
        raise SchemaProblem(where, f"expected at least {schema['minItems']} items")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise SchemaProblem(where, f"{len(value):,} items, at most {schema['maxItems']:,}")
    positional = schema.get("prefixItems", [])
    for index, item in enumerate(value):
        if index < len(positional):
            _check(item, positional[index], root, _at(where, index))
        elif "items" in schema:
            if schema["items"] is False:
                raise SchemaProblem(where, f"expected at most {len(positional)} items")
            _check(item, schema["items"], root, _at(where, index))
    if schema.get("uniqueItems"):
        seen: set[str] = set()
        for index, item in enumerate(value):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                raise SchemaProblem(_at(where, index), f"{_describe(item)} is there twice")
            seen.add(key)


def _check_string(value: str, schema: dict, where: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise SchemaProblem(where, "expected a non-empty string")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise SchemaProblem(where, f"{len(value):,} characters, at most {schema['maxLength']:,}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise SchemaProblem(where, f"{_describe(value)} does not match {schema['pattern']}")
