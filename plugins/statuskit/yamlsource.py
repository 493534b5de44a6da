"""Strict YAML reading that remembers the line of every value, so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_STANDARD}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
MAX_NODES = 50_000


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps times as text: the model parses them and insists on an offset."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != f"{_STANDARD}timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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


def load(text: str, first_line: int = 1) -> YamlDocument:
    """Parse one YAML document; raise YamlError for anything an author should fix."""
    offset = first_line - 1
    if "\t" in text:
        for number, content in enumerate(text.splitlines(), start=first_line):
            indent = content[: len(content) - len(content.lstrip())]
            if "\t" in indent:
                raise YamlError(number, "a tab is used for indentation", "indent with spaces")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        problem = exc.problem or str(exc)
        raise YamlError(
            line,
            f"malformed YAML: {problem}",
            "check indentation, colons and quotes around text that contains ': ' or '#'",
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(first_line, f"malformed YAML: {exc}", "fix the YAML syntax") from None
    doc = YamlDocument(None)
    if node is None:
        return doc
    counter = [0]
    doc.data = _convert(loader, node, (), doc.lines, offset, counter)
    return doc


def _convert(
    loader: _Loader,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    offset: int,
    counter: list[int],
) -> Any:
    counter[0] += 1
    line = node.start_mark.line + 1 + offset
    if counter[0] > MAX_NODES:
        raise YamlError(line, "the YAML is too large or nests aliases", "split or simplify it")
    lines.setdefault(path, line)
    if node.tag not in _ALLOWED_TAGS:
        raise YamlError(
            line,
            f"YAML tag {node.tag!r} is not allowed",
            "remove the tag; incident files hold plain text, numbers, lists and maps",
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == f"{_STANDARD}merge":
                raise YamlError(line, "YAML merge keys ('<<') are not allowed", "write keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(
                    key_node.start_mark.line + 1 + offset,
                    "a key must be plain text",
                    "write `key: value`",
                )
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1 + offset
            if key in result:
                first = lines.get((*path, key), line)
                raise YamlError(
                    key_line,
                    f"duplicate key {key!r} (first at line {first})",
                    "keep one of them",
                )
            lines[(*path, key)] = key_line
            result[key] = _convert(loader, value_node, (*path, key), lines, offset, counter)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, (*path, index), lines, offset, counter)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)
