"""Whatever is written as an incident file, loading ends in incidents or clean problems."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import RESOLVED_INCIDENT
from statuskit.core.loader import load_incidents
from statuskit.core.model import Component, Text
from statuskit.core.problems import Problem
from statuskit.core.settings import Settings
from statuskit.core.site import validate

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
GOOD = RESOLVED_INCIDENT.lstrip("\n")


@contextmanager
def incident_file(name: str, content: str | bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "incidents" / name
        path.parent.mkdir()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        yield path


def line_count(content: str | bytes) -> int:
    """Lines as an editor shows them: CRLF, LF and a lone CR each end a line."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def assert_clean(problem: Problem, path: Path, content: str | bytes) -> None:
    assert problem.path.endswith(path.name), problem
    assert 1 <= problem.line <= line_count(content), (problem, line_count(content))
    assert problem.message.strip() and problem.hint.strip(), problem
    assert problem.level in ("error", "warning"), problem
    assert "Traceback" not in problem.message and "<unicode string>" not in problem.message


def check_loads_cleanly(name: str, content: str | bytes) -> None:
    with incident_file(name, content) as path:
        result = load_incidents(path.parent, "en")
        assert len(result.incidents) + len(result.problems) >= 1
        assert len(result.incidents) <= 1
        if not result.incidents:
            assert any(p.is_error for p in result.problems)
        for problem in result.problems:
            assert_clean(problem, path, content)
        site = Settings(
            incidents_dir=path.parent,
            components=[Component("payments", Text({"en": "Payments"}), None, None, 0)],
            locales=["en", "ko"],
        )
        _, problems = validate(site, NOW)
        for problem in problems:
            assert_clean(problem, path, content)


@FUZZ
@given(st.text(max_size=400))
@example("")
@example("---\n")
@example("---\n---\n")
@example("---\ntitle: 0x_\n---\n")
@example("---\ntitle: !!bool maybe\n---\n")
@example("---\ntitle: !!map x\n---\n")
@example("---\ntitle: !!float x\n---\n")
@example("---\ntitle: a\x01b\n---\n")
@example("---\ntitle: =\n---\n")
@example("---\ntitle: " + "9" * 5000 + "\n---\n")
@example("---\nregions: " + "[" * 2000 + "]" * 2000 + "\n---\n")
@example(  # an alias bomb: 10**6 nodes if expanded
    "---\n"
    + "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 7)).replace(
        "*l0", "x"
    )
    + "---\n"
)
@example("---\r\ntitle: x\r\n---\r\n")
@example("---\rtitle: x\r---\r")
@example('---\ntitle: "a\u2028b"\nkind: [\n---\n')
@example(
    GOOD.replace("started_at: 2026-03-14T09:02:00+09:00", "started_at: 0001-01-01T00:00+14:00")
)
@example(GOOD.replace("  - at: 2026-03-14T09:08:00+09:00", "  - at: 9999-12-31T23:59:59-23:59"))
def test_any_markdown_text(text: str) -> None:
    check_loads_cleanly("incident.md", text)


@FUZZ
@given(st.text(max_size=400))
def test_any_front_matter(text: str) -> None:
    check_loads_cleanly("incident.md", f"---\n{text}\n---\nBody.\n")


@FUZZ
@given(st.text(max_size=400))
def test_any_yml_text(text: str) -> None:
    check_loads_cleanly("incident.yml", text)


@FUZZ
@given(st.binary(max_size=400))
@example(b"\xff\xfe---\n")
@example(b"---\ntitle: caf\xe9\n---\n")
@example(b"\xef\xbb\xbf---\ntitle: x\n---\n")
@example(b"---\ntitle: x\x00\n---\n")
def test_any_bytes(data: bytes) -> None:
    check_loads_cleanly("incident.md", data)


@FUZZ
@given(st.data())
def test_edits_of_a_good_file(data: st.DataObject) -> None:
    """Cut, paste and mangle a good incident, so the parser gets far into near-valid files."""
    text = GOOD
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        junk = data.draw(
            st.one_of(
                st.text(max_size=12),
                st.sampled_from(
                    [
                        "",
                        "\n",
                        "\t",
                        " ",
                        ":",
                        "- ",
                        "  ",
                        "#",
                        "'",
                        '"',
                        "[",
                        "{",
                        "&a ",
                        "*a",
                        "!!str ",
                        "<<: ",
                        "? ",
                        "|",
                        ">",
                        "---\n",
                        "...\n",
                        "\r",
                        "\u2028",
                        "2026-02-30T09:00:00+09:00",
                        "2026-03-14T09:00:00",
                        "resolvd",
                        "completed",
                        "titel",
                        "ko",
                        "kr",
                        "critical",
                        "maintenance",
                    ]
                ),
            )
        )
        text = text[:start] + junk + text[end:]
    check_loads_cleanly("incident.md", text)


SCHEMA_KEYS = [
    "id",
    "title",
    "kind",
    "severity",
    "category",
    "components",
    "regions",
    "scope",
    "started_at",
    "detected_at",
    "resolved_at",
    "scheduled_for",
    "scheduled_until",
    "workaround",
    "responsible",
    "internal",
    "body",
    "updates",
    "titel",
]
INNER_KEYS = [
    "at",
    "status",
    "body",
    "provisional",
    "components",
    "name",
    "role",
    "en",
    "ko",
    "kr",
    "payments",
    "api",
    "EN",
]
SCALARS = st.one_of(
    st.text(max_size=15),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "2026-03-14T09:08:00+09:00",
            "2026-03-14T09:00:00Z",
            "2026-03-14T09:08:00",
            "2030-01-01T00:00:00+00:00",
            "1969-12-31T23:59:59+00:00",
            "incident",
            "maintenance",
            "investigating",
            "resolved",
            "scheduled",
            "completed",
            "major_outage",
            "operational",
            "critical",
            "minor",
            "technical",
            "../../etc",
            "payments",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(INNER_KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(st.dictionaries(st.sampled_from(SCHEMA_KEYS), VALUES, max_size=10), st.booleans())
def test_front_matter_built_from_schema_keys(front: dict[str, object], as_yml: bool) -> None:
    """Plausible keys with arbitrary values: exercises the schema, the model and the checks."""
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    if as_yml:
        check_loads_cleanly("incident.yml", dumped)
    else:
        check_loads_cleanly("incident.md", f"---\n{dumped}---\nBody.\n")
