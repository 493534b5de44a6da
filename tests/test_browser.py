"""The demo in a real browser: Debian's chromium driven by Playwright, with and without JavaScript.

axe-core finds no serious or critical violation on any kind of page; a reader opens the home page,
follows an active incident, reads its timeline newest first, switches language and searches; with
JavaScript off the status is all there. Every request stays on the local server. Screenshots are
saved under test-artifacts/browser/.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT
from demo_site import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ActiveIncident,
    Server,
    add_active_incident,
    build,
    copy_demo,
    incidents_dir,
    read_config,
    require,
    serve,
    write_config,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, FloatRect, Locator, Page

SHOTS = ARTIFACTS / "browser"
BLOCKING_IMPACTS = {"serious", "critical"}


# A resolved incident of an earlier year than the demo's: its pages are in another search bundle.
OLD_INCIDENT_ID = "browser-check-ledger-paused"
OLD_INCIDENT_TITLES = {
    "en": "Browser check: ledger reconciliation paused",
    "ko": "브라우저 점검: 원장 대사 중단",
    "ja": "ブラウザ確認: 元帳照合の停止",
}
OLD_INCIDENT = """---
id: browser-check-ledger-paused
title:
{titles}kind: incident
severity: minor
components:
  transfer: degraded_performance
started_at: 2023-05-09T10:00:00+09:00
detected_at: 2023-05-09T10:05:00+09:00
updates:
  - at: 2023-05-09T10:20:00+09:00
    status: investigating
    body: Ledger reconciliation is paused; transfers settle later than usual.
  - at: 2023-05-09T12:10:00+09:00
    status: resolved
    body: Reconciliation caught up.
