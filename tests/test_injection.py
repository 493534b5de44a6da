"""HTML and script in anything an author or a site owner writes is escaped or sanitized everywhere.

Titles, update bodies, scope, workaround, the responsible person, regions, component, group and
description names carry `<script>`, `<img onerror>` and `javascript:` links. Pages, feeds, the
JSON API, the calendar and the badges must show them as text (or drop them), never run them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from lxml import etree

from conftest import ROOT, SiteProject

TEMPLATES = ROOT / "plugins" / "statuskit" / "templates" / "theme" / "statuskit"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
BREAK_OUT = "</title><script>alert(3)</script>"
ATTRIBUTE = '"><svg onload=alert(4)>'
HOSTILE = (SCRIPT, IMG, BREAK_OUT, ATTRIBUTE)

TITLE = f"Payments {SCRIPT} {IMG} {BREAK_OUT} {ATTRIBUTE}"
TITLE_KO = f"결제 {SCRIPT} {IMG}"
COMPONENT = f"Card API {BREAK_OUT} {IMG}"
GROUP = f"Core {SCRIPT}"
DESCRIPTION = f"Takes payments {ATTRIBUTE}"
SCOPE = f"Everything {SCRIPT}"
WORKAROUND = f"Pay later {IMG}"
RESPONSIBLE = f"Kim {SCRIPT}"
REGION = f"kr{IMG}"
UPDATE_BODY = (
    f"Investigating {SCRIPT} {IMG} [details](javascript:alert(5)) "
    '<a href="javascript:alert(6)">more</a> <span onclick="alert(7)">x</span>'
)
MAINTENANCE_TITLE = f"Database {SCRIPT}\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:injected"
SUMMARY_BODY = f"""
A summary with raw HTML.

{SCRIPT}

<img src=x onerror=alert(8)> and a [link](javascript:alert(9)) and
<a href="javascript:alert(10)">another</a> and <div onmouseover="alert(11)">a div</div>.
"""

INCIDENT = f"""
---
title:
  en: {json.dumps(TITLE)}
  ko: {json.dumps(TITLE_KO, ensure_ascii=False)}
kind: incident
severity: major
components:
  api: major_outage
regions: [{json.dumps(REGION)}]
scope: {json.dumps(SCOPE)}
workaround: {json.dumps(WORKAROUND)}
started_at: 2026-03-15T10:00:00+09:00
detected_at: 2026-03-15T10:01:00+09:00
responsible: {{name: {json.dumps(RESPONSIBLE)}, role: {json.dumps("CTO " + IMG)}}}
updates:
  - at: 2026-03-15T10:05:00+09:00
    status: investigating
    body: {json.dumps(UPDATE_BODY)}
---
The summary of this incident is plain.
"""

SUMMARY_INCIDENT = f"""
---
title: Summary with raw HTML
kind: incident
severity: minor
components:
  web: degraded_performance
started_at: 2026-03-14T10:00:00+09:00
updates:
  - at: 2026-03-14T10:05:00+09:00
    status: investigating
    body: Looking.
  - at: 2026-03-14T11:05:00+09:00
    status: resolved
    body: Fixed.
---
{SUMMARY_BODY}
"""

MAINTENANCE = f"""
---
title: {json.dumps(MAINTENANCE_TITLE)}
kind: maintenance
components:
  api: under_maintenance
scheduled_for: 2026-03-20T01:00:00+09:00
scheduled_until: 2026-03-20T02:00:00+09:00
updates:
  - at: 2026-03-10T10:00:00+09:00
    status: scheduled
    body: {json.dumps("Planned " + SCRIPT)}
---
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> SiteProject:
    """One build of a site whose every text is hostile, with the search plugin on."""
    root = tmp_path_factory.mktemp("injection")
    (root / "docs").mkdir()
    project = SiteProject(root)
    project.write("2026/2026-03-15-hostile.md", INCIDENT)
    project.write("2026/2026-03-14-summary.md", SUMMARY_INCIDENT)
    project.write("2026/2026-03-20-maintenance.md", MAINTENANCE)
    options = {
        "timezone": "Asia/Seoul",
        "now": "2026-03-15T12:00:00+09:00",
        "locales": ["en", "ko"],
        "groups": [{"id": "core", "name": GROUP}],
        "components": [
            {"id": "api", "name": COMPONENT, "group": "core", "description": DESCRIPTION},
            {"id": "web", "name": {"en": f"Web {SCRIPT}", "ko": f"웹 {IMG}"}},
        ],
    }
    config = {
        "site_name": "Example Status",
        "site_url": "https://status.example.com/",
        "docs_dir": "docs",
        "theme": {"name": "material", "font": False},
        "plugins": ["search", {"statuskit": options}],
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    project.build()
    return project


# What counts as injected -------------------------------------------------------------------------


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}


