"""Multi-locale sites: a path per locale, or a complete mirror per domain."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from conftest import RESOLVED_INCIDENT, ROOT, SiteProject
from statuskit.cli.main import main
from statuskit.core.i18n import catalog_keys, shipped_locales

MIRRORS = [
    {"id": "com", "locale": "en", "site_url": "https://status.example.com/"},
    {"id": "kr", "locale": "ko", "site_url": "https://status.example.co.kr/"},
    {"id": "jp", "locale": "ja", "site_url": "https://status.example.jp/sub/"},
    {
        "id": "au",
        "locale": "en",
        "hreflang": "en-AU",
        "site_url": "https://status.example.com.au/",
        "timezone": "Australia/Sydney",
    },
]


def test_every_shipped_catalog_has_every_key() -> None:
    assert {"en", "ko", "ja"} <= set(shipped_locales())
    reference = catalog_keys("en")
    for locale in shipped_locales():
        assert catalog_keys(locale) == reference, locale


def build(project: SiteProject, *args: str) -> None:
    result = CliRunner().invoke(main, ["build", "-f", str(project.root / "mkdocs.yml"), *args])
    assert result.exit_code == 0, result.output


def html_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html") if p.name != "404.html")


def page_url(site_url: str, folder: Path, path: Path) -> str:
    relative = path.relative_to(folder).as_posix()
    return site_url + relative.removesuffix("index.html")


@pytest.fixture
def mirrored(project: SiteProject) -> SiteProject:
    project.configure(locales=["en", "ko", "ja"], mirrors=MIRRORS, timezone="UTC")
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    build(project, "--mirrors")
    return project


def test_mirrors_each_get_a_folder_and_cname(mirrored: SiteProject) -> None:
    for mirror in MIRRORS:
        folder = mirrored.site / mirror["id"]
        assert (folder / "index.html").is_file()
        assert (folder / "CNAME").read_text().strip() == urlsplit(mirror["site_url"]).hostname


def test_mirror_pages_have_lang_canonical_and_hreflang(mirrored: SiteProject) -> None:
    expected_tags = ["en", "ko", "ja", "en-AU"]
    for mirror in MIRRORS:
        folder = mirrored.site / mirror["id"]
        pages = html_files(folder)
        assert len(pages) >= 6
        for path in pages:
            soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
            own = page_url(mirror["site_url"], folder, path)
            assert soup.html["lang"] == mirror["locale"], path
            assert soup.select_one('link[rel="canonical"]')["href"] == own, path
            links = soup.select('head link[rel="alternate"][hreflang]')
            tags = [link["hreflang"] for link in links]
            assert tags == [*expected_tags, "x-default"], path
            relative = own.removeprefix(mirror["site_url"])
            for other, link in zip(MIRRORS, links, strict=False):
                assert link["href"] == other["site_url"] + relative, path
            assert links[-1]["href"] == MIRRORS[0]["site_url"] + relative


def test_mirror_internal_links_stay_on_their_domain(mirrored: SiteProject) -> None:
    for mirror in MIRRORS:
        folder = mirrored.site / mirror["id"]
        base = mirror["site_url"]
        for path in html_files(folder):
            soup = BeautifulSoup(path.read_text("utf-8"), "html.parser")
            for switcher in soup.select(".sk-languages"):
                switcher.decompose()
            own = page_url(base, folder, path)
            for anchor in soup.select("a[href]"):
                href = anchor["href"]
                if href.startswith(("mailto:", "#")) or "squidfunk" in href or "mkdocs" in href:
                    continue
                target = urljoin(own, href)
                assert target.startswith(base), (path, href)


def test_times_render_in_each_mirror_zone(mirrored: SiteProject) -> None:
    expected = {"com": "+00:00", "kr": "+09:00", "jp": "+09:00", "au": "+11:00"}
    for mirror_id, offset in expected.items():
        page = mirrored.page(f"{mirror_id}/incidents/2026-03-14-payments")
        times = page.select(".sk-timeline time")
        assert times and all(t["datetime"].endswith(offset) for t in times), mirror_id
        assert all(f"(UTC{offset})" in t.get_text() for t in times), mirror_id


def test_mirror_text_in_its_language_with_fallback_notice(mirrored: SiteProject) -> None:
    kr = mirrored.page("kr/incidents/2026-03-14-payments")
    assert kr.select_one("h1").get_text() == "배포 후 결제 실패"
    assert kr.select_one(".sk-timeline").find(string=lambda s: "조사 중" in s) is not None
    # The update bodies exist only in English: shown with lang="en" and a notice.
    body = kr.select_one(".sk-update__body")
    assert body["lang"] == "en"
    assert "영어" in kr.select_one(".sk-fallback").get_text()
    jp = mirrored.page("jp/incidents/2026-03-14-payments")
    assert jp.select_one("h1")["lang"] == "en"
    assert "翻訳されていない" in jp.select_one(".sk-fallback").get_text()
    com = mirrored.page("com/incidents/2026-03-14-payments")
    assert com.select_one(".sk-fallback") is None


def test_paths_mode_builds_one_site_with_a_folder_per_locale(project: SiteProject) -> None:
    project.configure(locales=["en", "ko", "ja"])
    project.write("2026/2026-03-14-payments.md", RESOLVED_INCIDENT)
    build(project)
    root = BeautifulSoup((project.site / "index.html").read_text("utf-8"), "html.parser")
    assert [a["href"] for a in root.select("main a")] == ["en/", "ko/", "ja/"]
    ko = project.page("ko/incidents/2026-03-14-payments")
    assert ko.html["lang"] == "ko"
    canonical = ko.select_one('link[rel="canonical"]')["href"]
    assert canonical == "https://status.example.com/ko/incidents/2026-03-14-payments/"
    switcher = {a["hreflang"]: a["href"] for a in ko.select(".sk-languages a")}
    assert switcher == {
        "en": "https://status.example.com/en/incidents/2026-03-14-payments/",
        "ja": "https://status.example.com/ja/incidents/2026-03-14-payments/",
    }
    sitemap = (project.site / "ko" / "sitemap.xml").read_text()
    assert 'hreflang="ja" href="https://status.example.com/ja/incidents/2026-03-14-payments/"' in (
        sitemap
    )


def test_failed_build_leaves_published_site_untouched(project: SiteProject) -> None:
    project.configure(locales=["en", "ko"])
    project.write("a.md", RESOLVED_INCIDENT)
    build(project)
    before = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    # Valid for en, but the ko build sees the same broken file: the whole build fails.
    project.write("b.md", RESOLVED_INCIDENT.replace("status: resolved", "status: fixed"))
    result = CliRunner().invoke(main, ["build", "-f", str(project.root / "mkdocs.yml")])
    assert result.exit_code != 0
    assert "left as it was" in result.output
    after = {p: p.read_bytes() for p in project.site.rglob("*") if p.is_file()}
    assert after == before
    assert not any(p.name.startswith(".site.") for p in project.root.iterdir())


def test_unknown_target_is_a_clear_error(
    project: SiteProject, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from mkdocs.exceptions import Abort

    monkeypatch.setenv("STATUSKIT_TARGET", "mirrors:nope")
    project.configure(locales=["en", "ko"], mirrors=MIRRORS[:2])
    with pytest.raises(Abort):
        project.build()
    assert "no mirrors target 'nope'; declared: com, kr" in caplog.text


def test_adding_a_locale_is_one_catalog_file_and_one_config_line(project: SiteProject) -> None:
    english = (ROOT / "plugins" / "statuskit" / "locales" / "en.yml").read_text("utf-8")
    german = english.replace("All systems operational", "Alle Systeme betriebsbereit")
    (project.root / "locales").mkdir()
    (project.root / "locales" / "de.yml").write_text(german, encoding="utf-8")
    project.configure(locales=["en", "de"])
    build(project)
    page = project.page("de")
    assert page.html["lang"] == "de"
    assert "Alle Systeme betriebsbereit" in page.select_one(".sk-banner").get_text()
    assert "All systems operational" in project.page("en").select_one(".sk-banner").get_text()


def test_broken_site_catalog_is_a_clear_error(project: SiteProject) -> None:
    (project.root / "locales").mkdir()
    (project.root / "locales" / "en.yml").write_text("key: [unclosed", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "-f", str(project.root / "mkdocs.yml")])
    assert result.exit_code != 0
    assert "locales/en.yml: the catalog is not valid YAML" in result.output


def test_site_pages_use_their_translation_in_each_locale(project: SiteProject) -> None:
    (project.root / "docs" / "about.md").write_text("# About\n\nEnglish text.\n", "utf-8")
    (project.root / "docs" / "about.ko.md").write_text("# 소개\n\n한국어 설명.\n", "utf-8")
    project.configure(locales=["en", "ko", "ja"])
    build(project)
    assert "한국어 설명." in project.page("ko/about").get_text()
    assert "English text." in project.page("en/about").get_text()
    assert "English text." in project.page("ja/about").get_text()  # no ja version yet
    for locale in ("en", "ko", "ja"):
        assert not (project.site / locale / "about.ko").exists()