---
"""


def add_old_incident(config_file: Path) -> None:
    titles = "".join(
        f"  {lang}: {json.dumps(text, ensure_ascii=False)}\n"
        for lang, text in OLD_INCIDENT_TITLES.items()
    )
    path = incidents_dir(config_file) / "2023" / f"{OLD_INCIDENT_ID}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OLD_INCIDENT.format(titles=titles), "utf-8")


@dataclass
class Demo:
    server: Server
    site: Path
    incident: ActiveIncident

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo with one more active incident and one of an earlier year, built a path per
    locale, served on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("browser")
    config_file = copy_demo(tmp / "demo")
    incident = add_active_incident(config_file)
    add_old_incident(config_file)
    with serve(tmp / "site") as server:
        data = read_config(config_file)
        data["site_url"] = server.url
        write_config(config_file, data)
        build(config_file, tmp / "site")
        yield Demo(server, tmp / "site", incident)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(importlib.util.find_spec("playwright") is not None, "Playwright (pip: playwright)")
    require(CHROMIUM.is_file(), f"{CHROMIUM} (Debian: chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Traffic:
    """What a browser context did on the network and in its console."""

    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("requestfailed", lambda request: self.failures.append(f"failed {request.url}"))
        context.on("response", self._response)
        context.on("console", self._console)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failures.append(f"HTTP {response.status} {response.url}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def assert_local(self, server: Server) -> None:
        assert self.requests, "no request recorded"
        outside = [url for url in self.requests if not url.startswith(server.url)]
        assert not outside, f"requests that leave the local server: {outside}"
        assert not self.failures, self.failures
        assert not self.console, self.console


def bounding_box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


# axe-core ------------------------------------------------------------------------------------


def axe_pages(demo: Demo) -> list[str]:
    """One page of every kind in English (the first under each top-level folder), the active
    incident, and the home and incident pages in the other locales."""
    english = demo.site / "en"
    pages = ["en/", f"en/incidents/{demo.incident.id}/"]
    for folder in sorted(p for p in english.iterdir() if p.is_dir()):
        found = sorted(folder.rglob("index.html"))
        if found:
            pages.append(found[0].parent.relative_to(demo.site).as_posix() + "/")
    for locale in ("ko", "ja"):
        pages += [f"{locale}/", f"{locale}/incidents/{demo.incident.id}/"]
    return list(dict.fromkeys(pages))


def test_axe_finds_no_serious_or_critical_violation(demo: Demo, browser: Browser) -> None:
    from axe_playwright_python.sync_playwright import Axe

    pages = axe_pages(demo)
    for kind in ("history/", "components/", "incidents/", "about/"):
        assert any(p.startswith("en/" + kind) for p in pages), kind
    axe = Axe()
    context = browser.new_context()
    page = context.new_page()
    found: list[str] = []
    try:
        for path in pages:
            page.goto(demo.url(path))
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING_IMPACTS:
                    targets = [node["target"] for node in violation["nodes"]][:5]
                    found.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_axe_reports_violations_on_a_broken_page(browser: Browser, tmp_path: Path) -> None:
    """axe runs for real in this browser: an image without alt text and an unnamed button."""
    from axe_playwright_python.sync_playwright import Axe

    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>x</title><main><img src="a.png">'
        "<button></button></main></html>",
        "utf-8",
    )
    with serve(tmp_path) as server:
        page = browser.new_page()
        page.goto(server.url)
        ids = {v["id"] for v in Axe().run(page).response["violations"]}
        page.close()
    assert {"image-alt", "button-name"} <= ids


# A reader's path -----------------------------------------------------------------------------


def timeline(page: Page) -> list[tuple[datetime, str]]:
    items = page.locator("ol.sk-timeline > li")
    result = []
    for index in range(items.count()):
        item = items.nth(index)
        stamp = item.locator(".sk-update__head time").get_attribute("datetime")
        assert stamp, index
        body = item.locator(".sk-update__body").inner_text().strip()
        result.append((datetime.fromisoformat(stamp), body))
    return result


def test_reader_follows_an_active_incident_and_switches_language(
    demo: Demo, browser: Browser
) -> None:
    incident = demo.incident
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    traffic = Traffic()
    traffic.watch(context)
    page = context.new_page()
    try:
        page.goto(demo.url("en/"))
        banner = page.locator(".sk-banner__text").inner_text().strip()
        assert banner, "the home page shows no overall status"
        languages = page.locator(".md-banner .sk-languages li")
        rows = {round(box["y"]) for box in map(bounding_box, languages.all())}
        assert languages.count() == 3 and len(rows) == 1, "the language switcher is not one row"
        shot(page, "home-en")

        link = page.locator(f'#sk-active ~ ul li[data-incident="{incident.id}"] h3 a')
        assert link.inner_text().strip() == incident.titles["en"]
        link.click()
        page.wait_for_url(f"**/en/incidents/{incident.id}/")
        assert page.locator("h1").inner_text().strip() == incident.titles["en"]

        updates = timeline(page)
        assert [body for _, body in updates] == incident.bodies[::-1]
        times = [at for at, _ in updates]
        assert times == sorted(times, reverse=True) and len(set(times)) == len(times), times
        statuses = page.locator("ol.sk-timeline .sk-update__head .sk-badge__label")
        assert [s.strip() for s in statuses.all_inner_texts()] == [
            "Monitoring",
            "Identified",
            "Investigating",
        ]
        shot(page, "incident-en")

        for locale in ("ko", "ja"):
            page.locator(f'.sk-languages a[hreflang="{locale}"]').click()
            page.wait_for_url(f"**/{locale}/incidents/{incident.id}/")
            assert page.locator("html").get_attribute("lang") == locale
            assert page.locator("h1").inner_text().strip() == incident.titles[locale]
            assert len(timeline(page)) == len(incident.bodies)
            shot(page, f"incident-{locale}")

        page.goto(demo.url("en/"))
        search = page.locator("#sk-search-query")
        search.click()
        search.press_sequentially("certificate", delay=30)
        results = page.locator(".sk-search__list li")
        results.first.wait_for(state="visible", timeout=10_000)
        found = [text.lower() for text in results.all_inner_texts()]
        assert any("certificate" in text for text in found), found
        shot(page, "search-en")
    finally:
        context.close()
    traffic.assert_local(demo.server)


def test_pages_work_without_javascript(demo: Demo, browser: Browser) -> None:
    incident = demo.incident
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    traffic = Traffic()
    traffic.watch(context)
    page = context.new_page()
    try:
        page.goto(demo.url("en/"))
        assert page.locator(".sk-banner__text").inner_text().strip()
        components = page.locator(".sk-component")
        assert components.count() >= 3
        for index in range(components.count()):
            component = components.nth(index)
            assert component.locator(".sk-component__name").inner_text().strip()
            assert component.locator(".sk-badge__label").inner_text().strip()
        active = page.locator(f'#sk-active ~ ul li[data-incident="{incident.id}"]')
        assert active.locator("h3").inner_text().strip() == incident.titles["en"]
        assert incident.bodies[-1] in active.inner_text()
        shot(page, "home-en-nojs")

        page.goto(demo.url(f"en/incidents/{incident.id}/"))
        assert page.locator("h1").inner_text().strip() == incident.titles["en"]
        assert page.locator(".sk-incident__meta .sk-badge__label").inner_text().strip()
        assert [body for _, body in timeline(page)] == incident.bodies[::-1]
        shot(page, "incident-en-nojs")

        page.goto(demo.url("ko/"))
        assert page.locator("html").get_attribute("lang") == "ko"
        assert page.locator(".sk-banner__text").inner_text().strip()
    finally:
        context.close()
    traffic.assert_local(demo.server)


# Every page type, width and locale -------------------------------------------------------------

WIDTHS = (320, 390, 768, 1280)
LOCALES = ("en", "ko", "ja")
CATALOGS = ROOT / "plugins" / "statuskit" / "locales"

# Horizontal overflow: the document, and every element wider than the viewport or reaching past
# its right edge (elements taken out of view on purpose, hidden or clipped, are not laid out).
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`document ${document.documentElement.scrollWidth}px`);
  }
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.width > width + 0.5 || box.right > width + 0.5) {
      const cls = typeof node.className === "string" ? node.className.trim() : "";
      const name = node.tagName.toLowerCase() + (cls ? "." + cls.split(/\\s+/).join(".") : "");
      found.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}px`);
    }
  }
  return found.slice(0, 8);
}"""