def injected(root: Tag | BeautifulSoup) -> list[str]:
    """Script, event handlers and `javascript:` URLs that came from hostile text. (A plain
    `<img src=x>` left by the sanitizer of update bodies is markdown's image, not a script.)"""
    found = []
    elements = root.find_all(True)
    if not isinstance(root, BeautifulSoup):
        elements.insert(0, root)
    for element in elements:
        for name, value in element.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            url = re.sub(r"[\x00-\x20]", "", text).lower()
            if name.lower().startswith("on") or (
                name.lower() in URL_ATTRIBUTES and url.startswith("javascript:")
            ):
                found.append(f"<{element.name} {name}={text!r}>")
        if element.name in ("script", "style") and "alert(" in element.get_text():
            found.append(f"<{element.name}>{element.get_text()}")
    return found


def soup(project: SiteProject, url_path: str) -> BeautifulSoup:
    return project.page(url_path)


def text_of(page: BeautifulSoup, selector: str) -> str:
    element = page.select_one(selector)
    assert element is not None, selector
    return element.get_text()


def html_pages(project: SiteProject) -> Iterator[tuple[str, BeautifulSoup]]:
    for path in sorted(project.site.rglob("*.html")):
        yield str(path.relative_to(project.site)), project.page(str(path.relative_to(project.site)))


def ours(page: BeautifulSoup) -> list[Tag]:
    """The parts statuskit renders: the article (less the markdown summary), the language
    switcher and the head links it adds."""
    parts: list[Tag] = []
    article = page.select_one("article.md-content__inner")
    if article is not None:
        for body in article.select(".sk-body"):
            body.decompose()
        parts.append(article)
    parts += page.select(".sk-languages")
    parts += page.select('head link[rel~="alternate"]')
    return parts


# Pages -------------------------------------------------------------------------------------------


def test_statuskit_pages_show_hostile_text_as_text(hostile: SiteProject) -> None:
    checked = 0
    for name, page in html_pages(hostile):
        for part in ours(page):
            assert not injected(part), (name, injected(part))
            checked += 1
    assert checked > 10
    incident = soup(hostile, "incidents/2026-03-15-hostile")
    assert text_of(incident, "article h1") == TITLE
    facts = text_of(incident, ".sk-facts")
    for text in (SCOPE, REGION, COMPONENT):
        assert text in facts, text
    assert WORKAROUND in text_of(incident, ".sk-workaround")
    assert RESPONSIBLE in text_of(incident, ".sk-responsible")
    assert "Investigating" in text_of(incident, ".sk-update__body")
    home = soup(hostile, "")
    titles = [a.get_text() for a in home.select(".sk-incident__title a")]
    assert TITLE in titles
    names = [a.get_text() for a in home.select(".sk-component__name")]
    assert COMPONENT in names
    assert GROUP in [h.get_text() for h in home.select(".sk-group__name")]
    assert DESCRIPTION in text_of(home, ".sk-component__description")
    component = soup(hostile, "components/api")
    assert COMPONENT in text_of(component, "article h1")


def test_every_statuskit_template_escapes_what_it_prints() -> None:
    """MkDocs' Jinja does not escape, and an included template does not inherit the includer's
    `{% autoescape %}`: each of our templates must turn it on for all of its output."""
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) >= 10
    for path in templates:
        text = re.sub(r"\{#.*?#\}", "", path.read_text("utf-8"), flags=re.S).strip()
        if text.startswith("{% extends"):
            # A page template prints only inside its blocks.
            blocks = re.findall(r"\{% block \w+ %\}(.*?)\{% endblock %\}", text, flags=re.S)
            assert blocks, path
            for block in blocks:
                assert block.startswith("{% autoescape true %}"), (path, block[:60])
                assert block.endswith("{% endautoescape %}"), (path, block[-60:])
        else:
            # A partial: the whole of it, whitespace control allowed.
            whole = r"\{%-? autoescape true -?%\}.*\{%-? endautoescape -?%\}"
            assert re.fullmatch(whole, text, flags=re.S), (path, text[:60], text[-60:])


