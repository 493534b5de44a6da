"""Reading incident files from disk into the model, collecting every problem on the way."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import yamlsource
from .model import Incident, Responsible, Text, Update
from .problems import Problem, display_path

MAX_FILE_BYTES = 1_000_000
INCIDENT_SUFFIXES = (".md", ".yml", ".yaml")
_LOCALE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
EARLIEST_YEAR = 1970
_SIBLING = re.compile(r"^(?P<stem>.+)\.(?P<locale>[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?)\.md$")


@cache
def incident_schema() -> dict[str, Any]:
    """The JSON Schema shipped for editors and used for the first pass of validation."""
    text = resources.files("statuskit").joinpath("schema/incident.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(incident_schema())


@dataclass
class LoadResult:
    """Incidents that could be read, and the problems met while reading them."""

    incidents: list[Incident] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def find_files(incidents_dir: Path) -> Iterator[Path]:
    """Incident files in a stable order; README files are documentation, not incidents."""
    if not incidents_dir.is_dir():
        return
    for path in sorted(incidents_dir.rglob("*")):
        if path.suffix not in INCIDENT_SUFFIXES or not path.is_file():
            continue
        if path.name.lower() == "readme.md" or path.name.startswith((".", "_")):
            continue
        yield path


def load_incidents(incidents_dir: Path, default_locale: str) -> LoadResult:
    """Read every incident file under a folder; a bad file never stops the others being read."""
    result = LoadResult()
    files = list(find_files(incidents_dir))
    names = {p for p in files}
    siblings: dict[Path, dict[str, Path]] = {}
    mains: list[Path] = []
    for path in files:
        match = _SIBLING.match(path.name)
        base = path.with_name(f"{match['stem']}.md") if match else None
        if match and base in names:
            siblings.setdefault(base, {})[match["locale"]] = path
        else:
            mains.append(path)
    for path in mains:
        incident = _load_file(path, default_locale, siblings.get(path, {}), result.problems)
        if incident is not None:
            result.incidents.append(incident)
    return result


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
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


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


def _load_file(
    path: Path, default_locale: str, siblings: dict[str, Path], problems: list[Problem]
) -> Incident | None:
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
                hint = "start the file with a line `---`, the incident's fields, and a line `---`"
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
        what = "the front matter" if path.suffix == ".md" else "the file"
        problems.append(
            Problem(shown, first_line, f"{what} is not a map of keys", "write `key: value` lines")
        )
        return None
    before = len(problems)
    problems.extend(schema_problems(shown, doc))
    if len(problems) > before:
        return None
    return _build(path, doc, body, default_locale, siblings, problems)


def _pointer(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "front matter"


def schema_problems(shown: str, doc: yamlsource.YamlDocument) -> Iterator[Problem]:
    """Schema errors rewritten as an author would want them, with a `did you mean`."""
    for error in sorted(_validator().iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        yield from _explain(shown, doc, error)


def _explain(shown: str, doc: yamlsource.YamlDocument, error: ValidationError) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = _pointer(path)
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
        yield _id_problem(shown, line, error.instance)
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
        yield Problem(shown, line, f"{where}: {error.message}", "see the incident file format")


def _id_problem(shown: str, line: int, value: Any) -> Problem:
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
    where = _pointer(path)
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


class _TimeError(ValueError):
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
        raise _TimeError(
            line, f"{where} {value!r} is not a valid time{detail}", f"write it like {example}"
        ) from None
    if parsed.year < EARLIEST_YEAR:
        raise _TimeError(line, f"{where} {value!r} is before {EARLIEST_YEAR}", "check the year")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _TimeError(
            line,
            f"{where} {value!r} has no UTC offset",
            f"add the offset, like {example} or 2026-03-14T00:12:00Z",
        )
    return parsed


def _build(
    path: Path,
    doc: yamlsource.YamlDocument,
    body: str,
    default_locale: str,
    siblings: dict[str, Path],
    problems: list[Problem],
) -> Incident | None:
    data: dict[str, Any] = doc.data
    shown = display_path(path)
    before = len(problems)

    def time(key: str, container: tuple[str | int, ...] = ()) -> datetime | None:
        value = _get(data, (*container, key))
        if value is None:
            return None
        line = doc.line((*container, key))
        try:
            return parse_time(str(value), line, _pointer((*container, key)))
        except _TimeError as exc:
            problems.append(Problem(shown, exc.line, exc.message, exc.hint))
            return None

    def text(key: str) -> Text | None:
        return text_of(data[key], default_locale) if key in data else None

    updates: list[Update] = []
    for number, raw in enumerate(data["updates"]):
        at = time("at", ("updates", number))
        if at is None:
            continue
        updates.append(
            Update(
                at=at,
                status=raw["status"],
                body=text_of(raw["body"], default_locale),
                provisional=bool(raw.get("provisional", False)),
                components=dict(raw.get("components", {})),
                line=doc.line(("updates", number)),
                number=number,
            )
        )
    bodies = {default_locale: body} if body.strip() else {}
    if "body" in data:
        bodies.update(text_of(data["body"], default_locale).values)
    for locale, sibling in siblings.items():
        sibling_text = read_text(sibling, problems)
        if sibling_text is not None:
            bodies[locale] = sibling_text
    responsible = None
    if "responsible" in data:
        responsible = Responsible(
            name=text_of(data["responsible"]["name"], default_locale),
            role=text_of(data["responsible"]["role"], default_locale),
        )
    if "id" in data and not _ID.fullmatch(data["id"]):
        problems.append(_id_problem(shown, doc.line(("id",)), data["id"]))
    incident = Incident(
        id=str(data.get("id", path.stem)),
        path=path,
        kind=data["kind"],
        title=text_of(data["title"], default_locale),
        severity=str(data.get("severity", "")),
        category=str(data.get("category", "technical")),
        components=dict(data.get("components", {})),
        regions=[str(r) for r in data.get("regions", [])],
        started_at=time("started_at"),
        detected_at=time("detected_at"),
        resolved_at=time("resolved_at"),
        scheduled_for=time("scheduled_for"),
        scheduled_until=time("scheduled_until"),
        updates=updates,
        body=Text(bodies),
        workaround=text("workaround"),
        scope=text("scope"),
        responsible=responsible,
        internal=text("internal"),
        lines={_pointer(k): v for k, v in doc.lines.items() if k},
    )
    if len(problems) > before:
        return None
    return incident


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data
