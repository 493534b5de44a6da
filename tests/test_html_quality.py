"""Generated pages are valid HTML (Nu HTML checker) and no internal link of any build is broken.

The demo site is built as `statuskit build` (a path per locale) and `statuskit build --mirrors`,
each served over HTTP on 127.0.0.1 with its `site_url` pointing at the local server, so hreflang
alternates, canonical links, feeds and sitemaps are followed too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from conftest import ROOT
from demo_site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VNU_JAR,
    Server,
    build,
    copy_demo,
    plugin_options,
    read_config,
    require,
    serve,
    write_config,
)

# Material's base.html sets autocomplete="off" on its two toggle checkboxes, which HTML allows
# only on text-like inputs. No template layer can reach them (they sit outside every block);
# test_material_toggle_checkboxes_are_valid tracks the plugin fix. Only that error is set aside.


@dataclass
class Built:
    servers: dict[str, Server]  # by target folder ("" for the whole paths site)
    site: Path


@pytest.fixture(scope="module")
def paths_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """`statuskit build` of the demo: site/en, site/ko, site/ja and the root chooser."""
    tmp = tmp_path_factory.mktemp("paths")
    config_file = copy_demo(tmp / "demo")
    with serve(tmp / "site") as server:
        data = read_config(config_file)
        data["site_url"] = server.url
        write_config(config_file, data)
        build(config_file, tmp / "site")
        yield Built({"": server}, tmp / "site")


@pytest.fixture(scope="module")
def mirror_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """`statuskit build --mirrors` of the demo, each mirror served at the root of its own port."""
    tmp = tmp_path_factory.mktemp("mirrors")
    config_file = copy_demo(tmp / "demo")
    data = read_config(config_file)
    mirrors = plugin_options(data)["mirrors"]
    assert len(mirrors) >= 2
    with ExitStack() as stack:
        servers = {m["id"]: stack.enter_context(serve(tmp / "site" / m["id"])) for m in mirrors}
        for mirror in mirrors:
            mirror["site_url"] = servers[mirror["id"]].url
        write_config(config_file, data)
        build(config_file, tmp / "site", mirrors=True)
        yield Built(servers, tmp / "site")


# Nu HTML checker ---------------------------------------------------------------------------------


def run_vnu(files: list[Path]) -> list[str]:
    """Every error the Nu HTML checker finds, one `file:line.col-line.col: error: message` each."""
    require(shutil.which("java") is not None, "java (Debian: default-jre-headless)")
    require(VNU_JAR.is_file(), f"the Nu HTML checker ({VNU_JAR}; npm install vnu-jar)")
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu"]
    result = subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, check=False, timeout=300
    )
    errors = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if line]
    assert result.returncode == 0 or errors, result
    return errors


def test_nu_checker_finds_no_errors_in_any_locale(paths_site: Built) -> None:
    files = sorted(paths_site.site.rglob("*.html"))
    for locale in ("en", "ko", "ja"):
        folder = paths_site.site / locale
        for page in ("", "incidents", "history", "components", "about"):
            assert any(p.is_relative_to(folder / page) for p in files), (locale, page)
    errors = run_vnu(files)
    shown = [e.replace(f"file:{paths_site.site}/", "") for e in errors]
    assert not errors, f"{len(errors)} HTML error(s):\n" + "\n".join(shown[:50])


def test_material_toggle_checkboxes_are_valid(paths_site: Built) -> None:
    """Material puts autocomplete="off" on its drawer and search checkboxes (an error for the Nu
    checker) and gives them no name (an error for pa11y); statuskit drops the one and adds the
    other on every page."""
    for page in sorted(paths_site.site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for toggle in soup.select("input.md-toggle"):
            assert not toggle.has_attr("autocomplete"), (page, toggle)
            assert str(toggle.get("aria-label", "")).strip(), (page, toggle)


def test_nu_checker_catches_an_invalid_page(tmp_path: Path) -> None:
    """The checker runs for real: a broken page gives errors (so zero above means something)."""
    page = tmp_path / "broken.html"
    page.write_text('<!doctype html><html lang="en"><title>x</title><p><div></span>', "utf-8")
    assert run_vnu([page])


# pa11y (WCAG 2 AA) -------------------------------------------------------------------------------

PA11Y = ROOT / "node_modules" / ".bin" / "pa11y"


def run_pa11y(urls: list[str], tmp: Path) -> list[str]:
    """Every error pa11y reports (HTML_CodeSniffer, WCAG 2 AA) in Debian's chromium."""
    require(PA11Y.is_file(), f"pa11y ({PA11Y}; npm install pa11y)")
    require(CHROMIUM.is_file(), f"{CHROMIUM} (Debian: chromium)")
    config = tmp / "pa11y.json"
    config.write_text(
        json.dumps(
            {
                "standard": "WCAG2AA",
                "timeout": 120_000,
                "chromeLaunchConfig": {"executablePath": str(CHROMIUM), "args": CHROMIUM_ARGS},
            }
        ),
        "utf-8",
    )
    errors = []
    for url in urls:
        result = subprocess.run(
            [str(PA11Y), "--config", str(config), "--reporter", "json", url],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert result.returncode in (0, 2), result.stderr or result.stdout
        for issue in json.loads(result.stdout or "[]"):
            if issue["type"] == "error":
                errors.append(f"{url}: {issue['code']} {issue['selector']}: {issue['message']}")
    return errors


def test_pa11y_finds_no_wcag_aa_error(paths_site: Built, tmp_path: Path) -> None:
    """The home, an incident, a postmortem and the history, in English and Korean."""
    base = paths_site.servers[""].url
    english = paths_site.site / "en"
    incident = sorted((english / "incidents").iterdir())[0].name
    postmortem = sorted((english / "postmortems").iterdir())[0].name
    urls = [
        f"{base}{locale}/{path}"
        for locale in ("en", "ko")
        for path in ("", f"incidents/{incident}/", f"postmortems/{postmortem}/", "history/")
    ]
    errors = run_pa11y(urls, tmp_path)
    assert not errors, "\n".join(errors)


def test_pa11y_reports_errors_on_a_broken_page(tmp_path: Path) -> None:
    """pa11y runs for real: an unlabelled field and an image without alt text are errors."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><title>x</title><main><img src="data:,">'
        '<input type="text"></main></html>',
        "utf-8",
    )
    with serve(site) as server:
        errors = run_pa11y([server.url], tmp_path)
    assert len(errors) >= 2, errors


# Internal links ----------------------------------------------------------------------------------


@dataclass
class Fetched:
    status: int
    content_type: str
    body: bytes


class Crawler:
    """Follows every internal <a href>, <link href>, src and sitemap <loc> from the start pages."""

    def __init__(self, origins: set[str]) -> None:
        self.origins = origins
        self.fetched: dict[str, Fetched] = {}
        self.ids: dict[str, set[str]] = {}
        self.referrers: dict[str, str] = {}
        self.problems: list[str] = []

    def internal(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}/" in self.origins

    def fetch(self, url: str) -> Fetched:
        if url not in self.fetched:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    self.fetched[url] = Fetched(
                        response.status, response.headers.get_content_type(), response.read()
                    )
            except urllib.error.HTTPError as exc:
                self.fetched[url] = Fetched(exc.code, "", b"")
        return self.fetched[url]

    def links(self, url: str, fetched: Fetched) -> list[str]:
        if fetched.content_type == "text/html":
            soup = BeautifulSoup(fetched.body, "html.parser")
            self.ids[url] = {str(e["id"]) for e in soup.select("[id]")} | {
                str(e["name"]) for e in soup.select("a[name]")
            }
            found = [str(e["href"]) for e in soup.select("a[href], link[href]")]
            found += [str(e["src"]) for e in soup.select("[src]")]
            return found
        if url.endswith("sitemap.xml"):
            root = etree.fromstring(fetched.body)
            return [str(e.text) for e in root.iter("{*}loc")] + [
                str(e.get("href")) for e in root.iter("{http://www.w3.org/1999/xhtml}link")
            ]
        return []

    def crawl(self, start: list[str]) -> None:
        queue = list(start)
        pending_anchors: list[tuple[str, str, str]] = []
        seen: set[str] = set(queue)
        while queue:
            url = queue.pop()
            fetched = self.fetch(url)
            if fetched.status != 200:
                continue
            for href in self.links(url, fetched):
                target = urljoin(url, href.strip())
                if urlsplit(target).scheme not in ("http", "https") or not self.internal(target):
                    continue
                page, fragment = urldefrag(target)
                if fragment:
                    pending_anchors.append((url, page, fragment))
                if page not in seen:
                    seen.add(page)
                    queue.append(page)
                    self.referrers.setdefault(page, url)
        for page in sorted(seen):
            status = self.fetched[page].status
            if status != 200:
                self.problems.append(f"{page}: HTTP {status} (linked from {self.referrers[page]})")
        for source, page, fragment in pending_anchors:
            if self.fetched[page].status == 200 and fragment not in self.ids.get(page, set()):
                self.problems.append(f"{source}: #{fragment} not found on {page}")


def crawl(built: Built, start: list[str]) -> Crawler:
    crawler = Crawler({server.url for server in built.servers.values()})
    crawler.crawl(start)
    return crawler


def test_no_broken_internal_link_in_any_mirror(mirror_sites: Built) -> None:
    starts = [s.url + p for s in mirror_sites.servers.values() for p in ("", "sitemap.xml")]
    crawler = crawl(mirror_sites, starts)
    pages = [u for u, f in crawler.fetched.items() if f.content_type == "text/html"]
    for server in mirror_sites.servers.values():
        on_mirror = [u for u in pages if u.startswith(server.url)]
        assert len(on_mirror) >= 10, (server.url, on_mirror)
        # Every page the build wrote is reachable by links from the home page or the sitemap.
        written = {
            urljoin(server.url, p.relative_to(server.root).parent.as_posix() + "/")
            for p in server.root.rglob("index.html")
        }
        assert written <= set(pages), sorted(written - set(pages))
    assert not crawler.problems, "\n".join(crawler.problems)


def test_no_broken_internal_link_with_a_path_per_locale(paths_site: Built) -> None:
    server = paths_site.servers[""]
    crawler = crawl(paths_site, [server.url, server.url + "sitemap.xml"])
    for locale in ("en", "ko", "ja"):
        assert f"{server.url}{locale}/history/" in crawler.fetched, locale
    assert not crawler.problems, "\n".join(crawler.problems)


def test_crawler_reports_a_broken_link_and_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<a href="missing/">x</a> <a href="other.html#nowhere">y</a> <a href="#top">z</a>'
        '<h1 id="top">t</h1> <a href="https://example.com/">external</a>',
        "utf-8",
    )
    (tmp_path / "other.html").write_text('<p id="here">o</p>', "utf-8")
    with serve(tmp_path) as server:
        crawler = crawl(Built({"": server}, tmp_path), [server.url])
    assert len(crawler.problems) == 2, crawler.problems
    assert "missing/: HTTP 404" in crawler.problems[0]
    assert "#nowhere not found" in crawler.problems[1]