def test_titles_are_escaped_in_materials_head_navigation_and_search(
    hostile: SiteProject,
) -> None:
    """MkDocs and Material treat a page title as HTML (<title>, the header, the navigation, the
    search index): the plugin must give them escaped titles."""
    problems = []
    for name, page in html_pages(hostile):
        head = page.head
        assert head is not None, name
        for part in (head, *page.select(".md-header, .md-nav, .md-footer")):
            problems += [f"{name}: {found}" for found in injected(part)]
    assert not problems, "\n".join(problems)
    incident = soup(hostile, "incidents/2026-03-15-hostile")
    assert incident.title is not None and incident.title.get_text().startswith(TITLE)
    index = json.loads((hostile.site / "search" / "search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        # Material's search shows titles as HTML: any tag in them must be escaped.
        assert not injected(BeautifulSoup(doc["title"], "html.parser")), doc["title"]


def test_markdown_summary_is_sanitized(hostile: SiteProject) -> None:
    """The incident's markdown summary goes through MkDocs' markdown, which passes raw HTML."""
    page = soup(hostile, "incidents/2026-03-14-summary")
    body = page.select_one(".sk-body")
    assert body is not None and "A summary with raw HTML." in body.get_text()
    assert not injected(body), injected(body)
    index = json.loads((hostile.site / "search" / "search_index.json").read_text("utf-8"))
    for doc in index["docs"]:
        assert not injected(BeautifulSoup(doc["text"], "html.parser")), doc["text"]


# Feeds, JSON, calendar, badges -------------------------------------------------------------------


def feed_files(project: SiteProject) -> list[Path]:
    return sorted(p for p in project.site.rglob("*") if p.suffix in (".atom", ".rss"))


def read_feed(path: Path) -> Any:
    # feedparser would sanitize by itself and hide a problem: read the feed as it is.
    feed: Any = feedparser.parse(
        path.read_bytes(), sanitize_html=False, resolve_relative_uris=False
    )
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def html_problems(path: Path, details: list[Any]) -> list[str]:
    found = []
    for detail in filter(None, details):
        if detail.type in ("text/html", "application/xhtml+xml"):
            found += [
                f"{path.name}: {f}" for f in injected(BeautifulSoup(detail.value, "html.parser"))
            ]
    return found


def test_feed_entries_carry_hostile_text_as_text(hostile: SiteProject) -> None:
    files = feed_files(hostile)
    assert len(files) >= 6
    titles, problems = [], []
    for path in files:
        feed = read_feed(path)
        details = [feed.feed.get("title_detail")]
        if path.suffix == ".atom":
            details.append(feed.feed.get("subtitle_detail"))
        for entry in feed.entries:
            titles.append(entry.title)
            details += [entry.get("title_detail"), entry.get("summary_detail")]
            details += entry.get("content", [])
        problems += html_problems(path, details)
    assert not problems, "\n".join(problems)
    assert any(TITLE in title for title in titles)


def test_rss_channel_description_is_escaped(hostile: SiteProject) -> None:
    """RSS readers show a channel's <description> as HTML; it names the component."""
    problems = []
    for path in feed_files(hostile):
        if path.suffix == ".rss":
            problems += html_problems(path, [read_feed(path).feed.get("subtitle_detail")])
    assert not problems, "\n".join(problems)


def json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def test_json_keeps_hostile_text_as_data_and_has_no_html_field(hostile: SiteProject) -> None:
    """JSON is data: the author's text may hold `<script>` as text, but no field is HTML made by
    statuskit (a client inserting it would run it)."""
    files = sorted((hostile.site / "api").rglob("*.json"))
    assert files
    authored = sorted(
        {
            *HOSTILE,
            '<a href="javascript:alert(6)">',
            "</a>",
            '<span onclick="alert(7)">',
            "</span>",
        },
        key=len,
        reverse=True,
    )
    names = []
    for path in files:
        data = json.loads(path.read_text("utf-8"))
        for text in json_strings(data):
            rest = text
            for snippet in authored:
                rest = rest.replace(snippet, "")
            assert not re.search(r"<[a-zA-Z/!]", rest), (path, text)
            names.append(text)
    assert TITLE in names and COMPONENT in " ".join(names)


def test_calendar_has_one_event_with_the_title_as_text(hostile: SiteProject) -> None:
    raw = (hostile.site / "maintenance.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1, raw.decode()
    assert str(events[0]["SUMMARY"]) == MAINTENANCE_TITLE
    lines = raw.decode().splitlines()
    assert lines.count("BEGIN:VEVENT") == 1 and "SUMMARY:injected" not in lines
    for name in ("DESCRIPTION", "X-ALT-DESC"):
        if name in events[0]:
            assert not injected(BeautifulSoup(str(events[0][name]), "html.parser"))


def test_badges_are_svg_with_hostile_names_as_text(hostile: SiteProject) -> None:
    files = sorted((hostile.site / "badges").rglob("*.svg"))
    assert len(files) >= 3
    texts = []
    for path in files:
        root = etree.fromstring(path.read_bytes())  # well-formed, or this raises
        for element in root.iter():
            assert etree.QName(element).localname not in ("script", "foreignObject"), path
            for name, value in element.attrib.items():
                assert not etree.QName(name).localname.lower().startswith("on"), path
                assert "javascript:" not in value.lower(), path
            texts.append(element.text or "")
    assert any(COMPONENT in text for text in texts)


def test_injected_finds_what_it_should() -> None:
    page = BeautifulSoup(
        f'{SCRIPT}{IMG}<a href="javascript:alert(1)">x</a><svg onload=alert(1)></svg>',
        "html.parser",
    )
    assert len(injected(page)) == 4
    assert not injected(
        BeautifulSoup("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "html.parser")
    )
