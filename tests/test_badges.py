"""Status badges of real sites: valid SVG whose words, not colour, say the status."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from conftest import OPEN_INCIDENT, RESOLVED_INCIDENT, ROOT
from statuskit.core.model import Component, Text
from statuskit.core.settings import Settings
from statuskit.core.site import Site, load_site
from statuskit.outputs.badges import LABEL_COLOR, STATUS_COLORS, TEMPLATE, render_badges, text_width

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 15, 12, 0, tzinfo=SEOUL)
BASE = "https://status.example.com/"
SVG = "{http://www.w3.org/2000/svg}"

OUTAGE = """
---
title: Payments down
kind: incident
severity: major
components: {payments: major_outage}
started_at: 2026-03-15T11:30:00+09:00
responsible: {name: Kim Minji, role: CTO}
updates:
  - at: 2026-03-15T11:35:00+09:00
    status: investigating
    body: Card payments fail.
---
"""


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def make_site(root: Path, web_name: str = "Website") -> Site:
    settings = Settings(
        incidents_dir=root,
        components=[
            Component("api", Text({"en": "API"}), None, None, 0),
            Component("payments", Text({"en": "Payments", "ko": "결제"}), None, None, 1),
            Component("web", Text({"en": web_name}), None, None, 2),
        ],
        timezone=SEOUL,
        locales=["en", "ko"],
        now=NOW,
    )
    return load_site(settings, NOW)


def svg(data: bytes) -> etree._Element:
    """The parsed badge, after checking it is an accessible image."""
    root = etree.fromstring(data)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    label = root.get("aria-label")
    assert label
    assert root.findtext(f"{SVG}title") == label
    return root


def words(root: etree._Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("aria-hidden") != "true"]


@pytest.fixture
def incidents(tmp_path: Path) -> Path:
    root = tmp_path / "incidents"
    write(root, "2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    return root


def test_badges_say_operational_in_words(incidents: Path) -> None:
    files = render_badges(make_site(incidents), "en", BASE)
    assert sorted(files) == [
        "badges/components/api.svg",
        "badges/components/payments.svg",
        "badges/components/web.svg",
        "badges/status.svg",
    ]
    overall = svg(files["badges/status.svg"])
    assert words(overall) == ["status", "All systems operational"]
    assert overall.get("aria-label") == "status: All systems operational"
    payments = svg(files["badges/components/payments.svg"])
    assert words(payments) == ["Payments", "Operational"]
    assert payments.get("aria-label") == "Payments: Operational"


def test_an_outage_changes_the_words(incidents: Path) -> None:
    before = render_badges(make_site(incidents), "en", BASE, "Example Status")
    write(incidents, "2026/2026-03-15-down.md", OUTAGE)
    write(incidents, "2026/2026-03-15-api-slow.md", OPEN_INCIDENT)
    after = render_badges(make_site(incidents), "en", BASE, "Example Status")
    assert words(svg(after["badges/components/payments.svg"])) == ["Payments", "Major outage"]
    assert words(svg(after["badges/components/api.svg"])) == ["API", "Degraded performance"]
    assert words(svg(after["badges/status.svg"])) == ["Example Status", "Partial system outage"]
    assert after["badges/components/web.svg"] == before["badges/components/web.svg"]
    # Colour is a third cue on top of the words and the icon.
    assert STATUS_COLORS["major_outage"].encode() in after["badges/components/payments.svg"]
    assert STATUS_COLORS["operational"].encode() in before["badges/components/payments.svg"]


def test_localized_badges(incidents: Path) -> None:
    files = render_badges(make_site(incidents), "ko", BASE + "ko/")
    payments = svg(files["badges/components/payments.svg"])
    assert words(payments) == ["결제", "정상"]
    assert payments.get("{http://www.w3.org/XML/1998/namespace}lang") == "ko"
    assert words(svg(files["badges/status.svg"])) == ["상태", "모든 시스템 정상"]
    # A name without a Korean version is marked with its real language.
    api = svg(files["badges/components/api.svg"])
    label = next(t for t in api.iter(f"{SVG}text") if t.text == "API")
    assert label.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"


def test_names_are_escaped(incidents: Path) -> None:
    name = '<script>alert("x")</script> & "Web"'
    data = render_badges(make_site(incidents, web_name=name), "en", BASE)[
        "badges/components/web.svg"
    ]
    assert b"<script" not in data
    root = svg(data)
    assert words(root)[0] == name
    assert root.get("aria-label") == f"{name}: Operational"


def test_width_follows_the_text(incidents: Path) -> None:
    assert text_width("결제") > text_width("ab")
    assert text_width("Major outage") > text_width("Operational") > 0
    files = render_badges(make_site(incidents), "en", BASE)
    short = svg(files["badges/components/api.svg"])
    long = svg(files["badges/status.svg"])
    assert float(long.get("width", 0)) > float(short.get("width", 0))
    rects = [r for r in short.iter(f"{SVG}rect") if r.getparent().get("clip-path")]
    assert sum(float(r.get("width", 0)) for r in rects[:2]) == float(short.get("width", 0))


def test_rebuild_gives_identical_bytes(incidents: Path) -> None:
    first = render_badges(make_site(incidents), "en", BASE)
    assert render_badges(make_site(incidents), "en", BASE) == first


def _luminance(color: str) -> float:
    hex_digits = color.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("color", [LABEL_COLOR, *STATUS_COLORS.values()])
def test_white_text_is_readable_on_every_colour(color: str) -> None:
    assert 1.05 / (_luminance(color) + 0.05) >= 4.5


def test_markup_lives_in_the_template() -> None:
    source = (ROOT / "plugins/statuskit/outputs/badges.py").read_text("utf-8")
    assert "<svg" not in source and "<text" not in source
    assert (ROOT / "plugins/statuskit/templates" / TEMPLATE).is_file()
