"""Strict YAML reading that remembers the line of every value, so errors can point at it."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
import yaml.scanner

Path_ = tuple[str | int, ...]

_STANDARD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STANDARD}{t}" for t in ("str", "int", "float", "bool", "null")}
_MAP, _SEQ, _MERGE = f"{_STANDARD}map", f"{_STANDARD}seq", f"{_STANDARD}merge"
_KINDS = {
    f"{_STANDARD}int": "a whole number",
    f"{_STANDARD}float": "a number",
    f"{_STANDARD}bool": "true or false",
}
MAX_NODES = 50_000
MAX_DEPTH = 32
# Text once aliases (*name) are expanded: a file without aliases never comes near it.
MAX_EXPANDED_CHARS = 2_000_000
# What web pages, XML feeds, calendars (RFC 5545) and UTF-8 JSON cannot carry: control
# characters other than tab and line breaks, lone surrogates and the BMP's noncharacters.
_UNCARRIABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def uncarriable(text: str) -> re.Match[str] | None:
    """The first character of a text that a status page's outputs cannot carry, if any."""
    return _UNCARRIABLE.search(text)


def character_problem(char: str) -> tuple[str, str]:
    """Message and fix for a character found by `uncarriable`."""
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "the control character"
    if "\ufdd0" <= char <= "\uffff":
        kind = "the noncharacter"
    return (
        f"the text contains {kind} U+{ord(char):04X}, which web pages, feeds and calendars "
        "cannot carry",
        "delete it (it may be invisible in your editor, or written as an escape like \\x07)",
    )


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps times (and `=`) as text: the model parses times itself."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Stop at MAX_DEPTH levels, before deep nesting costs time or the Python stack."""
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _TooDeep(self.get_mark())
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _TooDeep(Exception):
    """Raised while composing a node nested deeper than MAX_DEPTH."""

    def __init__(self, mark: yaml.Mark | None) -> None:
        super().__init__("too deep")
        self.mark = mark


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag in _SCALAR_TAGS or tag == _MERGE]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FastLoader(yaml.CSafeLoader):
    """libyaml's parser with the same resolvers: about ten times faster on valid files."""


_FastLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _fast_path_is_safe(text: str) -> bool:
    """Shallow enough for libyaml's recursive composer; anything else takes the checked path."""
    if not yaml.__with_libyaml__ or text.count("[") + text.count("{") > 200:
        return False
    return all(len(line) - len(line.lstrip(" ")) <= 64 for line in text.split("\n"))