# The page's UI text in its own language: author text in another language (marked with its own
# lang attribute, as fallbacks are) and the notes that announce a fallback are left out.
UI_TEXT_JS = """(locale) => {
  const body = document.body.cloneNode(true);
  for (const node of body.querySelectorAll("[lang], .sk-fallback, script, style")) {
    const lang = node.getAttribute("lang");
    if (lang === null || !lang.toLowerCase().startsWith(locale)) node.remove();
  }
  const names = ["aria-label", "title", "placeholder", "alt", "data-label", "data-hint",
                 "data-day-label", "data-none", "data-one", "data-other"];
  const values = [];
  for (const node of [body, ...body.querySelectorAll("*")]) {
    for (const name of names) if (node.hasAttribute(name)) values.push(node.getAttribute(name));
  }
  return [document.title, body.textContent, ...values].join("\\n");
}"""


def page_kinds(demo: Demo) -> dict[str, str]:
    """One page of each kind, as a path under a locale folder."""
    english = demo.site / "en"

    def first(folder: str) -> str:
        found = sorted((english / folder).rglob("index.html"))
        assert found, f"the demo has no {folder} page"
        return found[0].parent.relative_to(english).as_posix() + "/"

    return {
        "home": "",
        "incident": f"incidents/{demo.incident.id}/",
        "postmortem": first("postmortems"),
        "history": "history/",
        "component": first("components"),
        "prevention": "prevention/",
        "reliability": "reliability/",
        "compensation": "compensation/",
    }


def overflow(page: Page) -> list[str]:
    found: list[str] = page.evaluate(OVERFLOW_JS)
    return found


def english_fragments(locale: str) -> list[str]:
    """Words of the English catalog that the locale's catalog says differently: each value's
    text between placeholders, when it has a word and the locale's own value lacks it."""
    english = yaml.safe_load((CATALOGS / "en.yml").read_text("utf-8"))
    own = yaml.safe_load((CATALOGS / f"{locale}.yml").read_text("utf-8"))
    fragments: set[str] = set()
    for key, value in english.items():
        if key.startswith(("announce.", "calendar.", "feed.", "badge.", "message.")):
            continue  # messages, feeds and files, never on a page
        if own.get(key) == value:
            continue
        for piece in re.split(r"\{[^}]*\}", str(value)):
            piece = piece.strip(" :;,.()\u00b7\u2014\u2013-\"'")
            if re.search(r"[A-Za-z]{3}", piece) and piece not in str(own.get(key, "")):
                fragments.add(piece)
    return sorted(fragments, key=len, reverse=True)


def english_in(text: str, fragments: list[str]) -> list[str]:
    return [f for f in fragments if re.search(rf"(?<![A-Za-z]){re.escape(f)}(?![A-Za-z])", text)]


