"""The demo in a real browser: Debian's chromium driven by Playwright, with and without JavaScript.

axe-core finds no serious or critical violation on any kind of page; a reader opens the home page,
follows an active incident, reads its timeline newest first, switches language and searches; with
JavaScript off the status is all there. Every request stays on the local server. Screenshots are
saved under test-artifacts/browser/.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from demo_site import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    ActiveIncident,
    Server,
    add_active_incident,
    build,
    copy_demo,
    read_config,
    require,
    serve,
    write_config,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, FloatRect, Locator, Page

SHOTS = ARTIFACTS / "browser"
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Demo:
    server: Server
    site: Path
    incident: ActiveIncident

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo with one more active incident, built a path per locale, served on 127.0.0.1."""
    tmp = tmp_path_factory.mktemp("browser")
    config_file = copy_demo(tmp / "demo")
    incident = add_active_incident(config_file)
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
        search = page.locator("input.md-search__input")
        search.click()
        search.press_sequentially("certificate", delay=30)
        results = page.locator(".md-search-result__item")
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
