"""Checking a document against one of statuskit's schemas: jsonschema's errors, found only for
the documents a compiled check refuses.

A first build reads every incident file of the history and checks it against its schema.
jsonschema walks the schema in Python, about 360 µs for each incident of the benchmark's
history: half the cost of reading it. fastjsonschema compiles the same schema into Python code,
about 46 µs. Only a document it accepts skips jsonschema; any other (refused, or an error inside
the compiled check) is checked by jsonschema, whose errors are the ones reported. So the
compiled check may only ever be stricter than jsonschema, never looser: it is used only for a
schema whose every keyword means the same in draft 7 (what fastjsonschema implements) as in
draft 2020-12, the draft statuskit's schemas are written in (`fast_equivalent`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

# Keywords whose meaning in draft 7 is that of draft 2020-12, as fastjsonschema implements them.
# `$ref` is one only without validation beside it (draft 7 ignores its siblings); `items` only
# as one schema (a list is `prefixItems` in 2020-12). Annotations change nothing.
_SAME_IN_DRAFT_7 = frozenset(
    {
        "type",
        "properties",
        "additionalProperties",
        "required",
        "pattern",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "oneOf",
        "anyOf",
        "allOf",
        "items",
        "enum",
        "$ref",
    }
)
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "examples", "$comment"}
)
# Where a schema's children are named by the document's keys, not by keywords.
_BY_NAME = frozenset({"properties", "$defs"})


class SchemaCheck:
    """One schema: `errors` yields jsonschema's errors for a document, none for a valid one."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.validator = Draft202012Validator(schema)
        self._fast: Callable[[Any], Any] | None = None
        if fast_equivalent(schema):
            draft_7 = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
            draft_7["$schema"] = "http://json-schema.org/draft-07/schema#"
            try:
                self._fast = fastjsonschema.compile(
                    draft_7, use_default=False, use_formats=False, detailed_exceptions=False
                )
            except Exception:  # a schema it cannot compile is jsonschema's alone
                self._fast = None

    def errors(self, document: Any) -> Iterator[ValidationError]:
        """jsonschema's errors; none without running it when the compiled check accepts."""
        if self._fast is not None:
            try:
                self._fast(document)
            except Exception:  # refused, or beyond the compiled check: jsonschema decides
                pass
            else:
                return iter(())
        return self.validator.iter_errors(document)


def fast_equivalent(schema: Any) -> bool:
    """Whether every keyword of the schema means for fastjsonschema what it means in 2020-12."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for name, value in schema.items():
        if name in _ANNOTATIONS and name != "$defs":
            continue
        if name not in _SAME_IN_DRAFT_7 and name != "$defs":
            return False
        if name == "$ref" and (
            not isinstance(value, str)
            or not value.startswith("#/")
            or set(schema) - _ANNOTATIONS - {"$ref"}
        ):
            return False
        if name == "items" and not isinstance(value, dict | bool):
            return False
        if name in _BY_NAME:
            if not isinstance(value, dict) or not all(
                fast_equivalent(child) for child in value.values()
            ):
                return False
        elif name in ("oneOf", "anyOf", "allOf"):
            if not isinstance(value, list) or not all(fast_equivalent(v) for v in value):
                return False
        elif name in ("additionalProperties", "propertyNames", "items") and not fast_equivalent(
            value
        ):
            return False
    return True
