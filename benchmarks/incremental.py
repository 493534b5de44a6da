"""The figures of publishing one update on a large site; prints them, asserts nothing.

Usage: python benchmarks/incremental.py [N] [--one-locale] [--turns=K]   (default: 10000
incidents; --one-locale: figures 4 and 5 only; K pairs of builds for figure 4, default 3)

On a corpus of N incidents in en, ko and ja (benchmarks/corpus.py; one closed incident in
POSTMORTEMS with a published postmortem), each figure with the command that gives it:

1. `statuskit update` appending one update to an open incident;
2. `statuskit build` (a path per locale) after that update, with the cache of the build before,
   replacing the site folder of that build, then as the deploy workflow runs it (a fresh clone:
   no site folder, new file times, the cache restored from an archive);
3. `statuskit build` of the same tree with no cache (a clean build);
4. `mkdocs build` of one locale per incident, against `mkdocs build` of a plain MkDocs + Material
   site with one page per incident and per postmortem of the same text, the two in turns K
   times (the median ratio);
5. the peak memory of those one-locale clean builds (the largest).

Every build runs in its own process; times are wall-clock seconds on this machine as it is, with
the processor seconds of all its processes beside them (on a busy machine the wall clock says more
about the other load than about statuskit).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import LOCALES, SINGLE, print_table, run_build
from checkout import as_a_fresh_clone
from corpus import generate

STATUSKIT = [sys.executable, "-m", "statuskit.cli.main"]


CPU_SECONDS: list[float] = []

# The share of closed incidents with a published postmortem (a postmortem page each).
POSTMORTEMS = 0.03


def timed(command: list[str], cwd: Path) -> float:
    """Wall seconds of a command; its processor seconds (all its processes) go to CPU_SECONDS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    CPU_SECONDS.append(cpu)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed in {cwd}:\n{proc.stdout}\n{proc.stderr}")
    return seconds


def english(text: object) -> str:
    """A text of the corpus in English (a plain text, or the English of a text by locale)."""
    if isinstance(text, dict):
        text = text.get("en", next(iter(text.values()), ""))
    return str(text or "")


