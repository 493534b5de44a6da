"""A realistic history exported as Statuspage serves it and imported back, update for update.

The corpus (benchmarks/corpus.py) has years of incidents with bursts of updates in the same
minute, repeated, long, Korean and Japanese titles, reopened incidents, overrunning maintenance,
incidents without a summary and updates with links and markdown. It is written as saved copies
of a Statuspage page (api/v2 folders of 50 incidents, history feeds of 25) and imported into an
empty site in one call, oldest copy first.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import ROOT
from statuskit.cli.importing import import_group
from statuskit.cli.main import load_settings
from statuskit.core.loader import load_incidents
from statuskit.core.model import Incident
from statuskit.core.site import validate
from statuskit.importers.statuspage_feed import to_markdown
from statuskit.importers.writer import Links
from statuskit.views.markup import MarkdownRenderer

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus

SIZE = 300
SEED = 13


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus project: mkdocs.yml and its incident files."""
    root = tmp_path_factory.mktemp("corpus")
    corpus.generate(root, SIZE, SEED)
    return root


@pytest.fixture(scope="module")
def truth(history: Path) -> dict[str, Incident]:
    """The corpus as statuskit reads it, by id."""
    loaded = load_incidents(history / "incidents", "en")
    assert loaded.problems == []
    return {i.id: i for i in loaded.incidents}


def empty_site(tmp_path: Path, history: Path) -> Path:
    """A new site with the corpus's settings and components, and no incidents yet."""
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    shutil.copy(history / "mkdocs.yml", site / "mkdocs.yml")
    return site


def run_import(site: Path, *sources: Path) -> Result:
    return CliRunner().invoke(
        import_group,
        ["statuspage", *map(str, sources), "-f", str(site / "mkdocs.yml")],
        catch_exceptions=False,
    )


def en(text: Any) -> str:
    return str(text.get("en", "en").text).strip()


def told(incident: Incident) -> list[tuple[datetime, str, str, bool]]:
    """Every update as readers see it: when, status, text, and whether it reopened."""
    return [(u.at, u.status, en(u.body), u.reopened) for u in incident.updates]


def compare(imported: dict[str, Incident], truth: dict[str, Incident], summaries: bool) -> None:
    """Every incident back under its id, its updates equal one for one, in order."""
    assert sorted(imported) == sorted(truth)
    for incident_id, original in truth.items():
        back = imported[incident_id]
        assert back.kind == original.kind, incident_id
        assert en(back.title) == en(original.title), incident_id
        assert told(back) == told(original), incident_id
        if summaries:
            assert en(back.body) == en(original.body), incident_id
        if original.is_maintenance:
            assert back.scheduled_for == original.scheduled_for, incident_id
            assert back.scheduled_until == original.scheduled_until, incident_id


def imported_incidents(site: Path) -> dict[str, Incident]:
    settings = load_settings(site / "mkdocs.yml")
    incidents, problems = validate(settings)
    assert [p for p in problems if p.is_error] == []
    return {i.id: i for i in incidents}


def test_the_corpus_has_the_shapes_of_real_histories(truth: dict[str, Incident]) -> None:
    incidents = list(truth.values())
    years = {u.at.year for i in incidents for u in i.updates}
    assert len(years) >= 4
    bursts = [i for i in incidents if any(a.at == b.at for a, b in pairwise(i.updates))]
    assert len(bursts) >= 10
    assert any(u.reopened for i in incidents for u in i.updates)
    titles = [(en(i.title), i.updates[0].at.date()) for i in incidents if not i.is_maintenance]
    assert len(titles) > len(set(titles))  # a title repeated on the same day
    assert any(len(en(i.title)) >= 250 for i in incidents)
    assert any("\uac00" <= c <= "\ud7a3" for i in incidents for c in en(i.title))  # Hangul
    assert any("\u3040" <= c <= "\u30ff" for i in incidents for c in en(i.title))  # kana
    assert any(not i.body for i in incidents)
    overruns = [
        i
        for i in incidents
        if i.is_maintenance
        and i.scheduled_until is not None
        and any(u.status == "in_progress" and u.at > i.scheduled_until for u in i.updates)
    ]
    assert overruns
    texts = [en(u.body) for i in incidents for u in i.updates]
    assert any(f"{corpus.SITE_URL}incidents/" in t for t in texts)
    assert any("](https://" in t for t in texts) and any("**" in t for t in texts)


