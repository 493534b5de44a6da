"""`internal` notes never reach a published byte, in any build mode or output format.

Every incident file of the demo gets a unique marker in its `internal` field (plain text in some,
a text per locale in others); every mirror and every locale path is built, and every file written
(HTML, XML feeds and sitemaps, JSON, ICS, SVG, Pagefind's search index, gzipped ones decompressed)
is scanned.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from demo_site import build, copy_demo, incidents_dir
from statuskit.core.loader import load_incidents

MARKER = "INTERNAL-MARKER"
TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def with_internal(text: str, notes: list[str]) -> str:
    """The YAML text with its top-level `internal:` (and any continuation lines) replaced."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith("internal:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    return "".join(notes) + "".join(kept)


def mark_file(path: Path, number: int) -> str:
    """Puts marker `number` into the file's `internal` field; returns the marker."""
    marker = f"{MARKER}-{number:03d}"
    if number % 2:
        notes = [f"internal: {marker} ticket and chat channel\n"]
    else:
        notes = [
            "internal:\n",
            f"  en: {marker}-en on-call notes\n",
            f"  ko: {marker}-ko 내부 메모\n",
            f"  ja: {marker}-ja 社内メモ\n",
        ]
    text = path.read_text("utf-8")
    if path.suffix == ".md":
        assert text.startswith("---\n"), path
        front, rest = text[4:].split("\n---", 1)
        path.write_text("---\n" + with_internal(front + "\n", notes) + "---" + rest, "utf-8")
    else:
        path.write_text(with_internal(text, notes), "utf-8")
    return marker


def is_incident_file(path: Path) -> bool:
    """An incident document (not a translated body `x.ko.md` nor a postmortem beside it)."""
    if path.suffix == ".md":
        return path.read_text("utf-8").startswith("---\n") and len(path.suffixes) == 1
    return path.suffix in (".yml", ".yaml") and len(path.suffixes) == 1


def written_bytes(folder: Path) -> dict[Path, bytes]:
    """Every file under folder, decompressed when gzipped; file names count too."""
    contents = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz" or path.suffix.startswith(".pf_"):
            data = gzip.decompress(data)  # sitemaps and Pagefind's index fragments
        contents[path] = data + b"\n" + str(path.relative_to(folder)).encode()
    return contents


def find_markers(folder: Path) -> list[str]:
    needle = re.compile(MARKER.encode(), re.IGNORECASE)
    return [
        f"{path.relative_to(folder)}: ...{data[max(m.start() - 40, 0) : m.end() + 20]!r}..."
        for path, data in written_bytes(folder).items()
        for m in needle.finditer(data)
    ]


@pytest.fixture(scope="module")
def marked_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    tmp = tmp_path_factory.mktemp("internal")
    config_file = copy_demo(tmp / "demo")
    files = sorted(p for p in incidents_dir(config_file).rglob("*") if is_incident_file(p))
    markers = [mark_file(path, number) for number, path in enumerate(files, 1)]
    return config_file, markers


def test_every_demo_incident_carries_its_marker(marked_demo: tuple[Path, list[str]]) -> None:
    """The markers reach the model, so a clean scan below means they were dropped on output."""
    config_file, markers = marked_demo
    result = load_incidents(incidents_dir(config_file), "en")
    assert not [p for p in result.problems if p.is_error]
    internals = sorted(
        " ".join(incident.internal.values.values())
        for incident in result.incidents
        if incident.internal is not None
    )
    assert len(internals) == len(markers) >= 8
    for marker, internal in zip(markers, internals, strict=True):
        assert marker in internal


@pytest.mark.parametrize("mirrors", [False, True], ids=["paths", "mirrors"])
def test_no_internal_note_in_any_written_file(
    marked_demo: tuple[Path, list[str]], tmp_path: Path, mirrors: bool
) -> None:
    config_file, _ = marked_demo
    site = tmp_path / "site"
    build(config_file, site, mirrors=mirrors)
    written = written_bytes(site)
    suffixes = {path.suffix for path in written}
    assert {".html", ".xml", ".gz", ".json", ".atom", ".rss", ".ics", ".svg"} <= suffixes
    assert any(path.suffix == ".pf_fragment" for path in written)
    assert not find_markers(site), "\n".join(find_markers(site)[:20])


def test_scan_finds_a_marker_wherever_it_is(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.html").write_text(f"<p>{MARKER}-001</p>", "utf-8")
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(f"x {MARKER.lower()}-2".encode()))
    (tmp_path / f"{MARKER}-3.svg").write_text("<svg/>", "utf-8")
    assert len(find_markers(tmp_path)) == 3