def test_every_page_fits_every_width_in_every_locale(demo: Demo, browser: Browser) -> None:
    """No horizontal scrolling from 320 px up: the page, and no element wider than the screen."""
    kinds = page_kinds(demo)
    problems: list[str] = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for locale in LOCALES:
                for kind, path in kinds.items():
                    page.goto(demo.url(f"{locale}/{path}"))
                    problems += [f"{width}px {locale} {kind}: {x}" for x in overflow(page)]
                    shot(page, f"{width}/{locale}-{kind}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_no_english_ui_string_in_korean_or_japanese_pages(demo: Demo, browser: Browser) -> None:
    kinds = page_kinds(demo)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    try:
        for locale in ("ko", "ja"):
            fragments = english_fragments(locale)
            assert len(fragments) > 100, locale
            for kind, path in kinds.items():
                page.goto(demo.url(f"{locale}/{path}"))
                text = page.evaluate(UI_TEXT_JS, locale)
                problems += [f"{locale} {kind}: {f!r}" for f in english_in(text, fragments)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_english_ui_string_check_finds_english(browser: Browser, tmp_path: Path) -> None:
    """The scan is real: an English catalog string outside fallback text is found, one inside a
    lang="en" element is not."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ko"><title>t</title><p>Scheduled maintenance</p>'
        '<p lang="en">Incident history</p><p class="sk-fallback">Degraded performance</p>',
        "utf-8",
    )
    with serve(tmp_path) as server:
        page = browser.new_page()
        page.goto(server.url)
        found = english_in(page.evaluate(UI_TEXT_JS, "ko"), english_fragments("ko"))
        page.close()
    assert "Scheduled maintenance" in found, found
    assert "Incident history" not in found and "Degraded performance" not in found, found


def test_overflow_check_finds_a_wide_element(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><title>t</title><body style="margin:0">'
        '<div style="overflow:hidden"><table><tr><td style="white-space:nowrap">'
        + "wide " * 60
        + "</td></tr></table></div></body></html>",
        "utf-8",
    )
    with serve(tmp_path) as server:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(server.url)
        found = overflow(page)
        page.close()
    assert any(item.startswith("td") for item in found), found


# Search -------------------------------------------------------------------------------------------


def search_for(page: Page, query: str) -> list[str]:
    """Types a query into the header's search; returns the result links' paths."""
    box = page.locator("#sk-search-query")
    box.fill(query)
    page.locator(".sk-search__status").filter(has_text=re.compile(r"\S")).wait_for(timeout=15_000)
    page.wait_for_timeout(300)
    return [
        str(href)
        for href in page.locator(".sk-search__list a").evaluate_all(
            "links => links.map(a => new URL(a.href).pathname)"
        )
    ]


def test_search_finds_an_incident_by_title_in_every_locale(demo: Demo, browser: Browser) -> None:
    """Pagefind finds the incident by its title in each locale, one of this year and one of an
    earlier year (each year, the newest by quarter, and the open incidents are bundles of their
    own, merged on the first query); nothing of the search is downloaded before the reader
    types."""
    incident = demo.incident
    for locale in LOCALES:
        listed = json.loads((demo.site / locale / "pagefind" / "bundles.json").read_text("utf-8"))
        closed = [name for name in listed["bundles"] if name != "open"]
        assert closed[0].startswith("2026-q") and "2023" in closed, listed
    context = browser.new_context(viewport={"width": 390, "height": 800})
    traffic = Traffic()
    traffic.watch(context)
    page = context.new_page()
    missing: list[str] = []
    try:
        for locale in LOCALES:
            start = len(traffic.requests)
            page.goto(demo.url(f"{locale}/"))
            page.wait_for_load_state("networkidle")
            early = [u for u in traffic.requests[start:] if "pagefind" in u]
            assert not early, f"search downloaded before a search: {early}"
            found = search_for(page, incident.titles[locale])
            wanted = f"/{locale}/incidents/{incident.id}/"
            if wanted not in found:
                missing.append(f"{locale}: {incident.titles[locale]!r} -> {found}")
            assert not overflow(page), overflow(page)  # the results panel fits the phone
            shot(page, f"search-{locale}")
            found = search_for(page, OLD_INCIDENT_TITLES[locale])
            wanted = f"/{locale}/incidents/{OLD_INCIDENT_ID}/"
            if wanted not in found:
                missing.append(f"{locale}: {OLD_INCIDENT_TITLES[locale]!r} -> {found}")
            # A resolved incident from the history, by its title.
            past = BeautifulSoup(
                (demo.site / locale / "history" / "index.html").read_text("utf-8"), "html.parser"
            ).select(".sk-month .sk-incident__title a")[-1]
            found = search_for(page, past.get_text().strip())
            wanted = urljoin(f"/{locale}/history/", str(past["href"]))
            if wanted not in found:
                missing.append(f"{locale}: {past.get_text()!r} -> {found}")
    finally:
        context.close()
    assert not missing, "\n".join(missing)
    traffic.assert_local(demo.server)


# The root, line breaking, uptime details --------------------------------------------------------


@pytest.mark.parametrize(
    ("languages", "expected"),
    [(["ko-KR", "en-US"], "ko"), (["ja"], "ja"), (["fr-FR", "en-GB"], "en"), (["de"], "en")],
)
def test_root_sends_readers_to_their_language(
    demo: Demo, browser: Browser, languages: list[str], expected: str
) -> None:
    context = browser.new_context(locale=languages[0])
    page = context.new_page()
    try:
        page.add_init_script(
            f"Object.defineProperty(navigator, 'languages', {{get: () => {json.dumps(languages)}}})"
        )
        page.goto(demo.url(""))
        page.wait_for_url(f"**/{expected}/")
        assert page.locator("html").get_attribute("lang") == expected
    finally:
        context.close()


def test_root_is_a_language_chooser_without_javascript(demo: Demo, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        page.goto(demo.url(""))
        links = page.locator("main a")
        assert sorted(links.evaluate_all("a => a.map(x => x.getAttribute('hreflang'))")) == [
            "en",
            "ja",
            "ko",
        ]
        box = bounding_box(links.first)
        assert box["height"] >= 44, "tap targets of the chooser are too small"
        assert not overflow(page)
        shot(page, "root-chooser-nojs")
    finally:
        context.close()


def test_korean_and_japanese_line_breaking(demo: Demo, browser: Browser) -> None:
    """No break inside a Korean word; Japanese by the strict rules; long tokens still wrap."""
    page = browser.new_page()
    try:
        for locale, prop, value in (("ko", "wordBreak", "keep-all"), ("ja", "lineBreak", "strict")):
            page.goto(demo.url(f"{locale}/incidents/{demo.incident.id}/"))
            style = page.locator(".sk-update__body").first.evaluate(
                "node => { const s = getComputedStyle(node);"
                " return [s.wordBreak, s.lineBreak, s.overflowWrap]; }"
            )
            names = ["wordBreak", "lineBreak", "overflowWrap"]
            found = dict(zip(names, style, strict=True))
            assert found[prop] == value, (locale, found)
            assert found["overflowWrap"] == "anywhere", (locale, found)
    finally:
        page.close()


def test_uptime_bar_shows_its_day_on_hover_focus_and_tap(demo: Demo, browser: Browser) -> None:
    """The day, its outage and a link to its incidents, by mouse, keyboard and touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    try:
        page.goto(demo.url("en/"))
        bar = page.locator(".sk-component rect[data-n]").first
        chart = bar.locator("xpath=ancestor::div[@data-sk-uptime]")
        bars = chart.locator("rect")
        count = bars.count()
        index = int(bar.evaluate("node => [...node.parentNode.children].indexOf(node)"))
        title = bar.locator("title").text_content() or ""
        incidents = int(str(bar.get_attribute("data-n")))
        chart.scroll_into_view_if_needed()
        svg = bounding_box(chart.locator("svg"))
        tip = chart.locator(".sk-uptime__tip")
        x = svg["x"] + (index + 0.5) * svg["width"] / count
        page.mouse.move(x, svg["y"] + svg["height"] / 2)
        tip.wait_for(state="visible")
        assert title in tip.inner_text() and "Downtime" in title, (title, tip.inner_text())
        link = tip.locator("a")
        href = str(link.get_attribute("href"))
        assert "#day-" in href and link.inner_text() == f"Incidents this day: {incidents}"
        shot(page, "uptime-hover")
        # Keyboard: the chart takes focus, arrows move by a day.
        page.mouse.move(0, 0)
        chart.focus()
        page.keyboard.press("End")
        last = bars.nth(count - 1).locator("title").text_content() or ""
        assert last in tip.inner_text()
        page.keyboard.press("ArrowLeft")
        before = bars.nth(count - 2).locator("title").text_content() or ""
        assert before in tip.inner_text()
        page.keyboard.press("Escape")
        assert tip.is_hidden()
        # Touch: a tap shows the day.
        page.touchscreen.tap(x, svg["y"] + svg["height"] / 2)
        tip.wait_for(state="visible")
        assert title in tip.inner_text()
        # The link leads to the day on the component page, with its incidents listed.
        tip.locator("a").click()
        page.wait_for_url("**/components/**")
        target = page.locator(f"#{href.split('#')[1]}")
        assert target.locator("a[href*='incidents/']").count() == incidents
    finally:
        context.close()


def test_uptime_days_are_on_the_component_page_without_javascript(
    demo: Demo, browser: Browser
) -> None:
    """Without the script the home page's bars keep their titles and the component page lists
    each day with incidents: its outage and links to them."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo.url("en/"))
        component = page.locator(".sk-component").filter(has=page.locator("rect[data-n]")).first
        days = int(component.locator("rect[data-n]").count())
        component.locator(".sk-component__name").click()
        page.wait_for_url("**/components/**")
        listed = page.locator(".sk-uptime__days > li[id^='day-']")
        assert listed.count() == days
        text = listed.first.inner_text()
        assert "Downtime" in text or "No downtime" in text, text
        assert listed.first.locator("a[href*='incidents/']").count() >= 1
    finally:
        context.close()