def test_api_files_imported_back_are_the_same_history(
    tmp_path: Path, history: Path, truth: dict[str, Incident]
) -> None:
    export = corpus.export_statuspage(history, tmp_path / "export")
    assert len(export.api) > 1  # more than one saved copy: the history is longer than 50
    for folder in export.api:
        listed = json.loads((folder / "incidents.json").read_text("utf-8"))["incidents"]
        assert len(listed) <= corpus.API_LIMIT
    site = empty_site(tmp_path, history)
    result = run_import(site, *export.api)
    assert result.exit_code == 0, result.output
    compare(imported_incidents(site), truth, summaries=True)
    incidents = sum(not i.is_maintenance for i in truth.values())
    updates = sum(len(i.updates) for i in truth.values())
    assert (
        f"{incidents} incident(s) and {len(truth) - incidents} maintenance(s), "
        f"{updates} update(s) read: incident files {len(truth)} created"
    ) in result.output
    assert f"updates: {updates} written, 0 updated, 0 unchanged" in result.output
    # Only the oldest copy is cut short: every later one is covered by the copies before it.
    assert "Only part of the history:" in result.output
    assert result.output.count("incidents.json lists only the newest 50") == 1
    assert f"{export.api[0]}/incidents.json: incidents.json lists only" in result.output
    assert "oldest first" in result.output

    files = {p: p.read_bytes() for p in (site / "incidents").rglob("*.md")}
    assert len(files) == len(truth)  # one file each, whatever the title
    again = run_import(site, *export.api)
    assert f"0 created, 0 updated, {len(truth)} unchanged" in again.output
    assert f"updates: 0 written, 0 updated, {updates} unchanged" in again.output
    assert {p: p.read_bytes() for p in (site / "incidents").rglob("*.md")} == files


@pytest.mark.parametrize("feed_format", ["atom", "rss"])
def test_history_feeds_imported_back_are_the_same_history(
    tmp_path: Path, history: Path, truth: dict[str, Incident], feed_format: str
) -> None:
    export = corpus.export_statuspage(history, tmp_path / "export", feed_format=feed_format)
    assert len(export.feeds) > 1
    site = empty_site(tmp_path, history)
    result = run_import(site, *export.feeds)
    assert result.exit_code == 0, result.output
    compare(imported_incidents(site), truth, summaries=True)
    assert result.output.count("a history feed holds only the newest 25") == 1
    assert f"{export.feeds[0]}: a history feed holds only" in result.output
    assert "oldest first" in result.output
    written = "".join(p.read_text("utf-8") for p in (site / "incidents").rglob("*.md"))
    assert "web_search" in written and "web\\_search" not in written


def test_links_to_the_old_page_on_any_of_its_addresses() -> None:
    new = "https://status.example.com/incidents/abc123/"
    links = Links(frozenset({"status.old.example"}), "incidents", {"abc123": new})
    moved = [
        "https://status.old.example/incidents/abc123",
        "https://www.status.old.example/incidents/abc123/",
        "https://oldpage.statuspage.io/incidents/abc123",
    ]
    for address in moved:
        assert links.carry(f"See {address}.") == f"See {new}."
        assert links.carry(f"[the outage]({address})") == f"[the outage]({new})"
    kept = [
        "https://other.example/incidents/abc123",  # another site
        "https://status.old.example/incidents/zzz999",  # not imported
        "https://status.old.example/incidents/abc123/updates",  # not the incident page
        "`https://status.old.example/incidents/abc123`",  # code, shown as typed
    ]
    for text in kept:
        assert links.carry(text) == text


def test_bare_addresses_are_links_where_the_text_is_shown() -> None:
    """Statuspage links a bare address when it shows an update; the new pages and feeds too."""
    html = str(MarkdownRenderer().html("Details: https://help.example.com/articles/20031."))
    assert '<a href="https://help.example.com/articles/20031"' in html
    code = str(MarkdownRenderer().html("Run `curl https://api.example.com/health`"))
    assert "<a " not in code


def test_html_keeps_only_the_escapes_markdown_needs() -> None:
    typed = "Calls to web_search fail; 2 * 3 retries; see `batch_size`"
    html = typed.replace("`batch_size`", "<code>batch_size</code>")
    assert to_markdown(f"<p>{html}</p>") == typed
    # What markdown would read as emphasis stays escaped, so pages show it as it was written.
    assert to_markdown("<p>_private_ and a*b*c</p>") == "\\_private\\_ and a\\*b\\*c"


def test_api_files_and_feeds_together_keep_the_most_detailed_copy(
    tmp_path: Path, history: Path, truth: dict[str, Incident]
) -> None:
    """The same incidents in API files and in newer feeds: the feeds lack severities."""
    export = corpus.export_statuspage(history, tmp_path / "export")
    site = empty_site(tmp_path, history)
    result = run_import(site, *export.api, *export.feeds, "--feed-impact", "none")
    assert result.exit_code == 0, result.output
    imported = imported_incidents(site)
    compare(imported, truth, summaries=True)
    for incident_id, original in truth.items():
        assert imported[incident_id].severity == original.severity, incident_id
        assert imported[incident_id].components == original.components, incident_id


def test_links_to_old_incident_pages_lead_to_the_new_ones(
    tmp_path: Path, history: Path, truth: dict[str, Incident]
) -> None:
    export = corpus.export_statuspage(history, tmp_path / "export")
    saved = "".join((f / "incidents.json").read_text("utf-8") for f in export.api)
    assert f"{corpus.OLD_PAGE}/incidents/" in saved
    site = empty_site(tmp_path, history)
    run_import(site, *export.api)
    written = "".join(p.read_text("utf-8") for p in (site / "incidents").rglob("*.md"))
    assert f"{corpus.OLD_PAGE}/incidents/" not in written
    assert f"{corpus.SITE_URL}incidents/" in written
