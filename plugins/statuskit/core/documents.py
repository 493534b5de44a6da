"""Reading YAML documents and front matter, with problems that name the file, line and fix."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError

from . import yamlsource
from .model import Text
from .problems import Problem, display_path
from .schema import SchemaCheck

MAX_FILE_BYTES = 1_000_000
_LOCALE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
EARLIEST_YEAR = 1970
LATEST_YEAR = 2100
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")


@dataclass
class Document:
    """A file's YAML (with lines) and its markdown body."""

    shown: str
    yaml: yamlsource.YamlDocument
    body: str

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.yaml.data
        return data


def read_document(
    path: Path, problems: list[Problem], schema: SchemaCheck, what: str
) -> Document | None:
    """A front-matter (.md) or YAML file checked against a schema, or None with its problems."""
    shown = display_path(path)
    text = read_text(path, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(
            Problem(shown, 1, "the file is empty", "start it with `---`, front matter, `---`")
        )
        return None
    body = ""
    if path.suffix == ".md":
        parts = split_front_matter(text)
        if parts is None:
            if text.split("\n", 1)[0].rstrip(" \t\r") == "---":
                message, hint = "the front matter is never closed", "add a line `---` after it"
            else:
                message = "no front matter found"
                hint = f"start the file with a line `---`, the {what}'s fields, and a line `---`"
            problems.append(Problem(shown, 1, message, hint))
            return None
        source, body, _ = parts
        first_line = 2
    else:
        source, first_line = text, 1
    try:
        doc = yamlsource.load(source, first_line)
    except yamlsource.YamlError as exc:
        problems.append(Problem(shown, exc.line, exc.message, exc.hint))
        return None
    if not isinstance(doc.data, dict):
        where = "the front matter" if path.suffix == ".md" else "the file"
        problems.append(
            Problem(shown, first_line, f"{where} is not a map of keys", "write `key: value` lines")
        )
        return None
    before = len(problems)
    problems.extend(schema_problems(shown, doc, schema, what))
    if len(problems) > before:
        return None
    return Document(shown, doc, body)


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """File text as UTF-8, or a problem explaining why it cannot be read."""
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(shown, 1, f"cannot read the file: {exc.strerror}", "check it"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(
            Problem(
                shown,
                1,
                f"the file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,} byte limit",
                "keep an incident file short; move long material to a postmortem",
            )
        )
        return None
    if b"\0" in raw:
        problems.append(Problem(shown, 1, "this is a binary file", "incident files are text"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(shown, line, "the file is not valid UTF-8 text", "save it as UTF-8")
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = yamlsource.uncarriable(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        problems.append(Problem(shown, line, *yamlsource.character_problem(bad.group())))
        return None
    return text


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split `---` front matter from the markdown body; returns (yaml, body, body's first line)."""
    lines = text.split("\n")
    if lines[0].rstrip(" \t\r") != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip(" \t\r") in ("---", "..."):
            source = "".join(f"{line}\n" for line in lines[1:index])
            return source, "\n".join(lines[index + 1 :]), index + 2
    return None


def pointer(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "front matter"


def schema_problems(
    shown: str, doc: yamlsource.YamlDocument, schema: SchemaCheck, what: str
) -> Iterator[Problem]:
    """Schema errors rewritten as an author would want them, with a `did you mean`."""
    for error in sorted(schema.errors(doc.data), key=lambda e: list(map(str, e.path))):
        yield from _explain(shown, doc, error, what)


def _explain(
    shown: str, doc: yamlsource.YamlDocument, error: ValidationError, what: str
) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = pointer(path)
    line = doc.line(path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema.get("properties", {}))
        for key in error.instance:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            yield Problem(shown, doc.line((*path, key)), f"unknown key {key!r} in {where}", hint)
    elif kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else error.message
        yield Problem(shown, line, f"{where} is missing {name!r}", f"add `{name}:`")
    elif kind == "enum":
        allowed_values = error.validator_value if isinstance(error.validator_value, list) else []
        options = [str(o) for o in allowed_values]
        close = difflib.get_close_matches(str(error.instance), options, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"
        yield Problem(shown, line, f"{where} is {error.instance!r}, which is not allowed", hint)
    elif kind == "type":
        shapes = {
            "array": "write it as a list: one `- item` per line, indented under the key",
            "object": "write it as a map: `key: value` lines, indented under the key",
        }
        yield Problem(
            shown,
            line,
            f"{where} should be {_type_name(error.validator_value)}, "
            f"not {_type_name(_json_type(error.instance))}",
            shapes.get(
                str(error.validator_value),
                "fix the value (quote text that YAML reads as a number or true/false)",
            ),
        )
    elif kind == "oneOf":
        yield _text_problem(shown, doc, path, error.instance)
    elif kind == "pattern" and path and path[-1] == "id":
        yield id_problem(shown, line, error.instance)
    elif kind == "pattern" and "propertyNames" in error.absolute_schema_path:
        yield Problem(
            shown,
            doc.line((*path, str(error.instance))),
            f"{error.instance!r} in {where} is not a valid component id",
            "use a component id from mkdocs.yml (letters, digits, '-' and '_')",
        )
    elif kind == "minItems":
        yield Problem(
            shown,
            line,
            f"{where} is empty",
            "add at least one update: `- at: <time>`, `status: ...`, `body: ...`",
        )
    else:
        yield Problem(shown, line, f"{where}: {error.message}", f"see the {what} file format")


def id_problem(shown: str, line: int, value: Any) -> Problem:
    return Problem(
        shown,
        line,
        f"id {value!r} is not allowed",
        "use letters, digits, '-' and '_' only (it becomes part of URLs)",
    )


def _text_problem(
    shown: str, doc: yamlsource.YamlDocument, path: tuple[str | int, ...], value: Any
) -> Problem:
    """Why a value is not text nor a map of locale to text, at the line of the culprit."""
    where = pointer(path)
    if isinstance(value, dict) and not value:
        return Problem(
            shown, doc.line(path), f"{where} is an empty map", "write the text, or `{en: text}`"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            line = doc.line((*path, key))
            if not _LOCALE.fullmatch(str(key)):
                return Problem(
                    shown,
                    line,
                    f"{where} has the key {key!r}, which is not a locale code",
                    "use locale codes like en, ko or pt-BR as keys of a text map",
                )
            if not isinstance(item, str):
                return Problem(
                    shown,
                    line,
                    f"{where}.{key} should be text, not {_type_name(_json_type(item))}",
                    "write the text (quote text that YAML reads as a number or true/false)",
                )
    return Problem(
        shown,
        doc.line(path),
        f"{where} should be text or a map of locale to text, not {_type_name(_json_type(value))}",
        "write `key: text` or `key: {en: text, ko: 텍스트}` (quote text that starts with [ or {)",
    )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _type_name(kind: Any) -> str:
    names = {
        "string": "text",
        "object": "a map",
        "array": "a list",
        "boolean": "true or false",
        "number": "a number",
        "integer": "a whole number",
        "null": "empty",
    }
    if isinstance(kind, list):
        return " or ".join(names.get(str(k), str(k)) for k in kind)
    return names.get(str(kind), str(kind))


def text_of(value: Any, default_locale: str) -> Text:
    """Plain text means the default locale; a map is already per locale."""
    if isinstance(value, dict):
        return Text({str(k): str(v) for k, v in value.items()})
    return Text({default_locale: str(value)})


class TimeError(ValueError):
    """A time that cannot be used, with the line and the fix."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


def parse_time(value: str, line: int, where: str) -> datetime:
    """ISO 8601 with an offset; a naive time is ambiguous for readers in other zones."""
    example = "2026-03-14T09:12:00+09:00"
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        reason = str(exc)
        detail = "" if reason.startswith("Invalid isoformat") else f" ({reason})"
        raise TimeError(
            line, f"{where} {value!r} is not a valid time{detail}", f"write it like {example}"
        ) from None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        side = f"before {EARLIEST_YEAR}" if parsed.year < EARLIEST_YEAR else f"after {LATEST_YEAR}"
        raise TimeError(line, f"{where} {value!r} is {side}", "check the year")
    offset = parsed.utcoffset()
    if parsed.tzinfo is None or offset is None:
        raise TimeError(
            line,
            f"{where} {value!r} has no UTC offset",
            f"add the offset, like {example} or 2026-03-14T00:12:00Z",
        )
    if offset % timedelta(minutes=1):
        raise TimeError(
            line,
            f"{where} {value!r} has an offset with seconds, which feeds and calendars cannot carry",
            "write the offset in hours and minutes, like +09:00",
        )
    if not EARLIEST_YEAR <= (parsed - offset).year <= LATEST_YEAR:
        raise TimeError(
            line,
            f"{where} {value!r} is outside {EARLIEST_YEAR}-{LATEST_YEAR} in UTC",
            "check the year and the offset",
        )
    return parsed


def get_path(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at a key path, or None when any step is missing."""
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data