def plain_site(corpus: Path, root: Path) -> int:
    """A MkDocs + Material site with a page per incident and per postmortem holding its text."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    count = 0
    for path in sorted((corpus / "incidents").rglob("*.md")):
        front, _, body = path.read_text("utf-8").removeprefix("---\n").partition("\n---\n")
        data = yaml.safe_load(front) or {}
        if path.name.endswith(".postmortem.md"):
            lines = ["# Postmortem", "", english(data.get("summary")), "", body.strip(), ""]
            target = docs / "postmortems" / path.name.replace(".postmortem.md", ".md")
        elif path.name.count(".") > 1:  # translations
            continue
        else:
            lines = [f"# {english(data.get('title'))}", "", body.strip(), ""]
            for update in data.get("updates", []):
                lines += [f"## {update.get('status')} · {update.get('at')}", ""]
                lines += [english(update.get("body")), ""]
            target = docs / path.relative_to(corpus / "incidents")
            count += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines), "utf-8")
    # Like incident pages, the plain pages are outside the navigation (a navigation listing
    # every page would make each page's size grow with the history).
    (docs / "index.md").write_text("# Plain\n", "utf-8")
    config = {
        "site_name": "Plain",
        "site_url": "https://example.com/",
        "theme": {"name": "material", "font": False},
        "plugins": ["search"],
        "nav": ["index.md"],
        "not_in_nav": "/*/",
    }
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), "utf-8")
    return count


def main(argv: list[str]) -> int:
    one_locale_only = "--one-locale" in argv
    turns = next((int(a.split("=")[1]) for a in argv if a.startswith("--turns=")), 3)
    sizes = [a for a in argv if not a.startswith("--")]
    n = int(sizes[0]) if sizes else 10_000
    rows: list[tuple[str, str, str]] = []

    def report(figure: str, value: str, command: str) -> None:
        rows.append((figure, value, command))
        print(f"{figure}: {value}    ({command})", flush=True)

    with tempfile.TemporaryDirectory(prefix=f"statuskit-incremental-{n}-") as tmp:
        root = Path(tmp) / "site"
        if not one_locale_only:
            publish_figures(root, n, report)
        one = Path(tmp) / "one"
        generate(one, n, 0, ("en", "ko"), POSTMORTEMS)
        as_initialized(one)
        plain = Path(tmp) / "plain"
        count = plain_site(one, plain)
        # In turns, each pair on the machine as it is then: its speed drifts by a fifth or more
        # within an hour, and a ratio of two builds run far apart would measure that drift.
        ratios, peaks = [], []
        for turn in range(turns):
            seconds, peak = clean_build(one, Path(tmp) / f"one-aside-{turn}")
            plain_seconds, _ = clean_build(plain, Path(tmp) / f"plain-aside-{turn}")
            ratios.append((seconds / n) / (plain_seconds / count))
            peaks.append(peak)
            report(
                f"clean build per incident, one locale, turn {turn + 1} of {turns}",
                f"{1000 * seconds / n:.2f} ms against {1000 * plain_seconds / count:.2f} ms "
                f"(plain MkDocs+Material), {ratios[-1]:.2f}x",
                "mkdocs build (statuskit corpus) vs mkdocs build (plain pages)",
            )
        report(
            "clean build per incident, one locale",
            f"{statistics.median(ratios):.2f}x (median of {turns} turns; "
            f"{min(ratios):.2f}x to {max(ratios):.2f}x)",
            "mkdocs build (statuskit corpus) vs mkdocs build (plain pages), in turns",
        )
        report(
            f"peak memory, clean build, {n} incidents, one locale",
            f"{max(peaks):.0f} MiB",
            "mkdocs build (ru_maxrss)",
        )
        shutil.rmtree(root, ignore_errors=True)

    print_table(rows)
    return 0


def as_initialized(root: Path) -> None:
    """The corpus' mkdocs.yml as `statuskit init` writes one: Pagefind searches, not MkDocs'."""
    config = root / "mkdocs.yml"
    data = yaml.safe_load(config.read_text("utf-8"))
    data["plugins"] = [p for p in data["plugins"] if p != "search"]
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def publish_figures(root: Path, n: int, report: Callable[[str, str, str], None]) -> None:
    """Figures 1 to 3: an update, its republication with a warm cache, a clean build."""
    generate(root, n, 0, ("en", "ko", "ja"), POSTMORTEMS)
    as_initialized(root)
    clean = timed(LOCALES, root)
    report(
        f"clean build, {n} x 3 locales",
        f"{clean:.1f} s ({CPU_SECONDS[-1]:.0f} s CPU)",
        "statuskit build",
    )

    incident = sorted(root.glob("incidents/*/*-open-*.md"))[0].stem
    update = [*STATUSKIT, "update", incident, "-s", "identified", "-m", "Cause found."]
    seconds = timed(update, root)
    report(
        f"statuskit update, {n} incidents",
        f"{seconds:.2f} s ({CPU_SECONDS[-1]:.1f} s CPU)",
        "statuskit update ID …",
    )
    seconds = timed(LOCALES, root)
    report(
        f"republish after one update, {n} x 3 locales, warm cache, site folder replaced",
        f"{seconds:.1f} s ({CPU_SECONDS[-1]:.0f} s CPU)",
        "statuskit update … && statuskit build",
    )
    # As the deploy workflow runs: a fresh clone (no site folder) with the cache restored.
    timed([*STATUSKIT, "update", incident, "-s", "monitoring", "-m", "Fix deployed."], root)
    aside = root.parent / f"{root.name}-aside"
    as_a_fresh_clone(root, aside)
    seconds = timed(LOCALES, root)
    shutil.rmtree(aside)
    report(
        f"republish after one update, {n} x 3 locales, warm cache, as in CI (no site folder)",
        f"{seconds:.1f} s ({CPU_SECONDS[-1]:.0f} s CPU)",
        "statuskit update … && statuskit build (fresh checkout, cache restored from its archive)",
    )


def clean_build(root: Path, aside: Path) -> tuple[float, float]:
    """A clean `mkdocs build` at root (seconds, peak MiB); what an earlier build left (site,
    cache) goes to `aside` first and is deleted after, not before: this machine's ext4 without
    a journal skips just-freed inodes when the build makes its folders."""
    aside.mkdir()
    for name in ("site", ".cache"):
        if (root / name).exists():
            (root / name).rename(aside / name)
    result = run_build(root, SINGLE)
    shutil.rmtree(aside)
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
