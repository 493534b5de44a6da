"""The compiled schema check: it spares jsonschema valid files and never accepts one jsonschema
refuses, so every error reported is still jsonschema's."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import ROOT
from statuskit.core import yamlsource
from statuskit.core.documents import split_front_matter
from statuskit.core.loader import incident_schema
from statuskit.core.postmortems import postmortem_schema
from statuskit.core.schema import SchemaCheck, fast_equivalent

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import generate


def front_matter(path: Path) -> Any:
    """A file's fields; None for a translated narrative (markdown only)."""
    text = path.read_text("utf-8")
    parts = split_front_matter(text)
    if parts is None and path.suffix == ".md":
        return None
    return yamlsource.load(parts[0] if parts else text, 2).data


def documents(tmp: Path) -> dict[str, list[Any]]:
    """Valid incidents and postmortems: the demo's, and a generated history's incidents."""
    files = sorted((ROOT / "incidents").rglob("*.*"))
    generate(tmp, 200, 3, ("en", "ko", "ja"))
    files += sorted((tmp / "incidents").rglob("*.*"))
    found: dict[str, list[Any]] = {"incident": [], "postmortem": []}
    for path in files:
        if path.suffix not in (".md", ".yml", ".yaml"):
            continue
        name, fields = path.name.split("."), front_matter(path)
        if fields is None:
            continue
        if "postmortem" in name:
            found["postmortem"].append(fields)
        elif len(name) == 2:  # not a translation
            found["incident"].append(fields)
    return found


@pytest.fixture(scope="module")
def valid(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Any]]:
    return documents(tmp_path_factory.mktemp("corpus"))


SCHEMAS = {"incident": incident_schema, "postmortem": postmortem_schema}


@pytest.mark.parametrize("kind", ["incident", "postmortem"])
def test_a_valid_file_is_checked_without_jsonschema(
    kind: str, valid: dict[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    check = SchemaCheck(SCHEMAS[kind]())
    assert fast_equivalent(SCHEMAS[kind]())
    walked: list[Any] = []
    original = check.validator.iter_errors

    class Recorded:
        def iter_errors(self, document: Any) -> Any:
            walked.append(document)
            return original(document)

    monkeypatch.setattr(check, "validator", Recorded())
    assert len(valid[kind]) >= 3, kind
    for document in valid[kind]:
        assert list(check.errors(document)) == []
    assert walked == [], f"jsonschema walked {len(walked)} valid {kind} file(s)"
    # An invalid one is jsonschema's to report, with its own errors.
    broken = {**valid[kind][0], "unknown_field": 1}
    errors = [e.message for e in check.errors(broken)]
    assert errors and errors == [e.message for e in original(broken)]
    assert len(walked) == 1


# Values an author (or a hostile file) may put anywhere in a document.
ODD = st.sampled_from(
    [None, True, False, 0, 1, -1, 1.0, 1.5, "", " ", "x", "a\n", "critical", "resolved", [], {}]
) | st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, min_size=1, max_size=3)
    ),
    max_leaves=6,
)


def places(document: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += places(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += places(value, (*path, index))
    return found


def mutated(document: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    """The document with the value at `path` replaced or removed, or a key added beside it."""
    copied = copy.deepcopy(document)
    if not path:
        return value if how == "replace" else copied
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "replace":
        parent[last] = value
    elif how == "remove":
        del parent[last]
    elif isinstance(parent, dict):
        parent[f"{last}_extra" if isinstance(value, str) else value.__class__.__name__] = value
    else:
        parent.insert(last, value)
    return copied


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_the_compiled_check_never_accepts_what_jsonschema_refuses(
    data: st.DataObject, valid: dict[str, list[Any]]
) -> None:
    kind = data.draw(st.sampled_from(["incident", "postmortem"]))
    document = data.draw(st.sampled_from(valid[kind]))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(places(document)))
        how = data.draw(st.sampled_from(["replace", "remove", "add"]))
        document = mutated(document, path, how, data.draw(ODD))
    check = _checks()[kind]
    expected = sorted(e.message for e in check.validator.iter_errors(document))
    assert sorted(e.message for e in check.errors(document)) == expected


_CHECKS: dict[str, SchemaCheck] = {}


def _checks() -> dict[str, SchemaCheck]:
    if not _CHECKS:
        _CHECKS.update({kind: SchemaCheck(schema()) for kind, schema in SCHEMAS.items()})
    return _CHECKS


# Schemas whose draft 7 reading (fastjsonschema's) accepts a document 2020-12 refuses, or that
# it cannot compile.
LOOSER_IN_DRAFT_7 = {
    "a $ref with validation beside it": (
        {
            "$defs": {"list": {"type": "array"}},
            "properties": {"a": {"$ref": "#/$defs/list", "minItems": 1}},
        },
        {"a": []},
    ),
    "a tuple of items (2020-12's prefixItems)": (
        {"properties": {"a": {"prefixItems": [{"type": "string"}]}}},
        {"a": [1]},
    ),
    "a keyword draft 7 lacks": (
        {"properties": {"a": {"unevaluatedProperties": False}}},
        {"a": {"b": 1}},
    ),
}


@pytest.mark.parametrize("case", sorted(LOOSER_IN_DRAFT_7))
def test_a_schema_read_otherwise_in_draft_7_is_checked_by_jsonschema_alone(case: str) -> None:
    schema, document = LOOSER_IN_DRAFT_7[case]
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    refused = list(Draft202012Validator(schema).iter_errors(document))
    assert refused, "jsonschema refuses it"
    draft_7 = {**schema, "$schema": "http://json-schema.org/draft-07/schema#"}
    try:
        compiled = fastjsonschema.compile(draft_7, use_default=False, use_formats=False)
    except Exception:
        pass
    else:
        compiled(document)  # accepted: the check must not use it for this schema
    assert not fast_equivalent(schema)
    assert [e.message for e in SchemaCheck(schema).errors(document)] == [e.message for e in refused]