class YamlError(Exception):
    """A YAML problem at a line of the source (1-based, counted in the whole file)."""

    def __init__(self, line: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


@dataclass
class YamlDocument:
    """Parsed data plus the line where each value (by key path) starts."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int:
        """The line of a value, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _Lines:
    """Line numbers from character positions, counting only `\\n` as editors do."""

    def __init__(self, text: str, first_line: int) -> None:
        self.breaks = [m.start() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def at(self, index: int) -> int:
        return bisect_right(self.breaks, index - 1) + self.first_line

    def of(self, mark: yaml.Mark | None) -> int:
        return self.at(mark.index) if mark is not None else self.first_line


def load(text: str, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; raise YamlError for anything an author should fix."""
    if "\t" in text:
        for number, content in enumerate(text.split("\n"), start=first_line):
            indent = content[: len(content) - len(content.lstrip())]
            if "\t" in indent:
                raise YamlError(number, "a tab is used for indentation", "indent with spaces")
    lines = _Lines(text, first_line)
    if _fast_path_is_safe(text):
        try:
            fast = _FastLoader(text)
            node = fast.get_single_node()
        except Exception:  # the checked path below explains any problem precisely
            pass
        else:
            doc = YamlDocument(None)
            if node is not None:
                doc.data = _convert(fast, node, (), doc.lines, lines, [0, 0])
            return doc
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        raise YamlError(
            lines.at(exc.position),
            f"the text contains the control character U+{exc.character:04X}, "
            "which YAML does not allow",
            "delete it; it may be invisible in your editor",
        ) from None
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, lines) from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"malformed YAML: {exc}", "fix the YAML syntax") from None
    except (_TooDeep, RecursionError) as exc:
        mark = exc.mark if isinstance(exc, _TooDeep) else loader.get_mark()
        raise YamlError(
            lines.of(mark),
            f"the YAML is nested more than {MAX_DEPTH} levels deep",
            "incident files need a few levels at most",
        ) from None
    doc = YamlDocument(None)
    if node is None:
        return doc
    doc.data = _convert(loader, node, (), doc.lines, lines, [0, 0])
    return doc


def _syntax_error(exc: yaml.MarkedYAMLError, lines: _Lines) -> YamlError:
    """Point at the line to fix: where a quote, key or bracket opens, else where parsing broke."""
    context = exc.context or ""
    opener = isinstance(exc, yaml.scanner.ScannerError) or "flow" in context
    mark = exc.context_mark if opener and exc.context_mark else exc.problem_mark
    problem = exc.problem or str(exc)
    if "quoted scalar" in context:
        hint = "close the quote; inside '...' write a ' as ''"
    elif "flow" in context:
        hint = "close the bracket, and quote text that contains ',', '[', ']', '{' or '}'"
    else:
        hint = "check indentation, colons and quotes around text that contains ': ' or ' #'"
    return YamlError(lines.of(mark or exc.context_mark), f"malformed YAML: {problem}", hint)


def _convert(
    loader: _Loader | _FastLoader,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    source: _Lines,
    counter: list[int],
) -> Any:
    counter[0] += 1
    line = source.of(node.start_mark)
    if len(path) > MAX_DEPTH:
        raise YamlError(
            line,
            f"the YAML is nested more than {MAX_DEPTH} levels deep",
            "incident files need a few levels at most",
        )
    if counter[0] > MAX_NODES:
        raise YamlError(
            lines.get(path[:1], line),
            f"the YAML has more than {MAX_NODES:,} values once its aliases (*name) are expanded",
            "write the values out instead of repeating aliases",
        )
    lines.setdefault(path, line)
    if isinstance(node, yaml.MappingNode):
        _check_tag(node, _MAP, line)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_line = source.of(key_node.start_mark)
            if key_node.tag == _MERGE:
                raise YamlError(
                    key_line, "YAML merge keys ('<<') are not allowed", "write out keys"
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_line, "a key must be plain text", "write `key: value`")
            key = str(key_node.value)
            bad = uncarriable(key)
            if bad:
                raise YamlError(key_line, *character_problem(bad.group()))
            if key in result:
                first = lines.get((*path, key), line)
                raise YamlError(
                    key_line,
                    f"duplicate key {key!r} (first at line {first})",
                    "keep one of them",
                )
            lines[(*path, key)] = key_line
            result[key] = _convert(loader, value_node, (*path, key), lines, source, counter)
        return result
    if isinstance(node, yaml.SequenceNode):
        _check_tag(node, _SEQ, line)
        return [
            _convert(loader, item, (*path, index), lines, source, counter)
            for index, item in enumerate(node.value)
        ]
    _check_tag(node, None, line)
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, KeyError, OverflowError, yaml.YAMLError):
        value = str(node.value)
        value = value if len(value) <= 40 else f"{value[:37]}..."
        kind = _KINDS.get(node.tag, node.tag)
        raise YamlError(
            line, f"{value!r} cannot be read as {kind}", "put quotes around it if it is text"
        ) from None
    if isinstance(value, str):
        bad = uncarriable(value)
        if bad:
            raise YamlError(line, *character_problem(bad.group()))
        counter[1] += len(value)
        if counter[1] > MAX_EXPANDED_CHARS:
            raise YamlError(
                lines.get(path[:1], line),
                f"the YAML holds more than {MAX_EXPANDED_CHARS:,} characters of text once its "
                "aliases (*name) are expanded",
                "write the text out once instead of repeating it with aliases",
            )
    return value


def _check_tag(node: yaml.Node, expected: str | None, line: int) -> None:
    """Only plain YAML types: no tags that construct objects, and no tag on the wrong shape."""
    if (expected is None and node.tag in _SCALAR_TAGS) or node.tag == expected:
        return
    tag = f"!!{node.tag.removeprefix(_STANDARD)}" if node.tag.startswith(_STANDARD) else node.tag
    raise YamlError(
        line,
        f"the YAML tag {tag} is not allowed here",
        "remove the tag; incident files hold plain text, numbers, lists and maps",
    )
